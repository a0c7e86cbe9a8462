-- One institution against its peers on one day: for each platform and metric its value, the peer
-- median, the top quartile, the leader and its percentile. The institution counts among its peers.
-- The values are peer_values.sql's (put in below as 'long'); $lower lists the metrics where
-- lower is better (reply times): there the leader is the lowest, the top quartile the fastest quarter, and the
-- percentile counts from the slowest.
WITH
long AS (
{values}
),
scored AS (
    SELECT *, CASE WHEN list_contains($lower, metric) THEN -value ELSE value END AS score
    FROM long
),
ranked AS (
    SELECT *, percent_rank() OVER (PARTITION BY platform, metric ORDER BY score) AS pct
    FROM scored
),
stats AS (
    SELECT
        platform,
        metric,
        count(*) AS peers,
        median(value) AS peer_median,
        CASE
            WHEN list_contains($lower, metric) THEN quantile_cont(value, 0.25)
            ELSE quantile_cont(value, 0.75)
        END AS top_quartile,
        arg_max(name, score) AS leader,
        arg_max(value, score) AS leader_value
    FROM scored
    GROUP BY platform, metric
)
SELECT
    s.platform,
    s.metric,
    r.value,
    coalesce(r.rounded, false) AS rounded,
    s.peer_median,
    s.top_quartile,
    s.leader,
    s.leader_value,
    100 * r.pct AS percentile,
    r.value - s.peer_median AS gap,
    s.peers
FROM stats AS s
LEFT JOIN ranked AS r
    ON r.platform = s.platform AND r.metric = s.metric AND r.institution_id = $institution_id
ORDER BY s.platform = 'all' DESC, s.platform, s.metric
