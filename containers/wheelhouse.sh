#!/usr/bin/env bash
# Fill containers/wheelhouse/ with the wheels of requirements.lock for the image's platform
# (CPython 3.11 on glibc Linux, ARCH x86_64 unless told otherwise), using the host's pip and its
# configuration (index, proxy, CA bundle). The Dockerfile's install step finds every package
# there; add --build-arg PIP_NO_INDEX=1 to build with no network at all.
#
#   containers/wheelhouse.sh [DEST]      ARCH=aarch64 for arm64 images, PYTHON=... for the pip used
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$root/containers/wheelhouse}"
arch="${ARCH:-x86_64}"
glibc_max="${GLIBC_MINOR_MAX:-36}"   # Debian 12 has glibc 2.36

# pip takes --platform literally (no implied older manylinux tags), so list every tag a glibc
# 2.$glibc_max system accepts.
platforms=(--platform "manylinux2014_$arch")
[ "$arch" = x86_64 ] && platforms+=(--platform manylinux1_x86_64 --platform manylinux2010_x86_64)
for minor in $(seq 5 "$glibc_max"); do platforms+=(--platform "manylinux_2_${minor}_$arch"); done

mkdir -p "$dest"
"${PYTHON:-python3}" -m pip download --quiet --disable-pip-version-check \
    --only-binary=:all: --python-version 3.11 --implementation cp "${platforms[@]}" \
    --dest "$dest" --requirement "$root/requirements.lock"
"${PYTHON:-python3}" -m pip download --quiet --disable-pip-version-check --no-deps \
    --only-binary=:all: --python-version 3.11 --implementation cp "${platforms[@]}" \
    --dest "$dest" --requirement "$root/requirements-nodeps.lock"
printf 'wheelhouse %s: %s wheels, %s\n' "$dest" "$(find "$dest" -name '*.whl' | wc -l)" \
    "$(du -sh "$dest" | cut -f1)"
