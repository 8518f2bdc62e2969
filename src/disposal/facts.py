"""From a validated case record to the flat, typed facts that rules read.

Rules read scalar facts by dotted path. This module defines which paths exist and their types
(the *fact schema* the compiler checks rules against), flattens a ``CaseRecord`` into them, and
adds *computed* fields: values that need arithmetic over the record (an age gap, months since
the last disposal of a kind) which neither durable_rules nor the condition language can do.
Lists never reach the engine: durable_rules' list operators were measured to give wrong answers
with ``$or`` inside ``$iall``, so lists are summarised here into scalars instead.

Values are normalised once, here, for both evaluators: enums become their strings, dates ISO
strings (which compare correctly as strings), and not-recorded facts are simply absent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from pydantic import BaseModel

from disposal.case import CaseRecord, RecentDisposal
from disposal.offences import OffenceFlag, OffenceTable
from disposal.validation import _unwrap
from disposal.vocab import DisposalType, ModeOfTrial, OffenceFamily

# Months value meaning "no such disposal recorded at all" (rather than "not known").
NONE_RECORDED = 9999

Facts = dict[str, Any]


@dataclass(frozen=True)
class FieldType:
    """``kind``: bool, int, number, date, enum, code (HO codes), text (free text, ids)."""

    kind: str
    values: tuple[Any, ...] = ()

    @property
    def ordered(self) -> bool:
        return self.kind in ("int", "number", "date")

    @property
    def comparable(self) -> bool:
        """Whether rules may compare the value (free text may only be tested for presence)."""
        return self.kind != "text"


# Fields rules may not read at all: identity, routing and the historic outcome under review
# (a decision must never depend on what was actually done), and the authorisation, which the
# decision semantics apply after the rules (CONTRACT.md §2).
_UNREADABLE_PREFIXES = ("case_id", "force", "actual_outcome", "authorisation")
_TEXT_FIELDS = {"offence.description", "victim.views"}
_CODE_FIELDS = {"offence.ho_code"}
_INT_VALUES = {"offence.gravity_score": (1, 2, 3, 4, 5)}


def _is_list(annotation: Any) -> bool:
    if getattr(annotation, "__origin__", None) is list:
        return True
    return any(_is_list(arg) for arg in getattr(annotation, "__args__", ()))


def _leaf_type(annotation: Any) -> FieldType | None:
    classes = [c for c in _unwrap(annotation) if c is not type(None)]
    if not classes or _is_list(annotation):
        return None
    cls = classes[0]
    if isinstance(cls, type) and issubclass(cls, Enum):
        return FieldType("enum", tuple(str(m.value) for m in cls))
    if cls is bool:
        return FieldType("bool")
    if cls is int:
        return FieldType("int")
    if cls is float:
        return FieldType("number")
    if cls is date:
        return FieldType("date")
    if cls is str:
        return FieldType("text")
    return None


def _walk(model: type[BaseModel], prefix: str) -> Iterable[tuple[str, FieldType]]:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if path.startswith(_UNREADABLE_PREFIXES) or _is_list(info.annotation):
            continue
        nested = [
            c for c in _unwrap(info.annotation) if isinstance(c, type) and issubclass(c, BaseModel)
        ]
        if nested:
            yield from _walk(nested[0], f"{path}.")
            continue
        ftype = _leaf_type(info.annotation)
        if ftype is None:
            continue
        if path in _CODE_FIELDS:
            ftype = FieldType("code")
        elif path in _INT_VALUES:
            ftype = FieldType("int", _INT_VALUES[path])
        yield path, ftype


CASE_FIELDS: dict[str, FieldType] = dict(_walk(CaseRecord, ""))

# Facts the offence table gives for the recorded HO code (``table.<name>``). The lookup is
# done here rather than in the engine: durable_rules cannot hold a pattern testing a code
# against dozens of values (its expression sequences are capped), and its regex matcher was
# measured to mis-match codes such as "4.3" and "86/02". Rules still derive the facts they use
# (the offence family, the mode of trial) from these in the engine.
TABLE_FIELDS: dict[str, FieldType] = {
    "family": FieldType("enum", tuple(f.value for f in OffenceFamily)),
    "mode_of_trial": FieldType("enum", tuple(m.value for m in ModeOfTrial)),
    "gravity": FieldType("int", (1, 2, 3, 4, 5)),
    **{flag.value: FieldType("bool") for flag in OffenceFlag},
}
# Lists are not facts rules read, but whether they are recorded decides "missing".
LIST_FIELDS = (
    "offence.aggravating_factors",
    "offence.mitigating_factors",
    "offender.history.recent_disposals",
)


# -- computed fields ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ComputedField:
    ftype: FieldType
    sources: tuple[str, ...]
    doc: str
    compute: Callable[[CaseRecord, Mapping[str, str]], Any]


def _age_gap(case: CaseRecord, _: Mapping[str, str]) -> int | None:
    a, b = case.offender.age, case.victim.age
    return abs(a - b) if a is not None and b is not None else None


def _count(attr: str) -> Callable[[CaseRecord, Mapping[str, str]], int | None]:
    def compute(case: CaseRecord, _: Mapping[str, str]) -> int | None:
        items = getattr(case.offence, attr)
        return None if items is None else len(items)

    return compute


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from ``earlier`` to ``later`` (0 when not later)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(months, 0)


_CAUTIONS = {
    DisposalType.CAUTION,
    DisposalType.CONDITIONAL_CAUTION,
    DisposalType.YOUTH_CAUTION,
    DisposalType.YOUTH_CONDITIONAL_CAUTION,
}
_KIND_COUNTS: dict[str, tuple[str, ...]] = {
    "community_resolution": ("previous_community_resolutions",),
    "caution": ("previous_cautions",),
    "conviction": ("previous_convictions",),
    "any": ("previous_community_resolutions", "previous_cautions", "previous_convictions"),
    "similar": ("previous_community_resolutions", "previous_cautions", "previous_convictions"),
}


def _matches(
    kind: str, item: RecentDisposal, case: CaseRecord, family_of: Mapping[str, str]
) -> bool:
    if kind == "community_resolution":
        return item.type is DisposalType.COMMUNITY_RESOLUTION
    if kind == "caution":
        return item.type in _CAUTIONS
    if kind == "conviction":
        return item.type is DisposalType.CONVICTION
    if kind == "similar":
        code = case.offence.ho_code
        if code is None or item.ho_code is None:
            return False
        return item.ho_code == code or family_of.get(item.ho_code) == family_of.get(code, "?")
    return True


def _months_since(kind: str) -> Callable[[CaseRecord, Mapping[str, str]], int | None]:
    """Months since the latest matching disposal, ``NONE_RECORDED``, or None when unknown.

    ``recent_disposals``, when recorded, is taken as the complete list of disposals in the
    force's look-back period; when it is not recorded, zero counts still settle "none".
    """

    def compute(case: CaseRecord, family_of: Mapping[str, str]) -> int | None:
        history = case.offender.history
        if history is None:
            return None
        if history.recent_disposals is not None:
            if kind == "similar" and case.offence.ho_code is None:
                return None
            found = [
                months_between(item.date, case.decision_date)
                for item in history.recent_disposals
                if _matches(kind, item, case, family_of)
            ]
            return min(found) if found else NONE_RECORDED
        counts = [getattr(history, name) for name in _KIND_COUNTS[kind]]
        return NONE_RECORDED if all(c == 0 for c in counts) else None

    return compute


_HISTORY = "offender.history."
_RECENT = (f"{_HISTORY}recent_disposals",)
COMPUTED: dict[str, ComputedField] = {
    "age_gap": ComputedField(
        FieldType("int"),
        ("offender.age", "victim.age"),
        "Years between the offender's and the victim's ages.",
        _age_gap,
    ),
    "aggravating_count": ComputedField(
        FieldType("int"),
        ("offence.aggravating_factors",),
        "Number of aggravating factors recorded.",
        _count("aggravating_factors"),
    ),
    "mitigating_count": ComputedField(
        FieldType("int"),
        ("offence.mitigating_factors",),
        "Number of mitigating factors recorded.",
        _count("mitigating_factors"),
    ),
}
for _kind, _label in [
    ("community_resolution", "community resolution"),
    ("caution", "caution of any kind"),
    ("conviction", "conviction"),
    ("any", "disposal of any kind"),
    ("similar", "disposal for the same HO code or offence family"),
]:
    _name = "months_since_last_" + ("cr" if _kind == "community_resolution" else _kind)
    COMPUTED[_name] = ComputedField(
        FieldType("int"),
        _RECENT + tuple(_HISTORY + c for c in _KIND_COUNTS[_kind]),
        f"Whole months from the latest {_label} to the decision date "
        f"({NONE_RECORDED} = none recorded).",
        _months_since(_kind),
    )


def computed_sources(name: str) -> tuple[str, ...]:
    return COMPUTED[name].sources


# -- flattening ---------------------------------------------------------------------------------


# Each readable path as its attribute chain, so flattening is a loop, not a model walk.
_ACCESSORS = [(path, tuple(path.split("."))) for path in CASE_FIELDS]


def _flatten(case: CaseRecord, out: Facts) -> None:
    for path, parts in _ACCESSORS:
        value: Any = case
        for part in parts:
            value = getattr(value, part)
            if value is None:
                break
        if value is None:
            continue
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, date):
            value = value.isoformat()
        out[path] = value


def case_facts(case: CaseRecord, offences: OffenceTable) -> Facts:
    """Every recorded readable fact of ``case``, its computed and table facts, by dotted path.

    Keys ``recorded.<list path>`` mark recorded lists; they are not readable by rules and
    never reach the engine, but say whether a list-based fact is missing.
    """
    out: Facts = {}
    _flatten(case, out)
    family_of = offences.family_of()
    for name, spec in COMPUTED.items():
        value = spec.compute(case, family_of)
        if value is not None:
            out[f"computed.{name}"] = value
    out.update(offences.table_facts(case.offence.ho_code))
    for path in LIST_FIELDS:
        if recorded(case, path):
            out[f"recorded.{path}"] = True
    return out


def is_recorded(facts: Facts, path: str) -> bool:
    """Whether a case path (lists included) is recorded, judged from the facts alone."""
    return path in facts or f"recorded.{path}" in facts


def engine_fact(facts: Facts) -> dict[str, Any]:
    """The nested document the engine matches: readable facts only, markers dropped."""
    out: dict[str, Any] = {}
    for path, value in facts.items():
        if path.startswith("recorded."):
            continue
        node = out
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def recorded(case: CaseRecord, path: str) -> bool:
    """Whether a dotted case path (any field, lists included) is recorded in ``case``."""
    cur: Any = case
    for part in path.split("."):
        cur = getattr(cur, part, None)
        if cur is None:
            return False
    return True
