-- Requests and the jobs selected for them: what `destill submit` creates,
-- the ingest stage plans, and `destill view` reads.

-- +goose Up
CREATE TABLE requests (
    id            text PRIMARY KEY,
    input         text NOT NULL,
    build_url     text NOT NULL DEFAULT '',
    options       json NOT NULL DEFAULT '{}',
    status        text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'fetching', 'analyzing', 'done', 'failed')),
    error         text NOT NULL DEFAULT '',
    planned       boolean NOT NULL DEFAULT false,
    jobs_selected integer NOT NULL DEFAULT 0,
    jobs_fetched  integer NOT NULL DEFAULT 0,
    chunks_total  integer NOT NULL DEFAULT 0,
    chunks_done   integer NOT NULL DEFAULT 0,
    findings      integer NOT NULL DEFAULT 0,
    -- The findings document without its findings (source, jobs, notes).
    report        json,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- view --list: the newest requests.
CREATE INDEX requests_created_at_idx ON requests (created_at DESC, id DESC);
-- view <build URL>: requests by what was submitted or by the build's own URL.
CREATE INDEX requests_input_idx ON requests (input, created_at DESC);
CREATE INDEX requests_build_url_idx ON requests (build_url, created_at DESC) WHERE build_url <> '';

CREATE TABLE request_jobs (
    request_id text NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    job_id     text NOT NULL,
    -- Chunks the job's log was cut into; NULL while it is being read.
    chunks     integer CHECK (chunks >= 0),
    error      text NOT NULL DEFAULT '',
    PRIMARY KEY (request_id, job_id)
);

-- +goose Down
DROP TABLE request_jobs;
DROP TABLE requests;
