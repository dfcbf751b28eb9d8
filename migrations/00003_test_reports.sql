-- The failed tests of a build's test reports (JUnit artifacts), fetched by
-- the ingest stage and merged into the findings when the request finishes.

-- +goose Up
ALTER TABLE requests ADD COLUMN test_reports json;

-- +goose Down
ALTER TABLE requests DROP COLUMN test_reports;
