-- Overnight jumps and drops beyond a plausible bound: stored as collected, flagged, and kept out of
-- growth metrics until the next snapshot confirms them (see warehouse/sql/marts/05_anomalies.sql).

-- NULL: a normal snapshot; 'flagged': beyond the bound and not (yet) confirmed; 'confirmed': beyond
-- the bound, and the next snapshot agreed with it, so it is the account's new level.
ALTER TABLE account_snapshots ADD COLUMN anomaly VARCHAR;

CREATE TABLE snapshot_anomalies (
    account_id VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    snapshot_date DATE NOT NULL,
    followers BIGINT NOT NULL,
    previous_date DATE NOT NULL,         -- the snapshot it is compared with
    previous_followers BIGINT NOT NULL,
    change BIGINT NOT NULL,              -- followers - previous_followers
    change_pct DOUBLE,                   -- change / previous_followers * 100
    next_date DATE,                      -- the snapshot that judges it, if there is one yet
    next_followers BIGINT,
    status VARCHAR NOT NULL,             -- flagged | confirmed
    run_id VARCHAR NOT NULL,
    PRIMARY KEY (account_id, snapshot_date)
);

-- Whether the latest snapshot behind `followers` is an unconfirmed anomaly (growth skipped it).
ALTER TABLE account_metrics ADD COLUMN followers_flagged BOOLEAN;
