-- Small tables the pages and `finsocial status` read instead of the whole history (issue 25):
-- written by sql/marts/70_reading.sql at each build, a row an account and one row in all.

-- Each account's newest snapshot: its day, its platform's newest collection time of the account,
-- and whether that count was rounded or typed in. An account without snapshots has no row.
CREATE TABLE account_latest (
    account_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    last_snapshot DATE NOT NULL,
    last_collected_at TIMESTAMPTZ NOT NULL,  -- the latest collected_at of any of its snapshots
    precision VARCHAR NOT NULL,              -- of the newest snapshot: exact | rounded
    method VARCHAR NOT NULL                  -- of the newest snapshot: api | manual
);

-- The headline counts that would scan the largest tables: posts, and the last day with metrics.
CREATE TABLE warehouse_counts (
    posts BIGINT NOT NULL,
    last_day DATE
);
