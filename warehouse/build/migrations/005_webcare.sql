-- Webcare: the threads under institutions' posts (ids and times only) and the metrics on them.

CREATE TABLE comments (
    account_id VARCHAR NOT NULL,         -- the account whose post the thread hangs under
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    post_id VARCHAR NOT NULL,            -- the thread's root: the institution's post
    comment_id VARCHAR NOT NULL,         -- equals post_id for the root row
    parent_id VARCHAR,                   -- NULL for the root row
    created_at TIMESTAMPTZ NOT NULL,
    is_institution BOOLEAN NOT NULL,     -- written by the account or another account of the institution
    collected_at TIMESTAMPTZ NOT NULL,   -- last observed
    run_id VARCHAR NOT NULL
    -- no text and no commenter identity: the metrics need neither
);

-- Every question (another's direct reply to an institution's post) with its first answer.
CREATE TABLE webcare_questions (
    account_id VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    question_id VARCHAR NOT NULL,        -- the comment's id
    asked_at TIMESTAMPTZ NOT NULL,
    first_reply_at TIMESTAMPTZ,          -- NULL: not answered (yet)
    reply_minutes DOUBLE                 -- minutes from asked_at to first_reply_at
);

CREATE TABLE webcare_targets (
    platform VARCHAR PRIMARY KEY,
    target_minutes DOUBLE NOT NULL
);

-- Per account per day over (t-28, t]; NULL where the account's threads were not observed.
CREATE TABLE account_webcare (
    account_id VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    day DATE NOT NULL,
    questions BIGINT,                    -- others' direct replies to the account's posts
    answered BIGINT,                     -- of those, answered by the institution
    answered_pct DOUBLE,                 -- NULL with no questions
    reply_time_median DOUBLE,            -- minutes to the institution's first reply
    reply_time_p90 DOUBLE,
    within_target BIGINT,
    within_target_pct DOUBLE,            -- answered within target_minutes, of all questions
    target_minutes DOUBLE,
    replies_28d BIGINT,                  -- the institution's own replies to others
    replies_per_week DOUBLE
);

-- Per institution per day, on each platform and on 'all': pooled over its accounts' questions.
CREATE TABLE institution_webcare (
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    day DATE NOT NULL,
    webcare_accounts INTEGER NOT NULL,   -- accounts whose threads were observed
    questions BIGINT,
    answered BIGINT,
    answered_pct DOUBLE,
    reply_time_median DOUBLE,
    reply_time_p90 DOUBLE,
    within_target BIGINT,
    within_target_pct DOUBLE,
    replies_28d BIGINT,
    replies_per_week DOUBLE
);
