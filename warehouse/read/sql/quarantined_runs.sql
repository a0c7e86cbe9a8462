-- Runs moved aside from the landing zone, newest first: damaged ones with the file and the reason,
-- retracted ones with the reason given. `finsocial runs restore RUN_ID` brings one back.
SELECT
    run_id,
    CASE WHEN retracted THEN 'retracted' ELSE 'damaged' END AS state,
    reason,
    quarantined_at,
    path
FROM quarantined_runs
ORDER BY quarantined_at DESC NULLS LAST, run_id DESC
