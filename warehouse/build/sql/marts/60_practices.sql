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

-- Bait, judged once per distinct text of the posts from 91 days before metrics_from (a post
-- without text has no verdict).
CREATE OR REPLACE TEMP TABLE practice_bait AS
SELECT text, practice_is_bait(text) AS bait
FROM (
    SELECT DISTINCT text FROM posts
    WHERE posted_at >= CAST(getvariable('metrics_from') - 91 AS TIMESTAMPTZ) AND nullif(trim(text), '') IS NOT NULL
);

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
        b.bait,
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
    LEFT JOIN practice_bait AS b ON b.text = p.text
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
-- (in microseconds: 90 days of 24 hours, as days are UTC days; a frame of numbers costs less than one
-- of timestamps and intervals)
WINDOW before_post AS (
    PARTITION BY account_id ORDER BY epoch_us(posted_at)
    RANGE BETWEEN 7776000000000 PRECEDING AND 1 PRECEDING
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

-- Each account's days from 89 days before metrics_from: the computed days (those whose posts are
-- collected), the days it posted and the days a run opened its threads, with the day's sums.
CREATE OR REPLACE TEMP TABLE practice_daily AS
WITH
posted AS (
    SELECT
        account_id,
        institution_id,
        platform,
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
    GROUP BY ALL
),
computed AS (
    SELECT account_id, institution_id, platform, day, true AS computed
    FROM account_metrics
    WHERE day >= getvariable('metrics_from') - 89 AND posts_per_week IS NOT NULL
),
observed AS (
    SELECT DISTINCT account_id, observed_day AS day, 1 AS observed
    FROM comment_observations
    WHERE observed_day >= getvariable('metrics_from') - 89
)
SELECT
    account_id,
    coalesce(c.institution_id, p.institution_id) AS institution_id,
    coalesce(c.platform, p.platform) AS platform,
    day,
    coalesce(c.computed, false) AS computed,
    coalesce(o.observed, 0) AS observed,
    coalesce(p.posts_seen, 0) AS posts_seen,
    coalesce(p.closed_known, 0) AS closed_known,
    coalesce(p.closed_posts, 0) AS closed_posts,
    coalesce(p.bait_known, 0) AS bait_known,
    coalesce(p.bait_posts, 0) AS bait_posts,
    coalesce(p.comments_seen, 0) AS comments_seen,
    coalesce(p.removed_comments, 0) AS removed_comments,
    coalesce(p.replies_read, 0) AS replies_read,
    coalesce(p.empty_replies, 0) AS empty_replies,
    coalesce(p.comments_toned, 0) AS comments_toned,
    coalesce(p.negative_comments, 0) AS negative_comments
FROM computed AS c
FULL JOIN posted AS p USING (account_id, day)
LEFT JOIN observed AS o USING (account_id, day);

-- Sums over each window per account, on its computed days from metrics_from: a window's sum is the
-- running total of the day less that of the day before the window. Every account's days, one row
-- a day (the days without a row filled with zeros, from 90 days before the first day computed, so
-- that the day before a window is always there), are sorted once and read in that order: the running
-- totals and the totals 28 and 90 rows back are streaming windows over the whole series (one pass,
-- no frame per row). A row 28 or 90 back that is not the same account's day 28 or 90 days earlier
-- would mean the series is not in order: the build stops rather than count wrong.
CREATE OR REPLACE TEMP TABLE practice_windows AS
WITH
shared AS (
    -- the platforms where an institution has several accounts in the series: only there does the
    -- platform's row pool more than one account's
    SELECT institution_id, platform
    FROM (SELECT DISTINCT account_id, institution_id, platform FROM practice_daily)
    GROUP BY ALL
    HAVING count(*) > 1
),
spans AS (
    -- each account a number (for a cheap sort and join) and its days: from 90 days before the
    -- first that is computed
    SELECT row_number() OVER () AS k, *
    FROM (
        SELECT account_id, greatest(min(day), getvariable('metrics_from')) - 90 AS first_day, max(day) AS last_day
        FROM practice_daily
        GROUP BY ALL
    )
),
days AS (
    SELECT k, first_day + CAST(unnest(range(last_day - first_day + 1)) AS INTEGER) AS day FROM spans
),
series AS (
    SELECT g.k, g.day, d.account_id, d.institution_id, d.platform, coalesce(d.computed, false) AS computed,
        CAST(coalesce(d.observed, 0) AS BIGINT) AS observed,
        CAST(coalesce(d.posts_seen, 0) AS BIGINT) AS posts_seen,
        CAST(coalesce(d.closed_known, 0) AS BIGINT) AS closed_known,
        CAST(coalesce(d.closed_posts, 0) AS BIGINT) AS closed_posts,
        CAST(coalesce(d.bait_known, 0) AS BIGINT) AS bait_known,
        CAST(coalesce(d.bait_posts, 0) AS BIGINT) AS bait_posts,
        CAST(coalesce(d.comments_seen, 0) AS BIGINT) AS comments_seen,
        CAST(coalesce(d.removed_comments, 0) AS BIGINT) AS removed_comments,
        CAST(coalesce(d.replies_read, 0) AS BIGINT) AS replies_read,
        CAST(coalesce(d.empty_replies, 0) AS BIGINT) AS empty_replies,
        CAST(coalesce(d.comments_toned, 0) AS BIGINT) AS comments_toned,
        CAST(coalesce(d.negative_comments, 0) AS BIGINT) AS negative_comments
    FROM days AS g
    LEFT JOIN (SELECT s.k, d.* FROM practice_daily AS d JOIN spans AS s USING (account_id)) AS d USING (k, day)
    ORDER BY g.k, g.day
),
totals AS (
    SELECT k, day, account_id, institution_id, platform, computed,
        sum(observed) OVER running AS observed,
        sum(posts_seen) OVER running AS posts_seen,
        sum(closed_known) OVER running AS closed_known,
        sum(closed_posts) OVER running AS closed_posts,
        sum(bait_known) OVER running AS bait_known,
        sum(bait_posts) OVER running AS bait_posts,
        sum(comments_seen) OVER running AS comments_seen,
        sum(removed_comments) OVER running AS removed_comments,
        sum(replies_read) OVER running AS replies_read,
        sum(empty_replies) OVER running AS empty_replies,
        sum(comments_toned) OVER running AS comments_toned,
        sum(negative_comments) OVER running AS negative_comments
    FROM series
    WINDOW running AS (ROWS UNBOUNDED PRECEDING)
),
both_windows AS (
    SELECT k, day, account_id, institution_id, platform, computed,
        lag(k, 28) OVER () = k AND lag(day, 28) OVER () = day - 28
            AND lag(k, 90) OVER () = k AND lag(day, 90) OVER () = day - 90 AS in_order,
        observed - lag(observed, 28) OVER () AS observed_28, observed - lag(observed, 90) OVER () AS observed_90,
        posts_seen - lag(posts_seen, 28) OVER () AS posts_seen_28, posts_seen - lag(posts_seen, 90) OVER () AS posts_seen_90,
        closed_known - lag(closed_known, 28) OVER () AS closed_known_28, closed_known - lag(closed_known, 90) OVER () AS closed_known_90,
        closed_posts - lag(closed_posts, 28) OVER () AS closed_posts_28, closed_posts - lag(closed_posts, 90) OVER () AS closed_posts_90,
        bait_known - lag(bait_known, 28) OVER () AS bait_known_28, bait_known - lag(bait_known, 90) OVER () AS bait_known_90,
        bait_posts - lag(bait_posts, 28) OVER () AS bait_posts_28, bait_posts - lag(bait_posts, 90) OVER () AS bait_posts_90,
        comments_seen - lag(comments_seen, 28) OVER () AS comments_seen_28, comments_seen - lag(comments_seen, 90) OVER () AS comments_seen_90,
        removed_comments - lag(removed_comments, 28) OVER () AS removed_comments_28, removed_comments - lag(removed_comments, 90) OVER () AS removed_comments_90,
        replies_read - lag(replies_read, 28) OVER () AS replies_read_28, replies_read - lag(replies_read, 90) OVER () AS replies_read_90,
        empty_replies - lag(empty_replies, 28) OVER () AS empty_replies_28, empty_replies - lag(empty_replies, 90) OVER () AS empty_replies_90,
        comments_toned - lag(comments_toned, 28) OVER () AS comments_toned_28, comments_toned - lag(comments_toned, 90) OVER () AS comments_toned_90,
        negative_comments - lag(negative_comments, 28) OVER () AS negative_comments_28, negative_comments - lag(negative_comments, 90) OVER () AS negative_comments_90
    FROM totals
)
SELECT
    b.account_id, b.institution_id, b.platform, s.platform AS shared_platform, b.day,
    CASE WHEN b.in_order THEN w.n ELSE error('60_practices.sql: the days of practice_windows are not in order') END
        AS window_days,
    CASE w.n WHEN 28 THEN observed_28 ELSE observed_90 END > 0 AS threads_observed,
    CAST(CASE w.n WHEN 28 THEN posts_seen_28 ELSE posts_seen_90 END AS BIGINT) AS posts_seen,
    CAST(CASE w.n WHEN 28 THEN closed_known_28 ELSE closed_known_90 END AS BIGINT) AS closed_known,
    CAST(CASE w.n WHEN 28 THEN closed_posts_28 ELSE closed_posts_90 END AS BIGINT) AS closed_posts,
    CAST(CASE w.n WHEN 28 THEN bait_known_28 ELSE bait_known_90 END AS BIGINT) AS bait_known,
    CAST(CASE w.n WHEN 28 THEN bait_posts_28 ELSE bait_posts_90 END AS BIGINT) AS bait_posts,
    CAST(CASE w.n WHEN 28 THEN comments_seen_28 ELSE comments_seen_90 END AS BIGINT) AS comments_seen,
    CAST(CASE w.n WHEN 28 THEN removed_comments_28 ELSE removed_comments_90 END AS BIGINT) AS removed_comments,
    CAST(CASE w.n WHEN 28 THEN replies_read_28 ELSE replies_read_90 END AS BIGINT) AS replies_read,
    CAST(CASE w.n WHEN 28 THEN empty_replies_28 ELSE empty_replies_90 END AS BIGINT) AS empty_replies,
    CAST(CASE w.n WHEN 28 THEN comments_toned_28 ELSE comments_toned_90 END AS BIGINT) AS comments_toned,
    CAST(CASE w.n WHEN 28 THEN negative_comments_28 ELSE negative_comments_90 END AS BIGINT) AS negative_comments
FROM both_windows AS b
LEFT JOIN shared AS s USING (institution_id, platform)
CROSS JOIN (VALUES (28), (90)) AS w(n)
WHERE b.computed AND b.day >= getvariable('metrics_from');

-- The window sums pooled per institution (each platform, and 'all'); the thread measures only over
-- accounts whose threads were opened in the window, and NULL where none were. An account's own
-- row is its window sums; a platform with one account is that account's row (institution_practices,
-- migration 011), so only platforms with several accounts are pooled.
CREATE OR REPLACE TEMP TABLE practice_pooled AS
SELECT * EXCLUDE (single_accounts)
FROM (
    SELECT
        '' AS level_account,
        institution_id,
        coalesce(shared_platform, 'all') AS level_platform,
        day,
        window_days,
        -- the accounts of platforms with one account all fall in one (institution, NULL) group: left out
        grouping(shared_platform) = 0 AND shared_platform IS NULL AS single_accounts,
        bool_or(threads_observed) AS threads_observed,
        sum(posts_seen) AS posts_seen,
        sum(closed_known) AS closed_known,
        sum(closed_posts) AS closed_posts,
        sum(bait_known) AS bait_known,
        sum(bait_posts) AS bait_posts,
        sum(comments_seen) AS comments_seen,
        sum(removed_comments) AS removed_comments,
        CASE WHEN bool_or(threads_observed) THEN sum(replies_read) FILTER (WHERE threads_observed) END
            AS replies_read,
        CASE WHEN bool_or(threads_observed) THEN sum(empty_replies) FILTER (WHERE threads_observed) END
            AS empty_replies,
        CASE WHEN bool_or(threads_observed) THEN sum(comments_toned) FILTER (WHERE threads_observed) END
            AS comments_toned,
        CASE WHEN bool_or(threads_observed) THEN sum(negative_comments) FILTER (WHERE threads_observed) END
            AS negative_comments
    FROM practice_windows
    GROUP BY GROUPING SETS ((institution_id, shared_platform, day, window_days), (institution_id, day, window_days))
)
WHERE NOT single_accounts;

-- Every level's sums: each account's own (read from practice_windows, not copied) and the pooled.
CREATE OR REPLACE TEMP VIEW practice_sums AS
SELECT
    account_id AS level_account,
    institution_id,
    platform AS level_platform,
    day,
    window_days,
    threads_observed,
    posts_seen,
    closed_known,
    closed_posts,
    bait_known,
    bait_posts,
    comments_seen,
    removed_comments,
    CASE WHEN threads_observed THEN replies_read END AS replies_read,
    CASE WHEN threads_observed THEN empty_replies END AS empty_replies,
    CASE WHEN threads_observed THEN comments_toned END AS comments_toned,
    CASE WHEN threads_observed THEN negative_comments END AS negative_comments
FROM practice_windows
UNION ALL
SELECT * FROM practice_pooled;

-- Questions over each window, pooled the same way: each level's questions and its computed days in
-- one series, the medians as window aggregates evaluated on the days (where threads were observed).
CREATE OR REPLACE TEMP TABLE practice_answer_series AS
WITH
levels AS (
    SELECT level_account, institution_id, level_platform, day, window_days
    FROM practice_sums
    WHERE threads_observed
),
questions AS (
    SELECT q.*, m.institution_id, m.platform, m.shared_platform
    FROM practice_questions AS q
    JOIN (SELECT DISTINCT account_id, institution_id, platform, shared_platform FROM practice_windows) AS m
        USING (account_id)
)
SELECT l.*, true AS evaluated, NULL::DOUBLE AS reply_minutes, NULL::DOUBLE AS target_ratio,
    NULL::DOUBLE AS business_minutes, 0 AS asked
FROM levels AS l
UNION ALL
SELECT lv.level_account, q.institution_id, lv.level_platform, q.asked_day, w.window_days, false,
    q.reply_minutes, q.target_ratio, q.business_minutes, 1
FROM questions AS q
CROSS JOIN (VALUES (28), (90)) AS w(window_days)
CROSS JOIN LATERAL (
    VALUES (q.account_id, q.platform), ('', q.shared_platform), ('', 'all')
) AS lv(level_account, level_platform)
WHERE lv.level_platform IS NOT NULL;

CREATE OR REPLACE TEMP MACRO answer_rows(n) AS TABLE
SELECT level_account, institution_id, level_platform, day, window_days,
    practice_questions, practice_answered, reply_median, reply_target_ratio, reply_median_business
FROM (
    SELECT
        *,
        sum(asked) OVER w AS practice_questions,
        count(reply_minutes) OVER w AS practice_answered,
        quantile_cont(reply_minutes, 0.5) OVER w AS reply_median,
        quantile_cont(target_ratio, 0.5) OVER w AS reply_target_ratio,
        quantile_cont(business_minutes, 0.5) OVER w AS reply_median_business
    FROM practice_answer_series
    WHERE window_days = n
    WINDOW w AS (
        PARTITION BY level_account, institution_id, level_platform ORDER BY day
        RANGE BETWEEN to_days(CAST(n - 1 AS INTEGER)) PRECEDING AND CURRENT ROW
    )
)
WHERE evaluated;

CREATE OR REPLACE TEMP TABLE practice_answers AS
SELECT * FROM answer_rows(28)
UNION ALL
SELECT * FROM answer_rows(90);

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

-- a month at a time, each account's days together: its counts change slowly from one day to the
-- next and compress (a one-day read reads its month's row groups); sorted on numbers, each account's
-- place in the order of account_id
INSERT INTO account_practices BY NAME
SELECT r.*
FROM practice_rates AS r
JOIN (
    SELECT account_id, row_number() OVER (ORDER BY account_id) AS account_order
    FROM (SELECT DISTINCT account_id FROM practice_daily)
) AS o USING (account_id)
WHERE r.account_id IS NOT NULL
ORDER BY date_trunc('month', r.day), o.account_order, r.window_days, r.day;

DELETE FROM institution_practices_pooled WHERE day >= getvariable('metrics_from');

INSERT INTO institution_practices_pooled BY NAME
SELECT * EXCLUDE (account_id) FROM practice_rates
WHERE account_id IS NULL
ORDER BY date_trunc('month', day), institution_id, platform, window_days, day;
