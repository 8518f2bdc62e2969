# Two entry points for a fresh machine (Python 3.11+ and a C compiler):
#   make demo   installs, reviews the bundled historic batch and writes the HTML report
#   make test   installs, then runs ruff, mypy --strict and the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# durable-rules ships only an sdist; on Python 3.13 its C code needs this define to import.
# It is harmless on 3.11/3.12, so it is always set.
export CPPFLAGS := -DPyEval_CallObject=PyObject_CallObject

.PHONY: install demo test lint typecheck unit bench examples policy-book docs clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/disposal evaluate cases/examples/

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy --strict src

unit: install
	$(BIN)/python -m pytest

test: lint typecheck unit

# Regenerate the committed examples under docs/examples/ (tests fail when they are stale).
# The sample ledger uses a published demo key: never use it for real records.
examples: install
	rm -f docs/examples/ledger-sample.jsonl
	DISPOSAL_AUDIT_KEY=demo-key-published-not-secret $(BIN)/disposal evaluate cases/examples/ \
		--ledger docs/examples/ledger-sample.jsonl --json > /dev/null

# Regenerate the committed policy book under docs/policy/ (tests fail when it is stale).
policy-book: install
	$(BIN)/disposal rules docs --out docs/policy

# Regenerate everything committed that is generated from the code and the rules; the tests
# fail when any of it is stale.
docs: examples policy-book
	UPDATE_DOCS=1 $(BIN)/python -m pytest -q tests/test_docs.py

bench: install
	$(BIN)/python benchmarks/bench_engine.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
