-- Mentions: posts by others that name an institution, found through the platforms' public search.
-- No text and no author: a keyed hash stands for the author, so unique authors can be counted.

CREATE TABLE mentions (
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    post_id VARCHAR NOT NULL,
    posted_at TIMESTAMPTZ NOT NULL,
    author_key VARCHAR NOT NULL,         -- keyed hash of platform and author id (secret beside the warehouse)
    language VARCHAR,                    -- as told by the packaged language model; NULL: not told
    tone VARCHAR,                        -- negative | neutral | positive; NULL: no lexicon for the language
    tone_score DOUBLE,
    themes VARCHAR[] NOT NULL,           -- theme keys (outage, fees, ...), none, one or several
    collected_at TIMESTAMPTZ NOT NULL,   -- last observed
    run_id VARCHAR NOT NULL
);

-- The days a search for an institution's mentions covered on a platform: known days, where no
-- mention means none (0), not unknown (NULL).
CREATE TABLE mention_searches (
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    day DATE NOT NULL
);

-- Per institution, platform (and 'all') and searched day: that day's mentions, and the baseline of
-- the 28 days before it, from which storms are read (with thresholds the reader chooses).
CREATE TABLE mention_days (
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    day DATE NOT NULL,
    mentions BIGINT NOT NULL,            -- posted on that day
    toned BIGINT NOT NULL,               -- of those, with a tone
    negative BIGINT NOT NULL,
    positive BIGINT NOT NULL,
    negative_share DOUBLE,               -- negative ÷ toned × 100; NULL with none toned
    baseline_days INTEGER NOT NULL,      -- searched days among the 28 before
    baseline_median DOUBLE,              -- median mentions a day over those days
    baseline_negative_share DOUBLE,      -- negative ÷ toned × 100 over those days, pooled
    top_theme VARCHAR                    -- the day's most frequent theme (the storm's likely cause)
);

-- Per institution, platform (and 'all') and day over (t-28, t]; only days whose search ran.
CREATE TABLE institution_mentions (
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    day DATE NOT NULL,
    mentions BIGINT NOT NULL,
    mention_authors BIGINT NOT NULL,
    toned BIGINT NOT NULL,
    negative_share DOUBLE,
    positive_share DOUBLE,
    net_tone DOUBLE,
    theme_outage_share DOUBLE,
    theme_fees_share DOUBLE,
    theme_fraud_share DOUBLE,
    theme_service_share DOUBLE,
    theme_loans_share DOUBLE,
    theme_payments_share DOUBLE,
    theme_sustainability_share DOUBLE,
    theme_closures_share DOUBLE
);
