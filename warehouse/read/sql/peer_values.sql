-- The values of one institution and its peers ($institution_id, $peers) on one day ($as_of), a
-- row per institution, platform and metric: followers, growth, posting, engagement, presence,
-- power, webcare over the 28 days to the day (institution_webcare: questions, answered share,
-- reply time, within target), mentions, net tone and share of voice among these institutions.
-- The peer benchmark (peer_benchmark.sql) ranks them; the Peer benchmark page shows them side by
-- side. A value that cannot be computed is left out (UNPIVOT leaves NULLs out).
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
        CAST(w.questions AS DOUBLE) AS questions,
        w.answered_pct,
        w.reply_time_median,
        w.within_target_pct,
        CAST(n.mentions AS DOUBLE) AS mentions,
        n.net_tone
    FROM institution_metrics AS m
    JOIN members AS s USING (institution_id)
    LEFT JOIN institution_webcare AS w USING (institution_id, platform, day)
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
)
UNPIVOT with_voice
ON followers, growth_30d, growth_30d_pct, posts_per_week, interactions_per_post, engagement_rate,
   overperformance, presence_index, power_score, questions, answered_pct, reply_time_median,
   within_target_pct, mentions, share_of_voice, net_tone
INTO NAME metric VALUE value
