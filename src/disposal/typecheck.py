"""Checking bound conditions against the fact schema, so that a wrong rule never compiles.

durable_rules compares a number with a string *as strings* and silently treats a misspelt
field as "never matches". Both would give wrong decisions without any error, so every
reference and literal is checked here: the field must exist, the literal must have the field's
type (and be one of its values for closed vocabularies), ordering comparisons need an ordered
type, and free text may only be tested for presence.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from disposal.conditions import ORDERED, Cmp, Cond, In, Literal, Present, Ref, children
from disposal.errors import DisposalError, Location, RuleFileError, did_you_mean
from disposal.facts import CASE_FIELDS, COMPUTED, TABLE_FIELDS, FieldType


def derived_type(values: Collection[Any]) -> FieldType:
    """The type of a derived fact from the values it can take (None = unknown excluded)."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return FieldType("bool")
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return FieldType("int", tuple(sorted(set(present))))
    return FieldType("enum", tuple(sorted({str(v) for v in present})))


_UNKNOWN_CODES = {
    "case": "unknown-field",
    "computed": "unknown-computed",
    "table": "unknown-table-field",
}


class TypeChecker:
    def __init__(
        self, derived: Mapping[str, FieldType], ho_codes: Collection[str], rule_id: str
    ) -> None:
        self.derived = derived
        self.ho_codes = set(ho_codes)
        self.rule_id = rule_id
        self.errors: list[DisposalError] = []

    def _err(self, loc: Location, code: str, message: str, hint: str = "") -> None:
        where = Location(loc.file, loc.line, loc.col, self.rule_id)
        self.errors.append(RuleFileError(code, message, where, hint))

    def field_type(self, ref: Ref) -> FieldType | None:
        if ref.kind == "case":
            table: Mapping[str, Any] = CASE_FIELDS
            known = list(CASE_FIELDS)
        elif ref.kind == "computed":
            table = {k: v.ftype for k, v in COMPUTED.items()}
            known = [f"computed.{k}" for k in COMPUTED]
        elif ref.kind == "table":
            table = TABLE_FIELDS
            known = [f"table.{k}" for k in TABLE_FIELDS]
        else:
            table = self.derived
            known = [f"derived.{k}" for k in self.derived]
        found = table.get(ref.name)
        if found is None:
            code = _UNKNOWN_CODES.get(ref.kind, "unknown-derived")
            self._err(
                ref.loc,
                code,
                f"'{ref.text}' is not a fact rules can read",
                did_you_mean(ref.text, known),
            )
        return found

    def check(self, cond: Cond) -> None:
        if isinstance(cond, Present):
            self.field_type(cond.ref)
        elif isinstance(cond, Cmp | In):
            self._check_binary(cond)
        for child in children(cond):
            self.check(child)

    def _check_binary(self, cond: Cmp | In) -> None:
        ftype = self.field_type(cond.left)
        if ftype is None:
            return
        if not ftype.comparable:
            self._err(
                cond.loc,
                "free-text-compare",
                f"'{cond.left.text}' is free text: rules may only test present/absent",
            )
            return
        if isinstance(cond, Cmp) and cond.op in ORDERED and not ftype.ordered:
            self._err(
                cond.loc,
                "type-mismatch",
                f"'{cond.op}' needs a number or a date; '{cond.left.text}' is {ftype.kind}",
            )
            return
        assert isinstance(cond.right, Literal)
        values = cond.right.value if isinstance(cond, In) else (cond.right.value,)
        for value in values:
            self._check_literal(ftype, value, cond)

    def _check_literal(self, ftype: FieldType, value: Any, cond: Cmp | In) -> None:
        field = cond.left.text
        loc = cond.right.loc if cond.right.loc.line else cond.loc
        kind = ftype.kind
        ok = {
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, int | float) and not isinstance(value, bool),
            "date": isinstance(value, str) and _is_date(value),
            "enum": isinstance(value, str),
            "code": isinstance(value, str),
        }.get(kind, False)
        if not ok:
            self._err(
                loc,
                "type-mismatch",
                f"'{field}' is {kind}; the value compared is not",
                "dates are written YYYY-MM-DD" if kind == "date" else "",
            )
            return
        if kind == "enum" and value not in ftype.values:
            self._err(
                loc,
                "bad-literal",
                f"not a value '{field}' can take",
                did_you_mean(str(value), ftype.values) or f"one of: {', '.join(ftype.values)}",
            )
        if kind == "code" and value not in self.ho_codes:
            self._err(
                loc,
                "unknown-ho-code",
                "not a code in rules/offences.yaml",
                did_you_mean(str(value), self.ho_codes),
            )


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10
