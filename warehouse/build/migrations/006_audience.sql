-- Audience quality from weekly follower samples, and per-post signals (engagement against the
-- account's size, reactions against the account's usual ones). Only counts: never who follows whom.

CREATE TABLE audience_samples (
    account_id VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    handle VARCHAR,
    sample_date DATE NOT NULL,
    drawn BIGINT NOT NULL,               -- followers listed in the pages read (newest first)
    sample_size BIGINT NOT NULL,         -- of those, with a public follower count
    influencers BIGINT NOT NULL,         -- with >= 1,000 followers of their own
    small BIGINT NOT NULL,               -- with <= 50
    median_followers DOUBLE,             -- the median of their follower counts
    median_low BIGINT,                   -- a 95% interval for the median (order statistics)
    median_high BIGINT,
    activity_known BIGINT,               -- with a last-post date on their profile; NULL: none shown
    inactive BIGINT,                     -- of those, no post in the 90 days before sample_date
    followers_total BIGINT,              -- the account's followers when sampled (the population)
    requests BIGINT,
    run_id VARCHAR NOT NULL,
    collected_at TIMESTAMPTZ NOT NULL
);

-- A share in percent of a sample, and its 95% margin of error in percentage points: the normal
-- approximation 1.96 × √(p(1 − p)/n), with the finite-population correction √((N − n)/(N − 1))
-- when the account's follower count N is known (a sample of all followers has no margin).
CREATE MACRO share_pct(k, n) AS CASE WHEN n > 0 THEN 100.0 * k / n END;
CREATE MACRO share_margin(k, n, population) AS CASE WHEN n > 0 THEN
    100 * 1.96 * sqrt((k / n) * (1 - k / n) / n)
    * CASE WHEN population > 1 THEN sqrt(greatest(population - n, 0) / (population - 1)) ELSE 1 END
END;

CREATE TABLE post_signals (
    account_id VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    post_id VARCHAR NOT NULL,
    posted_at TIMESTAMPTZ NOT NULL,
    followers BIGINT,                    -- the account's followers on the day of the post
    engagement_rate DOUBLE,              -- interactions ÷ followers × 100
    expected_interactions DOUBLE,        -- from the platform's log-log fit on that day
    overperformance DOUBLE,              -- interactions ÷ expected_interactions
    reaction_ratio DOUBLE,               -- (comments + quotes) ÷ likes
    usual_ratio DOUBLE,                  -- median reaction_ratio of the account's posts of the 90 days before
    usual_posts BIGINT,                  -- how many posts that median is of
    reaction_multiple DOUBLE             -- reaction_ratio ÷ usual_ratio
);
