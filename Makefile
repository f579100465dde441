# Everything a fresh machine needs is installed by these targets (see README: Quick start).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8080

.PHONY: setup serve test lint typecheck unit bench clean

# torch first, as the local CPU build: any other spec pulls gigabytes of CUDA packages.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

setup: $(BIN)/.installed node_modules/.installed

serve: $(BIN)/.installed
	HF_HUB_OFFLINE=1 $(BIN)/ctxasr serve --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: setup
	$(BIN)/mypy

unit: setup
	HF_HUB_OFFLINE=1 $(BIN)/pytest -q

test: lint typecheck unit

bench: setup
	$(BIN)/ctxasr bench store
	$(BIN)/ctxasr bench store --backend dynamodb
	$(BIN)/ctxasr bench recognize
	HF_HUB_OFFLINE=1 $(BIN)/ctxasr bench service

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
