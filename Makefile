# The habits: make install | train | serve | test | lint | bench
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
REPOSITORY ?= models
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install train serve test lint bench bench-smoke bench-train bench-soak bench-attack bench-compare profile lock \
	clean
	cluster-test manifests-check

install: $(VENV)/.installed

# One line per step with what happens and about how long it takes; pip names each package.
$(VENV)/.installed: requirements.lock requirements-dev.lock requirements-nodeps.lock
	@echo "make install [1/3]: creating the virtualenv $(VENV) (a few seconds)"
	$(PYTHON) -m venv $(VENV)
	@echo "make install [2/3]: pip installs the pinned packages of requirements-dev.lock:" \
		"about 2 minutes on a fresh machine (TensorFlow alone is some 250 MB), seconds when cached"
	$(VENV)/bin/pip install --disable-pip-version-check -r requirements-dev.lock
	@echo "make install [3/3]: TensorFlow Serving's gRPC stubs, without dependencies (seconds)"
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -r requirements-nodeps.lock
	@echo "make install: done ($(VENV) is ready)"
	touch $@

train: install
	$(PY) -m training --repository $(REPOSITORY)

# Installs if needed, trains the zoo when the repository has no model yet, then serves.
serve: install
	@if ! ls -d $(REPOSITORY)/*/[1-9]* >/dev/null 2>&1; then \
		echo "make serve: $(REPOSITORY) holds no model yet; training the zoo (about 15 s)"; \
		$(PY) -m training --repository $(REPOSITORY); fi
	$(PY) -m service --repository $(REPOSITORY) --host $(HOST) --port $(PORT)

# The model browser's tests drive a real headless Chromium: Debian's chromium and chromium-driver
# come from apt when missing (without apt, those tests are skipped, saying so).
test: install
	@$(CHROMIUM)
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/hadolint Dockerfile

bench-train: install
	$(PY) -m benchmarks.training_speed

# Serving benchmark (benchmarks/serving.py; results in benchmarks/results/). wrk comes from
# Debian's package when missing. bench-smoke: 2 s rows at concurrency 1 and 32, to prove it runs.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
WRK := command -v wrk >/dev/null || ($(SUDO) apt-get update && $(SUDO) apt-get install -y wrk)
CHROMIUM := { command -v chromium >/dev/null && command -v chromedriver >/dev/null; } || \
	{ command -v apt-get >/dev/null && $(SUDO) apt-get update && \
	  $(SUDO) apt-get install -y chromium chromium-driver; } || \
	echo "make test: no chromium/chromedriver could be installed: the browser tests will be SKIPPED"
H2LOAD := command -v h2load >/dev/null || ($(SUDO) apt-get update && $(SUDO) apt-get install -y nghttp2-client)

bench-soak: install
	@$(WRK)
	$(PY) -m benchmarks.soak

bench: install
	@$(WRK)
	@$(H2LOAD)
	$(PY) -m benchmarks.serving

# The connection and memory attacks of benchmarks/attacks.py, 10 s each, with a normal client's
# latency, failures and the server's RSS during each (benchmarks/results/attack.json).
bench-attack: install
	$(PY) -m benchmarks.attack

# A flame graph of the server under wrk at c=32 (py-spy), with the costs per request:
# benchmarks/results/profile-predict.{svg,json}; ROUTE=v1 or v2 for the other families.
ROUTE ?= predict
profile: install
	@$(WRK)
	$(PY) -m benchmarks.profile --route $(ROUTE)

# This checkout against earlier revisions, all served at once on the server core (one wrk each on
# the other core), so a noisy machine slows them alike: REVS="rev ..." (default HEAD~1), ROUTE.
REVS ?= HEAD~1
bench-compare: install
	@$(WRK)
	$(PY) -m benchmarks.side_by_side --route $(ROUTE) $(foreach rev,$(REVS),--rev $(rev))

bench-smoke: install
	@$(WRK)
	@$(H2LOAD)
	$(PY) -m benchmarks.serving --smoke

lock:
	bash scripts/lock.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# ---- containers (docs/DEPLOYMENT.md) -----------------------------------------------------------
# up/down: the compose stack (docker compose, or podman-compose on podman); container-test: build,
# run and check the stack, then remove all it made; container-prepare: podman and a base image on
# a machine with no Docker engine and no reachable registry.
.PHONY: up down container-test container-prepare

up:
	bash containers/compose.sh up

down:
	bash containers/compose.sh down

container-test:
	$(PYTHON) containers/smoke_test.py

container-prepare:
	bash containers/prepare_podman.sh

# ---- scale out (docs/DEPLOYMENT.md, "Scale out") ------------------------------------------------
# cluster-test: 3 replicas behind Debian's nginx under wrk load; one SIGKILLed, one SIGTERMed, a
# new version published; fails on any failed request (nginx and wrk come from apt when missing).
# manifests-check: the Kubernetes and KServe manifests validated offline (also run by make test).
NGINX := command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
	($(SUDO) apt-get update && $(SUDO) apt-get install -y nginx)

cluster-test: install
	@$(WRK)
	@$(NGINX)
	$(PY) -m deploy.cluster

manifests-check: install
	$(PY) -m deploy.validation
