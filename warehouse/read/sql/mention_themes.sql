-- Each theme's share of the mentions of the 28 days to $as_of on one platform (or 'all'), per
-- institution of the selection and pooled over it (institution_id NULL).
WITH
rows AS (
    SELECT n.institution_id, n.mentions, n.theme_outage_share AS outage, n.theme_fees_share AS fees,
        n.theme_fraud_share AS fraud, n.theme_service_share AS service, n.theme_loans_share AS loans,
        n.theme_payments_share AS payments, n.theme_sustainability_share AS sustainability,
        n.theme_closures_share AS closures
    FROM institution_mentions AS n
    WHERE n.platform = $platform AND n.day = $as_of AND list_contains($institutions, n.institution_id)
      AND n.mentions > 0
),
long AS (
    UNPIVOT rows
    ON outage, fees, fraud, service, loans, payments, sustainability, closures
    INTO NAME theme VALUE share
)
SELECT institution_id, theme, share, mentions FROM long
UNION ALL
SELECT NULL AS institution_id, theme, sum(share * mentions) / sum(mentions) AS share, sum(mentions) AS mentions
FROM long
GROUP BY theme
ORDER BY institution_id NULLS FIRST, theme
