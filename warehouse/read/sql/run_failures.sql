-- A run's failures by platform and kind; the latest run that collected anything by default.
WITH
chosen AS (
    SELECT coalesce(
        $run_id,
        (SELECT run_id FROM runs WHERE kind IN ('collect', 'demo') ORDER BY run_id DESC LIMIT 1)
    ) AS run_id
)
SELECT e.run_id, e.platform, e.kind, count(*) AS accounts, min(e.message) AS example
FROM run_errors AS e
JOIN chosen USING (run_id)
GROUP BY ALL
ORDER BY accounts DESC, e.platform, e.kind
