"""Streaming reading of results files with line numbers, a content hash and located errors.

Used through ``columns.iter_records``. Each line is validated as it is read and dropped once the
caller has counted it, so memory does not depend on the file's length. Errors are collected (up
to a cap) and raised together when the file ends, sorted by line (STYLE.md §3); a file whose
header is unusable stops at once. Messages are built from field names and the validator's
description of what was expected; the values read are used only to suggest a valid spelling.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple, Protocol

import orjson
from pydantic import ValidationError

from disposal.errors import DisposalError, Location, as_exception, did_you_mean, raise_all
from disposal.report.model import Problem, ResultRecord, ResultsFileError, check_record
from disposal.validation import classify

_PATTERN_MESSAGES = {
    "force": "must be a force slug: lower-case letters, digits and hyphens",
    "decision_date": "must be a date written YYYY-MM-DD",
    "financial_year": "must be a financial year written e.g. 2024/25",
    "sha256": "must be 64 lower-case hexadecimal digits",
}
_QUOTED = re.compile(r"'([^']*)'")
_JSON_COLUMN = re.compile(r"column (\d+)")


class Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...


class Checked(NamedTuple):
    """A valid record with its financial year (as recorded, or derived from its date)."""

    record: ResultRecord
    financial_year: str | None


Converter = Callable[[dict[str, str]], tuple[dict[str, Any], list[Problem]]]


def csv_column(loc: tuple[str | int, ...]) -> str:
    """The CSV column that holds the JSON field at ``loc``."""
    names = [str(p) for p in loc if not isinstance(p, int)]
    if not names:
        return ""
    if names[0] == "case" and len(names) > 1:
        return names[1]
    if names[0] == "policy" and len(names) > 1:
        return f"policy_{names[1]}"
    return names[0]


class RecordReader:
    """Reads one results file; collects located errors; ``finish`` raises them."""

    def __init__(self, path: Path, max_errors: int) -> None:
        self.path = path
        self.file = str(path)
        self.max_errors = max_errors
        self.errors: list[DisposalError] = []
        self.csv_mode = False

    # -- opening -------------------------------------------------------------------------
    def _open(self) -> IO[bytes]:
        try:
            return self.path.open("rb")
        except FileNotFoundError:
            raise self._error("file-not-found", "file does not exist") from None
        except IsADirectoryError:
            raise self._error("unreadable-file", "is a directory") from None
        except OSError as exc:
            raise self._error("unreadable-file", f"cannot read file ({exc.strerror})") from None

    def unknown_format(self, suffixes: tuple[str, ...]) -> ResultsFileError:
        return self._error(
            "unknown-results-format",
            "is not a results file this tool reads",
            hint=f"name it with one of {', '.join(suffixes)}",
        )

    # -- errors --------------------------------------------------------------------------
    def _error(
        self, code: str, message: str, line: int = 0, hint: str = "", **where: Any
    ) -> ResultsFileError:
        return ResultsFileError(code, message, Location(self.file, line, **where), hint)

    def _add(self, error: DisposalError) -> None:
        self.errors.append(error)
        if len(self.errors) >= self.max_errors:
            stop = self._error(
                "too-many-errors",
                f"stopped reading after {self.max_errors} errors in this file",
                error.location.line,
                col=error.location.col + 1,  # sorts after the last error of its line
            )
            raise as_exception([*self.errors, stop])

    def finish(self) -> None:
        raise_all(self.errors)

    def _field(self, loc: tuple[str | int, ...]) -> str:
        if self.csv_mode:
            return csv_column(loc)
        return ".".join(str(p) for p in loc)

    def _validation_errors(self, exc: ValidationError, line: int, name: str) -> None:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            field = self._field(loc)
            if err["type"] == "json_invalid":
                found = _JSON_COLUMN.search(str(err.get("ctx", {}).get("error", "")))
                col = int(found[1]) if found else 0
                self._add(self._error("json-syntax", "line is not valid JSON", line, col=col))
                continue
            code, message, hint, _ = classify(err["type"], field, err["msg"])
            if err["type"] == "string_pattern_mismatch":
                code, message = "bad-value", _PATTERN_MESSAGES.get(str(loc[-1]), "has a bad form")
            elif code == "bad-value" and isinstance(err.get("input"), str):
                hint = did_you_mean(err["input"], _QUOTED.findall(err["msg"]))
            self._add(self._error(code, message, line, hint, record=name, field=field))

    def _check(self, record: ResultRecord, line: int, extra: list[Problem]) -> Checked | None:
        year, problems = check_record(record)
        for field, code, message, hint in [*extra, *problems]:
            name = self._field(tuple(field.split(".")))
            self._add(self._error(code, message, line, hint, record=record.case_id, field=name))
        return None if (problems or extra) else Checked(record, year)

    # -- JSON Lines ----------------------------------------------------------------------
    def jsonl_records(self, digest: Hasher) -> Iterator[Checked]:
        with self._open() as handle:
            for line, raw in enumerate(handle, start=1):
                digest.update(raw)
                text = raw.removeprefix(b"\xef\xbb\xbf") if line == 1 else raw
                if not text.strip():
                    continue
                try:
                    record = ResultRecord.model_validate_json(text)
                except ValidationError as exc:
                    self._validation_errors(exc, line, _json_name(text))
                    continue
                checked = self._check(record, line, [])
                if checked is not None:
                    yield checked

    # -- CSV -----------------------------------------------------------------------------
    def _text_lines(self, handle: IO[bytes], digest: Hasher) -> Iterator[str]:
        for line, raw in enumerate(handle, start=1):
            digest.update(raw)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise as_exception(
                    [*self.errors, self._error("bad-encoding", "is not valid UTF-8", line)]
                ) from None
            yield text.removeprefix("\ufeff") if line == 1 else text

    def _header(self, names: list[str], known: tuple[str, ...], required: tuple[str, ...]) -> None:
        unknown = [n for n in names if n not in known]
        problems = [
            self._error("duplicate-column", "appears more than once in the header", 1, field=n)
            for n in sorted({n for n in names if names.count(n) > 1})
        ]
        problems += [
            self._error(
                "missing-column", "is required in the header", 1, did_you_mean(c, unknown), field=c
            )
            for c in required
            if c not in names
        ]
        raise_all(problems)

    def csv_records(
        self,
        digest: Hasher,
        columns: tuple[str, ...],
        required: tuple[str, ...],
        convert: Converter,
    ) -> Iterator[Checked]:
        self.csv_mode = True
        with self._open() as handle:
            rows = csv.reader(self._text_lines(handle, digest), strict=True)
            try:
                header = [c.strip() for c in next(rows)]
            except StopIteration:
                return
            except csv.Error:
                raise self._error("csv-syntax", "header is not valid CSV", 1) from None
            self._header(header, columns, required)
            yield from self._csv_rows(rows, header, convert, _line_num(rows, 1))

    def _csv_rows(
        self, rows: Iterator[list[str]], header: list[str], convert: Converter, line: int
    ) -> Iterator[Checked]:
        while True:
            start = line + 1
            try:
                cells = next(rows)
            except StopIteration:
                return
            except csv.Error:
                self._add(self._error("csv-syntax", "row is not valid CSV", start))
                line = _line_num(rows, start)
                continue
            line = _line_num(rows, start)
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                message = f"row has {len(cells)} cells; the header has {len(header)}"
                self._add(self._error("bad-row", message, start))
                continue
            checked = self._csv_row(dict(zip(header, cells, strict=True)), start, convert)
            if checked is not None:
                yield checked

    def _csv_row(self, row: dict[str, str], line: int, convert: Converter) -> Checked | None:
        obj, problems = convert(row)
        name = str(obj.get("case_id") or "")[:80]
        try:
            record = ResultRecord.model_validate(obj)
        except ValidationError as exc:
            self._validation_errors(exc, line, name)
            return None
        return self._check(record, line, problems)


def _line_num(rows: Iterator[list[str]], default: int) -> int:
    return int(getattr(rows, "line_num", default))


def _json_name(text: bytes) -> str:
    """The case_id of an invalid line, when it has a usable one, to name it in errors."""
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError:
        return ""
    case_id = obj.get("case_id") if isinstance(obj, dict) else None
    return case_id[:80] if isinstance(case_id, str) else ""
