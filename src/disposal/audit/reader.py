"""Reading a ledger line by line, in bounded memory, for ``verify``, ``show`` and ``replay``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from disposal.audit.chain import check_line
from disposal.audit.errors import AuditError
from disposal.errors import Location

MAX_LINE = 64 * 1024 * 1024


@dataclass(frozen=True)
class LedgerEntry:
    """One line: its number, the parsed record (``None`` if not a record), whether the line
    matches its own hash, and why it is not a well-formed record (empty when it is)."""

    line: int
    record: dict[str, Any] | None
    intact: bool
    problem: str = ""


def open_ledger(path: Path) -> BinaryIO:
    """Open a ledger for reading; ``AuditError`` (exit 2) when it is missing or unreadable."""
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise AuditError("file-not-found", "ledger does not exist", Location(str(path))) from None
    except IsADirectoryError:
        raise AuditError("unreadable-file", "is a directory", Location(str(path))) from None
    except OSError as exc:
        raise AuditError(
            "unreadable-file", f"cannot read ledger ({exc.strerror})", Location(str(path))
        ) from None


def iter_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | None, bool]]:
    """(1-based line number, bytes without the newline, whether it had one).

    A line longer than ``MAX_LINE`` is skipped to its end and yielded as ``None``, so callers
    report it as malformed without holding it in memory.
    """
    number = 0
    while True:
        raw = stream.readline(MAX_LINE + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(MAX_LINE)
            yield number, None, True
            continue
        ended = raw.endswith(b"\n")
        yield number, raw[:-1] if ended else raw, ended


def read_records(path: Path) -> Iterator[LedgerEntry]:
    """Every line of the ledger as a ``LedgerEntry`` (a torn last line has problem "torn")."""
    with open_ledger(path) as stream:
        for number, raw, ended in iter_lines(stream):
            if raw is None or not raw:
                yield LedgerEntry(number, None, False, "the line is empty or too long")
            elif not ended:
                yield LedgerEntry(number, None, False, "torn: an interrupted write")
            else:
                checked = check_line(raw)
                record = checked.record if checked.hash is not None else None
                yield LedgerEntry(number, record, checked.intact, checked.problem)
