-- Per institution on $as_of: the accounts its row sums on $platform ('all': every platform), those
-- counted on or before the day, and how many of them have no count of the day: an account
-- collected through an API whose latest count is from an earlier night (a failed or missing
-- night), or one whose counts are imported ($import_platforms) with none in the $import_days days
-- to the day. The row's total then holds those accounts' last counts from before.
SELECT
    institution_id,
    count(*) AS accounts_counted,
    count(*) FILTER (
        WHERE followers_date IS NULL
            OR followers_date < $as_of
                - CASE WHEN list_contains($import_platforms, platform) THEN $import_days - 1 ELSE 0 END
    ) AS accounts_without_data
FROM account_metrics
WHERE day = $as_of
  AND ($platform = 'all' OR platform = $platform)
GROUP BY institution_id
