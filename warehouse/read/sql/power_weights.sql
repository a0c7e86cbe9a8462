-- The power-score formula the warehouse was built with: its name and terms, in order.
SELECT formula, term, platform, measure, units_per_point, weight
FROM power_weights
ORDER BY term
