-- The warehouse's public tables: people query these by name, so names and columns are an interface.

CREATE TABLE institutions (
    institution_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    country VARCHAR NOT NULL,
    website VARCHAR NOT NULL,
    groups VARCHAR[] NOT NULL,
    total_assets DOUBLE
);

CREATE TABLE institution_groups (
    institution_id VARCHAR NOT NULL,
    group_name VARCHAR NOT NULL
);

CREATE TABLE accounts (
    account_id VARCHAR PRIMARY KEY,      -- institution_id/platform/handle
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    handle VARCHAR,
    url VARCHAR,
    platform_id VARCHAR,
    display_name VARCHAR,
    found_via VARCHAR NOT NULL,          -- registry | discovered | manual | collected
    found_on VARCHAR,                    -- the page an account was discovered on
    status VARCHAR NOT NULL,             -- active | not_found | private | mismatch
    first_snapshot DATE,
    last_snapshot DATE
);

CREATE TABLE account_snapshots (
    account_id VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    handle VARCHAR,
    snapshot_date DATE NOT NULL,
    followers BIGINT,                    -- NULL: the platform did not give it, never 0
    following BIGINT,
    posts_total BIGINT,
    likes_total BIGINT,
    views_total BIGINT,
    precision VARCHAR NOT NULL,          -- exact | rounded
    method VARCHAR NOT NULL,             -- api | manual
    posts_observed BOOLEAN NOT NULL,
    source VARCHAR,
    run_id VARCHAR NOT NULL,
    collected_at TIMESTAMPTZ NOT NULL
    -- unique per (account_id, snapshot_date); not declared, as an index would cost the build
    -- more than it serves readers who scan by day
);

CREATE TABLE posts (
    account_id VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    post_id VARCHAR NOT NULL,
    posted_at TIMESTAMPTZ NOT NULL,
    url VARCHAR,
    text VARCHAR,
    likes BIGINT,
    comments BIGINT,
    shares BIGINT,
    quotes BIGINT,
    views BIGINT,
    interactions BIGINT,                 -- likes + comments + shares + quotes, those reported
    collected_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR NOT NULL
    -- unique per (account_id, post_id), not declared (see account_snapshots)
);

CREATE TABLE runs (
    run_id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,               -- collect | import | discover | demo
    run_date DATE NOT NULL,
    status VARCHAR NOT NULL,             -- complete | partial | failed
    demo BOOLEAN NOT NULL,
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    duration_s DOUBLE,
    snapshots BIGINT NOT NULL,
    posts BIGINT NOT NULL,
    errors BIGINT NOT NULL,
    requests BIGINT,
    stats JSON
);

CREATE TABLE run_errors (
    run_id VARCHAR NOT NULL,
    institution_id VARCHAR,
    platform VARCHAR NOT NULL,
    handle VARCHAR,
    kind VARCHAR NOT NULL,               -- not_found | private | rate_limited | auth_missing | parse_error | http_error | timeout
    message VARCHAR NOT NULL,
    http_status INTEGER,
    occurred_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE power_weights (
    platform VARCHAR PRIMARY KEY,
    measure VARCHAR NOT NULL,            -- followers | likes_total | views_total
    units_per_point DOUBLE NOT NULL
);

-- Marts: metrics per account and per institution for every day that has data.
CREATE TABLE account_metrics (
    account_id VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    day DATE NOT NULL,
    followers BIGINT,
    followers_date DATE,                 -- the snapshot the value comes from
    precision VARCHAR,
    baseline_followers BIGINT,           -- followers(t-30), as-of within 7 days
    growth_30d BIGINT,
    growth_30d_pct DOUBLE,
    posts_28d BIGINT,
    posts_per_week DOUBLE,
    interactions_per_post DOUBLE,
    engagement_rate DOUBLE,
    expected_interactions DOUBLE,
    overperformance DOUBLE,
    presence_index DOUBLE,
    power_score DOUBLE
);

CREATE TABLE institution_metrics (
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,           -- a platform, or 'all'
    day DATE NOT NULL,
    accounts INTEGER NOT NULL,
    followers BIGINT,
    rounded BOOLEAN NOT NULL,            -- some count behind the value is rounded by the platform
    growth_30d BIGINT,
    growth_30d_pct DOUBLE,
    posts_per_week DOUBLE,
    interactions_per_post DOUBLE,
    engagement_rate DOUBLE,
    overperformance DOUBLE,
    presence_index DOUBLE,
    power_score DOUBLE
);

CREATE TABLE warehouse_info (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
);
