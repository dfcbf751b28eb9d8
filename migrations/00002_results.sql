-- What the analyze stage writes: one row per analyzed chunk (keyed so a
-- redelivered chunk changes nothing), and the merged findings of a request
-- keyed by fingerprint.

-- +goose Up
CREATE TABLE chunk_results (
    request_id text NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    job_id     text NOT NULL,
    seq        integer NOT NULL,
    first_line integer NOT NULL,
    result     json NOT NULL,
    PRIMARY KEY (request_id, job_id, seq)
);

CREATE TABLE findings (
    request_id  text NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    fingerprint text NOT NULL,
    rank        integer NOT NULL,
    confidence  double precision NOT NULL,
    body        json NOT NULL,
    PRIMARY KEY (request_id, fingerprint)
);

-- view <id>: findings by rank; view --list: each request's top finding.
CREATE INDEX findings_rank_idx ON findings (request_id, rank);

-- +goose Down
DROP TABLE findings;
DROP TABLE chunk_results;
