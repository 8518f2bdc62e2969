from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from audit_samples import body, redactor

from disposal.audit.ledger import LedgerWriter
from disposal.audit.redact import Redactor


@pytest.fixture(scope="session")
def red() -> Redactor:
    return redactor()


@pytest.fixture
def make_ledger(tmp_path: Path, red: Redactor) -> Callable[[int], Path]:
    """Write a ledger of ``n`` records with ``LedgerWriter`` and return its path."""

    def make(n: int, name: str = "ledger.jsonl") -> Path:
        path = tmp_path / name
        with LedgerWriter(path) as ledger:
            ledger.append_many(body(i, red) for i in range(n))
        return path

    return make
