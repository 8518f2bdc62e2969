"""Turning pydantic validation errors into located errors with stable codes.

Shared by case records and rule files so that both speak the same error vocabulary
(``unknown-field``, ``missing-field``, ``wrong-type``, ``bad-value``, ``bad-date`` ...). Pydantic's
messages describe the expected type or the allowed values, never the input; the input itself is
only used to compute a did-you-mean against the allowed values, and is never printed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError

from disposal.errors import DisposalError, InputError, did_you_mean, safe_name
from disposal.source import Document, PathKey

_TYPE_SUFFIXES = ("_type", "_parsing", "int_from_float")
_RANGE_PREFIXES = ("greater_than", "less_than", "too_short", "too_long")


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete classes inside Optional/Union/list/Annotated annotations."""
    if isinstance(annotation, type):
        return [annotation]
    out: list[Any] = []
    for arg in getattr(annotation, "__args__", ()):
        out.extend(_unwrap(arg))
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and not getattr(annotation, "__args__", ()):
        out.extend(_unwrap(origin))
    return out


def _field_classes(model: type[BaseModel], loc: Sequence[str | int]) -> list[Any]:
    """The classes a field at ``loc`` may hold (models and enums), walking nested models."""
    current: list[Any] = [model]
    for part in loc:
        if isinstance(part, int):
            continue
        nxt: list[Any] = []
        for cls in current:
            if isinstance(cls, type) and issubclass(cls, BaseModel) and part in cls.model_fields:
                nxt.extend(_unwrap(cls.model_fields[part].annotation))
        current = nxt
    return current


def allowed_fields(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    names: list[str] = []
    for cls in _field_classes(model, loc):
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            names.extend(cls.model_fields)
    return names


def allowed_values(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    values: list[str] = []
    for cls in _field_classes(model, loc):
        if isinstance(cls, type) and issubclass(cls, Enum):
            values.extend(str(m.value) for m in cls)
    return values


def _raw_at(raw: Any, loc: Sequence[str | int]) -> str:
    cur = raw
    for part in loc:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return ""
    return cur if isinstance(cur, str) else ""


_STRUCTURED = re.compile(r"^(?P<code>[a-z][a-z-]*)(?:\[(?P<field>[a-z_]+)\])?: (?P<text>.*)$", re.S)
_HINT = re.compile(r"\s*\[hint: (?P<hint>.*)\]$", re.S)
_QUOTE_FIELDS = ("ho_code", "case_id", "officer_id", "force")


def parse_structured(message: str) -> tuple[str, str, str, str] | None:
    """Our validators raise ``code[field]: message [hint: ...]``; split it into parts."""
    found = _STRUCTURED.match(message)
    if not found:
        return None
    text = found["text"]
    hint_match = _HINT.search(text)
    hint = hint_match["hint"] if hint_match else ""
    if hint_match:
        text = text[: hint_match.start()]
    return found["code"], text, hint, found["field"] or ""


def classify(err_type: str, field: str, msg: str) -> tuple[str, str, str, str]:
    """(stable code, message, hint, sub-field) for one pydantic error."""
    if err_type == "value_error" and "Value error, " in msg:
        text = msg.split("Value error, ", 1)[1]
        parsed = parse_structured(text)
        return parsed if parsed else ("invalid-value", text, "", "")
    if err_type == "extra_forbidden":
        return "unknown-field", "is not a recognised field here", "", ""
    if err_type == "missing":
        return "missing-field", "is required", "", ""
    if err_type in ("enum", "literal_error"):
        return ("unknown-rank" if field.endswith("rank") else "bad-value"), msg, "", ""
    if err_type == "string_pattern_mismatch":
        return "bad-value", "must be lower-case letters, digits and hyphens", "", ""
    if err_type.startswith(_RANGE_PREFIXES):
        return "out-of-range", msg, "", ""
    if err_type.endswith(_TYPE_SUFFIXES) or err_type in ("model_type", "dict_type", "list_type"):
        return "wrong-type", msg, _type_hint(err_type, field), ""
    return "invalid-value", msg, "", ""


def _type_hint(err_type: str, field: str) -> str:
    if err_type == "bool_type":
        return "write true or false (yes, no, on and off are not booleans here)"
    if err_type == "string_type" and field.rsplit(".", 1)[-1] in _QUOTE_FIELDS:
        return 'quote codes and identifiers, e.g. ho_code: "46"'
    if err_type == "string_type":
        return "expected a single piece of text"
    return ""


def errors_from_validation(
    exc: ValidationError,
    raw: Any,
    doc: Document,
    prefix: PathKey,
    model: type[BaseModel],
    error_cls: type[InputError],
    record: str = "",
) -> list[DisposalError]:
    """One located error per pydantic error, in the order pydantic found them."""
    out: list[DisposalError] = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = tuple(err["loc"])
        code, message, hint, sub_field = classify(err["type"], ".".join(map(str, loc)), err["msg"])
        if sub_field:
            loc = (*loc, sub_field)
        field = ".".join(safe_name(p) for p in loc)
        if code == "unknown-field":
            hint = did_you_mean(str(loc[-1]), allowed_fields(model, loc[:-1]))
        elif code in ("bad-value", "unknown-rank") and not hint:
            hint = did_you_mean(_raw_at(raw, loc), allowed_values(model, loc))
        location = doc.locate((*prefix, *loc), record, field)
        out.append(error_cls(code, message, location, hint))
    return out
