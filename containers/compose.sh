#!/usr/bin/env bash
# Run docker-compose.yml with whatever this machine has: `docker compose` (or docker-compose) when
# a Docker engine answers, else podman-compose on podman. Used by `make up` and `make down`.
#
#   containers/compose.sh up      build the image, run the trainer to completion, start the server
#   containers/compose.sh down    stop and remove the containers (the models volume is kept;
#                                 `containers/compose.sh down --volumes` removes it too)
#   containers/compose.sh ARGS    any other compose command (ps, logs -f server, ...)
#
# Environment: as in docker-compose.yml (IMAGE, PYTHON_IMAGE, SERVER_PORT, SERVER_BIND, ...), plus
#   CA_BUNDLE       PEM bundle pip trusts during the build (default: the host's system bundle)
#   COMPOSE_PROJECT compose project name (default dense-serving)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

project="${COMPOSE_PROJECT:-dense-serving}"

if [ -n "${CONTAINER_ENGINE:-}" ]; then
    engine="$CONTAINER_ENGINE"
elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    engine=docker
elif command -v podman >/dev/null; then
    engine=podman
else
    echo "no container engine: 'docker info' fails and podman is not installed" \
        "(containers/prepare_podman.sh installs podman)" >&2
    exit 1
fi

if [ "$engine" = docker ]; then
    if docker compose version >/dev/null 2>&1; then
        compose=(docker compose)
    elif command -v docker-compose >/dev/null; then
        compose=(docker-compose)
    else
        echo "docker has no compose plugin (install docker-compose-plugin)" >&2
        exit 1
    fi
    export DOCKER_BUILDKIT=1
else
    if [ -z "${CONTAINERS_CONF:-}" ] && command -v runc >/dev/null; then
        export CONTAINERS_CONF="$root/containers/containers.conf"
    fi
    if command -v podman-compose >/dev/null; then
        compose=(podman-compose)
    elif [ -x "$root/containers/.tools/bin/podman-compose" ]; then
        compose=("$root/containers/.tools/bin/podman-compose")
    else
        echo "podman-compose is missing (containers/prepare_podman.sh installs it)" >&2
        exit 1
    fi
    # The docker image format keeps the Dockerfile's HEALTHCHECK (OCI has none).
    compose+=(--podman-build-args "--format docker")
    # A registry-less host builds on the base image that prepare_podman.sh made.
    if [ -z "${PYTHON_IMAGE:-}" ] && podman image exists localhost/python:3.11-bookworm; then
        export PYTHON_IMAGE=localhost/python:3.11-bookworm
    fi
fi

# The build's CA bundle secret (docker-compose.yml: secrets.ca_bundle); empty means none.
if [ -z "${CA_BUNDLE+set}" ]; then
    for candidate in "${SSL_CERT_FILE:-}" /etc/ssl/certs/ca-certificates.crt \
        /etc/pki/tls/certs/ca-bundle.crt; do
        if [ -n "$candidate" ] && [ -f "$candidate" ]; then
            export CA_BUNDLE="$candidate"
            break
        fi
    done
fi
[ -n "${CA_BUNDLE:-}" ] || export CA_BUNDLE="$root/containers/empty-ca-bundle.pem"

run_compose() { "${compose[@]}" -p "$project" -f "$root/docker-compose.yml" "$@"; }

case "${1:-}" in
    up)
        shift
        if [ "$engine" = docker ]; then
            run_compose up --detach --build "$@"
        else
            # podman-compose would start the exited trainer again together with the server
            # (it passes --requires to podman), so the two steps are run one after the other.
            run_compose build server
            run_compose up --detach --no-build trainer
            trainer="$(podman ps -aq --filter "label=com.docker.compose.project=$project" \
                --filter label=com.docker.compose.service=trainer)"
            code="$(podman wait "$trainer")"
            if [ "$code" != 0 ]; then
                podman logs --tail 30 "$trainer" >&2
                echo "trainer exited $code; the server is not started" >&2
                exit 1
            fi
            run_compose up --detach --no-build --no-deps "$@" server
        fi
        host="${SERVER_BIND:-0.0.0.0}"
        [ "$host" != 0.0.0.0 ] || host=localhost
        echo "server: http://$host:${SERVER_PORT:-8000}" \
            "(ready once /health/ready answers 200; logs: $0 logs server)"
        ;;
    down)
        shift
        run_compose down "$@"
        ;;
    *)
        run_compose "$@"
        ;;
esac
