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

-- Over (t-28, t]: the mentions posted in the window, their authors, tone and themes.
INSERT INTO institution_mentions BY NAME
WITH
windowed AS (
    SELECT
        g.institution_id,
        g.platform,
        g.day,
        count(i.posted_day) AS mentions,
        count(DISTINCT i.author_key) AS mention_authors,
        count(i.tone) AS toned,
        count(*) FILTER (WHERE i.tone = 'negative') AS negative,
        count(*) FILTER (WHERE i.tone = 'positive') AS positive,
        count(*) FILTER (WHERE list_contains(i.themes, 'outage')) AS outage,
        count(*) FILTER (WHERE list_contains(i.themes, 'fees')) AS fees,
        count(*) FILTER (WHERE list_contains(i.themes, 'fraud')) AS fraud,
        count(*) FILTER (WHERE list_contains(i.themes, 'service')) AS service,
        count(*) FILTER (WHERE list_contains(i.themes, 'loans')) AS loans,
        count(*) FILTER (WHERE list_contains(i.themes, 'payments')) AS payments,
        count(*) FILTER (WHERE list_contains(i.themes, 'sustainability')) AS sustainability,
        count(*) FILTER (WHERE list_contains(i.themes, 'closures')) AS closures
    FROM mention_grid AS g
    LEFT JOIN mention_items AS i
        ON i.institution_id = g.institution_id AND i.platform = g.platform
        AND i.posted_day BETWEEN g.day - 27 AND g.day
    WHERE g.day >= getvariable('metrics_from')
    GROUP BY ALL
)
SELECT
    institution_id,
    platform,
    day,
    mentions,
    mention_authors,
    toned,
    CASE WHEN toned > 0 THEN negative * 100.0 / toned END AS negative_share,
    CASE WHEN toned > 0 THEN positive * 100.0 / toned END AS positive_share,
    CASE WHEN toned > 0 THEN (positive - negative) * 100.0 / toned END AS net_tone,
    CASE WHEN mentions > 0 THEN outage * 100.0 / mentions END AS theme_outage_share,
    CASE WHEN mentions > 0 THEN fees * 100.0 / mentions END AS theme_fees_share,
    CASE WHEN mentions > 0 THEN fraud * 100.0 / mentions END AS theme_fraud_share,
    CASE WHEN mentions > 0 THEN service * 100.0 / mentions END AS theme_service_share,
    CASE WHEN mentions > 0 THEN loans * 100.0 / mentions END AS theme_loans_share,
    CASE WHEN mentions > 0 THEN payments * 100.0 / mentions END AS theme_payments_share,
    CASE WHEN mentions > 0 THEN sustainability * 100.0 / mentions END AS theme_sustainability_share,
    CASE WHEN mentions > 0 THEN closures * 100.0 / mentions END AS theme_closures_share
FROM windowed
ORDER BY day, platform, institution_id;
