-- Storms: days whose mentions are at least $multiple times the median day of the searched days
-- among the 28 before (and at least $minimum), or whose negative share is at least $multiple
-- times the negative share of those 28 days (with at least $minimum negative mentions). Days with
-- fewer than $baseline_days searched days before them have no baseline to judge by.
-- Filters are bound parameters; $platform is a platform or 'all'.
SELECT
    d.day,
    d.institution_id,
    i.name,
    d.platform,
    d.mentions,
    d.baseline_median,
    CASE WHEN d.baseline_median > 0 THEN d.mentions / d.baseline_median END AS multiple,
    d.negative_share,
    d.baseline_negative_share,
    d.top_theme,
    concat_ws(
        ' and ',
        CASE WHEN d.mentions >= $minimum AND d.mentions >= $multiple * d.baseline_median THEN 'mentions' END,
        CASE
            WHEN d.negative >= $minimum AND d.baseline_negative_share IS NOT NULL
                AND d.negative_share >= $multiple * d.baseline_negative_share THEN 'negative share'
        END
    ) AS jumped
FROM mention_days AS d
JOIN institutions AS i USING (institution_id)
WHERE d.platform = $platform
  AND d.day BETWEEN $start AND $end
  AND d.baseline_days >= $baseline_days
  AND ($institution IS NULL OR d.institution_id = $institution)
  AND ($country IS NULL OR i.country = $country)
  AND ($kind IS NULL OR i.kind = $kind)
  AND ($group IS NULL OR list_contains(i.groups, $group))
  AND ($institutions IS NULL OR list_contains($institutions, i.institution_id))
  AND (
      (d.mentions >= $minimum AND d.mentions >= $multiple * d.baseline_median)
      OR (d.negative >= $minimum AND d.baseline_negative_share IS NOT NULL
          AND d.negative_share >= $multiple * d.baseline_negative_share)
  )
ORDER BY d.day DESC, d.mentions DESC, i.name
