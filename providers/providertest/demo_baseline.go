package providertest

import "github.com/destill-dev/destill/providers"

// Lines of the baseline demo's job logs, in GitHub Actions' words (a step
// is "##[group]Run cmd", the command echoed, "##[endgroup]", its output; a
// failure ends in "##[error]…"): a Django service whose CI scripts (traced
// with bash -x) first wait for their services, and redis refuses the first
// connection in passing and failing jobs alike.
var (
	TestStepLines = []string{
		"##[group]Run ./ci/test.sh",
		"./ci/test.sh",
		"shell: /usr/bin/bash -e {0}",
		"##[endgroup]",
	}
	E2EStepLines = []string{
		"##[group]Run ./ci/e2e.sh",
		"./ci/e2e.sh",
		"shell: /usr/bin/bash -e {0}",
		"##[endgroup]",
	}
	WaitForServicesLines = []string{
		"+ ./scripts/wait-for-services.sh",
		"Waiting for postgres at localhost:5432... ok",
		"Waiting for redis at localhost:6379...",
		"ERROR: could not connect to redis at localhost:6379: Connection refused",
		"redis is up after 2 attempts",
	}
	PassingTestLines = []string{
		"+ python manage.py makemigrations --check --dry-run",
		"No changes detected",
		"+ pytest -q -p no:cacheprovider tests/",
		"........................................................................ [ 60%]",
		"................................................                         [100%]",
		"120 passed in 11.87s",
	}
	// MissingMigrationLines fail the job: Django 5.2 wants a migration
	// that 5.1 did not.
	MissingMigrationLines = []string{
		"+ python manage.py makemigrations --check --dry-run",
		"Migrations for 'billing':",
		"  billing/migrations/0042_alter_invoice_options.py",
		"    - Change Meta options on invoice",
		"Error: billing has model changes without a migration; run `python manage.py makemigrations billing` and commit the result",
		"##[error]Process completed with exit code 1.",
	}
	E2ETimeoutLines = []string{
		"+ npx playwright test",
		"Running 48 tests using 4 workers",
		"  ✘  31 [chromium] › checkout.spec.ts:88:5 › checkout › pays an invoice (30.0s)",
		"    Error: Timed out 30000ms waiting for expect(locator).toBeVisible()",
		"    Locator: getByText('Payment received')",
		"  1 failed",
		"##[error]Process completed with exit code 1.",
	}
	E2EPassingLines = []string{
		"+ npx playwright test",
		"Running 48 tests using 4 workers",
		"  48 passed (1.9m)",
	}
)

func joinLines(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// DemoBaseline is a failed GitHub Actions run (acme/billing 9876543300 on
// fix/invoice-tz) for automatic baselines: the Django 5.2 test cell fails
// where its Django 5.1 sibling passed, so that sibling is its baseline; the
// e2e shard fails alone, and the run before on the same branch, which
// passed, is its baseline. Every job prints the same redis error.
func DemoBaseline() Scenario {
	job := func(name, state string, lines ...[]string) Job {
		return Job{Name: name, State: state, Log: GitHubLog(joinLines(lines...)...)}
	}
	failed := Build{Provider: providers.KindGitHubActions, Org: "acme", Repo: "billing", Number: 9876543300, Branch: "fix/invoice-tz",
		Jobs: []Job{
			job("lint", "passed", []string{"##[group]Run ruff check .", "ruff check .", "shell: /usr/bin/bash -e {0}", "##[endgroup]", "All checks passed!"}),
			job("test (ubuntu-latest, django-5.1)", "passed", TestStepLines, WaitForServicesLines, PassingTestLines),
			job("test (ubuntu-latest, django-5.2)", "failed", TestStepLines, WaitForServicesLines, MissingMigrationLines),
			job("e2e", "failed", E2EStepLines, WaitForServicesLines, E2ETimeoutLines),
		}}
	failed.Jobs[2].Step = "Run ./ci/test.sh"
	failed.Jobs[3].Step = "Run ./ci/e2e.sh"
	before := Build{Provider: providers.KindGitHubActions, Org: "acme", Repo: "billing", Number: 9876543290, Branch: "fix/invoice-tz",
		Jobs: []Job{
			job("lint", "passed", []string{"##[group]Run ruff check .", "ruff check .", "shell: /usr/bin/bash -e {0}", "##[endgroup]", "All checks passed!"}),
			job("test (ubuntu-latest, django-5.1)", "passed", TestStepLines, WaitForServicesLines, PassingTestLines),
			job("test (ubuntu-latest, django-5.2)", "passed", TestStepLines, WaitForServicesLines, PassingTestLines),
			job("e2e", "passed", E2EStepLines, WaitForServicesLines, E2EPassingLines),
		}}
	return Scenario{Builds: []Build{failed, before}}
}
