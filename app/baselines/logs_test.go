package baselines

import "github.com/destill-dev/destill/providers/providertest"

// Job logs of a Django service's CI, as lines in GitHub Actions' words
// (provider.log rewrites them for the others). Every job waits for its
// services, and redis refuses the first connection in passing and failing
// jobs alike.
var (
	waitForServices  = providertest.WaitForServicesLines
	passingTests     = providertest.PassingTestLines
	missingMigration = providertest.MissingMigrationLines
	e2eTimeout       = providertest.E2ETimeoutLines
	e2ePassing       = providertest.E2EPassingLines
)

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
