# One image for both roles of the project:
#   the model server (default):  docker run -p 8000:8000 -p 8500:8500 -v models:/models:ro IMAGE
#   the training job:            docker run -v models:/models IMAGE training [NAME ...]
# The entrypoint is `python -m`, so the command is the module to run and its arguments
# (`service --port 9000`, `training linear --repository /models`).
#
# Build arguments and options (docs/DEPLOYMENT.md has the details):
#   PYTHON_IMAGE   base image with Python 3.11 and its venv module (default python:3.11-slim).
#                  Hosts that cannot reach a registry use one made from Debian's packages by
#                  containers/prepare_podman.sh: --build-arg PYTHON_IMAGE=localhost/python:3.11-bookworm
#   PIP_NO_INDEX   1: install from containers/wheelhouse/ only, with no network at all.
#   secret ca_bundle
#                  a PEM bundle pip trusts, for networks that re-sign TLS (inspecting proxies):
#                  --secret id=ca_bundle,src=/etc/ssl/certs/ca-certificates.crt
#   secret pip_conf
#                  a pip.conf for the install step (a mirror or private index, with credentials):
#                  --secret id=pip_conf,src=$HOME/.config/pip/pip.conf
#                  Secrets are mounted for the install step only and never stored in a layer.
#   containers/wheelhouse/
#                  wheels found there are used before any index (containers/wheelhouse.sh fills it).

ARG PYTHON_IMAGE=python:3.11-slim

# ---- build: a virtualenv with the pinned runtime dependencies --------------------------------
FROM ${PYTHON_IMAGE} AS build

ARG PIP_NO_INDEX=0
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DEFAULT_TIMEOUT=120

RUN python3 -m venv /opt/venv

# tensorflow/include holds C++ headers for building custom ops (about 290 MB); nothing here
# compiles against TensorFlow, so it is left out of the image.
COPY requirements.lock requirements-nodeps.lock /tmp/
RUN --mount=type=secret,id=ca_bundle \
    --mount=type=secret,id=pip_conf \
    --mount=type=bind,source=containers/wheelhouse,target=/tmp/wheelhouse \
    if [ -s /run/secrets/ca_bundle ]; then export PIP_CERT=/run/secrets/ca_bundle; fi \
    && if [ -s /run/secrets/pip_conf ]; then export PIP_CONFIG_FILE=/run/secrets/pip_conf; fi \
    && /opt/venv/bin/pip install --quiet --find-links /tmp/wheelhouse \
        --requirement /tmp/requirements.lock \
    && /opt/venv/bin/pip check \
    && /opt/venv/bin/pip install --quiet --no-deps --find-links /tmp/wheelhouse \
        --requirement /tmp/requirements-nodeps.lock \
    && rm -rf /opt/venv/lib/python3*/site-packages/tensorflow/include

# ---- runtime: the same base, the virtualenv, the code, a non-root user ------------------------
FROM ${PYTHON_IMAGE} AS runtime

ARG APP_UID=10001

# The user owns nothing but its home and /models (the named volume copies this ownership when it
# is first mounted, so the trainer can publish into it; the server mounts it read-only).
RUN groupadd --gid "${APP_UID}" app \
    && useradd --uid "${APP_UID}" --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app \
    && mkdir /models \
    && chown app:app /models

COPY --from=build /opt/venv /opt/venv

WORKDIR /app
COPY modelrepo/ /app/modelrepo/
COPY training/ /app/training/
COPY service/ /app/service/
COPY containers/healthcheck.py /app/containers/healthcheck.py
RUN /opt/venv/bin/python -m compileall -q /app

# The code revision goes last so that a new commit rebuilds no earlier layer. Training records it
# in each version's metadata.json (CODE_REVISION).
ARG REVISION=
LABEL org.opencontainers.image.title="dense-serving" \
      org.opencontainers.image.description="Keras Dense models trained into a TensorFlow-Serving-compatible repository and served over HTTP" \
      org.opencontainers.image.revision="${REVISION}"

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONPATH=/app \
    MODEL_REPOSITORY=/models \
    HOST=0.0.0.0 \
    PORT=8000 \
    GRPC_PORT=8500 \
    LOG_FORMAT=json \
    SHUTDOWN_GRACE_SECONDS=10 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    MPLCONFIGDIR=/tmp/matplotlib \
    CODE_REVISION=${REVISION}

USER ${APP_UID}:${APP_UID}
EXPOSE 8000 8500

HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "/app/containers/healthcheck.py"]

ENTRYPOINT ["python", "-m"]
CMD ["service"]
