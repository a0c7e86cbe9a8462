-- post_signals is a view since 017, as account_metrics since 012 and 016 (issue 25): a post's
-- engagement rate, overperformance, reaction ratio and reaction multiple follow from its counts,
-- its account's followers and expected interactions, stored beside them. Doubles DuckDB barely
-- compresses were most of the table. The expected interactions stay stored: a join to the day's
-- fit in the view kept readers' filters on the post's day from reaching the table's scan. The table
-- underneath is post_signals_stored; readers see the same columns, types, order and values.
DROP TABLE post_signals;

CREATE TABLE post_signals_stored (
    account_id VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    post_id VARCHAR NOT NULL,
    posted_at TIMESTAMPTZ NOT NULL,
    followers BIGINT,                    -- the account's followers on the day of the post
    expected_interactions DOUBLE,        -- the account's on that day (account_metrics)
    interactions BIGINT,                 -- the post's (posts.interactions)
    replies BIGINT,                      -- comments + quotes where the platform reports them; NULL without comments
    likes BIGINT,
    usual_ratio DOUBLE,                  -- median reaction_ratio of the account's posts of the 90 days before
    usual_posts BIGINT                   -- how many posts that median is of
);

-- the expressions are 45_post_signals.sql's (before 017), so the values are the same to the bit
CREATE VIEW post_signals AS
SELECT
    account_id, institution_id, platform, post_id, posted_at, followers,
    CAST(CASE WHEN followers > 0 THEN interactions * 100.0 / followers END AS DOUBLE) AS engagement_rate,
    expected_interactions,
    CAST(CASE WHEN expected_interactions > 0 THEN interactions / expected_interactions END AS DOUBLE)
        AS overperformance,
    reaction_ratio,
    CASE WHEN usual_posts > 0 THEN usual_ratio END AS usual_ratio,
    usual_posts,
    CAST(CASE WHEN usual_ratio > 0 THEN reaction_ratio / usual_ratio END AS DOUBLE) AS reaction_multiple
FROM (
    SELECT
        *,
        CAST(CASE WHEN likes > 0 AND replies IS NOT NULL THEN replies / likes END AS DOUBLE) AS reaction_ratio
    FROM post_signals_stored
) AS s;
