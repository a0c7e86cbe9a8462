-- institution_practices is a view since 011, as institution_metrics since 010: a platform where the
-- institution has one account is that account's own row of account_practices. The table underneath,
-- institution_practices_pooled, keeps the rows that pool several accounts: every 'all' row, and a
-- platform's where the institution has two or more accounts (60_practices.sql). Readers see the
-- same columns, names and values as before.
ALTER TABLE institution_practices RENAME TO institution_practices_pooled;

CREATE VIEW institution_practices AS
SELECT * FROM institution_practices_pooled
UNION ALL
SELECT a.* EXCLUDE (account_id)
FROM account_practices AS a
ANTI JOIN institution_practices_pooled AS p
    ON p.institution_id = a.institution_id AND p.platform = a.platform AND p.day = a.day
    AND p.window_days = a.window_days;
