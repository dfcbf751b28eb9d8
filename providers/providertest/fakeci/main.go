// Command fakeci serves a providertest scenario on loopback for tests that
// run the real destill binary:
//
//	go run ./providers/providertest/fakeci -demo github
//	go run ./providers/providertest/fakeci -scenario scenario.json
//
// It prints the environment destill needs (KEY=value lines, then URL=
// lines with each build's web URL, then "READY") and serves until it is
// interrupted or its standard input closes. With -env-file it also writes
// those lines to a file once it serves, and serves until it is
// interrupted, whatever its standard input does: for running in the
// background (scripts/local-backends.sh).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/destill-dev/destill/providers/providertest"
)

func main() {
	scenario := flag.String("scenario", "", "JSON `file` holding a providertest.Scenario")
	demo := flag.String("demo", "", "a built-in scenario: "+strings.Join(providertest.DemoNames(), ", "))
	envFile := flag.String("env-file", "", "also write the environment to this `file` once serving, and serve until interrupted, ignoring standard input")
	flag.Parse()
	if err := run(*scenario, *demo, *envFile); err != nil {
		fmt.Fprintf(os.Stderr, "fakeci: %v\n", err)
		os.Exit(2)
	}
}

func run(path, demo, envFile string) error {
	var sc providertest.Scenario
	switch {
	case path != "" && demo != "":
		return fmt.Errorf("give -scenario or -demo, not both")
	case path != "":
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &sc); err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
	case demo != "":
		mk, ok := providertest.Demos[demo]
		if !ok {
			return fmt.Errorf("no demo %q: use one of %s", demo, strings.Join(providertest.DemoNames(), ", "))
		}
		sc = mk()
	default:
		return fmt.Errorf("give -scenario FILE or -demo NAME")
	}
	fake := providertest.Start(sc)
	defer fake.Close()
	var b strings.Builder
	for _, kv := range fake.Environ() {
		fmt.Fprintln(&b, kv)
	}
	for i := range fake.Scenario().Builds {
		fmt.Fprintf(&b, "URL=%s\n", fake.WebURL(i))
	}
	fmt.Fprintln(&b, "READY")
	w := bufio.NewWriter(os.Stdout)
	w.WriteString(b.String())
	w.Flush()
	if envFile != "" {
		if err := os.WriteFile(envFile+".tmp", []byte(b.String()), 0o600); err != nil {
			return err
		}
		if err := os.Rename(envFile+".tmp", envFile); err != nil {
			return err
		}
	}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	closed := make(chan struct{})
	if envFile == "" {
		go func() {
			io.Copy(io.Discard, os.Stdin)
			close(closed)
		}()
	}
	select {
	case <-stop:
	case <-closed:
	}
	return nil
}
