-- An institution's accounts' latest follower samples on or before $as_of (NULL: the latest), with
-- the shares in percent and their 95% margins in percentage points (macros of migration 006).
WITH
latest AS (
    SELECT *
    FROM audience_samples
    WHERE institution_id = $institution_id
      AND ($as_of IS NULL OR sample_date <= $as_of)
    QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY sample_date DESC) = 1
)
SELECT
    platform,
    handle,
    sample_date,
    drawn,
    sample_size,
    followers_total,
    share_pct(influencers, sample_size) AS influencer_share,
    share_margin(influencers, sample_size, followers_total) AS influencer_share_margin,
    share_pct(small, sample_size) AS small_share,
    share_margin(small, sample_size, followers_total) AS small_share_margin,
    activity_known,
    share_pct(inactive, activity_known) AS inactive_share,
    share_margin(inactive, activity_known, followers_total) AS inactive_share_margin,
    median_followers AS median_follower_followers,
    median_low,
    median_high,
    requests
FROM latest
ORDER BY platform, handle
