# Two commands (see README): `make run` starts the app, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Start the app on its embedded default database (data/lcspr.db): no server to set up.
run: $(STAMP)
	$(BIN)/streamlit run server.py

# Lint, type-check the core, and run the whole test suite.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy lcspr_core
	$(BIN)/pytest

demo: $(STAMP)
	$(BIN)/lcspr demo

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_store.py
	$(BIN)/python benchmarks/bench_pages.py
	$(BIN)/python benchmarks/bench_documents.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
