-- Runs moved aside from the landing zone: damaged (found by a build) or retracted by hand.
-- `finsocial runs` lists them and `finsocial runs restore` brings one back.
CREATE TABLE quarantined_runs (
    run_id VARCHAR NOT NULL,             -- the run folder's name (or a compacted month, YYYY-MM)
    origin VARCHAR NOT NULL,             -- where it lay, relative to the landing zone
    path VARCHAR NOT NULL,               -- where it lies now
    reason VARCHAR NOT NULL,             -- the file and what is wrong with it, or the retraction
    quarantined_at TIMESTAMPTZ,
    retracted BOOLEAN NOT NULL           -- true: moved aside by hand, not found damaged
);
