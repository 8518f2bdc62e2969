"""Every ``$ disposal ...`` console block in docs/TRAINING.md is real output of the current code.

The same check as ``tests/test_docs.py`` (whose list of pages is fixed) for the training page.
Regenerate after a deliberate change with ``UPDATE_DOCS=1 pytest tests/training`` and review
the diff.
"""

from __future__ import annotations

import os
import re
import shlex

import pytest
from typer.testing import CliRunner

from disposal.cli import app
from tests.conftest import ROOT

DOC = ROOT / "docs" / "TRAINING.md"
BLOCK = re.compile(r"```console\n\$ (disposal [^\n]+)\n(.*?)```", re.S)


def commands() -> list[str]:
    return [m.group(1) for m in BLOCK.finditer(DOC.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("command", commands())
def test_training_console_block_is_current(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, shlex.split(command)[1:], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stderr
    text = DOC.read_text(encoding="utf-8")
    match = next(m for m in BLOCK.finditer(text) if m.group(1) == command)
    if os.environ.get("UPDATE_DOCS") == "1":
        start, end = match.span(2)
        DOC.write_text(text[:start] + result.stdout + text[end:], encoding="utf-8")
        return
    assert match.group(2) == result.stdout, f"stale output in {DOC.name}: run UPDATE_DOCS=1"


def test_the_training_page_has_a_console_block() -> None:
    assert commands()
