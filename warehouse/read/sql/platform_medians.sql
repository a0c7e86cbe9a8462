-- Per platform, the industry's statistic: engagement per post by followers (engagement_rate, over
-- the trailing 28 days) and posts a week, each account summed up by its median over the last 365
-- days of data, then the median across the platform's accounts; with the log-log fit of engagement
-- on audience across those accounts, the spread (90th over 10th percentile), and the highest median
-- engagement rate among accounts that had more than $large followers on any of those days.
WITH
last_day AS (
    SELECT max(day) AS day FROM account_metrics
),
per_account AS (
    SELECT
        m.platform,
        m.account_id,
        median(m.engagement_rate) AS engagement_rate,
        median(m.posts_per_week) AS posts_per_week,
        median(m.followers) AS followers,
        max(m.followers) AS most_followers
    FROM account_metrics AS m, last_day AS l
    WHERE m.day > l.day - 365
    GROUP BY m.platform, m.account_id
)
SELECT
    platform,
    count(*) AS accounts,
    count(engagement_rate) AS accounts_with_posts,
    median(engagement_rate) AS engagement_rate,
    median(posts_per_week) AS posts_per_week,
    corr(ln(engagement_rate), ln(followers)) FILTER (WHERE engagement_rate > 0) AS loglog_corr,
    regr_slope(ln(engagement_rate), ln(followers)) FILTER (WHERE engagement_rate > 0) AS loglog_slope,
    quantile_cont(engagement_rate, 0.9) / quantile_cont(engagement_rate, 0.1) AS spread_p90_p10,
    count(*) FILTER (WHERE most_followers > $large) AS large_accounts,
    max(engagement_rate) FILTER (WHERE most_followers > $large) AS large_max_rate
FROM per_account
GROUP BY platform
ORDER BY platform
