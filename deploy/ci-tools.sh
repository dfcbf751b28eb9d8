#!/usr/bin/env bash
# Installs what the deploy and integrations tests need, when missing:
# docker-compose (Debian's, for `docker-compose config`), shellcheck, and
# helm built from its Go module (Debian has no helm package). No container
# engine or cluster is needed. Run as root (CI) or with sudo.
#
# Prints the helm binary's path as its last line: export HELM=$(deploy/ci-tools.sh | tail -n1)
set -euo pipefail

helm_version=${HELM_VERSION:-v3.22.0}
tools=${DESTILL_TOOLS_DIR:-/usr/local/lib/destill-tools}

missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
if ((${#missing[@]})); then
	echo "install ${missing[*]}" >&2
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

helm=$tools/helm-$helm_version/helm
if [[ ! -x $helm ]]; then
	echo "build helm $helm_version (go install helm.sh/helm/v3/cmd/helm@$helm_version)" >&2
	GOBIN=$(dirname "$helm") go install "helm.sh/helm/v3/cmd/helm@$helm_version" >&2
fi
echo "$helm"
