-- The one ranking of every league table (the command line's `top` and the dashboard's league,
-- of the daily metrics and of the audience samples alike). The population is a query giving,
-- for each institution and each of the days $as_of and $previous, institution_id, name, country,
-- kind, day, value, followers, rounded, accounts and any columns of its own, in the order they
-- are shown (league_table.sql, audience_league.sql); the order is the metric's direction (ASC
-- or DESC, from warehouse/domain/metrics.py).
WITH
population AS (
{population}
),
ranked AS (
    SELECT
        *,
        -- ties share a rank; a value that cannot be computed ranks after every value
        rank() OVER (PARTITION BY day ORDER BY value {order} NULLS LAST) AS rank
    FROM population
)
SELECT
    cur.rank,
    CASE WHEN prev.value IS NOT NULL THEN prev.rank END AS previous_rank,
    cur.* EXCLUDE (rank, day)
FROM ranked AS cur
LEFT JOIN ranked AS prev
    ON prev.institution_id = cur.institution_id AND prev.day = $previous
WHERE cur.day = $as_of
ORDER BY cur.rank, cur.name, cur.institution_id
LIMIT $limit
