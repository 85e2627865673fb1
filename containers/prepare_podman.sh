#!/usr/bin/env bash
# Prepare a Debian/Ubuntu machine that has no Docker engine to build and run the project's
# containers with podman. Idempotent: every step is skipped when its result is already there.
#
#   1. apt-get install podman, runc, netavark and iptables (bridge networking, published ports) and
#      debootstrap (when missing);
#   2. install podman-compose (pinned, from PyPI) into a small tools virtualenv;
#   3. make the base image $PYTHON_IMAGE (default localhost/python:3.11-bookworm) from Debian's
#      packages with debootstrap, for hosts that cannot pull python:3.11-slim from a registry.
#
# Environment:
#   CONTAINERS_CONF  podman settings (default: containers/containers.conf beside this script)
#   PYTHON_IMAGE     base image name to create (default localhost/python:3.11-bookworm)
#   DEBIAN_MIRROR    mirror for debootstrap (default: debootstrap's own default)
#   TOOLS_VENV       where podman-compose is installed (default containers/.tools)
#   SKIP_BASE_IMAGE  set to 1 to skip step 3 (e.g. when python:3.11-slim can be pulled)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
base_image="${PYTHON_IMAGE:-localhost/python:3.11-bookworm}"
tools_venv="${TOOLS_VENV:-$here/.tools}"
podman_compose_version="1.6.0"

log() { printf '== prepare_podman: %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. System packages.
missing=()
command -v podman >/dev/null || missing+=(podman)
command -v runc >/dev/null || missing+=(runc)
[ -x /usr/lib/podman/netavark ] || command -v netavark >/dev/null || missing+=(netavark)
# netavark sets up bridge networking and port publishing with iptables.
command -v iptables >/dev/null || [ -x /usr/sbin/iptables ] || missing+=(iptables)
if [ "${SKIP_BASE_IMAGE:-0}" != 1 ]; then
    command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
    log "podman, runc, netavark, debootstrap already installed"
fi
podman --version

# 2. podman-compose in its own virtualenv (the system Python may refuse pip installs).
if [ "$("$tools_venv/bin/podman-compose" --version 2>/dev/null | grep -o 'podman-compose version [0-9.]*' | awk '{print $3}')" != "$podman_compose_version" ]; then
    log "installing podman-compose $podman_compose_version into $tools_venv"
    python3 -m venv "$tools_venv"
    "$tools_venv/bin/pip" install --quiet --disable-pip-version-check \
        "podman-compose==$podman_compose_version"
else
    log "podman-compose $podman_compose_version already in $tools_venv"
fi

# 3. The base image.
if [ "${SKIP_BASE_IMAGE:-0}" = 1 ]; then
    log "SKIP_BASE_IMAGE=1: not making a base image"
elif podman image exists "$base_image"; then
    log "base image $base_image already present"
else
    log "making $base_image with debootstrap (bookworm, python3 3.11)"
    rootfs="$(mktemp -d /tmp/python-bookworm.XXXXXX)"
    trap 'rm -rf "$rootfs"' EXIT
    start=$SECONDS
    # shellcheck disable=SC2086  # DEBIAN_MIRROR is empty or one word
    as_root debootstrap --variant=minbase \
        --include=python3,python3-venv,python3-pip,ca-certificates \
        bookworm "$rootfs" ${DEBIAN_MIRROR:-} >/dev/null
    # Trim what a runtime image never needs (apt lists and caches, docs, man pages).
    as_root rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
        "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
    as_root tar -C "$rootfs" -c . | podman import \
        --change 'CMD ["python3"]' \
        --change 'ENV LANG=C.UTF-8' \
        - "$base_image" >/dev/null
    log "made $base_image in $((SECONDS - start)) s"
fi
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$base_image" 2>/dev/null || true
