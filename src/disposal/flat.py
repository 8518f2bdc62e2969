"""The flat form of a case record (CONTRACT.md §1, "Flat form"): one CSV row per case.

Written once here so that every tool that writes or reads case CSVs agrees on every cell
(``disposal generate`` writes it; the batch review reads it):

* Columns are the record's dotted paths, in the fixed order ``FLAT_COLUMNS``. A writer writes
  them all, in that order; a reader accepts any subset in any order (a missing column means the
  fact is not recorded) and rejects unknown column names.
* An empty cell (or one holding only spaces) means "not recorded". There is no other null.
  Spaces around a cell's text are dropped on reading.
* Booleans are written ``true``/``false``; on reading, ``true/false``, ``yes/no``, ``y/n`` and
  ``1/0`` are accepted in any case.
* Lists (``offence.aggravating_factors``, ``offence.mitigating_factors``) are ``;``-separated.
  Inside an item a backslash is written ``\\\\`` and a semicolon ``\\;`` (the same escaping as
  the results CSV of ``disposal review``). Spaces around items are dropped on reading.
* A recorded *empty* list is written ``[]`` (an empty cell would mean "not recorded", and the
  policy tells the two apart: "no aggravating factors" is a fact). An item that is literally
  ``[]`` is written ``\\[]``.
* ``offender.history.recent_disposals`` has no flat form beyond the three counts (the contract
  says so): ``record_to_row`` leaves it out, and a column of that name is rejected.

Errors name the column and the row, never the cell's value (it may be personal data).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from enum import Enum
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from disposal.case import CaseRecord
from disposal.errors import CaseRecordError, DisposalError, Location, did_you_mean, raise_all

# The one column order for case CSVs. Writers use it as is; readers accept any subset.
FLAT_COLUMNS: tuple[str, ...] = (
    "case_id",
    "force",
    "decision_date",
    "offence.ho_code",
    "offence.family",
    "offence.description",
    "offence.date",
    "offence.mode_of_trial",
    "offence.gravity_score",
    "offence.value_gbp",
    "offence.injury",
    "offence.aggravating_factors",
    "offence.mitigating_factors",
    "offence.domestic_abuse",
    "offence.relationship_to_victim",
    "offence.hate_crime",
    "offence.weapon",
    "offence.evidence_sufficient",
    "offence.exceptional_circumstances",
    "offender.age",
    "offender.admission",
    "offender.agrees_to_resolution",
    "offender.appropriate_adult_present",
    "offender.prolific_or_priority_offender",
    "offender.history.previous_convictions",
    "offender.history.previous_cautions",
    "offender.history.previous_community_resolutions",
    "victim.identified",
    "victim.age",
    "victim.vulnerable",
    "victim.consulted",
    "victim.consents",
    "victim.views",
    "peer_sexual_activity.consensual_in_fact",
    "peer_sexual_activity.coercion_or_exploitation",
    "peer_sexual_activity.safeguarding_concerns",
    "peer_sexual_activity.families_support",
    "authorisation.rank",
    "authorisation.officer_id",
    "authorisation.rationale",
    "authorisation.date",
    "actual_outcome",
)
# Paths of the record with no flat form (CONTRACT.md: only the counts are flat).
NO_FLAT_FORM: frozenset[str] = frozenset({"offender.history.recent_disposals"})
EMPTY_LIST = "[]"
TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "0"})
_INT = re.compile(r"^[+-]?\d{1,18}$")


def _leaf_kind(annotation: Any) -> str:
    """``bool``, ``int``, ``float``, ``date``, ``list`` or ``text`` (strings and enums)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _leaf_kind(get_args(annotation)[0])
    if origin in (Union, UnionType):
        kinds = {_leaf_kind(a) for a in get_args(annotation) if a is not type(None)}
        (kind,) = kinds
        return kind
    if origin is list:
        return "list"
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation is float:
        return "float"
    if annotation is date:
        return "date"
    if annotation is str or (isinstance(annotation, type) and issubclass(annotation, Enum)):
        return "text"
    raise TypeError(f"no flat form for {annotation!r}")


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for arg in (annotation, *get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _kind_of(column: str) -> str:
    model: type[BaseModel] = CaseRecord
    parts = column.split(".")
    for part in parts[:-1]:
        nested = _model_of(model.model_fields[part].annotation)
        assert nested is not None, column
        model = nested
    return _leaf_kind(model.model_fields[parts[-1]].annotation)


KINDS: dict[str, str] = {column: _kind_of(column) for column in FLAT_COLUMNS}


def escape_item(item: str) -> str:
    """One list item inside a ``;``-separated cell: ``\\`` and ``;`` escaped with a backslash.

    Shared with the results CSV of ``disposal review`` (``report.columns``), so that both
    kinds of CSV escape lists alike.
    """
    return item.replace("\\", "\\\\").replace(";", "\\;")


def split_items(text: str) -> list[str]:
    """The items of a ``;``-separated cell (inverse of joining ``escape_item``s); blanks dropped."""
    if "\\" not in text:
        return [s.strip() for s in text.split(";") if s.strip()]
    items: list[str] = []
    buf: list[str] = []
    chars = iter(text)
    for ch in chars:
        if ch == "\\":
            buf.append(next(chars, "\\"))
        elif ch == ";":
            items.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    items.append("".join(buf))
    return [s.strip() for s in items if s.strip()]


def _escape(item: str) -> str:
    escaped = escape_item(item)
    return "\\" + escaped if escaped == EMPTY_LIST else escaped


def join_list(items: Sequence[str]) -> str:
    """A list as one cell: ``;``-separated, escaped; ``[]`` for a recorded empty list."""
    if not items:
        return EMPTY_LIST
    return ";".join(_escape(item) for item in items)


def split_list(cell: str) -> list[str]:
    """The items of a list cell (inverse of ``join_list``); blank items are dropped."""
    text = cell.strip()
    return [] if text == EMPTY_LIST else split_items(text)


# -- nested record -> row -------------------------------------------------------------------


def _cell(value: Any, kind: str, column: str) -> str:
    if value is None:
        return ""
    if kind == "list":
        if not isinstance(value, list | tuple) or not all(isinstance(i, str) for i in value):
            raise CaseRecordError("not-a-list", "must be a list of strings", Location(field=column))
        if any(not item.strip() for item in value):
            raise CaseRecordError(
                "blank-list-item",
                "holds a blank item, which the flat form cannot represent",
                Location(field=column),
            )
        return join_list(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        raise CaseRecordError("not-a-scalar", "must be a single value", Location(field=column))
    return str(value)


def _schema() -> dict[str, Any]:
    """The columns as a tree of dicts: leaf = (column, kind)."""
    tree: dict[str, Any] = {}
    for column, kind in KINDS.items():
        *parents, leaf = column.split(".")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = (column, kind)
    return tree


_SCHEMA = _schema()


def _no_column(path: str) -> CaseRecordError:
    return CaseRecordError(
        "no-flat-column",
        "is not a field of the case record's flat form",
        Location(field=path if _safe(path) else "<unrecognised key>"),
    )


def _flatten(
    record: Mapping[str, Any], schema: dict[str, Any], prefix: str, out: dict[str, str]
) -> None:
    for key, value in record.items():
        spec = schema.get(key) if type(key) is str else None
        if type(spec) is tuple:
            if value is None:
                continue
            column, kind = spec
            t = type(value)  # fast paths first: this runs for every cell of every record
            if kind == "list":
                out[column] = _cell(value, kind, column)
            elif t is str:
                out[column] = value
            elif t is bool:
                out[column] = "true" if value else "false"
            elif t is int or t is float:
                out[column] = str(value)
            else:
                out[column] = _cell(value, kind, column)
        elif spec is not None and (type(value) is dict or isinstance(value, Mapping)):
            _flatten(value, spec, f"{prefix}{key}.", out)
        elif (spec is None and f"{prefix}{key}" in NO_FLAT_FORM) or value is None:
            continue
        else:
            raise _no_column(f"{prefix}{key}")


def record_to_row(record: Mapping[str, Any]) -> dict[str, str]:
    """A case record (nested plain data, or a ``CaseRecord``'s ``model_dump()``) as a flat row.

    The row has every column of ``FLAT_COLUMNS``, in that order. ``recent_disposals`` is left
    out (no flat form). Raises ``CaseRecordError`` for a key that has no column (a typo would
    otherwise vanish), a list where a value belongs or the reverse, and blank list items.
    """
    cells: dict[str, str] = {}
    _flatten(record, _SCHEMA, "", cells)
    row = dict.fromkeys(FLAT_COLUMNS, "")
    row.update(cells)
    return row


def _safe(name: str) -> bool:
    return bool(re.match(r"^[A-Za-z0-9_.]{1,80}$", name))


# -- row -> nested record -------------------------------------------------------------------


def check_columns(columns: Sequence[str | None], where: Location | None = None) -> None:
    """Reject unknown and repeated column names of a case CSV header, all at once."""
    where = where or Location()
    errors: list[DisposalError] = []
    seen: set[str] = set()
    for index, name in enumerate(columns):
        if not isinstance(name, str):  # csv.DictReader's key for cells beyond the header
            errors.append(
                CaseRecordError(
                    "extra-cells",
                    "the row has more cells than the header has columns",
                    Location(where.file, where.line, 0, where.record),
                )
            )
            continue
        place = Location(where.file, where.line or 1, index + 1, field=_field_name(name))
        if name in seen:
            errors.append(CaseRecordError("duplicate-column", "column appears twice", place))
        seen.add(name)
        if name not in KINDS:
            hint = (
                "recent_disposals has no flat form; record the counts instead"
                if name in NO_FLAT_FORM
                else did_you_mean(name, FLAT_COLUMNS) or "see disposal.flat.FLAT_COLUMNS"
            )
            errors.append(
                CaseRecordError("unknown-column", "is not a case record column", place, hint)
            )
    raise_all(errors)


def _field_name(name: str) -> str:
    return name if _safe(name) else "<unrecognised column>"


def _parse(cell: str, kind: str) -> tuple[Any, str]:
    """(value, error code); the code is empty when the cell parsed."""
    text = cell.strip()
    if kind == "bool":
        low = text.lower()
        if low in TRUE_WORDS:
            return True, ""
        if low in FALSE_WORDS:
            return False, ""
        return None, "bad-boolean"
    if kind == "int":
        return (int(text), "") if _INT.match(text) else (None, "bad-integer")
    if kind == "float":
        try:
            number = float(text)
        except ValueError:
            return None, "bad-number"
        return (number, "") if math.isfinite(number) else (None, "bad-number")
    if kind == "list":
        return split_list(text), ""
    return text, ""


_HINTS = {
    "bad-boolean": "write true/false, yes/no, y/n or 1/0",
    "bad-integer": "write a whole number",
    "bad-number": "write a number such as 4.50",
}


def row_to_record(
    row: Mapping[str | None, Any], *, location: Location | None = None, checked: bool = False
) -> dict[str, Any]:
    """One flat row (column name → cell) as a nested record, before ``CaseRecord`` validation.

    Empty cells are left out (not recorded); blocks with nothing recorded are left out too.
    ``location`` (file, line, record) is used in errors; every error of the row is raised
    together as ``CaseRecordError``s naming the column, never the cell's value.
    """
    where = location or Location()
    if not checked:  # batch readers check the header once, not every row
        check_columns(list(row), where)
    record: dict[str, Any] = {}
    errors: list[DisposalError] = []
    for column, cell in row.items():
        if not isinstance(column, str) or cell is None:
            continue  # a column that is not a name was rejected above; None = no cell
        place = Location(where.file, where.line, where.col, where.record, column)
        if not isinstance(cell, str):
            errors.append(CaseRecordError("not-text", "a cell must be text", place))
            continue
        if not cell.strip():
            continue
        value, code = _parse(cell, KINDS[column])
        if code:
            errors.append(CaseRecordError(code, "cannot be read as its type", place, _HINTS[code]))
            continue
        node = record
        *parents, leaf = column.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    raise_all(errors)
    return record
