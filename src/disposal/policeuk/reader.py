"""Reading police.uk street and outcomes CSV files (DATA_NOTES §2.1), one row at a time.

The layout of a file is recognised from its header, never from its name. Files are read with
the ``csv`` module as UTF-8 (a byte-order mark is skipped) with universal line endings, so CRLF
files and quoted cells are fine. A row is a ``Row``: its 1-based line number in the file and its
cells by column name. Blank lines are not rows. A row with the wrong number of cells is passed
on with ``malformed=True`` so that the caller can count it; nothing is dropped here.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from disposal.errors import InputError, Location

STREET = "street"
OUTCOMES = "outcomes"
LAYOUTS: dict[str, tuple[str, ...]] = {
    STREET: (
        "Crime ID",
        "Month",
        "Reported by",
        "Falls within",
        "Longitude",
        "Latitude",
        "Location",
        "LSOA code",
        "LSOA name",
        "Crime type",
        "Last outcome category",
        "Context",
    ),
    OUTCOMES: (
        "Crime ID",
        "Month",
        "Reported by",
        "Falls within",
        "Longitude",
        "Latitude",
        "Location",
        "LSOA code",
        "LSOA name",
        "Outcome type",
    ),
}
_LAYOUT_OF = {columns: name for name, columns in LAYOUTS.items()}


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]
    malformed: bool = False


@dataclass(frozen=True)
class PoliceUkFile:
    path: Path
    layout: str

    @property
    def name(self) -> str:
        return str(self.path)

    def rows(self) -> Iterator[Row]:
        """Every data row, in file order (the header is checked again on each read)."""
        columns = LAYOUTS[self.layout]
        with _open(self.path) as handle:
            reader = csv.reader(handle)
            try:
                header = next(reader, None)
                if header is None or _layout(header) != self.layout:
                    raise _unknown_layout(self.path, header or [])
                for cells in reader:
                    if not cells:
                        continue
                    if len(cells) != len(columns):
                        yield Row(reader.line_num, {}, malformed=True)
                        continue
                    yield Row(reader.line_num, dict(zip(columns, cells, strict=True)))
            except UnicodeDecodeError:
                raise InputError(
                    "bad-encoding",
                    "is not UTF-8 text",
                    Location(str(self.path), reader.line_num + 1),
                    "police.uk files are UTF-8; re-download the file",
                ) from None
            except csv.Error:
                raise InputError(
                    "bad-csv",
                    "is not a readable CSV file",
                    Location(str(self.path), reader.line_num),
                ) from None


def _open(path: Path) -> TextIO:
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InputError("file-not-found", "file does not exist", Location(str(path))) from None
    except IsADirectoryError:
        raise InputError(
            "not-a-file", "is a directory", Location(str(path)), "name the CSV files"
        ) from None
    except OSError as exc:
        raise InputError(
            "unreadable-file", f"cannot be read ({type(exc).__name__})", Location(str(path))
        ) from None


def _layout(header: list[str]) -> str | None:
    return _LAYOUT_OF.get(tuple(cell.strip() for cell in header))


def _unknown_layout(path: Path, header: list[str]) -> InputError:
    names = {cell.strip() for cell in header}
    if "Easting" in names:
        hint = "this is the pre-2012 street layout, which has no Crime ID to link outcomes by"
    elif "Part of a policing operation" in names or "Object of search" in names:
        hint = "this looks like a stop-and-search file, which holds no crimes"
    elif not header:
        hint = "the file is empty"
    else:
        hint = "expected the street (12 columns) or outcomes (10 columns) layout of police.uk"
    return InputError(
        "unknown-police-uk-layout",
        "header is not a police.uk street or outcomes layout",
        Location(str(path), 1),
        hint,
    )


def open_file(path: Path) -> PoliceUkFile:
    """Recognise a police.uk file's layout from its header; ``InputError`` if it has none."""
    with _open(path) as handle:
        try:
            header = next(csv.reader(handle), None)
        except UnicodeDecodeError:
            raise InputError("bad-encoding", "is not UTF-8 text", Location(str(path), 1)) from None
        except csv.Error:
            raise InputError(
                "bad-csv", "is not a readable CSV file", Location(str(path), 1)
            ) from None
    layout = _layout(header or [])
    if layout is None:
        raise _unknown_layout(path, header or [])
    return PoliceUkFile(path, layout)
