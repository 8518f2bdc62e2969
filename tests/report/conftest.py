from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def results_jsonl() -> Path:
    return DATA / "results.jsonl"


@pytest.fixture(scope="session")
def results_csv() -> Path:
    return DATA / "results.csv"
