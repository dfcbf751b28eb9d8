-- Baseline models (passing logs of a job, encoded by
-- analysis.Baseline.MarshalBinary), kept so every process analyzing the same
-- pipeline reuses them instead of downloading the passing log again.

-- +goose Up
CREATE TABLE baselines (
    key      text PRIMARY KEY,
    model    bytea NOT NULL,
    saved_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE baselines;
