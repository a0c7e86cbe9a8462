-- Growth over a quarter and a year, league tables by every stored count, and the power score as
-- a formula of any number of terms with a name (see warehouse/metrics.py and warehouse/presets/).

ALTER TABLE account_metrics ADD COLUMN following BIGINT;
ALTER TABLE account_metrics ADD COLUMN posts_total BIGINT;
ALTER TABLE account_metrics ADD COLUMN likes_total BIGINT;
ALTER TABLE account_metrics ADD COLUMN views_total BIGINT;
ALTER TABLE account_metrics ADD COLUMN baseline_90d_followers BIGINT;   -- followers(t-90), as-of within 14 days
ALTER TABLE account_metrics ADD COLUMN growth_90d BIGINT;
ALTER TABLE account_metrics ADD COLUMN growth_90d_pct DOUBLE;
ALTER TABLE account_metrics ADD COLUMN baseline_365d_followers BIGINT;  -- followers(t-365), as-of within 31 days
ALTER TABLE account_metrics ADD COLUMN growth_365d BIGINT;
ALTER TABLE account_metrics ADD COLUMN growth_365d_pct DOUBLE;

ALTER TABLE institution_metrics ADD COLUMN following BIGINT;
ALTER TABLE institution_metrics ADD COLUMN posts_total BIGINT;
ALTER TABLE institution_metrics ADD COLUMN likes_total BIGINT;
ALTER TABLE institution_metrics ADD COLUMN views_total BIGINT;
ALTER TABLE institution_metrics ADD COLUMN growth_90d BIGINT;
ALTER TABLE institution_metrics ADD COLUMN growth_90d_pct DOUBLE;
ALTER TABLE institution_metrics ADD COLUMN growth_365d BIGINT;
ALTER TABLE institution_metrics ADD COLUMN growth_365d_pct DOUBLE;

-- One row per term: a platform's count or metric, and either a divisor (one point per this many)
-- or a weight (points per unit). A platform may have several terms.
DROP TABLE power_weights;
CREATE TABLE power_weights (
    formula VARCHAR NOT NULL,            -- the formula's name: a preset's, or the file's
    term INTEGER NOT NULL,               -- its order in the formula
    platform VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,            -- a count (followers, likes_total, ...) or a metric
    units_per_point DOUBLE,              -- a divisor: one point per this many
    weight DOUBLE,                       -- or a weight: points per unit
    PRIMARY KEY (formula, term)
);
