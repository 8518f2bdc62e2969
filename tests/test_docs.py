"""Every ``$ disposal ...`` console block in the docs is real output of the current code.

The docs show officers and auditors what the tool says; stale output would teach them wrong
answers. Each block is re-run and compared exactly (stdout only). Regenerate the blocks after a
deliberate change with ``UPDATE_DOCS=1 pytest tests/test_docs.py`` and review the diff.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from disposal.cli import app
from tests.conftest import ROOT

DOCS = [ROOT / "README.md", ROOT / "docs" / "EXAMPLES.md", ROOT / "docs" / "TRAINING.md"]
BLOCK = re.compile(r"```console\n\$ (disposal [^\n]+)\n(.*?)```", re.S)


def blocks() -> list[tuple[Path, str]]:
    return [
        (doc, m.group(1)) for doc in DOCS if doc.exists() for m in BLOCK.finditer(doc.read_text())
    ]


def run(command: str) -> str:
    result = CliRunner().invoke(app, shlex.split(command)[1:], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stderr
    return result.stdout


@pytest.mark.parametrize(("doc", "command"), blocks(), ids=[c for _, c in blocks()])
def test_console_block_is_current(doc: Path, command: str) -> None:
    text = doc.read_text(encoding="utf-8")
    match = next(m for m in BLOCK.finditer(text) if m.group(1) == command)
    output = run(command)
    if os.environ.get("UPDATE_DOCS") == "1":
        start, end = match.span(2)
        doc.write_text(text[:start] + output + text[end:], encoding="utf-8")
        return
    assert match.group(2) == output, (
        f"stale output in {doc.name}: run UPDATE_DOCS=1 pytest {__file__}"
    )


def test_the_docs_have_console_blocks() -> None:
    assert len(blocks()) >= 3
