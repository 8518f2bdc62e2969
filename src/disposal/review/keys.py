"""The cache key of a case: its facts as the policy version *distinguishes* them.

Every condition is a boolean combination of comparisons of a fact with a literal (after
parameters are bound). Two values of a fact that fall on the same side of, or on, each literal
it is ever compared with satisfy the same comparisons; so a number is replaced by its position
among those literals (below the first, equal to it, between it and the next, ...), and any
other value by itself. A fact compared with another fact keeps its exact value. Cases whose
read facts map to the same positions, with the same facts recorded, get the same rule states,
the same missing facts and so the same decision, apart from their identity (case id,
authorisation, actual outcome), which the decision adds.

This is a coarser, still exact, form of ``projection.projection_key``: it lets batch review
decide a realistic population (ages, amounts and counts all different) once per *kind* of
case rather than once per case.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from disposal.completion import fact_key, thresholds
from disposal.conditions import Cmp, Cond, In, Ref, children
from disposal.facts import Facts
from disposal.projection import read_keys
from disposal.resolve import PolicyVersion


@dataclass(frozen=True)
class KeyPlan:
    """How to reduce the facts of one policy version to its cache key."""

    sha256: str
    parts: tuple[tuple[str, Callable[[Any], Any]], ...]

    def key(self, facts: Facts) -> tuple[Any, ...]:
        return (self.sha256, *(reduce(facts.get(name)) for name, reduce in self.parts))


def _bucket(cuts: list[Any], exact: frozenset[Any]) -> Callable[[Any], Any]:
    def reduce(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return value
        return 2 * bisect.bisect_left(cuts, value) + (1 if value in exact else 0)

    return reduce


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _identity(value: Any) -> Any:
    return value


def _presence(value: Any) -> Any:
    return value is not None


def _compared_with_facts(policy: PolicyVersion) -> set[str]:
    """Facts compared with another fact (not a literal): these keep their exact value."""
    found: set[str] = set()

    def walk(cond: Cond) -> None:
        if isinstance(cond, Cmp | In) and isinstance(cond.right, Ref):
            found.update((fact_key(cond.left), fact_key(cond.right)))
        for child in children(cond):
            walk(child)

    for cond in [r.cond for r in policy.rules] + [c for d in policy.derives for c, _ in d.cases]:
        walk(cond)
    return found


_PLANS: dict[str, KeyPlan] = {}


def key_plan(policy: PolicyVersion) -> KeyPlan:
    cached = _PLANS.get(policy.sha256)
    if cached is not None:
        return cached
    compared = thresholds(policy)
    exact = _compared_with_facts(policy)
    parts: list[tuple[str, Callable[[Any], Any]]] = []
    for name in sorted(read_keys(policy)):
        if name in exact:
            parts.append((name, _identity))
            continue
        literals = [
            v
            for v in compared.get(name, ())
            if isinstance(v, int | float) and not isinstance(v, bool)
        ]
        if name.startswith("recorded.") or name not in compared:
            parts.append((name, _presence))  # read for presence (or a source): recorded or not
        elif literals:
            parts.append((name, _bucket(sorted(set(literals)), frozenset(literals))))
        else:
            parts.append((name, _identity))
    plan = KeyPlan(policy.sha256, tuple(parts))
    _PLANS[policy.sha256] = plan
    return plan
