# outreach: `make run` starts the service on the embedded default; `make test` runs all checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/outreach migrate --noinput
	$(BIN)/outreach load-demo
	$(BIN)/outreach serve 127.0.0.1:8000

lint: $(STAMP)
	$(BIN)/ruff check outreach tests bench
	$(BIN)/ruff format --check outreach tests bench
	@# mypy's Django plugin reads the settings: a check of the code, not a deployment.
	OUTREACH_ENV=development $(BIN)/mypy outreach
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest
	@# With DATABASE_URL set (CI), the storage tests run again on the embedded SQLite default.
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "embedded default (SQLite):"; \
	  env -u DATABASE_URL -u REDIS_URL OUTREACH_DATA_DIR=$$(mktemp -d) \
	    $(BIN)/pytest tests/intake/test_pipeline.py tests/core tests/casework tests/privacy tests/cadence tests/messaging \
	      tests/reporting tests/demo \
	      tests/test_cli.py tests/test_two_municipalities.py; \
	fi

bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
