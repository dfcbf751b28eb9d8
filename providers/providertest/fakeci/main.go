// Command fakeci serves a providertest scenario on loopback for tests that
// run the real destill binary:
//
//	go run ./providers/providertest/fakeci -demo github
//	go run ./providers/providertest/fakeci -scenario scenario.json
//
// It prints the environment destill needs (KEY=value lines, then URL=
// lines with each build's web URL, then "READY") and serves until it is
// interrupted or its standard input closes.
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
	flag.Parse()
	if err := run(*scenario, *demo); err != nil {
		fmt.Fprintf(os.Stderr, "fakeci: %v\n", err)
		os.Exit(2)
	}
}

func run(path, demo string) error {
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
	w := bufio.NewWriter(os.Stdout)
	for _, kv := range fake.Environ() {
		fmt.Fprintln(w, kv)
	}
	for i := range fake.Scenario().Builds {
		fmt.Fprintf(w, "URL=%s\n", fake.WebURL(i))
	}
	fmt.Fprintln(w, "READY")
	w.Flush()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	closed := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(closed)
	}()
	select {
	case <-stop:
	case <-closed:
	}
	return nil
}
