-- Every metric of every account for every day from its first snapshot to the last day with data.
-- The definitions are the README's "Metrics" section; this file is the one place they are computed.
-- Only days from metrics_from to metrics_to are computed (the days before are kept from the previous
-- build: no new run can have changed them); a full build computes every day, a few months at a time
-- (warehouse/build/builder.py), so that no sort outgrows the memory budget.
-- Each account's days from 37 days before metrics_from form a dense daily series, so "as of" values,
-- the 30-day baseline and the trailing 28-day post window are window functions over one sort; the
-- 90- and 365-day baselines are as-of joins of the computed days to the snapshots, so that a nightly
-- build reads a few weeks of snapshots, not the year the 365-day baseline looks back.
-- growth in percent of a baseline; NULL without a positive baseline (also in the views
-- account_metrics and institution_metrics)
CREATE OR REPLACE TEMP MACRO growth_pct(change, baseline) AS
    CASE WHEN baseline > 0 THEN change * 100.0 / baseline END;

DELETE FROM account_metrics_stored WHERE day BETWEEN getvariable('metrics_from') AND getvariable('metrics_to');

-- what follows from the row's other columns (the growths and their ratios, interactions per post,
-- posts per week, the engagement rate, overperformance), from the day's fit (expected interactions)
-- or from ranks and how many were ranked that day (the presence index) is not stored: the view
-- account_metrics computes it with the same expressions (migrations 012, 016)
INSERT INTO account_metrics_stored BY NAME
WITH
bounds AS (
    SELECT
        least(max(last_snapshot), getvariable('metrics_to')) AS last_day,
        getvariable('metrics_from') AS from_day,
        -- the 30-day baseline looks back 30 days and 7 of tolerance
        getvariable('metrics_from') - 37 AS series_from
    FROM account_spans
),
numbered AS (
    -- a small integer per account, in the order of account_id: the joins, windows and sorts below
    -- key on it and carry no text (the ids are joined back at the end)
    SELECT account_id, institution_id, platform, row_number() OVER (ORDER BY account_id) AS account_no
    FROM accounts
),
post_days AS (
    SELECT n.account_no, p.day, p.n_posts, p.n_counted, p.interactions
    FROM (
        SELECT
            account_id,
            CAST(posted_at AS DATE) AS day,
            count(*) AS n_posts,
            count(interactions) AS n_counted,
            sum(interactions) AS interactions
        FROM posts
        WHERE posted_at >= CAST(getvariable('metrics_from') - 38 AS TIMESTAMPTZ)
            AND posted_at < CAST(getvariable('metrics_to') + 2 AS TIMESTAMPTZ)
        GROUP BY ALL
    ) AS p
    JOIN numbered AS n USING (account_id)
),
spans AS (
    -- the series starts up to 27 days before the first snapshot, so that the first day's post
    -- window holds the posts the first run fetched; and no earlier than 37 days before the first
    -- day computed
    SELECT
        n.account_no,
        n.platform,
        s.first_snapshot,
        s.posts_since,
        greatest(
            least(s.first_snapshot, s.first_post), s.first_snapshot - 27, b.series_from
        ) AS first_day
    FROM account_spans AS s
    JOIN numbered AS n USING (account_id)
    CROSS JOIN bounds AS b
    WHERE s.first_snapshot IS NOT NULL
),
recent AS (
    SELECT
        n.account_no, a.snapshot_date, a.followers, a.precision, a.following, a.posts_total,
        a.views_total, a.likes_total, a.anomaly
    FROM account_snapshots AS a
    JOIN numbered AS n USING (account_id)
    WHERE snapshot_date BETWEEN getvariable('metrics_from') - 37 AND getvariable('metrics_to')
),
seeds AS (
    -- where the series starts after the first snapshot (a nightly build), the counts as of the day
    -- before it: that day's metrics hold them, kept from an earlier build (no new run reaches back
    -- that far). The latest trusted count is the same one unless that count is flagged.
    SELECT
        s.account_no,
        {
            'day': m.followers_date, 'followers': m.followers, 'precision': m.precision,
            'following': m.following, 'posts_total': m.posts_total,
            'views_total': m.views_total, 'likes_total': m.likes_total, 'flagged': m.followers_flagged
        } AS snap,
        CASE WHEN NOT m.followers_flagged THEN {'day': m.followers_date, 'followers': m.followers} END
            AS trusted_snap
    FROM account_metrics_stored AS m
    JOIN numbered AS n USING (account_id)
    JOIN spans AS s ON s.account_no = n.account_no AND s.first_day = m.day + 1
    WHERE m.day = getvariable('metrics_from') - 38 AND s.first_day > s.first_snapshot
),
flagged_seeds AS (
    -- where that count is flagged, the latest trusted one before it
    SELECT
        n.account_no,
        arg_max({'day': a.snapshot_date, 'followers': a.followers}, a.snapshot_date) AS trusted_snap
    FROM account_snapshots AS a
    JOIN numbered AS n USING (account_id)
    WHERE a.snapshot_date < getvariable('metrics_from') - 37
        AND a.anomaly IS DISTINCT FROM 'flagged'
        AND n.account_no IN (SELECT account_no FROM seeds WHERE snap.flagged)
    GROUP BY n.account_no
),
grid AS (
    SELECT s.account_no, s.platform, s.first_snapshot, s.posts_since, s.first_day, CAST(d.day AS DATE) AS day
    FROM spans AS s
    CROSS JOIN bounds AS b
    CROSS JOIN LATERAL (
        SELECT unnest(generate_series(s.first_day, b.last_day, INTERVAL 1 DAY)) AS day
    ) AS d
),
daily AS (
    SELECT
        g.*,
        -- the snapshot of the day, if any, as one value so that "latest" carries NULL counts too
        -- (on the series' first day, else the latest before it)
        CASE WHEN s.snapshot_date IS NOT NULL THEN {
            'day': s.snapshot_date, 'followers': s.followers, 'precision': s.precision,
            'following': s.following, 'posts_total': s.posts_total,
            'views_total': s.views_total, 'likes_total': s.likes_total,
            'flagged': coalesce(s.anomaly = 'flagged', false)
        } WHEN g.day = g.first_day THEN seed.snap END AS snap,
        -- growth skips a count flagged as an anomaly until the next snapshot confirms it
        CASE WHEN s.snapshot_date IS NOT NULL AND s.anomaly IS DISTINCT FROM 'flagged' THEN {
            'day': s.snapshot_date, 'followers': s.followers
        } WHEN g.day = g.first_day THEN coalesce(seed.trusted_snap, flagged_seed.trusted_snap) END
            AS trusted_snap,
        coalesce(p.n_posts, 0) AS n_posts,
        coalesce(p.n_counted, 0) AS n_counted,
        coalesce(p.interactions, 0) AS interactions
    FROM grid AS g
    LEFT JOIN recent AS s
        ON s.account_no = g.account_no AND s.snapshot_date = g.day
    LEFT JOIN post_days AS p
        ON p.account_no = g.account_no AND p.day = g.day
    LEFT JOIN seeds AS seed
        ON g.day = g.first_day AND seed.account_no = g.account_no
    LEFT JOIN flagged_seeds AS flagged_seed
        ON g.day = g.first_day AND flagged_seed.account_no = g.account_no
),
carried AS (
    SELECT
        account_no,
        platform,
        first_snapshot,
        posts_since,
        day,
        last_value(snap IGNORE NULLS) OVER upto AS cur,
        last_value(trusted_snap IGNORE NULLS) OVER upto AS trusted,
        -- followers(t-30): the nearest trusted snapshot on or before t-30 (the series is daily,
        -- so that is the one carried to 30 rows back); used if at most 7 days older
        last_value(trusted_snap IGNORE NULLS) OVER upto_30_days_back AS base,
        sum(n_posts) OVER window_28d AS posts_28d,
        sum(n_counted) OVER window_28d AS counted_28d,
        sum(interactions) OVER window_28d AS interactions_28d
    FROM daily
    WINDOW
        upto AS (PARTITION BY account_no ORDER BY day ROWS UNBOUNDED PRECEDING),
        upto_30_days_back AS (
            PARTITION BY account_no ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND 30 PRECEDING
        ),
        window_28d AS (PARTITION BY account_no ORDER BY day ROWS 27 PRECEDING)
),
computed AS (
    SELECT * FROM carried
    WHERE day >= first_snapshot AND day >= (SELECT from_day FROM bounds)
),
baselines AS (
    -- followers(t-90) and followers(t-365): the nearest trusted snapshot on or before the day.
    -- As-of joins of the computed days' keys alone (narrow: an as-of join holds both sides in memory)
    SELECT
        k.account_no, k.day, b90.snapshot_date AS base_90d_day, b90.followers AS base_90d_followers,
        b365.snapshot_date AS base_365d_day, b365.followers AS base_365d_followers
    FROM (
        -- the computed days, from the grid (cheap to repeat) rather than from the windows
        SELECT account_no, day, day - 90 AS day_90_back, day - 365 AS day_365_back
        FROM grid
        WHERE day >= first_snapshot AND day >= (SELECT from_day FROM bounds)
    ) AS k
    -- the counts growth may start from: not flagged as an anomaly (a NULL count is a baseline too);
    -- each side read on its own so that its days filter the scan
    ASOF LEFT JOIN (
        SELECT n.account_no, a.snapshot_date, a.followers
        FROM account_snapshots AS a
        JOIN numbered AS n USING (account_id)
        WHERE a.snapshot_date BETWEEN getvariable('metrics_from') - 104 AND getvariable('metrics_to') - 90
            AND a.anomaly IS DISTINCT FROM 'flagged'
    ) AS b90
        ON b90.account_no = k.account_no AND k.day_90_back >= b90.snapshot_date
    ASOF LEFT JOIN (
        SELECT n.account_no, a.snapshot_date, a.followers
        FROM account_snapshots AS a
        JOIN numbered AS n USING (account_id)
        WHERE a.snapshot_date BETWEEN getvariable('metrics_from') - 396 AND getvariable('metrics_to') - 365
            AND a.anomaly IS DISTINCT FROM 'flagged'
    ) AS b365
        ON b365.account_no = k.account_no AND k.day_365_back >= b365.snapshot_date
),
rates AS (
    SELECT
        account_no,
        platform,
        day,
        cur.followers AS followers,
        cur.day AS followers_date,
        cur.flagged AS followers_flagged,
        cur.precision AS precision,
        cur.following AS following,
        cur.posts_total AS posts_total,
        cur.views_total AS views_total,
        cur.likes_total AS likes_total,
        CASE WHEN cur.flagged THEN trusted.followers END AS trusted_followers,
        posts_since,
        interactions_28d,
        counted_28d,
        -- the as-of tolerance scales with the window: 7 days for 30, 14 for 90, 31 for 365
        CASE WHEN base.day >= day - 37 THEN base.followers END AS baseline_followers,
        trusted.followers - baseline_followers AS growth_30d,
        growth_pct(growth_30d, baseline_followers) AS growth_30d_pct,
        CASE WHEN base_90d_day >= day - 104 THEN base_90d_followers END AS baseline_90d_followers,
        trusted.followers - baseline_90d_followers AS growth_90d,
        growth_pct(growth_90d, baseline_90d_followers) AS growth_90d_pct,
        CASE WHEN base_365d_day >= day - 396 THEN base_365d_followers END AS baseline_365d_followers,
        trusted.followers - baseline_365d_followers AS growth_365d,
        growth_pct(growth_365d, baseline_365d_followers) AS growth_365d_pct,
        posts_28d,
        CASE WHEN day >= posts_since THEN posts_28d / 4.0 END AS posts_per_week,
        CASE WHEN counted_28d > 0 THEN interactions_28d / counted_28d END AS interactions_per_post
    FROM computed
    LEFT JOIN baselines USING (account_no, day)
),
engagement AS (
    SELECT
        *,
        CASE
            WHEN followers > 0 AND interactions_per_post IS NOT NULL
            THEN interactions_per_post * 100.0 / followers
        END AS engagement_rate
    FROM rates
),
ranked AS (
    -- ranks among the platform's accounts with a value that day (the view makes them percentile
    -- ranks, 0-1, with account_metric_days' counts of accounts ranked)
    SELECT
        e.*,
        CASE WHEN e.engagement_rate IS NOT NULL THEN rank() OVER (
            PARTITION BY e.platform, e.day, e.engagement_rate IS NULL ORDER BY e.engagement_rate
        ) END AS engagement_rank,
        CASE WHEN e.growth_30d_pct IS NOT NULL THEN rank() OVER (
            PARTITION BY e.platform, e.day, e.growth_30d_pct IS NULL ORDER BY e.growth_30d_pct
        ) END AS growth_rank
    FROM engagement AS e
),
formula AS (
    -- the power-score formula's terms per platform, as one list (see power_weights)
    SELECT
        platform,
        list({'measure': measure, 'units_per_point': units_per_point, 'weight': weight} ORDER BY term)
            AS terms
    FROM power_weights
    GROUP BY platform
)
SELECT
    a.account_id,
    a.institution_id,
    r.platform,
    r.day,
    r.followers,
    r.following,
    r.posts_total,
    r.likes_total,
    r.views_total,
    r.followers_date,
    r.followers_flagged,
    r.trusted_followers,
    r.precision,
    r.baseline_followers,
    r.baseline_90d_followers,
    r.baseline_365d_followers,
    r.posts_28d,
    r.posts_since,
    r.interactions_28d,
    r.counted_28d,
    r.engagement_rank,
    r.growth_rank,
    -- the sum of the platform's terms the account has a value for; NULL when it has none.
    -- The measures are warehouse.metrics.POWER_MEASURES, checked before they are stored.
    list_sum(list_transform(w.terms, lambda t: (
        CASE t.measure
            WHEN 'followers' THEN r.followers
            WHEN 'following' THEN r.following
            WHEN 'posts_total' THEN r.posts_total
            WHEN 'likes_total' THEN r.likes_total
            WHEN 'views_total' THEN r.views_total
            WHEN 'growth_30d' THEN r.growth_30d
            WHEN 'growth_90d' THEN r.growth_90d
            WHEN 'growth_365d' THEN r.growth_365d
            WHEN 'posts_per_week' THEN r.posts_per_week
            WHEN 'interactions_per_post' THEN r.interactions_per_post
            WHEN 'engagement_rate' THEN r.engagement_rate
        END
    ) / coalesce(t.units_per_point, 1.0 / t.weight))) AS power_score
FROM ranked AS r
JOIN numbered AS a USING (account_no)
LEFT JOIN formula AS w ON w.platform = r.platform
-- a month at a time, each account's days together (account_no follows account_id): counts and
-- baselines that change slowly from one day to the next compress (a one-day read reads its
-- month's row groups)
ORDER BY date_trunc('month', r.day), r.account_no, r.day;

-- the platform's log-log fit of interactions per post on followers and its counts of accounts
-- ranked, per day, from the rows just stored (interactions per post as the view computes it)
DELETE FROM account_metric_days WHERE day BETWEEN getvariable('metrics_from') AND getvariable('metrics_to');

INSERT INTO account_metric_days
WITH fitted AS (
    SELECT
        platform,
        day,
        followers,
        CASE WHEN counted_28d > 0 THEN interactions_28d / counted_28d END AS interactions_per_post,
        engagement_rank,
        growth_rank
    FROM account_metrics_stored
    WHERE day BETWEEN getvariable('metrics_from') AND getvariable('metrics_to')
)
SELECT
    platform,
    day,
    CASE WHEN count(*) FILTER (WHERE interactions_per_post > 0 AND followers > 0) >= 3 THEN
        regr_intercept(ln(interactions_per_post), ln(followers))
            FILTER (WHERE interactions_per_post > 0 AND followers > 0)
    END AS intercept,
    CASE WHEN count(*) FILTER (WHERE interactions_per_post > 0 AND followers > 0) >= 3 THEN
        regr_slope(ln(interactions_per_post), ln(followers))
            FILTER (WHERE interactions_per_post > 0 AND followers > 0)
    END AS slope,
    count(engagement_rank) AS engagement_ranked,
    count(growth_rank) AS growth_ranked
FROM fitted
GROUP BY ALL
ORDER BY day, platform;
