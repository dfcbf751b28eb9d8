#!/usr/bin/env bash
# Step of the destill GitHub Action (action.yml): downloads a destill
# release for the runner, verifies it against the release's SHA256SUMS,
# analyzes a workflow run (default: this one) and appends the findings to
# the job summary ($GITHUB_STEP_SUMMARY) in Markdown.
#
# Settings (action.yml maps its inputs to them): DESTILL_VERSION (latest),
# DESTILL_DOWNLOAD_URL, DESTILL_RUN_URL, DESTILL_TOP (10),
# DESTILL_FAIL_ON_ERROR (false), GITHUB_TOKEN.
set -euo pipefail

version=${DESTILL_VERSION:-latest}
base=${DESTILL_DOWNLOAD_URL:-https://github.com/destill-dev/destill/releases}
top=${DESTILL_TOP:-10}
fail_on_error=${DESTILL_FAIL_ON_ERROR:-false}

# escape makes a message safe inside a workflow command (::warning::...).
escape() {
	local s=${1//'%'/'%25'}
	s=${s//$'\r'/'%0D'}
	printf '%s' "${s//$'\n'/'%0A'}"
}

fail() {
	echo "::error title=destill::$(escape "$1")"
	exit 1
}

[[ -n ${GITHUB_STEP_SUMMARY:-} ]] || fail "GITHUB_STEP_SUMMARY is not set: run this as a step of a GitHub Actions job"
[[ $top =~ ^[0-9]+$ ]] || fail "input top must be a number, got '$top'"

case ${RUNNER_OS:-$(uname -s)} in
Linux) os=linux ;;
macOS | Darwin) os=darwin ;;
*) fail "destill has no release for ${RUNNER_OS:-$(uname -s)} runners: run this job on Linux or macOS (runs-on: ubuntu-latest)" ;;
esac
case ${RUNNER_ARCH:-$(uname -m)} in
X64 | x86_64 | amd64) arch=amd64 ;;
ARM64 | arm64 | aarch64) arch=arm64 ;;
*) fail "destill has no release for ${RUNNER_ARCH:-$(uname -m)}: use an X64 or ARM64 runner" ;;
esac

asset=destill-$os-$arch
if [[ $version == latest ]]; then
	url=${base%/}/latest/download
else
	url=${base%/}/download/$version
fi
dir=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/destill.XXXXXX")
trap 'rm -rf "$dir"' EXIT

for f in "$asset" SHA256SUMS; do
	curl -fsSL --retry 3 --retry-delay 2 -o "$dir/$f" "$url/$f" ||
		fail "could not download $url/$f: check the version input ($version)"
done
want=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1 }' "$dir/SHA256SUMS")
[[ -n $want ]] || fail "the SHA256SUMS of destill $version lists no $asset"
if command -v sha256sum >/dev/null 2>&1; then
	got=$(sha256sum "$dir/$asset" | awk '{ print $1 }')
else
	got=$(shasum -a 256 "$dir/$asset" | awk '{ print $1 }')
fi
[[ $got == "$want" ]] || fail "checksum mismatch for $asset of destill $version (got $got, SHA256SUMS says $want): not running it"
chmod +x "$dir/$asset"
echo "destill: $("$dir/$asset" --version) ($asset, sha256 $got)"

run_url=${DESTILL_RUN_URL:-}
if [[ -z $run_url ]]; then
	for v in GITHUB_SERVER_URL GITHUB_REPOSITORY GITHUB_RUN_ID GITHUB_RUN_ATTEMPT; do
		[[ -n ${!v:-} ]] || fail "$v is not set: give the run-url input"
	done
	run_url=$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID/attempts/$GITHUB_RUN_ATTEMPT
fi

status=0
"$dir/$asset" analyze "$run_url" --format markdown --top "$top" >"$dir/summary.md" 2>"$dir/stderr" || status=$?
if [[ $status -eq 0 ]]; then
	cat "$dir/summary.md" >>"$GITHUB_STEP_SUMMARY"
	echo "::group::destill findings for $run_url"
	cat "$dir/summary.md"
	echo "::endgroup::"
	exit 0
fi

msg=$(grep -v '^Run .* --help' "$dir/stderr" | tail -n 1)
msg=${msg#destill: }
case $msg in
*"nothing to analyze"* | *"no job has failed yet"*)
	echo "::notice title=destill::$(escape "no failed job to explain in $run_url ($msg)")"
	exit 0
	;;
esac
echo "::warning title=destill::$(escape "could not analyze $run_url: $msg")"
printf '> **destill** could not analyze this run: %s\n' "$msg" >>"$GITHUB_STEP_SUMMARY"
if [[ $fail_on_error == true ]]; then
	exit "$status"
fi
