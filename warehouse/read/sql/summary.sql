-- Headline counts: institutions, accounts, platforms and accounts with data.
SELECT
    (SELECT count(*) FROM institutions) AS institutions,
    (SELECT count(*) FROM accounts) AS accounts,
    (SELECT count(DISTINCT account_id) FROM account_snapshots) AS accounts_with_data,
    (SELECT count(DISTINCT platform) FROM account_snapshots) AS platforms,
    (SELECT count(*) FROM posts) AS posts,
    (SELECT max(day) FROM institution_metrics) AS last_day
