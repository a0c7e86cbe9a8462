-- One institution's webcare per platform and on 'all' as of a day, with each platform's target.
SELECT w.*, t.target_minutes
FROM institution_webcare AS w
LEFT JOIN webcare_targets AS t ON t.platform = w.platform
WHERE w.institution_id = $institution_id AND w.day = $as_of
