"""Could recording the missing facts make an undecided rule fire?

Three-valued logic answers "unknown" for a rule whenever a fact it reads is not recorded, even
when no value of that fact could make the rule true: an unrecorded list of mitigating factors
leaves a gravity-2 offence's effective gravity unknown, yet mitigation can only lower it, so no
gravity bar can follow. The contract asks for ``insufficient_information`` only when missing
facts *could change the decision*, so before a rule is counted as unresolved we search the
ways of recording its missing facts for one that makes it fire.

Each missing fact ranges over representative values: every value of a closed vocabulary, and
for numbers each threshold the policy compares them with, plus one either side. The search is
an abstract evaluation over sets of possible values, varying facts independently (an
over-approximation: e.g. two table facts of one HO code), so the answer errs towards "could
fire" — towards asking for more facts, never towards silently treating unknown as false.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

from disposal.conditions import (
    PY_OPS,
    All,
    AnyOf,
    Cmp,
    Cond,
    Const,
    In,
    Literal,
    Not,
    Present,
    Ref,
    children,
    evaluate,
    refs,
)
from disposal.facts import CASE_FIELDS, COMPUTED, TABLE_FIELDS, Facts, FieldType
from disposal.resolve import DeriveRule, PolicyVersion


def fact_key(ref: Ref) -> str:
    return ref.name if ref.kind == "case" else f"{ref.kind}.{ref.name}"


def _comparisons(cond: Cond) -> Iterator[tuple[Ref, Any]]:
    if isinstance(cond, Cmp | In) and isinstance(cond.right, Literal):
        values = cond.right.value if isinstance(cond, In) else (cond.right.value,)
        for value in values:
            yield cond.left, value
    for child in children(cond):
        yield from _comparisons(child)


def thresholds(policy: PolicyVersion) -> dict[str, set[Any]]:
    """Every literal each fact is compared with anywhere in the policy version."""
    found: dict[str, set[Any]] = {}
    conds = [r.cond for r in policy.rules] + [c for d in policy.derives for c, _ in d.cases]
    for cond in conds:
        for ref, value in _comparisons(cond):
            found.setdefault(fact_key(ref), set()).add(value)
    return found


def _type_of(key: str) -> FieldType | None:
    if key.startswith("computed."):
        spec = COMPUTED.get(key.removeprefix("computed."))
        return spec.ftype if spec else None
    if key.startswith("table."):
        return TABLE_FIELDS.get(key.removeprefix("table."))
    return CASE_FIELDS.get(key)


def candidates(key: str, compared: set[Any]) -> list[Any]:
    """Values that between them reach every outcome of every comparison on ``key``."""
    ftype = _type_of(key)
    if ftype is None:
        return sorted(compared, key=repr) or [None]
    if ftype.kind == "bool":
        return [True, False]
    if ftype.values:
        return list(ftype.values)
    if ftype.kind in ("int", "number"):
        step = 1 if ftype.kind == "int" else 0.01
        values = {v + d for v in compared if isinstance(v, int | float) for d in (-step, 0, step)}
        return sorted(v for v in values | {0} if v >= 0)
    return sorted({*compared}, key=repr) or ["?"]


def missing_keys(
    cond: Cond, policy: PolicyVersion, facts: Facts, derived: dict[str, Any]
) -> list[str]:
    """The unrecorded fact keys behind a condition, through unknown derived facts."""
    out: dict[str, None] = {}
    derives = {d.fact: d for d in policy.derives}
    seen: set[str] = set()

    def visit(c: Cond) -> None:
        for node_ref, _ in _value_refs(c):
            if node_ref.kind == "derived":
                if derived.get(node_ref.name) is None and node_ref.name not in seen:
                    seen.add(node_ref.name)
                    for case_cond, _ in derives[node_ref.name].cases:
                        visit(case_cond)
            elif fact_key(node_ref) not in facts:
                out[fact_key(node_ref)] = None

    visit(cond)
    return list(out)


def _value_refs(cond: Cond) -> Iterator[tuple[Ref, Cond]]:
    if isinstance(cond, Cmp | In):
        yield cond.left, cond
    for child in children(cond):
        yield from _value_refs(child)


def could_fire(
    cond: Cond,
    policy: PolicyVersion,
    facts: Facts,
    derived: dict[str, Any],
    compared: dict[str, set[Any]],
) -> bool:
    """Whether some way of recording the missing facts makes ``cond`` true.

    Each missing fact stands for its set of candidate values; every node evaluates to the
    *set* of truth values it can take; derived facts get the set of values their cases can
    give. Ignoring correlations between facts only adds possibilities, so a "no" is sound.
    One pass over the conditions, however many facts are missing.
    """
    keys = missing_keys(cond, policy, facts, derived)
    if not keys:
        return True
    env = {key: frozenset(candidates(key, compared.get(key, set()))) for key in keys}
    possible = _Possible(facts, env)
    for rule in policy.derives:
        known = derived.get(rule.fact)
        possible.derived[rule.fact] = (
            frozenset({known}) if known is not None else possible.derived_values(rule)
        )
    return True in possible.exact_truths(cond)


_BOTH = frozenset({True, False})
_EXACT_LIMIT = 512


class _Possible:
    """Possible truth values of conditions when some facts range over candidate sets."""

    def __init__(self, facts: Facts, env: dict[str, frozenset[Any]]) -> None:
        self.facts = facts
        self.env = env
        self.derived: dict[str, frozenset[Any]] = {}

    def values(self, ref: Ref) -> frozenset[Any]:
        if ref.kind == "derived":
            return self.derived.get(ref.name, frozenset({None}))
        key = fact_key(ref)
        return self.env[key] if key in self.env else frozenset({self.facts.get(key)})

    def truths(self, cond: Cond) -> frozenset[bool]:
        if isinstance(cond, Const):
            return frozenset({cond.value})
        if isinstance(cond, Not):
            return frozenset(not t for t in self.truths(cond.item))
        if isinstance(cond, All | AnyOf):
            parts = [self.truths(c) for c in cond.items]
            want, other = (True, False) if isinstance(cond, All) else (False, True)
            out = set()
            if all(want in p for p in parts):
                out.add(want)
            if any(other in p for p in parts):
                out.add(other)
            return frozenset(out)
        if isinstance(cond, Present):
            if cond.ref.kind != "derived" and fact_key(cond.ref) in self.env:
                return frozenset({not cond.negate})
            recorded = None not in self.values(cond.ref)
            return frozenset({recorded != cond.negate})
        assert isinstance(cond, Cmp | In)
        assert isinstance(cond.right, Literal)
        values = self.values(cond.left)
        if None in values:
            return _BOTH  # cannot tell: treat as either
        right = cond.right.value
        if isinstance(cond, In):
            return frozenset(v in right for v in values)
        return frozenset(bool(PY_OPS[cond.op](v, right)) for v in values)

    def combinations(self, conds: list[Cond]) -> list[dict[str, Any]] | None:
        """Every assignment of the conditions' varying inputs, or None when there are many."""
        varying: dict[str, list[Any]] = {}
        for cond in conds:
            for ref, _ in refs(cond):
                name = f"derived.{ref.name}" if ref.kind == "derived" else fact_key(ref)
                values = self.values(ref)
                if len(values) > 1 and name not in varying:
                    varying[name] = sorted(values, key=repr)
        total = 1
        for options in varying.values():
            total *= len(options)
        if total > _EXACT_LIMIT:
            return None
        names = list(varying)
        return [
            dict(zip(names, combo, strict=True)) for combo in itertools.product(*varying.values())
        ]

    def _lookup(self, assignment: dict[str, Any]) -> Callable[[Ref], Any]:
        def lookup(ref: Ref) -> Any:
            name = f"derived.{ref.name}" if ref.kind == "derived" else fact_key(ref)
            if name in assignment:
                return assignment[name]
            (value,) = self.values(ref) if len(self.values(ref)) == 1 else (None,)
            return value

        return lookup

    def exact_truths(self, cond: Cond) -> frozenset[bool | None]:
        """Truths of ``cond`` over every combination of its inputs (set-based when too many)."""
        combos = self.combinations([cond])
        if combos is None:
            return frozenset(self.truths(cond))
        return frozenset(evaluate(cond, self._lookup(a)) for a in combos)

    def derived_values(self, rule: DeriveRule) -> frozenset[Any]:
        conds = [c for c, _ in rule.cases]
        combos = self.combinations(conds)
        if combos is None:  # too many combinations: a coarser, still sound, approximation
            truths = [self.truths(c) for c in conds]
            out = {v for (_, v), t in zip(rule.cases, truths, strict=True) if True in t}
            if not rule.exhaustive and all(False in t for t in truths):
                out.add(rule.otherwise)
            return frozenset(out) if out else frozenset({None})
        found: set[Any] = set()
        for assignment in combos:
            lookup = self._lookup(assignment)
            results = [evaluate(c, lookup) for c in conds]
            values = {v for (_, v), t in zip(rule.cases, results, strict=True) if t is True}
            if values:
                found |= values
            elif any(t is None for t in results):
                found.add(None)
            else:
                found.add(rule.otherwise)
        return frozenset(found)
