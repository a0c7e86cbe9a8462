-- The population of a league of an audience metric ({metric}, a checked name) on one platform
-- (or 'all'), ranked by league_rank.sql. Each account's latest follower sample of the $max_age
-- days up to the day counts; an institution's accounts are pooled (their counts summed), and the
-- median is only given for a single account (medians do not add up).
WITH
days AS (
    SELECT CAST($as_of AS DATE) AS day UNION ALL SELECT CAST($previous AS DATE)
),
latest AS (
    SELECT
        d.day,
        s.*,
        row_number() OVER (PARTITION BY d.day, s.account_id ORDER BY s.sample_date DESC) AS newest
    FROM audience_samples AS s
    JOIN days AS d
        ON s.sample_date <= d.day AND s.sample_date > d.day - CAST($max_age AS INTEGER)
    WHERE $platform = 'all' OR s.platform = $platform
),
pooled AS (
    SELECT
        institution_id,
        day,
        count(*) AS accounts,
        max(sample_date) AS sample_date,
        sum(sample_size) AS n,
        sum(influencers) AS influencers,
        sum(small) AS small,
        sum(activity_known) AS activity_known,
        sum(inactive) AS inactive,
        CASE WHEN count(followers_total) = count(*) THEN sum(followers_total) END AS population,
        CASE WHEN count(*) = 1 THEN any_value(median_followers) END AS median_followers,
        CASE WHEN count(*) = 1 THEN any_value(median_low) END AS median_low,
        CASE WHEN count(*) = 1 THEN any_value(median_high) END AS median_high
    FROM latest
    WHERE newest = 1
    GROUP BY ALL
),
measured AS (
    SELECT
        institution_id,
        day,
        accounts,
        sample_date,
        population,
        CASE '{metric}'
            WHEN 'inactive_share' THEN activity_known
            WHEN 'median_follower_followers' THEN n
            ELSE n
        END AS sample_size,
        CASE '{metric}'
            WHEN 'influencer_share' THEN share_pct(influencers, n)
            WHEN 'small_share' THEN share_pct(small, n)
            WHEN 'inactive_share' THEN share_pct(inactive, activity_known)
            WHEN 'median_follower_followers' THEN median_followers
        END AS value,
        CASE '{metric}'
            WHEN 'influencer_share' THEN share_margin(influencers, n, population)
            WHEN 'small_share' THEN share_margin(small, n, population)
            WHEN 'inactive_share' THEN share_margin(inactive, activity_known, population)
        END AS margin,
        median_low,
        median_high
    FROM pooled
)
SELECT
    i.institution_id,
    i.name,
    i.country,
    i.kind,
    m.day,
    m.value,
    m.population AS followers,
    false AS rounded,
    m.accounts,
    m.sample_size,
    m.sample_date,
    m.margin,
    CASE
        WHEN m.margin IS NOT NULL THEN greatest(m.value - m.margin, 0)
        WHEN '{metric}' = 'median_follower_followers' THEN m.median_low
    END AS low,
    CASE
        WHEN m.margin IS NOT NULL THEN least(m.value + m.margin, 100)
        WHEN '{metric}' = 'median_follower_followers' THEN m.median_high
    END AS high
FROM measured AS m
JOIN institutions AS i USING (institution_id)
WHERE ($country IS NULL OR i.country = $country)
  AND ($kind IS NULL OR i.kind = $kind)
  AND ($group IS NULL OR list_contains(i.groups, $group))
  AND ($institutions IS NULL OR list_contains($institutions, i.institution_id))
