-- Build history: each analyzed build of a pipeline, its jobs (every
-- attempt) and the fingerprints found in the jobs whose logs were analyzed,
-- so that the history of a finding is an indexed query by pipeline, branch
-- and fingerprint. Each fingerprint row carries its fingerprint version:
-- fingerprints of different versions are never compared.

-- +goose Up
CREATE TABLE history_builds (
    pipeline    text NOT NULL,
    build_id    text NOT NULL,
    number      bigint NOT NULL,
    branch      text NOT NULL DEFAULT '',
    commit_sha  text NOT NULL DEFAULT '',
    state       text NOT NULL DEFAULT '',
    url         text NOT NULL DEFAULT '',
    -- Changes when the build's jobs do (a retry after it was recorded).
    revision    text NOT NULL DEFAULT '',
    finished_at text NOT NULL DEFAULT '',
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pipeline, build_id)
);

-- A pipeline's last builds on a branch.
CREATE INDEX history_builds_window_idx ON history_builds (pipeline, branch, number DESC);

CREATE TABLE history_jobs (
    pipeline            text NOT NULL,
    build_id            text NOT NULL,
    job_id              text NOT NULL,
    position            integer NOT NULL,
    name                text NOT NULL,
    state               text NOT NULL DEFAULT '',
    attempt             integer NOT NULL DEFAULT 0,
    failed              boolean NOT NULL DEFAULT false,
    passed              boolean NOT NULL DEFAULT false,
    retried             boolean NOT NULL DEFAULT false,
    -- The fingerprint version the job's log was analyzed with; 0: not analyzed.
    fingerprint_version integer NOT NULL DEFAULT 0,
    PRIMARY KEY (pipeline, build_id, job_id),
    FOREIGN KEY (pipeline, build_id) REFERENCES history_builds (pipeline, build_id) ON DELETE CASCADE
);

CREATE TABLE history_fingerprints (
    pipeline            text NOT NULL,
    build_id            text NOT NULL,
    job_id              text NOT NULL,
    fingerprint_version integer NOT NULL,
    fingerprint         text NOT NULL,
    -- The build's branch and number, for the lookup below.
    branch              text NOT NULL,
    number              bigint NOT NULL,
    category            text NOT NULL DEFAULT '',
    severity            text NOT NULL DEFAULT '',
    message             text NOT NULL DEFAULT '',
    confidence          double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (pipeline, build_id, job_id, fingerprint_version, fingerprint),
    FOREIGN KEY (pipeline, build_id, job_id) REFERENCES history_jobs (pipeline, build_id, job_id) ON DELETE CASCADE
);

-- Where a fingerprint occurred in a pipeline's builds on a branch.
CREATE INDEX history_fingerprints_lookup_idx ON history_fingerprints (pipeline, branch, fingerprint_version, fingerprint, number DESC);

-- +goose Down
DROP TABLE history_fingerprints;
DROP TABLE history_jobs;
DROP TABLE history_builds;
