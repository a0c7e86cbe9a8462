-- Every institution with its peer groups and how many accounts it has.
SELECT
    i.institution_id,
    i.name,
    i.kind,
    i.country,
    i.website,
    i.groups,
    count(a.account_id) AS accounts
FROM institutions AS i
LEFT JOIN accounts AS a USING (institution_id)
GROUP BY i.institution_id, i.name, i.kind, i.country, i.website, i.groups
ORDER BY lower(i.name), i.institution_id
