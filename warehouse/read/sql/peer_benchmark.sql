-- One institution against its peers on one day: for each platform and metric its value, the peer
-- median, the top quartile, the leader and its percentile. The institution counts among its peers.
WITH
members AS (
    SELECT institution_id, name
    FROM institutions
    WHERE institution_id = $institution_id OR list_contains($peers, institution_id)
),
day_metrics AS (
    SELECT
        m.institution_id,
        s.name,
        m.platform,
        m.rounded,
        CAST(m.followers AS DOUBLE) AS followers,
        CAST(m.growth_30d AS DOUBLE) AS growth_30d,
        m.growth_30d_pct,
        m.posts_per_week,
        m.interactions_per_post,
        m.engagement_rate,
        m.overperformance,
        m.presence_index,
        m.power_score,
        CAST(n.mentions AS DOUBLE) AS mentions,
        n.net_tone
    FROM institution_metrics AS m
    JOIN members AS s USING (institution_id)
    LEFT JOIN institution_mentions AS n USING (institution_id, platform, day)
    WHERE m.day = $as_of
),
voices AS (
    SELECT platform, sum(mentions) AS total FROM day_metrics GROUP BY platform
),
with_voice AS (
    -- share of voice among the institution and its peers: the peer group's mentions
    SELECT d.*, d.mentions * 100.0 / nullif(v.total, 0) AS share_of_voice
    FROM day_metrics AS d
    JOIN voices AS v USING (platform)
),
long AS (
    -- a value that cannot be computed drops out (UNPIVOT leaves NULLs out)
    UNPIVOT with_voice
    ON followers, growth_30d, growth_30d_pct, posts_per_week, interactions_per_post,
       engagement_rate, overperformance, presence_index, power_score, mentions, share_of_voice,
       net_tone
    INTO NAME metric VALUE value
),
ranked AS (
    SELECT *, percent_rank() OVER (PARTITION BY platform, metric ORDER BY value) AS pct
    FROM long
),
stats AS (
    SELECT
        platform,
        metric,
        count(*) AS peers,
        median(value) AS peer_median,
        quantile_cont(value, 0.75) AS top_quartile,
        arg_max(name, value) AS leader,
        max(value) AS leader_value
    FROM long
    GROUP BY ALL
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
