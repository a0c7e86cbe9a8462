-- Practices: do institutions keep the no-gos of corporate social media? Removed comments, posts
-- closed to replies, interaction bait, empty replies, the tone of comments, webcare in business
-- hours (README "Practices"). Additive: new NULL-able columns, new tables.

-- What the platform says of a post's replies (TRUE closed or restricted, FALSE open, NULL not said),
-- and Facebook's ANGRY reactions.
ALTER TABLE posts ADD COLUMN comments_closed BOOLEAN;
ALTER TABLE posts ADD COLUMN reactions_angry BIGINT;

-- Per thread item: the root row says whether its read listed every top-level comment; a comment
-- carries its tone (label, score, language: never its text); an institution's reply whether it
-- says nothing.
ALTER TABLE comments ADD COLUMN thread_complete BOOLEAN;
ALTER TABLE comments ADD COLUMN tone VARCHAR;
ALTER TABLE comments ADD COLUMN tone_score DOUBLE;
ALTER TABLE comments ADD COLUMN language VARCHAR;
ALTER TABLE comments ADD COLUMN empty_reply BOOLEAN;

-- Every read of a thread (one per run that opened it): a comment seen before a complete read that
-- did not list it was removed.
CREATE TABLE thread_reads (
    account_id VARCHAR NOT NULL,
    post_id VARCHAR NOT NULL,
    read_at TIMESTAMPTZ NOT NULL,
    complete BOOLEAN,                    -- every top-level comment listed; NULL: not known
    run_id VARCHAR NOT NULL
);

-- The highest comment count each post was seen with, and when: a later, lower count is comments gone.
CREATE TABLE post_peaks (
    account_id VARCHAR NOT NULL,
    post_id VARCHAR NOT NULL,
    peak_comments BIGINT NOT NULL,
    peak_at TIMESTAMPTZ NOT NULL
);

-- The working hours of each institution country's days (holidays and weekends left out), as
-- instants: reply times in business hours count only the minutes inside them.
CREATE TABLE business_hours (
    country VARCHAR NOT NULL,
    day DATE NOT NULL,
    time_zone VARCHAR NOT NULL,
    opens_at TIMESTAMPTZ NOT NULL,
    closes_at TIMESTAMPTZ NOT NULL
);

-- Per post: the practice facts (warehouse/build/sql/marts/60_practices.sql).
CREATE TABLE post_practices (
    account_id VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    post_id VARCHAR NOT NULL,
    posted_at TIMESTAMPTZ NOT NULL,
    comments_closed BOOLEAN,             -- as the platform says; NULL where it does not
    bait BOOLEAN,                        -- the post asks for comments for their own sake; NULL without text
    peak_comments BIGINT,                -- the highest comment count seen
    count_drop BIGINT,                   -- peak minus the latest count, beyond the tolerance
    removed_in_threads BIGINT,           -- others' comments seen, then missing from a complete read
    removed_comments BIGINT,             -- the larger of the two
    comments_seen BIGINT,                -- the larger of peak_comments and others' comments seen
    replies_read BIGINT,                 -- the institution's replies with a verdict on emptiness
    empty_replies BIGINT,
    comments_toned BIGINT,               -- others' comments with a tone label
    negative_comments BIGINT,
    negative_comment_share DOUBLE,       -- negative ÷ toned × 100; NULL with none toned
    usual_negative_share DOUBLE,         -- the account's own, over its toned comments of the 90 days before
    usual_toned BIGINT,
    reactions BIGINT,                    -- all reactions (Facebook) or likes
    reactions_angry BIGINT,
    angry_share DOUBLE,                  -- angry ÷ reactions × 100 (Facebook)
    usual_angry_share DOUBLE,            -- the account's own, over the 90 days before
    usual_reactions BIGINT
);

-- Per account (institution, platform or 'all') and day, over the posts and questions of the
-- trailing window_days (28 and 90).
CREATE TABLE account_practices (
    account_id VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    day DATE NOT NULL,
    window_days INTEGER NOT NULL,
    practice_questions BIGINT,           -- NULL where no run opened the threads in the window
    practice_answered BIGINT,
    answered_share DOUBLE,
    reply_median DOUBLE,                 -- minutes, round the clock
    reply_target_ratio DOUBLE,           -- the median of each reply's minutes ÷ its platform's target
    reply_median_business DOUBLE,        -- minutes inside the country's business hours
    posts_seen BIGINT,
    closed_known BIGINT,
    closed_posts BIGINT,
    closed_share DOUBLE,
    bait_known BIGINT,
    bait_posts BIGINT,
    bait_share DOUBLE,
    comments_seen BIGINT,
    removed_comments BIGINT,
    removed_share DOUBLE,
    replies_read BIGINT,
    empty_replies BIGINT,
    empty_reply_share DOUBLE,
    comments_toned BIGINT,
    negative_comments BIGINT,
    negative_comment_share DOUBLE
);

-- The same per institution, on each platform and on 'all': its accounts' posts and questions pooled.
CREATE TABLE institution_practices AS SELECT * EXCLUDE (account_id) FROM account_practices LIMIT 0;
