-- Follower samples as landed (aggregates only); shares and margins are read through the
-- share_pct and share_margin macros (migration 006), so that one formula serves every reader.
INSERT INTO audience_samples BY NAME
SELECT
    account_id, institution_id, platform, handle, sample_date, drawn, sample_size, influencers,
    small, median_followers, median_low, median_high, activity_known, inactive, followers_total,
    requests, run_id, collected_at
FROM stg_audience
ORDER BY sample_date, account_id
