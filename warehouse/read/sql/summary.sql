-- Headline counts: institutions, accounts, platforms and accounts with data (from the small tables
-- the build writes: account_latest, warehouse_counts).
SELECT
    (SELECT count(*) FROM institutions) AS institutions,
    (SELECT count(*) FROM accounts) AS accounts,
    (SELECT count(*) FROM {account_latest} AS account_latest) AS accounts_with_data,
    (SELECT count(DISTINCT platform) FROM {account_latest} AS account_latest) AS platforms,
    coalesce((SELECT posts FROM {warehouse_counts} AS warehouse_counts), 0) AS posts,
    (SELECT last_day FROM {warehouse_counts} AS warehouse_counts) AS last_day
