# 102 — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8080
HOST   ?= 127.0.0.1
export PORT HOST

.PHONY: setup run test lint typecheck unit bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "102 needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## setup: Python and npm dependencies (idempotent)
setup: $(VENV)/.installed node_modules/.installed

## run: set up and start the server on $(HOST):$(PORT) with the embedded defaults
run: setup
	$(BIN)/python -m server

## test: bring up Redis, PostgreSQL and Chromium where absent, lint, type-check, run every test
test: setup
	scripts/test.sh

lint: setup
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy .

## bench: the benchmarks (figures go to BENCHMARKS.md)
bench: setup
	$(BIN)/python -m bench.geo

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
