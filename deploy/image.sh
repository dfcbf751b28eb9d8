#!/usr/bin/env bash
# Builds the destill container image from deploy/Dockerfile (make image).
#
#   IMAGE     repository to tag (default ghcr.io/destill-dev/destill)
#   VERSION   version stamped into the binary and the tag (default: git describe)
#   DOCKER    container CLI (default docker; podman works too)
#   PLATFORM  e.g. linux/arm64 (default: the engine's own)
set -euo pipefail
cd "$(dirname "$0")/.."

docker=${DOCKER:-docker}
image=${IMAGE:-ghcr.io/destill-dev/destill}
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)

if ! command -v "$docker" >/dev/null 2>&1; then
	echo "make image: '$docker' not found: install Docker (or set DOCKER=podman) to build the image" >&2
	exit 1
fi
if ! "$docker" info >/dev/null 2>&1; then
	echo "make image: no container engine reachable through '$docker' (is the Docker daemon running? DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}): the image can't be built on this machine" >&2
	exit 1
fi

# The Dockerfile uses BuildKit features (cache mounts, BUILDPLATFORM):
# Docker needs its buildx plugin; Podman's own build has them.
build=(build)
if [[ $(basename "$docker") == docker* ]]; then
	if ! "$docker" buildx version >/dev/null 2>&1; then
		echo "make image: '$docker buildx' (BuildKit) is missing: install the docker-buildx plugin (Debian: docker-buildx-plugin or docker-buildx)" >&2
		exit 1
	fi
	build=(buildx build --load)
fi

args=("${build[@]}" -f deploy/Dockerfile
	--build-arg "VERSION=$version" --build-arg "REVISION=$revision" --build-arg "CREATED=$created"
	-t "$image:$version")
if [[ -n ${PLATFORM:-} ]]; then
	args+=(--platform "$PLATFORM")
fi
"$docker" "${args[@]}" .
echo "built $image:$version"
