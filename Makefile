# The habits: make install | train | serve | test | lint | bench
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
REPOSITORY ?= models
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install train serve test lint bench bench-train lock clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@

train: install
	$(PY) -m training --repository $(REPOSITORY)

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .

bench-train: install
	$(PY) -m benchmarks.training_speed

lock:
	bash scripts/lock.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
