#!/usr/bin/env bash
# Installs what the tests need, when missing, so that none of them skips:
# PostgreSQL's server binaries (make test starts a throwaway server from
# them; Debian's package is installed without its own cluster), tmux (the
# terminal UI's end-to-end tests), gcc (the race detector needs cgo),
# docker-compose (Debian's, for
# `docker-compose config`), shellcheck, and helm built from its Go module
# (Debian has no helm package), linked into /usr/local/bin. No container
# engine or cluster is needed. Run as root (CI) or with sudo: make
# deploy-tools.
#
# Prints the helm binary's path as its last line: export HELM=$(deploy/ci-tools.sh | tail -n1)
set -euo pipefail

helm_version=${HELM_VERSION:-v3.22.0}
tools=${DESTILL_TOOLS_DIR:-/usr/local/lib/destill-tools}
bindir=${DESTILL_TOOLS_BIN:-/usr/local/bin}

missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v gcc >/dev/null 2>&1 || missing+=(gcc) # the race detector (scripts/race-tests.sh)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
	# The server binaries only: no cluster of the package's own, and no
	# upgrade of what the machine already has.
	mkdir -p /etc/postgresql-common/createcluster.d
	echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/destill-no-main.conf
	missing+=(postgresql)
fi
if ((${#missing[@]})); then
	echo "install ${missing[*]}" >&2
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

helm=$tools/helm-$helm_version/helm
if [[ ! -x $helm ]]; then
	echo "build helm $helm_version (go install helm.sh/helm/v3/cmd/helm@$helm_version)" >&2
	GOBIN=$(dirname "$helm") go install "helm.sh/helm/v3/cmd/helm@$helm_version" >&2
fi
# On PATH, so that the tests find it without HELM set; a helm already
# there (another version) is left alone.
if ! command -v helm >/dev/null 2>&1 && [[ -w $bindir ]]; then
	ln -sf "$helm" "$bindir/helm"
fi
echo "$helm"
