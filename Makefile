# One-word entry points. Each target sets itself up on a fresh machine.
#   make demo   run the main job end to end on the real sample data
#   make test   install what is needed and run the whole test suite
#   make check  lint (ruff), types (mypy) and tests
#   make lock   re-make the hash-pinned lock after changing pyproject.toml
#   make bench  run the benchmarks and write BENCHMARKS.md
#   make serve  the web API and dashboard on http://127.0.0.1:8765/ (after make demo)

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed
DEMO_HOME ?= .demo-home
export FRIENDSHORE_SAMPLE_DATA ?= $(abspath ../shared/data)

VENDOR := src/friendshore/interfaces/web/static/vendor/.built

.PHONY: demo test check lint types lock bench system clean web serve

$(STAMP): requirements.lock pyproject.toml
	@$(MAKE) --no-print-directory system
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(UV) pip sync --quiet --python $(PY) --require-hashes requirements.lock
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	@$(MAKE) --no-print-directory $(VENDOR)
	touch $(STAMP)

# The dashboard's JavaScript (Vega, Vega-Lite, vega-embed) and world map, from the npm registry
# (versions and hashes pinned in web/package-lock.json), copied into the package: served locally.
$(VENDOR): web/package.json web/package-lock.json web/build.py
	cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(PYTHON) web/build.py
	touch $(VENDOR)

web: $(VENDOR)

# Debian packages: Java 17 for Spark (the parity tests run on Spark local mode), Chromium for the
# dashboard's browser tests, npm for the dashboard's JavaScript.
system:
	@command -v java >/dev/null 2>&1 || { \
	  echo "Installing Java 17 (needed by PySpark)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; }
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium (browser tests of the dashboard)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; }
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Installing npm (the dashboard's JavaScript)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; }

FS := $(VENV)/bin/friendshore --home $(DEMO_HOME)

demo: $(STAMP)
	rm -rf $(DEMO_HOME)
	$(FS) ingest sample
	$(FS) data status
	@echo "== 1. Where is the world concentrated? (chokepoints among critical minerals, BACI 2024)"
	$(FS) chokepoints --year 2024 --sector critical-minerals
	@echo "== 2. Where do the US and the Pax Silica coalition depend on China / countries of concern?"
	$(FS) dependencies --importer USA --on CHN --year 2024 --flagged-only
	$(FS) dependencies --importer pax-silica --members-at 2026-03-01 --on countries-of-concern --year 2024 --flagged-only
	$(FS) groups pax-silica --at 2026-03-01
	@echo "== 3. How risky is each critical material for the US and for India? (EU CRM method)"
	$(FS) supply-risk --for USA --year 2024
	$(FS) supply-risk --for IND --year 2024 --alignment
	@echo "== 4. Who could supply permanent magnets to the US instead? Where does India stand in chips?"
	$(FS) partners --product 850511 --for USA --exclude countries-of-concern --year 2024 --top 10
	$(FS) chips --country IND
	@echo "== 5. What would a 25% US tariff on China do? (structural gravity, trade diversion)"
	$(FS) gravity simulate examples/gravity/us_china_tariff.toml --output diversion
	@echo "== 6. Published results, recomputed now"
	$(FS) reproduce --list
	$(FS) reproduce crm-main-suppliers

test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup -q

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

types: $(STAMP)
	$(VENV)/bin/mypy

check: lint types test

lock:
	test -x $(UV) || { $(PYTHON) -m venv $(VENV) && $(PY) -m pip install --quiet "uv==$(UV_VERSION)"; }
	$(UV) pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	  --no-header --quiet -o requirements.lock

bench: $(STAMP)
	$(PY) bench/run.py

serve: $(STAMP)
	$(VENV)/bin/friendshore --home $(DEMO_HOME) serve

clean:
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache .mypy_cache .ruff_cache web/node_modules \
	  src/friendshore/interfaces/web/static/vendor
