"""The declarative condition language of rule files, and its three-valued evaluation.

A condition is data, never code. Its YAML form::

    when:
      all:
        - eq: [offence.domestic_abuse, true]
        - in: [offender.admission, {param: accepted_admissions}]
        - not: {present: victim.views}

Operators: ``all`` / ``any`` (lists; ``all: []`` is "always"), ``not``, the comparisons
``eq ne lt le gt ge`` and ``in`` (``[reference, value]``), and ``present`` / ``absent``
(``reference``). A *reference* is a dotted case field (``offender.age``), a derived fact
(``derived.offence_family``), a computed field (``computed.age_gap``), a fact the offence
table gives for the recorded HO code (``table.mode_of_trial``) or ``{param: name}``.
The right-hand side of a comparison is a literal value or ``{param: name}``.

Facts may be *not recorded*. Evaluation is Kleene's three-valued logic: a comparison with a
fact that is not recorded is ``None`` (unknown), never false; ``present``/``absent`` are the only
operators that are always true or false. The same tree is compiled for durable_rules (see
``compiler``), and evaluated here directly for explanations and as an independent cross-check.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from disposal.errors import DisposalError, Location, RuleFileError, did_you_mean
from disposal.source import Document, PathKey

TV = bool | None  # three-valued truth: True, False, or None for "unknown"

COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")
ORDERED = ("lt", "le", "gt", "ge")
OPERATORS = ("all", "any", "not", "in", "present", "absent", *COMPARISONS)
NAMESPACES = ("derived", "computed", "table")

PY_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}
NEGATED = {"eq": "ne", "ne": "eq", "lt": "ge", "ge": "lt", "gt": "le", "le": "gt"}


# -- AST ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A fact reference: ``kind`` is ``case``, ``derived``, ``computed`` or ``param``."""

    kind: str
    name: str
    loc: Location = field(default=Location(), compare=False)

    @property
    def text(self) -> str:
        return self.name if self.kind == "case" else f"{self.kind}.{self.name}"


@dataclass(frozen=True)
class Literal:
    value: Any
    loc: Location = field(default=Location(), compare=False)


@dataclass(frozen=True)
class All:
    items: tuple[Cond, ...]
    loc: Location = field(default=Location(), compare=False)


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Cond, ...]
    loc: Location = field(default=Location(), compare=False)


@dataclass(frozen=True)
class Not:
    item: Cond
    loc: Location = field(default=Location(), compare=False)


@dataclass(frozen=True)
class Cmp:
    op: str
    left: Ref
    right: Ref | Literal
    loc: Location = field(default=Location(), compare=False)


@dataclass(frozen=True)
class In:
    left: Ref
    right: Ref | Literal  # a Literal holds a tuple of values
    loc: Location = field(default=Location(), compare=False)


@dataclass(frozen=True)
class Present:
    ref: Ref
    negate: bool = False  # True for ``absent``
    loc: Location = field(default=Location(), compare=False)


@dataclass(frozen=True)
class Const:
    """A condition folded to a constant once parameters are bound."""

    value: bool
    loc: Location = field(default=Location(), compare=False)


Cond = Union[All, AnyOf, Not, Cmp, In, Present, Const]  # noqa: UP007 (recursive alias)


# -- parsing ------------------------------------------------------------------------------------


class ConditionParser:
    """Parses the YAML form into the AST, collecting every error with its ``file:line:col``."""

    def __init__(self, doc: Document, record: str = "") -> None:
        self.doc = doc
        self.record = record
        self.errors: list[DisposalError] = []

    def _err(self, path: PathKey, code: str, message: str, hint: str = "") -> None:
        self.errors.append(RuleFileError(code, message, self.doc.locate(path, self.record), hint))

    def parse(self, raw: Any, path: PathKey) -> Cond | None:
        loc = self.doc.locate(path, self.record)
        if not isinstance(raw, dict) or len(raw) != 1:
            self._err(path, "bad-condition", "a condition is a mapping with exactly one operator")
            return None
        ((op, arg),) = raw.items()
        sub = (*path, op)
        if op in ("all", "any"):
            return self._group(op, arg, sub, loc)
        if op == "not":
            inner = self.parse(arg, sub)
            return Not(inner, loc) if inner is not None else None
        if op in ("present", "absent"):
            ref = self._ref(arg, sub, allow_param=False)
            return Present(ref, op == "absent", loc) if ref is not None else None
        if op in COMPARISONS or op == "in":
            return self._binary(op, arg, sub, loc)
        self._err(
            (*path, op),
            "unknown-operator",
            f"'{op}' is not an operator",
            did_you_mean(str(op), OPERATORS) or f"use one of: {', '.join(OPERATORS)}",
        )
        return None

    def _group(self, op: str, arg: Any, path: PathKey, loc: Location) -> Cond | None:
        if not isinstance(arg, list):
            self._err(path, "bad-condition", f"'{op}' takes a list of conditions")
            return None
        items = [self.parse(item, (*path, i)) for i, item in enumerate(arg)]
        if any(item is None for item in items):
            return None
        parsed = tuple(item for item in items if item is not None)
        return All(parsed, loc) if op == "all" else AnyOf(parsed, loc)

    def _binary(self, op: str, arg: Any, path: PathKey, loc: Location) -> Cond | None:
        if not isinstance(arg, list) or len(arg) != 2:
            self._err(
                path, "bad-condition", f"'{op}' takes a list of two operands: [reference, value]"
            )
            return None
        left = self._ref(arg[0], (*path, 0), allow_param=True)
        right = self._operand(arg[1], (*path, 1), is_list=(op == "in"))
        if left is None or right is None:
            return None
        return In(left, right, loc) if op == "in" else Cmp(op, left, right, loc)

    def _ref(self, raw: Any, path: PathKey, allow_param: bool) -> Ref | None:
        loc = self.doc.locate(path, self.record)
        if isinstance(raw, dict) and set(raw) == {"param"} and isinstance(raw["param"], str):
            if allow_param:
                return Ref("param", raw["param"], loc)
            self._err(path, "bad-condition", "present/absent test facts, not parameters")
            return None
        if not isinstance(raw, str) or not raw or raw.strip() != raw:
            self._err(path, "bad-reference", "expected a dotted field name such as offender.age")
            return None
        head, _, rest = raw.partition(".")
        if head in NAMESPACES and rest:
            return Ref(head, rest, loc)
        return Ref("case", raw, loc)

    def _operand(self, raw: Any, path: PathKey, is_list: bool) -> Ref | Literal | None:
        loc = self.doc.locate(path, self.record)
        if isinstance(raw, dict):
            return self._ref(raw, path, allow_param=True)
        if is_list:
            if not isinstance(raw, list) or not raw:
                self._err(path, "bad-condition", "'in' needs a non-empty list or {param: name}")
                return None
            if not all(isinstance(v, str | int | float | bool) for v in raw):
                self._err(path, "bad-literal", "list items must be plain values")
                return None
            return Literal(tuple(raw), loc)
        if isinstance(raw, list) or raw is None:
            self._err(
                path,
                "bad-literal",
                "expected a single plain value",
                "use absent/present to test whether a fact is recorded",
            )
            return None
        return Literal(raw, loc)


# -- walking and binding ------------------------------------------------------------------------


def children(cond: Cond) -> tuple[Cond, ...]:
    if isinstance(cond, All | AnyOf):
        return cond.items
    if isinstance(cond, Not):
        return (cond.item,)
    return ()


def refs(cond: Cond) -> Iterator[tuple[Ref, Cond]]:
    """Every reference in the tree with the node that holds it (parameters included)."""
    if isinstance(cond, Cmp | In):
        yield cond.left, cond
        if isinstance(cond.right, Ref):
            yield cond.right, cond
    elif isinstance(cond, Present):
        yield cond.ref, cond
    for child in children(cond):
        yield from refs(child)


def bind(cond: Cond, params: Mapping[str, Any]) -> Cond:
    """Replace ``{param: x}`` with the value in force and fold comparisons of two constants."""
    if isinstance(cond, All):
        return All(tuple(bind(c, params) for c in cond.items), cond.loc)
    if isinstance(cond, AnyOf):
        return AnyOf(tuple(bind(c, params) for c in cond.items), cond.loc)
    if isinstance(cond, Not):
        return Not(bind(cond.item, params), cond.loc)
    if isinstance(cond, Cmp | In):
        right = _bind_operand(cond.right, params, as_tuple=isinstance(cond, In))
        if cond.left.kind == "param":
            left_value = params[cond.left.name]
            if isinstance(cond, In):
                return Const(left_value in right.value, cond.loc)
            return Const(bool(PY_OPS[cond.op](left_value, right.value)), cond.loc)
        if isinstance(cond, In):
            return In(cond.left, right, cond.loc)
        return Cmp(cond.op, cond.left, right, cond.loc)
    return cond


def _bind_operand(operand: Ref | Literal, params: Mapping[str, Any], as_tuple: bool) -> Literal:
    if isinstance(operand, Literal):
        return operand
    value = params[operand.name]
    if as_tuple:
        value = tuple(value) if isinstance(value, list | tuple) else (value,)
    return Literal(value, operand.loc)


# -- three-valued evaluation --------------------------------------------------------------------

Lookup = Callable[[Ref], Any]


def kleene_all(values: list[TV]) -> TV:
    if any(v is False for v in values):
        return False
    return True if all(v is True for v in values) else None


def kleene_any(values: list[TV]) -> TV:
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def evaluate(cond: Cond, lookup: Lookup) -> TV:
    """Truth of a bound condition; ``lookup`` returns ``None`` for facts not recorded."""
    if isinstance(cond, Const):
        return cond.value
    if isinstance(cond, All):
        return kleene_all([evaluate(c, lookup) for c in cond.items])
    if isinstance(cond, AnyOf):
        return kleene_any([evaluate(c, lookup) for c in cond.items])
    if isinstance(cond, Not):
        inner = evaluate(cond.item, lookup)
        return None if inner is None else not inner
    if isinstance(cond, Present):
        recorded = lookup(cond.ref) is not None
        return recorded != cond.negate
    value = lookup(cond.left)
    if value is None:
        return None
    assert isinstance(cond.right, Literal), "conditions are evaluated after binding"
    if isinstance(cond, In):
        return value in cond.right.value
    return bool(PY_OPS[cond.op](value, cond.right.value))


@dataclass
class TraceNode:
    """One node of an explanation: the condition, its truth, and why (rendered elsewhere)."""

    cond: Cond
    value: TV
    children: list[TraceNode]
    fact: Any = None  # the value read, for comparisons; only rendered for non-personal fields


def explain(cond: Cond, lookup: Lookup) -> TraceNode:
    """Like ``evaluate`` but keeps every intermediate truth value, for ``--explain``."""
    kids = [explain(c, lookup) for c in children(cond)]
    fact = None
    if isinstance(cond, Cmp | In):
        fact = lookup(cond.left)
    elif isinstance(cond, Present):
        fact = lookup(cond.ref) is not None
    return TraceNode(cond, evaluate(cond, lookup), kids, fact)


def describe(cond: Cond) -> str:
    """A compact one-line rendering of a condition, for traces and the policy book."""
    if isinstance(cond, Const):
        return "always" if cond.value else "never"
    if isinstance(cond, All):
        return "always" if not cond.items else " and ".join(_wrap(c) for c in cond.items)
    if isinstance(cond, AnyOf):
        return "never" if not cond.items else " or ".join(_wrap(c) for c in cond.items)
    if isinstance(cond, Not):
        return f"not {_wrap(cond.item)}"
    if isinstance(cond, Present):
        return f"{cond.ref.text} is {'not ' if cond.negate else ''}recorded"
    symbol = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥"}
    right = _operand_text(cond.right)
    if isinstance(cond, In):
        return f"{cond.left.text} in {right}"
    return f"{cond.left.text} {symbol[cond.op]} {right}"


def _wrap(cond: Cond) -> str:
    text = describe(cond)
    return f"({text})" if isinstance(cond, All | AnyOf) and len(cond.items) > 1 else text


def _operand_text(operand: Ref | Literal) -> str:
    if isinstance(operand, Ref):
        return f"param {operand.name}"
    value = operand.value
    if isinstance(value, tuple):
        return "[" + ", ".join(_scalar_text(v) for v in value) + "]"
    return _scalar_text(value)


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
