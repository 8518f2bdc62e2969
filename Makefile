# Two entry points for a fresh machine (Python 3.11+ and a C compiler):
#   make demo   installs, reviews the bundled historic batch (with an audit ledger) and
#               writes the compliance report to out/demo/report.html
#   make test   installs, then runs ruff, mypy --strict and the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# durable-rules ships only an sdist; on Python 3.13 its C code needs this define to import.
# It is harmless on 3.11/3.12, so it is always set.
export CPPFLAGS := -DPyEval_CallObject=PyObject_CallObject

.PHONY: install demo test lint typecheck unit bench examples report-example policy-book docs clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# The published demo key signs the demo ledger's redaction digests: never use it for real records.
DEMO_KEY := demo-key-published-not-secret

demo: install
	rm -rf out/demo && mkdir -p out/demo
	DISPOSAL_AUDIT_KEY=$(DEMO_KEY) $(BIN)/disposal review cases/historic/sample.csv \
		--out out/demo/results.jsonl --ledger out/demo/ledger.jsonl
	$(BIN)/disposal report out/demo/results.jsonl --out out/demo/report.html
	$(BIN)/disposal audit verify out/demo/ledger.jsonl

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
	DISPOSAL_AUDIT_KEY=$(DEMO_KEY) $(BIN)/disposal evaluate cases/examples/ \
		--ledger docs/examples/ledger-sample.jsonl --json > /dev/null
	rm -f docs/examples/results-sample.*
	LC_ALL=C $(BIN)/disposal review cases/examples/* --out docs/examples/results-sample.jsonl \
		--no-ledger --workers 1 > /dev/null
	rm -f docs/examples/results-sample.jsonl.state.json docs/examples/results-sample.rejects.jsonl

# The committed example report: 100,000 generated cases (about two minutes on 2 cores).
report-example: install
	rm -rf out/report-example && mkdir -p out/report-example
	$(BIN)/disposal generate --n 100000 --seed 2026 --out out/report-example/cases.csv
	$(BIN)/disposal review out/report-example/cases.csv --out out/report-example/results.jsonl \
		--no-ledger > /dev/null
	$(BIN)/disposal report out/report-example/results.jsonl --generated 2026-11-21 \
		--out docs/examples/report-100k.html

# Regenerate the committed policy book under docs/policy/ (tests fail when it is stale).
policy-book: install
	$(BIN)/disposal rules docs --out docs/policy

# Regenerate everything committed that is generated from the code and the rules; the tests
# fail when any of it is stale.
docs: examples policy-book
	UPDATE_DOCS=1 $(BIN)/python -m pytest -q tests/test_docs.py

# The README's figures but the million-case review; about 5 minutes. The review's full run is
# `$(BIN)/python benchmarks/bench_review.py` (1,000,000 cases, about 25 minutes).
bench: install
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_ledger.py
	$(BIN)/python benchmarks/bench_review.py --n 100000

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
