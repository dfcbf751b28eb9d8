#!/usr/bin/env bash
# Cross-compiles the release binaries (make release): static, version
# stamped, one per platform, named destill-OS-ARCH, plus SHA256SUMS.
#
#   VERSION   stamped into the binaries (default: git describe)
#   DIST      output directory (default dist)
#   PLATFORMS space-separated OS/ARCH list (default: linux and darwin, amd64 and arm64)
set -euo pipefail
cd "$(dirname "$0")/.."

version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
dist=${DIST:-dist}
platforms=${PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64}

mkdir -p "$dist"
rm -f "$dist"/destill-* "$dist"/SHA256SUMS
names=()
for p in $platforms; do
	os=${p%/*} arch=${p#*/}
	if [[ $os == "$p" || -z $os || -z $arch ]]; then
		echo "make release: platform '$p' is not OS/ARCH (e.g. linux/amd64)" >&2
		exit 2
	fi
	name=destill-$os-$arch
	echo "build $dist/$name ($version)"
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath \
		-ldflags "-s -w -X github.com/destill-dev/destill/app.Version=$version" \
		-o "$dist/$name" .
	names+=("$name")
done
(
	cd "$dist"
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "${names[@]}"
	else
		shasum -a 256 "${names[@]}"
	fi
) >"$dist/SHA256SUMS"
echo "wrote $dist/SHA256SUMS"
