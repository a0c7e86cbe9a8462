-- An institution's mentions per platform and on 'all' on a day (only platforms searched that day).
SELECT
    platform,
    mentions,
    mention_authors,
    negative_share,
    positive_share,
    net_tone,
    theme_outage_share,
    theme_fees_share,
    theme_fraud_share,
    theme_service_share,
    theme_loans_share,
    theme_payments_share,
    theme_sustainability_share,
    theme_closures_share
FROM institution_mentions
WHERE institution_id = $institution_id AND day = $as_of
