PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint browser messages bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,train]'
	touch $(STAMP)

install: $(STAMP)

## run: the line on embedded defaults (SQLite, embedded Redis); Ctrl-C stops it
run: $(STAMP)
	$(BIN)/warmline run

## lint: ruff and the import contracts in pyproject.toml, as CI runs them
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## messages: gather the interface's words into the catalogues (warmline/translations), then
## compile them; translate what is new or marked fuzzy in each .po and run it again
CATALOGUES := warmline/translations
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --add-location=file --sort-output --no-wrap \
		--project=warmline -o $(CATALOGUES)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOGUES)/messages.pot -d $(CATALOGUES) --no-wrap --ignore-obsolete
	$(BIN)/pybabel compile -d $(CATALOGUES) --statistics

## browser: Debian's chromium, which the browser tests drive through Playwright
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

## test: lint, then the whole suite against real Redis, SQLite and PostgreSQL, on a worker per
## core; a module's tests share a worker, so its module-scoped stack (tests/e2e) starts once
## (one BLAS thread each: OpenBLAS's spinning threads made the crisis training tests ten
## times slower once the workers share the cores)
TEST_WORKERS ?= auto
test: lint browser
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
		$(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

## bench: every benchmark one after another on this commit, then docs/benchmarks.md and its
## plots (about 75 minutes on two cores; bench/README.md). Run it on a machine left alone.
## The day with faults arrives every 8 simulated seconds, which 20 specialists can keep up with.
RESULTS := bench/results
bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(BIN)/pip install --quiet -e '.[test,train,bench]'
	$(BIN)/python -m bench.machine
	$(BIN)/python -m bench.webhooks
	$(BIN)/python -m bench.line_scale --json $(RESULTS)/line_scale.json
	$(BIN)/python -m bench.dispatch_latency --json $(RESULTS)/dispatch.json
	$(BIN)/python -m bench.busy_day --contacts 1200 --speed 30 --json $(RESULTS)/busy_day.json
	$(BIN)/python -m bench.busy_day --contacts 5000 --speed 30 --interval 8 --faults \
		--max-real-seconds 1560 --drain-seconds 120 --json $(RESULTS)/faults.json
	$(BIN)/python -m bench.soak --minutes 30 --drain-seconds 60 --json $(RESULTS)/soak.json
	$(BIN)/python -m bench.report
