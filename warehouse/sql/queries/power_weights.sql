-- The power-score weights the warehouse was built with.
SELECT platform, measure, units_per_point
FROM power_weights
ORDER BY platform
