-- Practices per post, per account and per institution: do institutions keep the no-gos? The
-- definitions are the README's "Practices" section; this file is the one place they are computed.
--   removed: a comment by someone else directly under an own post, seen in a read of the thread
--     and missing from a later complete read of it (the post still there: its thread was read);
--     or the post's comment count fallen below its peak by more than the platform's tolerance;
--     a post counts the larger of the two, so one comment gone is counted once;
--   closed: the platform says the post's replies are off or restricted;
--   bait, empty reply, tone: from the shared offline classifier (warehouse.domain.text), bait on
--     the post's text at build, the tone and emptiness of a comment when it was collected;
--   answered share and reply times: the webcare questions (30_webcare.sql), in business hours too.
-- Per account and day over the posts (and questions) of the trailing 28 and 90 days. Only days and
-- posts on or after metrics_from are computed; earlier ones are kept from the previous build.
-- The builder has loaded business_hours and practice_tolerances; this file first keeps the new
-- runs' thread reads and post peaks (the history that removal is judged on).

INSERT INTO thread_reads BY NAME
SELECT account_id, post_id, read_at, complete, run_id FROM stg_thread_reads
EXCEPT
SELECT account_id, post_id, read_at, complete, run_id FROM thread_reads;

DELETE FROM post_peaks AS t USING stg_post_peaks AS n
WHERE t.account_id = n.account_id AND t.post_id = n.post_id AND n.peak_comments > t.peak_comments;

INSERT INTO post_peaks BY NAME
SELECT n.account_id, n.post_id, n.peak_comments, n.peak_at
FROM stg_post_peaks AS n
ANTI JOIN post_peaks AS t USING (account_id, post_id);

-- Each post's threads: comments by others seen (and removed), the institution's replies, tones.
CREATE OR REPLACE TEMP TABLE practice_threads AS
WITH
last_complete AS (
    SELECT account_id, post_id, max(read_at) AS read_at
    FROM thread_reads
    WHERE complete
    GROUP BY ALL
)
SELECT
    c.account_id,
    c.post_id,
    count(*) FILTER (WHERE NOT c.is_institution) AS others_seen,
    count(*) FILTER (
        WHERE NOT c.is_institution AND c.parent_id = c.post_id AND r.read_at > c.collected_at
    ) AS removed_in_threads,
    count(c.empty_reply) FILTER (WHERE c.is_institution) AS replies_read,
    count(*) FILTER (WHERE c.is_institution AND c.empty_reply) AS empty_replies,
    count(c.tone) FILTER (WHERE NOT c.is_institution) AS comments_toned,
    count(*) FILTER (WHERE NOT c.is_institution AND c.tone = 'negative') AS negative_comments
FROM comments AS c
LEFT JOIN last_complete AS r USING (account_id, post_id)
WHERE c.parent_id IS NOT NULL
    AND c.created_at >= CAST(getvariable('metrics_from') - 91 AS TIMESTAMPTZ)
GROUP BY ALL;

-- Each post from 91 days before metrics_from (the 90 days before a post are its account's norm).
CREATE OR REPLACE TEMP TABLE practice_posts AS
WITH
facts AS (
    SELECT
        p.account_id,
        p.institution_id,
        p.platform,
        p.post_id,
        p.posted_at,
        p.comments_closed,
        CASE WHEN nullif(trim(p.text), '') IS NOT NULL THEN practice_is_bait(p.text) END AS bait,
        k.peak_comments,
        CASE
            WHEN k.peak_comments IS NOT NULL AND p.comments IS NOT NULL
            THEN greatest(k.peak_comments - p.comments - coalesce(t.tolerance, 0), 0)
        END AS count_drop,
        th.removed_in_threads,
        th.others_seen,
        th.replies_read,
        th.empty_replies,
        th.comments_toned,
        th.negative_comments,
        p.likes AS reactions,
        p.reactions_angry
    FROM posts AS p
    LEFT JOIN post_peaks AS k USING (account_id, post_id)
    LEFT JOIN practice_threads AS th USING (account_id, post_id)
    LEFT JOIN practice_tolerances AS t USING (platform)
    WHERE p.posted_at >= CAST(getvariable('metrics_from') - 91 AS TIMESTAMPTZ)
)
SELECT
    *,
    CASE
        WHEN count_drop IS NOT NULL OR removed_in_threads IS NOT NULL
        THEN greatest(coalesce(count_drop, 0), coalesce(removed_in_threads, 0))
    END AS removed_comments,
    CASE
        WHEN peak_comments IS NOT NULL OR others_seen IS NOT NULL
        THEN greatest(coalesce(peak_comments, 0), coalesce(others_seen, 0))
    END AS comments_seen,
    CASE WHEN comments_toned > 0 THEN negative_comments * 100.0 / comments_toned END AS negative_comment_share,
    CASE WHEN reactions > 0 AND reactions_angry IS NOT NULL THEN reactions_angry * 100.0 / reactions END
        AS angry_share,
    -- the account's own norms: pooled over its posts of the 90 days before this one
    sum(negative_comments) OVER before_post AS usual_negative,
    sum(comments_toned) OVER before_post AS usual_toned,
    sum(reactions_angry) OVER before_post AS usual_angry,
    sum(reactions) FILTER (WHERE reactions_angry IS NOT NULL) OVER before_post AS usual_reactions
FROM facts
WINDOW before_post AS (
    PARTITION BY account_id ORDER BY posted_at
    RANGE BETWEEN INTERVAL 90 DAYS PRECEDING AND INTERVAL 1 MICROSECOND PRECEDING
);

DELETE FROM post_practices WHERE posted_at >= CAST(getvariable('metrics_from') AS TIMESTAMPTZ);

INSERT INTO post_practices BY NAME
SELECT
    account_id,
    institution_id,
    platform,
    post_id,
    posted_at,
    comments_closed,
    bait,
    peak_comments,
    count_drop,
    removed_in_threads,
    removed_comments,
    comments_seen,
    replies_read,
    empty_replies,
    comments_toned,
    negative_comments,
    negative_comment_share,
    CASE WHEN usual_toned > 0 THEN usual_negative * 100.0 / usual_toned END AS usual_negative_share,
    coalesce(usual_toned, 0) AS usual_toned,
    reactions,
    reactions_angry,
    angry_share,
    CASE WHEN usual_reactions > 0 THEN usual_angry * 100.0 / usual_reactions END AS usual_angry_share,
    usual_reactions
FROM practice_posts
WHERE posted_at >= CAST(getvariable('metrics_from') AS TIMESTAMPTZ)
ORDER BY posted_at, account_id;

-- Each question from 89 days before metrics_from with its reply time against the platform's target
-- and in the business hours of the institution's country (NULL where the country has no time zone).
CREATE OR REPLACE TEMP TABLE practice_questions AS
WITH
questions AS (
    SELECT q.*, i.country, t.target_minutes
    FROM webcare_questions AS q
    JOIN institutions AS i USING (institution_id)
    LEFT JOIN webcare_targets AS t USING (platform)
    WHERE q.asked_at >= CAST(getvariable('metrics_from') - 89 AS TIMESTAMPTZ)
),
inside AS (
    SELECT
        q.account_id,
        q.question_id,
        sum(epoch(least(b.closes_at, q.first_reply_at)) - epoch(greatest(b.opens_at, q.asked_at))) / 60.0
            AS minutes
    FROM questions AS q
    JOIN business_hours AS b
        ON b.country = q.country AND b.opens_at < q.first_reply_at AND b.closes_at > q.asked_at
    GROUP BY ALL
),
zoned AS (SELECT DISTINCT country FROM business_hours)
SELECT
    q.account_id,
    CAST(q.asked_at AS DATE) AS asked_day,
    q.reply_minutes,
    q.reply_minutes / q.target_minutes AS target_ratio,
    CASE
        WHEN q.first_reply_at IS NOT NULL AND z.country IS NOT NULL THEN coalesce(s.minutes, 0)
    END AS business_minutes
FROM questions AS q
LEFT JOIN inside AS s USING (account_id, question_id)
LEFT JOIN zoned AS z USING (country);

-- Every computed day of every account whose posts are collected, for each window, and whether a
-- run opened its threads in the window (else the thread measures are unknown: NULL).
CREATE OR REPLACE TEMP TABLE practice_grid AS
WITH
days AS (
    SELECT m.account_id, m.institution_id, m.platform, m.day, w.window_days
    FROM account_metrics AS m
    CROSS JOIN (VALUES (28), (90)) AS w(window_days)
    WHERE m.day >= getvariable('metrics_from') AND m.posts_per_week IS NOT NULL
),
observed AS (
    SELECT d.account_id, d.day, d.window_days
    FROM days AS d
    SEMI JOIN comment_observations AS o
        ON o.account_id = d.account_id
        AND o.observed_day BETWEEN d.day - (d.window_days - 1) AND d.day
)
SELECT d.*, o.account_id IS NOT NULL AS threads_observed
FROM days AS d
LEFT JOIN observed AS o USING (account_id, day, window_days);

CREATE OR REPLACE TEMP TABLE practice_daily AS
SELECT
    account_id,
    CAST(posted_at AS DATE) AS day,
    count(*) AS posts_seen,
    count(comments_closed) AS closed_known,
    count(*) FILTER (WHERE comments_closed) AS closed_posts,
    count(bait) AS bait_known,
    count(*) FILTER (WHERE bait) AS bait_posts,
    sum(comments_seen) AS comments_seen,
    sum(removed_comments) AS removed_comments,
    sum(replies_read) AS replies_read,
    sum(empty_replies) AS empty_replies,
    sum(comments_toned) AS comments_toned,
    sum(negative_comments) AS negative_comments
FROM post_practices
WHERE posted_at >= CAST(getvariable('metrics_from') - 89 AS TIMESTAMPTZ)
GROUP BY ALL;

-- Sums over each window, per account and pooled per institution (each platform, and 'all').
CREATE OR REPLACE TEMP TABLE practice_sums AS
SELECT
    coalesce(g.account_id, '') AS level_account,
    g.institution_id,
    coalesce(g.platform, 'all') AS level_platform,
    g.day,
    g.window_days,
    coalesce(sum(d.posts_seen), 0) AS posts_seen,
    coalesce(sum(d.closed_known), 0) AS closed_known,
    coalesce(sum(d.closed_posts), 0) AS closed_posts,
    coalesce(sum(d.bait_known), 0) AS bait_known,
    coalesce(sum(d.bait_posts), 0) AS bait_posts,
    coalesce(sum(d.comments_seen), 0) AS comments_seen,
    coalesce(sum(d.removed_comments), 0) AS removed_comments,
    CASE WHEN bool_or(g.threads_observed) THEN coalesce(sum(d.replies_read) FILTER (WHERE g.threads_observed), 0) END
        AS replies_read,
    CASE WHEN bool_or(g.threads_observed) THEN coalesce(sum(d.empty_replies) FILTER (WHERE g.threads_observed), 0) END
        AS empty_replies,
    CASE WHEN bool_or(g.threads_observed) THEN coalesce(sum(d.comments_toned) FILTER (WHERE g.threads_observed), 0) END
        AS comments_toned,
    CASE WHEN bool_or(g.threads_observed) THEN coalesce(sum(d.negative_comments) FILTER (WHERE g.threads_observed), 0) END
        AS negative_comments
FROM practice_grid AS g
LEFT JOIN practice_daily AS d
    ON d.account_id = g.account_id AND d.day BETWEEN g.day - (g.window_days - 1) AND g.day
GROUP BY GROUPING SETS (
    (g.account_id, g.institution_id, g.platform, g.day, g.window_days),
    (g.institution_id, g.platform, g.day, g.window_days),
    (g.institution_id, g.day, g.window_days)
);

-- Questions over each window where the threads were observed, pooled the same way.
CREATE OR REPLACE TEMP TABLE practice_answers AS
SELECT
    coalesce(g.account_id, '') AS level_account,
    g.institution_id,
    coalesce(g.platform, 'all') AS level_platform,
    g.day,
    g.window_days,
    count(q.asked_day) AS practice_questions,
    count(q.reply_minutes) AS practice_answered,
    quantile_cont(q.reply_minutes, 0.5) AS reply_median,
    quantile_cont(q.target_ratio, 0.5) AS reply_target_ratio,
    quantile_cont(q.business_minutes, 0.5) AS reply_median_business
FROM practice_grid AS g
LEFT JOIN practice_questions AS q
    ON q.account_id = g.account_id AND q.asked_day BETWEEN g.day - (g.window_days - 1) AND g.day
WHERE g.threads_observed
GROUP BY GROUPING SETS (
    (g.account_id, g.institution_id, g.platform, g.day, g.window_days),
    (g.institution_id, g.platform, g.day, g.window_days),
    (g.institution_id, g.day, g.window_days)
);

CREATE OR REPLACE TEMP VIEW practice_rates AS
SELECT
    nullif(s.level_account, '') AS account_id,
    s.institution_id,
    s.level_platform AS platform,
    s.day,
    s.window_days,
    a.practice_questions,
    a.practice_answered,
    CASE WHEN a.practice_questions > 0 THEN a.practice_answered * 100.0 / a.practice_questions END
        AS answered_share,
    a.reply_median,
    a.reply_target_ratio,
    a.reply_median_business,
    s.posts_seen,
    s.closed_known,
    s.closed_posts,
    CASE WHEN s.closed_known > 0 THEN s.closed_posts * 100.0 / s.closed_known END AS closed_share,
    s.bait_known,
    s.bait_posts,
    CASE WHEN s.bait_known > 0 THEN s.bait_posts * 100.0 / s.bait_known END AS bait_share,
    s.comments_seen,
    s.removed_comments,
    CASE WHEN s.comments_seen > 0 THEN s.removed_comments * 100.0 / s.comments_seen END AS removed_share,
    s.replies_read,
    s.empty_replies,
    CASE WHEN s.replies_read > 0 THEN s.empty_replies * 100.0 / s.replies_read END AS empty_reply_share,
    s.comments_toned,
    s.negative_comments,
    CASE WHEN s.comments_toned > 0 THEN s.negative_comments * 100.0 / s.comments_toned END
        AS negative_comment_share
FROM practice_sums AS s
LEFT JOIN practice_answers AS a USING (level_account, institution_id, level_platform, day, window_days);

DELETE FROM account_practices WHERE day >= getvariable('metrics_from');

INSERT INTO account_practices BY NAME
SELECT * FROM practice_rates WHERE account_id IS NOT NULL ORDER BY day, platform, account_id, window_days;

DELETE FROM institution_practices WHERE day >= getvariable('metrics_from');

INSERT INTO institution_practices BY NAME
SELECT * EXCLUDE (account_id) FROM practice_rates
WHERE account_id IS NULL
ORDER BY day, platform, institution_id, window_days;
