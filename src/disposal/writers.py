"""Writing case records to a file, the format chosen by the file's extension.

* ``.jsonl``/``.ndjson``: one compact JSON object per line (orjson when installed, else the
  standard library; the two can differ in spacing, so byte-identical output needs the same one).
* ``.csv``: the flat form of ``disposal.flat`` (header ``FLAT_COLUMNS``; ``recent_disposals``
  has no flat form and is left out). Lines end with CRLF, as RFC 4180 and ``csv`` do.
* ``-`` (the path): JSON Lines on standard output, for pipes.
* ``.json``: one JSON array, indented; ``.yaml``/``.yml``: one YAML list. Both can be read by
  ``disposal evaluate``; both are for small batches (at most ``SMALL_FORMAT_LIMIT`` records)
  because tools read them whole.

Records are streamed to a temporary file next to the target, which replaces the target only
when every record has been written: a failed run never leaves a truncated file behind.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import IO, Any

import yaml

from disposal.errors import InputError, Location
from disposal.flat import FLAT_COLUMNS, record_to_row

try:  # optional speed-up
    import orjson

    def _dumps(record: Any) -> bytes:
        return orjson.dumps(record)

except ImportError:  # pragma: no cover - orjson is installed in the project venv

    def _dumps(record: Any) -> bytes:
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()


FORMATS: dict[str, str] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
}
STDOUT = Path("-")
SMALL_FORMATS = frozenset({"json", "yaml"})
SMALL_FORMAT_LIMIT = 100_000
_CHUNK = 2048


def format_for(path: Path) -> str:
    """The output format for ``path``'s extension; ``InputError`` for an unknown one."""
    fmt = "jsonl" if path == STDOUT else FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            "unknown-format",
            "has an extension with no known output format",
            Location(str(path)),
            "use " + ", ".join(FORMATS) + ", or - for standard output",
        )
    return fmt


def check_size(path: Path, n: int) -> None:
    """Refuse a whole-file format for more records than tools can read at once."""
    if format_for(path) in SMALL_FORMATS and n > SMALL_FORMAT_LIMIT:
        raise InputError(
            "too-many-for-format",
            f"JSON and YAML files are for at most {SMALL_FORMAT_LIMIT} records",
            Location(str(path)),
            "write .jsonl or .csv for large batches",
        )


def _cannot_write(path: Path, exc: OSError) -> InputError:
    return InputError(
        "cannot-write", f"cannot be written ({type(exc).__name__})", Location(str(path))
    )


@contextmanager
def replacing(path: Path, binary: bool) -> Iterator[IO[Any]]:
    """A file handle on a temporary file that replaces ``path`` if the block succeeds."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        out = open(tmp, "wb" if binary else "w", newline="" if not binary else None)  # noqa: SIM115
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with out:
            yield out
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
    finally:
        if tmp.exists():
            tmp.unlink()


def _jsonl(records: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    count = 0
    it = iter(records)
    while chunk := [_dumps(r) for r in islice(it, _CHUNK)]:
        out.write(b"\n".join(chunk))
        out.write(b"\n")
        count += len(chunk)
    return count


def _csv(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    writer = csv.writer(out)
    writer.writerow(FLAT_COLUMNS)
    count = 0
    for record in records:
        writer.writerow(record_to_row(record).values())
        count += 1
    return count


def _json(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    out.write("[")
    for record in records:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(record, ensure_ascii=False, indent=2))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _yaml(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for record in records:
        out.write(yaml.safe_dump([record], sort_keys=False, allow_unicode=True, width=100))
        count += 1
    if not count:
        out.write("[]\n")
    return count


_WRITERS: dict[str, tuple[bool, Callable[[Iterable[dict[str, Any]], Any], int]]] = {
    "jsonl": (True, _jsonl),
    "csv": (False, _csv),
    "json": (False, _json),
    "yaml": (False, _yaml),
}


def write_records(records: Iterable[dict[str, Any]], path: Path) -> int:
    """Write ``records`` to ``path`` in the format of its extension; return how many."""
    if path == STDOUT:
        count = _jsonl(records, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return count
    binary, writer = _WRITERS[format_for(path)]
    with replacing(path, binary) as out:
        return writer(records, out)
