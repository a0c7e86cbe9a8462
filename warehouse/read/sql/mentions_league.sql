-- The population of a league of a mentions metric ({metric}, a checked name) on one platform (or
-- 'all'), ranked by league_rank.sql: the filtered institutions with counts or a mention search on
-- the day (and a period earlier); one without a search there has no value (NULL ranks last).
-- share_of_voice is computed here, over that population: an institution's mentions ÷ the
-- population's mentions that day, so it follows the filters.
WITH
days AS (
    SELECT CAST($as_of AS DATE) AS day UNION ALL SELECT CAST($previous AS DATE)
),
chosen AS (
    SELECT i.institution_id, i.name, i.country, i.kind
    FROM institutions AS i
    WHERE ($country IS NULL OR i.country = $country)
      AND ($kind IS NULL OR i.kind = $kind)
      AND ($group IS NULL OR list_contains(i.groups, $group))
      AND ($institutions IS NULL OR list_contains($institutions, i.institution_id))
),
joined AS (
    SELECT
        c.*,
        d.day,
        n.* EXCLUDE (institution_id, platform, day),
        n.mentions * 100.0 / nullif(sum(n.mentions) OVER (PARTITION BY d.day), 0) AS share_of_voice,
        m.followers,
        m.accounts
    FROM chosen AS c
    CROSS JOIN days AS d
    LEFT JOIN institution_mentions AS n
        ON n.institution_id = c.institution_id AND n.platform = $platform AND n.day = d.day
    LEFT JOIN institution_metrics AS m
        ON m.institution_id = c.institution_id AND m.platform = $platform AND m.day = d.day
    WHERE n.day IS NOT NULL OR m.day IS NOT NULL
)
SELECT
    institution_id,
    name,
    country,
    kind,
    day,
    {metric} AS value,
    followers,
    false AS rounded,  -- a mention count is exact, whatever the followers are
    accounts
FROM joined
