"""Could recording the missing facts make an undecided rule fire?

Three-valued logic answers "unknown" for a rule whenever a fact it reads is not recorded, even
when no value of that fact could make the rule true: an unrecorded list of mitigating factors
leaves a gravity-2 offence's effective gravity unknown, yet mitigation can only lower it, so no
gravity bar can follow. The contract asks for ``insufficient_information`` only when missing
facts *could change the decision*, so before a rule is counted as unresolved we search the
ways of recording its missing facts for one that makes it fire.

The search enumerates each missing fact over representative values: every value of a closed
vocabulary, and for numbers each threshold the policy compares them with, plus one either
side. Facts are varied independently (an over-approximation: e.g. two table facts of one HO
code), so the answer errs towards "could fire" — towards asking for more facts, never towards
silently treating unknown as false. Above ``LIMIT`` combinations it gives up and says "could".
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from disposal.conditions import Cmp, Cond, In, Literal, Ref, children, evaluate
from disposal.errors import EngineError
from disposal.facts import CASE_FIELDS, COMPUTED, TABLE_FIELDS, Facts, FieldType
from disposal.reference import derive_all, lookup_for
from disposal.resolve import PolicyVersion

LIMIT = 4096


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
    """Whether some way of recording the missing facts makes ``cond`` true."""
    keys = missing_keys(cond, policy, facts, derived)
    choices = [candidates(key, compared.get(key, set())) for key in keys]
    combos = 1
    for options in choices:
        combos *= len(options)
    if not keys or combos > LIMIT:
        return True
    for values in itertools.product(*choices):
        filled = {**facts, **dict(zip(keys, values, strict=True))}
        try:
            filled_derived = derive_all(policy, filled)
        except EngineError:
            return True  # a conflicting completion: do not claim the rule cannot fire
        if evaluate(cond, lookup_for(filled, filled_derived)) is not False:
            return True
    return False
