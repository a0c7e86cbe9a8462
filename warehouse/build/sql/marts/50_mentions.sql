-- Mentions per institution, per platform and on 'all', for every searched day: what people say
-- about each institution. The definitions are the README's "Mentions" section; this file is the
-- one place they are computed. A day is known when a search covered it (mention_searches): on a
-- known day no mention is 0; other days have no row, so every metric reads NULL there.
-- Share of voice is not stored: it depends on the reader's selection (warehouse/read/sql).
-- Only days on or after metrics_from are computed; the build has merged the new runs' mentions.

INSERT INTO mention_searches
SELECT * FROM stg_mention_searches
EXCEPT SELECT * FROM mention_searches;

-- The searched days, per platform and on 'all' (any platform searched that day).
CREATE OR REPLACE TEMP TABLE mention_grid AS
SELECT DISTINCT institution_id, platform, day
FROM mention_searches
WHERE day >= getvariable('metrics_from') - 28
UNION
SELECT DISTINCT institution_id, 'all' AS platform, day
FROM mention_searches
WHERE day >= getvariable('metrics_from') - 28;

-- The mentions a computed day's window can hold, on their platform and on 'all'.
CREATE OR REPLACE TEMP TABLE mention_items AS
WITH
recent AS (
    SELECT
        institution_id,
        platform,
        CAST(posted_at AS DATE) AS posted_day,
        author_key,
        tone,
        themes
    FROM mentions
    WHERE posted_at >= CAST(getvariable('metrics_from') - 28 AS TIMESTAMPTZ)
)
SELECT * FROM recent
UNION ALL
SELECT * REPLACE ('all' AS platform) FROM recent;

-- Each searched day's own mentions.
CREATE OR REPLACE TEMP TABLE mention_day_counts AS
WITH
counted AS (
    SELECT
        g.institution_id,
        g.platform,
        g.day,
        count(i.posted_day) AS mentions,
        count(i.tone) AS toned,
        count(*) FILTER (WHERE i.tone = 'negative') AS negative,
        count(*) FILTER (WHERE i.tone = 'positive') AS positive
    FROM mention_grid AS g
    LEFT JOIN mention_items AS i
        ON i.institution_id = g.institution_id AND i.platform = g.platform AND i.posted_day = g.day
    GROUP BY ALL
),
themed AS (
    -- the day's most frequent theme (ties: the first by name)
    SELECT institution_id, platform, day, first(theme ORDER BY n DESC, theme) AS top_theme
    FROM (
        SELECT institution_id, platform, posted_day AS day, theme, count(*) AS n
        FROM (SELECT institution_id, platform, posted_day, unnest(themes) AS theme FROM mention_items)
        GROUP BY ALL
    )
    GROUP BY ALL
)
SELECT c.*, t.top_theme
FROM counted AS c
LEFT JOIN themed AS t USING (institution_id, platform, day);

DELETE FROM mention_days WHERE day >= getvariable('metrics_from');

-- A storm is read from these rows (warehouse/read/sql/storms.sql): a day whose mentions are at
-- least a multiple of the baseline median, or whose negative share is, above a floor.
INSERT INTO mention_days BY NAME
SELECT
    d.institution_id,
    d.platform,
    d.day,
    d.mentions,
    d.toned,
    d.negative,
    d.positive,
    CASE WHEN d.toned > 0 THEN d.negative * 100.0 / d.toned END AS negative_share,
    count(b.day) AS baseline_days,
    median(b.mentions) AS baseline_median,
    CASE WHEN sum(b.toned) > 0 THEN sum(b.negative) * 100.0 / sum(b.toned) END AS baseline_negative_share,
    d.top_theme
FROM mention_day_counts AS d
LEFT JOIN mention_day_counts AS b
    ON b.institution_id = d.institution_id AND b.platform = d.platform
    AND b.day BETWEEN d.day - 28 AND d.day - 1
WHERE d.day >= getvariable('metrics_from')
GROUP BY ALL
ORDER BY d.day, d.platform, d.institution_id;

DELETE FROM institution_mentions WHERE day >= getvariable('metrics_from');

-- Over (t-28, t]: the mentions posted on the searched days of the window, their authors, tone
-- and themes. Counts are rolling sums of each day's; distinct authors come from each author's
-- spans: a mention on day p keeps its author counted up to p+27, or until their next mention
-- (which starts a span of its own), so a running sum of +1 at each start and -1 at each end is the
-- number of distinct authors in the window, without joining every day to every mention.
INSERT INTO institution_mentions BY NAME
WITH
items AS (
    SELECT i.*
    FROM mention_items AS i
    JOIN mention_grid AS g
        ON g.institution_id = i.institution_id AND g.platform = i.platform AND g.day = i.posted_day
),
daily AS (
    SELECT
        institution_id,
        platform,
        posted_day AS day,
        count(*) AS mentions,
        count(tone) AS toned,
        count(*) FILTER (WHERE tone = 'negative') AS negative,
        count(*) FILTER (WHERE tone = 'positive') AS positive,
        count(*) FILTER (WHERE list_contains(themes, 'outage')) AS outage,
        count(*) FILTER (WHERE list_contains(themes, 'fees')) AS fees,
        count(*) FILTER (WHERE list_contains(themes, 'fraud')) AS fraud,
        count(*) FILTER (WHERE list_contains(themes, 'service')) AS service,
        count(*) FILTER (WHERE list_contains(themes, 'loans')) AS loans,
        count(*) FILTER (WHERE list_contains(themes, 'payments')) AS payments,
        count(*) FILTER (WHERE list_contains(themes, 'sustainability')) AS sustainability,
        count(*) FILTER (WHERE list_contains(themes, 'closures')) AS closures
    FROM items
    GROUP BY ALL
),
rolled AS (
    SELECT
        g.institution_id,
        g.platform,
        g.day,
        sum(coalesce(d.mentions, 0)) OVER w AS mentions,
        sum(coalesce(d.toned, 0)) OVER w AS toned,
        sum(coalesce(d.negative, 0)) OVER w AS negative,
        sum(coalesce(d.positive, 0)) OVER w AS positive,
        sum(coalesce(d.outage, 0)) OVER w AS outage,
        sum(coalesce(d.fees, 0)) OVER w AS fees,
        sum(coalesce(d.fraud, 0)) OVER w AS fraud,
        sum(coalesce(d.service, 0)) OVER w AS service,
        sum(coalesce(d.loans, 0)) OVER w AS loans,
        sum(coalesce(d.payments, 0)) OVER w AS payments,
        sum(coalesce(d.sustainability, 0)) OVER w AS sustainability,
        sum(coalesce(d.closures, 0)) OVER w AS closures
    FROM mention_grid AS g
    LEFT JOIN daily AS d USING (institution_id, platform, day)
    WINDOW w AS (
        PARTITION BY g.institution_id, g.platform ORDER BY g.day
        RANGE BETWEEN INTERVAL 27 DAYS PRECEDING AND CURRENT ROW
    )
),
author_days AS (
    SELECT DISTINCT institution_id, platform, author_key, posted_day FROM items
),
spans AS (
    SELECT
        institution_id,
        platform,
        posted_day AS start,
        least(
            posted_day + 28,
            coalesce(
                lead(posted_day) OVER (PARTITION BY institution_id, platform, author_key ORDER BY posted_day),
                posted_day + 28
            )
        ) AS stop
    FROM author_days
),
changes AS (
    SELECT institution_id, platform, day, sum(delta) AS delta
    FROM (
        SELECT institution_id, platform, start AS day, 1 AS delta FROM spans
        UNION ALL
        SELECT institution_id, platform, stop AS day, -1 AS delta FROM spans
    )
    GROUP BY ALL
),
authors AS (
    SELECT
        institution_id,
        platform,
        day,
        sum(coalesce(c.delta, 0)) OVER (
            PARTITION BY institution_id, platform ORDER BY day ROWS UNBOUNDED PRECEDING
        ) AS mention_authors,
        g.day IS NOT NULL AS searched
    FROM mention_grid AS g
    FULL JOIN changes AS c USING (institution_id, platform, day)
)
SELECT
    r.institution_id,
    r.platform,
    r.day,
    r.mentions,
    a.mention_authors,
    r.toned,
    CASE WHEN r.toned > 0 THEN r.negative * 100.0 / r.toned END AS negative_share,
    CASE WHEN r.toned > 0 THEN r.positive * 100.0 / r.toned END AS positive_share,
    CASE WHEN r.toned > 0 THEN (r.positive - r.negative) * 100.0 / r.toned END AS net_tone,
    CASE WHEN r.mentions > 0 THEN r.outage * 100.0 / r.mentions END AS theme_outage_share,
    CASE WHEN r.mentions > 0 THEN r.fees * 100.0 / r.mentions END AS theme_fees_share,
    CASE WHEN r.mentions > 0 THEN r.fraud * 100.0 / r.mentions END AS theme_fraud_share,
    CASE WHEN r.mentions > 0 THEN r.service * 100.0 / r.mentions END AS theme_service_share,
    CASE WHEN r.mentions > 0 THEN r.loans * 100.0 / r.mentions END AS theme_loans_share,
    CASE WHEN r.mentions > 0 THEN r.payments * 100.0 / r.mentions END AS theme_payments_share,
    CASE WHEN r.mentions > 0 THEN r.sustainability * 100.0 / r.mentions END AS theme_sustainability_share,
    CASE WHEN r.mentions > 0 THEN r.closures * 100.0 / r.mentions END AS theme_closures_share
FROM rolled AS r
JOIN authors AS a USING (institution_id, platform, day)
WHERE r.day >= getvariable('metrics_from') AND a.searched
ORDER BY r.day, r.platform, r.institution_id;
