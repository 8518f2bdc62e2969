"""Reading review inputs as a stream of numbered records, in chunks, with resumable positions.

Formats, by extension: ``.csv`` (the flat form of CONTRACT.md §1, see ``disposal.flat``),
``.jsonl`` (one record per line), ``.json``/``.yaml``/``.yml`` (one record or a list; loaded
whole, so keep these small). The reader does not parse CSV cells or JSON: workers do, so the
parent process only splits bytes into lines.

Every record keeps its file and line, for rejects. Blank lines are not records. A CSV record is
normally one line; a quoted cell may hold line breaks, so a line with an unbalanced quote is
joined with the following lines until the quotes balance, at most ``MAX_JOIN`` lines, and
kept only if the joined lines parse as exactly one row of the header's width. Otherwise the
quoting is broken: the first line alone becomes the record (and is rejected) and reading
continues with the next line, so a stray quote cannot swallow the rows after it.
"""

from __future__ import annotations

import csv
import io
import os
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from disposal.case import iter_raw_records
from disposal.errors import CaseRecordError, DisposalError, InputError, Location, raise_all
from disposal.flat import check_columns
from disposal.source import load_document

KINDS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "doc",
    ".yaml": "doc",
    ".yml": "doc",
}
MAX_JOIN = 50
# Records per chunk handed to a worker; the environment override exists for tests that need
# many checkpoints in a small input.
CHUNK_RECORDS = int(os.environ.get("DISPOSAL_REVIEW_CHUNK", "2000"))


@dataclass(frozen=True)
class Position:
    """Where reading stands: the next file, byte offset, line number and record index."""

    file_no: int = 0
    offset: int = 0
    line: int = 1
    index: int = 0

    def to_data(self) -> dict[str, int]:
        return {
            "file_no": self.file_no,
            "offset": self.offset,
            "line": self.line,
            "index": self.index,
        }


@dataclass
class Unit:
    """One input record before parsing."""

    line: int
    text: bytes = b""
    raw: Any = None
    problem: DisposalError | None = None


@dataclass
class Chunk:
    file: str
    kind: str
    header: tuple[str, ...] | None
    first_index: int
    units: list[Unit] = field(default_factory=list)
    end: Position = Position()


def kind_of(path: Path) -> str:
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            "unknown-input-format",
            "is not a .csv, .jsonl, .json or .yaml file",
            Location(str(path)),
            "case records for review are CSV (flat form), JSON Lines, JSON or YAML",
        )
    return kind


def check_inputs(paths: Sequence[Path]) -> None:
    """Refuse, before any record is decided, inputs whose format or CSV header is wrong.

    A bad header would reject every row of its file; saying so up front (exit 2) beats an
    hours-long run of rejects.
    """
    errors: list[DisposalError] = []
    for path in paths:
        kind = kind_of(path)
        if not path.is_file():
            errors.append(
                InputError("file-not-found", "input file does not exist", Location(str(path)))
            )
        elif kind == "csv":
            try:
                header = _read_header(path)
            except DisposalError as exc:
                errors.append(exc)
                continue
            try:
                check_columns(list(header), Location(str(path), 1))
            except DisposalError as exc:
                errors.extend(getattr(exc, "errors", [exc]))
    raise_all(errors)


def _read_header(path: Path) -> tuple[str, ...]:
    with path.open("rb") as handle:
        first = handle.readline()
    try:
        text = first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise InputError(
            "bad-encoding", "the header row is not valid UTF-8", Location(str(path), 1)
        ) from None
    if not text.strip():
        raise InputError(
            "missing-header",
            "the first line must be the header row",
            Location(str(path), 1),
            "see disposal.flat.FLAT_COLUMNS for the column names",
        )
    return tuple(next(csv.reader([text])))


def chunks(
    paths: Sequence[Path], start: Position = Position(), size: int = CHUNK_RECORDS
) -> Iterator[Chunk]:
    """Every record of every input, in order, ``size`` at a time, from ``start``."""
    index = start.index
    for file_no in range(start.file_no, len(paths)):
        path = paths[file_no]
        resume = start if file_no == start.file_no else Position(file_no)
        reader = _units(path, kind_of(path), resume)
        header, units = next(reader)  # the first item is the CSV header (or None)
        chunk = Chunk(str(path), kind_of(path), header, index)
        for unit, end in units:
            chunk.units.append(unit)
            index += 1
            if len(chunk.units) >= size:
                chunk.end = Position(file_no, end[0], end[1], index)
                yield chunk
                chunk = Chunk(str(path), chunk.kind, header, index)
        if chunk.units:
            chunk.end = Position(file_no + 1, 0, 1, index)
            yield chunk


_Lines = Iterator[tuple[Unit, tuple[int, int]]]


def _units(path: Path, kind: str, start: Position) -> Iterator[Any]:
    if kind == "doc":
        yield None, _doc_units(path, start)
        return
    handle = path.open("rb")
    header: tuple[str, ...] | None = None
    offset, line = 0, 1
    if kind == "csv":
        header = _read_header(path)  # checked by check_inputs before the run
        offset, line = len(handle.readline()), 2
    if start.offset > offset:
        handle.seek(start.offset)
        offset, line = start.offset, start.line
    yield header, _line_units(handle, kind, offset, line, len(header or ()))


def _line_units(handle: Any, kind: str, offset: int, line: int, width: int) -> _Lines:
    """(unit, (offset after it, next line)) for every non-blank record."""
    with handle:
        lines = _numbered(handle, offset, line)
        pushback: deque[_Line] = deque()

        def take() -> _Line | None:
            return pushback.popleft() if pushback else next(lines, None)

        while (item := take()) is not None:
            raw, number, end = item
            if kind != "csv" or raw.count(b'"') % 2 == 0:
                if raw.strip():
                    yield Unit(number, raw), end
                continue
            pending = [item]
            while True:
                joined = b"".join(p[0] for p in pending)
                balanced = joined.count(b'"') % 2 == 0
                if balanced and _is_one_row(joined, width):
                    yield Unit(number, joined), pending[-1][2]
                    break
                more = None if balanced or len(pending) >= MAX_JOIN else take()
                if more is None:
                    # broken quoting: reject the first line alone; re-read the rest as lines
                    pushback.extendleft(reversed(pending[1:]))
                    yield Unit(number, raw, problem=_broken_quote(number)), end
                    break
                pending.append(more)


_Line = tuple[bytes, int, tuple[int, int]]


def _numbered(handle: Any, offset: int, line: int) -> Iterator[_Line]:
    """(line bytes, its number, (offset after it, next line number))."""
    for raw in handle:
        offset += len(raw)
        line += 1
        yield raw, line - 1, (offset, line)


def _is_one_row(text: bytes, width: int) -> bool:
    """Whether lines joined at quotes make one well-formed row (checked only when joined)."""
    try:
        rows = list(csv.reader(io.StringIO(text.decode("utf-8")), strict=True))
    except (UnicodeDecodeError, csv.Error):
        return False
    return len(rows) == 1 and len(rows[0]) == width


def _broken_quote(line: int) -> CaseRecordError:
    return CaseRecordError(
        "broken-quoting",
        f"a quote opened on this line does not close a well-formed row within {MAX_JOIN} lines",
        Location(line=line),
        "check the quotes in this row",
    )


def _doc_units(path: Path, start: Position) -> _Lines:
    try:
        doc = load_document(path, CaseRecordError)
    except DisposalError as exc:
        if start.offset == 0:
            yield Unit(exc.location.line or 1, problem=exc), (1, 1)
        return
    for i, (raw, prefix, _) in enumerate(iter_raw_records(doc)):
        if i < start.offset:
            continue  # for YAML/JSON the resume offset counts records
        where = doc.locate(prefix)
        yield Unit(where.line or 1, raw=raw), (i + 1, where.line or 1)
