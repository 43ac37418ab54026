# One-word entry points. Each target sets itself up on a fresh machine.
#   make demo   the US and the India brief (Pax Silica) on the real sample data: out/brief/usa, out/brief/ind
#   make tour   the terminal walk-through of every analysis
#   make test   install what is needed and run the whole test suite
#   make test-fast  the developer's loop: unit, property and published tests on DuckDB (no browser,
#               Spark, wheel build, bench or slowest end-to-end groups); times in BENCHMARKS.md
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

.PHONY: demo tour test test-fast check lint types lock bench system assets clean serve

$(STAMP): requirements.lock pyproject.toml
	@$(MAKE) --no-print-directory system
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(UV) pip sync --quiet --python $(PY) --require-hashes requirements.lock
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	$(PY) -m compileall -q -j 2 $(VENV)/lib/python3.11/site-packages src >/dev/null || true
	@$(MAKE) --no-print-directory assets
	touch $(STAMP)

# npm packages the brief inlines and the dashboard serves (the Vega libraries, the world map, the
# report font), installed once from the hash-locked assets/package-lock.json; nothing is fetched
# when a brief is opened or the dashboard runs. The lock names no address: registry URLs are left out
# by assets/.npmrc, and the packages' funding links are removed after `npm install` re-makes it.
ASSETS := $(VENV)/share/friendshore
assets: $(ASSETS)/node_modules/.package-lock.json
$(ASSETS)/node_modules/.package-lock.json: assets/package.json assets/package-lock.json
	mkdir -p $(ASSETS)
	cp assets/package.json assets/package-lock.json assets/.npmrc $(ASSETS)/
	cd $(ASSETS) && npm ci --ignore-scripts --no-audit --no-fund --silent

# Debian packages: Java 17 for Spark (the parity tests run on Spark local mode); npm for the brief's
# and the dashboard's assets; Pango for WeasyPrint (the PDF); Chromium (with DejaVu fonts) and poppler-utils
# for the browser tests of the dashboard and the brief and the PDF test.
system:
	@missing=""; \
	command -v java >/dev/null 2>&1 || missing="$$missing openjdk-17-jre-headless"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	ldconfig -p | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium fonts-dejavu-core"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

FS := $(VENV)/bin/friendshore --home $(DEMO_HOME)

demo: $(STAMP) assets
	rm -rf $(DEMO_HOME)
	$(FS) ingest sample
	$(FS) brief --for USA --partner IND --coalition pax-silica --members-at 2026-03-01 \
	  --sector critical-minerals --out out/brief/usa
	$(FS) brief --for IND --partner USA --coalition pax-silica --members-at 2026-03-01 \
	  --sector critical-minerals --out out/brief/ind

# The terminal walk-through of every analysis (what `make demo` printed before the brief).
tour: $(STAMP)
	rm -rf $(DEMO_HOME)
	$(FS) ingest sample
	$(FS) data status
	@echo "== 1. Where is the world concentrated? (chokepoints among critical minerals, BACI 2024)"
	$(FS) chokepoints --year 2024 --sector critical-minerals
	@echo "== 2. Where do the US and the Pax Silica coalition depend on China / countries of concern?"
	$(FS) dependencies --importer USA --concern CHN --year 2024 --flagged-only
	$(FS) dependencies --importer pax-silica --members-at 2026-03-01 --concern countries-of-concern --year 2024 --flagged-only
	$(FS) groups pax-silica --at 2026-03-01
	@echo "== 3. How risky is each critical material for the US and for India? (EU CRM method)"
	$(FS) supply-risk --for USA --year 2024
	$(FS) supply-risk --for IND --year 2024 --alignment
	@echo "== 4. Who could supply permanent magnets to the US instead? Where does India stand in chips?"
	$(FS) partners --product 850511 --for USA --concern countries-of-concern --year 2024 --top 10
	$(FS) chips --country IND
	@echo "== 5. What would a 25% US tariff on China do? (structural gravity, trade diversion)"
	$(FS) gravity simulate us_china_tariff --output diversion
	@echo "== 6. Published results, recomputed now"
	$(FS) reproduce --list
	$(FS) reproduce crm-main-suppliers

test: $(STAMP) assets
	$(PY) -m pytest -n 2 --dist loadgroup -q

# The developer's loop: what `make test` runs less the browser tests (dashboard, brief), Spark local
# mode, the wheel build, the benchmark smoke tests and the slowest end-to-end runs: those marked slow
# (whole WIOD solves through the CLI, whose model and tables faster tests check), the brief built
# whole, the API fuzzing, the crash and determinism runs, Ctrl-C sent to whole processes, the R data
# check, and the end-to-end reliability files: live servers waiting out their time limits
# (test_reliability_api) and whole commands on a full disk (test_reliability_disk), whose error
# paths in-process tests check (test_store_reliability, test_register_validation, test_api).
# Property tests try at most 10 examples (--hypothesis-profile=fast); each test module runs on
# one worker (--dist loadscope), so a module's fixtures (model fits, analyses that several tests
# check) are built once; each worker's DuckDB uses one thread (FRIENDSHORE_THREADS=1: two workers
# on two cores). Bytecode is written even where PYTHONDONTWRITEBYTECODE is set, so each worker and
# each child process does not compile the test modules (and pytest's rewritten asserts) and src
# again. Times in BENCHMARKS.md. `make test` stays the whole suite (CI).
test-fast: $(STAMP)
	env -u PYTHONDONTWRITEBYTECODE FRIENDSHORE_THREADS=1 $(PY) -m pytest -n 2 --dist loadscope -q -m "not spark and not wheel and not slow" --hypothesis-profile=fast \
	  --ignore=tests/test_web.py --ignore=tests/test_brief_browser.py --ignore-glob='tests/test_dashboard*.py' \
	  --ignore=tests/test_bench_smoke.py --ignore=tests/test_brief.py --ignore=tests/test_api_fuzz.py \
	  --ignore=tests/test_crash.py --ignore=tests/test_determinism.py --ignore=tests/test_reliability_interrupt.py \
	  --ignore=tests/test_reliability_disk.py --ignore=tests/test_reliability_api.py \
	  --deselect=tests/test_api.py::test_the_brief_is_one_html_page \
	  --deselect=tests/test_source_chips_io.py::test_kite_rds_matches_parquet

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
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache .mypy_cache .ruff_cache
