package app

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/urfave/cli/v3"
)

// defaultHealthcheckURL is where a worker started with --metrics-addr=:9090
// answers whether it is ready.
const defaultHealthcheckURL = "http://127.0.0.1:9090/readyz"

// healthcheckOptions are the parsed flags of healthcheck.
type healthcheckOptions struct {
	url     string
	timeout time.Duration
}

// newHealthcheckCommand probes a worker's health endpoint. Container
// healthchecks need it: the image has no shell, curl or wget.
func newHealthcheckCommand(streams *Streams, run runFunc[healthcheckOptions]) *cli.Command {
	return &cli.Command{
		Name:   "healthcheck",
		Usage:  "exit 0 if a worker's health endpoint answers 2xx (for container healthchecks)",
		Hidden: true,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "url", Usage: "endpoint to probe", Value: defaultHealthcheckURL},
			&cli.DurationFlag{Name: "timeout", Usage: "give up after this long", Value: 3 * time.Second},
		},
		Action: action(streams, parseHealthcheckOptions, run),
	}
}

func parseHealthcheckOptions(cmd *cli.Command, _ *Streams) (healthcheckOptions, error) {
	if cmd.Args().Len() > 0 {
		return healthcheckOptions{}, usageErrorf("healthcheck takes no arguments; use --url")
	}
	return healthcheckOptions{url: cmd.String("url"), timeout: cmd.Duration("timeout")}, nil
}

func runHealthcheck(ctx context.Context, _ *Streams, opts healthcheckOptions) error {
	return probe(ctx, opts.url, opts.timeout)
}

// probe GETs url and fails unless it answers 2xx within timeout.
func probe(ctx context.Context, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return usageErrorf("healthcheck: bad --url %q: %v", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %s unreachable: %w", url, err)
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("healthcheck: %s answered %s", url, resp.Status)
	}
	return nil
}
