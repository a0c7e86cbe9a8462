-- Webcare per account and per institution for every day: do institutions answer the public, and
-- how fast. The definitions are the README's "Webcare" section; this file is the one place they
-- are computed. Over the trailing 28 days (t-28, t]:
--   a question is a comment by someone else that replies directly to the account's own post
--   (a reply to a reply, the bank's own reply included, is not a new question);
--   it is answered when the institution (the account, or another official account of the same
--   institution) replies to it directly; the reply time is the minutes to its first such reply;
--   replies are the institution's own replies to others (a parent deleted or not seen counts).
-- A day is known when a run opened the account's threads on it or in the 6 days before: else every
-- metric is NULL (the platform, the request budget or a failure gave nothing).
-- Only days on or after metrics_from are computed, and only questions asked on or after it (a
-- new answer to an older question moves metrics_from back to the question's day); earlier ones are
-- kept from the previous build. The build has merged the new runs' thread items into comments.

-- Each thread item since 27 days before metrics_from with what its parent is: the root (the post),
-- the institution's, or unseen.
CREATE OR REPLACE TEMP TABLE thread_items AS
SELECT
    c.account_id,
    c.institution_id,
    c.platform,
    c.comment_id,
    c.parent_id,
    c.created_at,
    c.is_institution,
    p.comment_id IS NOT NULL AND p.parent_id IS NULL AS parent_is_root,
    p.is_institution AS parent_is_institution
FROM comments AS c
LEFT JOIN comments AS p
    ON p.account_id = c.account_id AND p.comment_id = c.parent_id
WHERE c.parent_id IS NOT NULL
    AND c.created_at >= CAST(getvariable('metrics_from') - 27 AS TIMESTAMPTZ);

DELETE FROM webcare_questions WHERE asked_at >= CAST(getvariable('metrics_from') AS TIMESTAMPTZ);

INSERT INTO webcare_questions BY NAME
WITH
questions AS (
    SELECT * FROM thread_items
    WHERE NOT is_institution AND parent_is_root
        AND created_at >= CAST(getvariable('metrics_from') AS TIMESTAMPTZ)
),
first_replies AS (
    SELECT a.account_id, a.parent_id AS comment_id, min(a.created_at) AS first_reply_at
    FROM thread_items AS a
    JOIN questions AS q
        ON q.account_id = a.account_id AND q.comment_id = a.parent_id AND a.created_at >= q.created_at
    WHERE a.is_institution
    GROUP BY ALL
)
SELECT
    q.account_id,
    q.institution_id,
    q.platform,
    q.comment_id AS question_id,
    q.created_at AS asked_at,
    r.first_reply_at,
    (epoch(r.first_reply_at) - epoch(q.created_at)) / 60.0 AS reply_minutes
FROM questions AS q
LEFT JOIN first_replies AS r USING (account_id, comment_id)
ORDER BY q.account_id, q.created_at;

-- Questions by the day asked, with their reply minutes and target, and the institution's replies
-- to others by the day written: both inserts below read these.
CREATE OR REPLACE TEMP TABLE webcare_items AS
SELECT q.account_id, 'question' AS item, CAST(q.asked_at AS DATE) AS item_day, q.reply_minutes, t.target_minutes
FROM webcare_questions AS q
LEFT JOIN webcare_targets AS t USING (platform)
WHERE q.asked_at >= CAST(getvariable('metrics_from') - 27 AS TIMESTAMPTZ)
UNION ALL
SELECT account_id, 'reply' AS item, CAST(created_at AS DATE) AS item_day, NULL, NULL
FROM thread_items
WHERE is_institution AND parent_is_institution IS NOT TRUE;

-- Every known day of every account, and pooled per institution on each platform and on 'all':
-- an institution's questions are taken together, not its accounts' rates averaged, so an account
-- with more questions weighs more and the median is the median of all of them.
CREATE OR REPLACE TEMP TABLE webcare_days AS
WITH
known_days AS (
    -- a day is known when its threads were opened on it or in the 6 days before
    SELECT DISTINCT o.account_id, CAST(o.observed_day + CAST(k.lag AS INTEGER) AS DATE) AS day
    FROM comment_observations AS o
    CROSS JOIN range(7) AS k(lag)
    WHERE o.observed_day >= getvariable('metrics_from') - 6
),
grid AS (
    SELECT m.account_id, m.institution_id, m.platform, m.day
    FROM account_metrics AS m
    JOIN known_days AS k USING (account_id, day)
    WHERE m.day >= getvariable('metrics_from')
)
SELECT
    g.account_id,
    g.institution_id,
    g.platform,
    g.day,
    count(DISTINCT g.account_id) AS webcare_accounts,
    count(*) FILTER (WHERE w.item = 'question') AS questions,
    count(w.reply_minutes) AS answered,
    quantile_cont(w.reply_minutes, 0.5) AS reply_time_median,
    quantile_cont(w.reply_minutes, 0.9) AS reply_time_p90,
    count(*) FILTER (WHERE w.reply_minutes <= w.target_minutes) AS within_target,
    count(*) FILTER (WHERE w.item = 'reply') AS replies_28d
FROM grid AS g
LEFT JOIN webcare_items AS w
    ON w.account_id = g.account_id AND w.item_day BETWEEN g.day - 27 AND g.day
GROUP BY GROUPING SETS (
    (g.account_id, g.institution_id, g.platform, g.day),
    (g.institution_id, g.platform, g.day),
    (g.institution_id, g.day)
);

CREATE OR REPLACE TEMP VIEW webcare_rates AS
SELECT
    *,
    CASE WHEN questions > 0 THEN answered * 100.0 / questions END AS answered_pct,
    CASE WHEN questions > 0 THEN within_target * 100.0 / questions END AS within_target_pct,
    replies_28d / 4.0 AS replies_per_week
FROM webcare_days;

DELETE FROM account_webcare WHERE day >= getvariable('metrics_from');

INSERT INTO account_webcare BY NAME
SELECT r.* EXCLUDE (webcare_accounts), t.target_minutes
FROM webcare_rates AS r
LEFT JOIN webcare_targets AS t USING (platform)
WHERE r.account_id IS NOT NULL
ORDER BY r.day, r.platform, r.account_id;

DELETE FROM institution_webcare WHERE day >= getvariable('metrics_from');

INSERT INTO institution_webcare BY NAME
SELECT * EXCLUDE (account_id, platform), coalesce(platform, 'all') AS platform
FROM webcare_rates
WHERE account_id IS NULL
ORDER BY day, platform, institution_id;
