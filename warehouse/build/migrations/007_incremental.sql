-- What a nightly build needs to know of the runs already built, so that it reads only the new ones
-- (the landing zone keeps every run, but a nightly build no longer re-reads them all).

-- The latest sighting of each account by a run (its platform id, display name, status): what the
-- accounts table shows of it, merged night by night instead of re-read from every run.
CREATE TABLE account_sightings (
    account_id VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    handle VARCHAR NOT NULL,
    url VARCHAR,
    platform_id VARCHAR,
    display_name VARCHAR,
    status VARCHAR,
    observed_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR NOT NULL
);

-- The days a run opened an account's threads: a day's webcare is known after one of them.
CREATE TABLE comment_observations (
    account_id VARCHAR NOT NULL,
    observed_day DATE NOT NULL
);

-- Each account's span of snapshots and its first post: kept up to date with each build's new rows
-- (instead of aggregated over the whole history every night).
CREATE TABLE account_spans (
    account_id VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    handle VARCHAR,
    manual_only BOOLEAN,                 -- every snapshot typed in (a counts import)
    first_snapshot DATE,
    last_snapshot DATE,
    posts_since DATE,                    -- the first snapshot of a run that fetched the posts
    first_post DATE                      -- the day of the earliest post
);

-- Where a counts import without a handle went when it was built: the institution's first account
-- on the platform. A registry change that moves one of these makes the next build a full one.
CREATE TABLE import_handles (
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    handle VARCHAR NOT NULL
);
