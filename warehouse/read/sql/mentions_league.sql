-- Institutions ranked by a mentions metric ({metric}, a checked name; {order} its direction) on
-- one platform (or 'all') as of a day, with their rank a period earlier. The population is the
-- filtered institutions with counts or a mention search that day; one without a search there has
-- no value (NULL ranks last). share_of_voice is computed here, over that population: an
-- institution's mentions ÷ the population's mentions, so it follows the filters.
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
),
population AS (
    SELECT
        c.*,
        d.day,
        n.mentions,
        n.mention_authors,
        n.negative_share,
        n.positive_share,
        n.net_tone,
        n.theme_outage_share,
        n.theme_fees_share,
        n.theme_fraud_share,
        n.theme_service_share,
        n.theme_loans_share,
        n.theme_payments_share,
        n.theme_sustainability_share,
        n.theme_closures_share,
        n.mentions * 100.0 / nullif(sum(n.mentions) OVER (PARTITION BY d.day), 0) AS share_of_voice,
        m.followers,
        m.rounded,
        m.accounts
    FROM chosen AS c
    CROSS JOIN days AS d
    LEFT JOIN institution_mentions AS n
        ON n.institution_id = c.institution_id AND n.platform = $platform AND n.day = d.day
    LEFT JOIN institution_metrics AS m
        ON m.institution_id = c.institution_id AND m.platform = $platform AND m.day = d.day
    WHERE n.day IS NOT NULL OR m.day IS NOT NULL
),
ranked AS (
    SELECT
        *,
        {metric} AS value,
        -- ties share a rank; a value that cannot be computed ranks after every value
        rank() OVER (PARTITION BY day ORDER BY {metric} {order} NULLS LAST) AS rank
    FROM population
)
SELECT
    cur.rank,
    CASE WHEN prev.value IS NOT NULL THEN prev.rank END AS previous_rank,
    cur.institution_id,
    cur.name,
    cur.country,
    cur.kind,
    cur.value,
    cur.followers,
    false AS rounded,  -- a mention count is exact, whatever the followers column is
    cur.accounts
FROM ranked AS cur
LEFT JOIN ranked AS prev
    ON prev.institution_id = cur.institution_id AND prev.day = $previous
WHERE cur.day = $as_of
ORDER BY cur.rank, cur.name, cur.institution_id
LIMIT $limit
