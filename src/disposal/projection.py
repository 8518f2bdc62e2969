"""The rule-relevant projection of a case: the only facts a decision can depend on.

A policy version reads a known, small set of facts: the case fields, computed fields and
offence-table facts its conditions mention, plus what ``decide`` consults to name missing
facts (the sources of computed fields, whether lists are recorded). Two cases with the same
projection under the same version get the same rule states and the same decision apart from
their identity (case id, authorisation, actual outcome), which ``decide`` adds.

The engine is fed the projection only (smaller documents: measured about 20% faster), and
batch review uses it as the cache key, so each distinct projection runs through durable_rules
once per policy version.
"""

from __future__ import annotations

from typing import Any

from disposal.conditions import Cond, refs
from disposal.facts import COMPUTED, LIST_FIELDS, Facts
from disposal.resolve import PolicyVersion

_KEYS: dict[str, frozenset[str]] = {}


def _conditions(policy: PolicyVersion) -> list[Cond]:
    conds = [rule.cond for rule in policy.rules]
    for derive in policy.derives:
        conds += [c for c, _ in derive.cases]
        if derive.unknown_when is not None:
            conds.append(derive.unknown_when)
    return conds


def read_keys(policy: PolicyVersion) -> frozenset[str]:
    """Fact keys (as in ``case_facts``) that rules or ``decide`` may consult for this version."""
    cached = _KEYS.get(policy.sha256)
    if cached is not None:
        return cached
    keys: set[str] = set()
    for cond in _conditions(policy):
        for ref, _ in refs(cond):
            if ref.kind == "case":
                keys.add(ref.name)
            elif ref.kind in ("computed", "table"):
                keys.add(f"{ref.kind}.{ref.name}")
                if ref.kind == "computed":
                    keys.update(COMPUTED[ref.name].sources)
                else:
                    keys.add("offence.ho_code")
    keys.update(f"recorded.{path}" for path in LIST_FIELDS if path in keys)
    result = frozenset(keys)
    _KEYS[policy.sha256] = result
    return result


def project(facts: Facts, keys: frozenset[str]) -> Facts:
    return {key: value for key, value in facts.items() if key in keys}


def projection_key(facts: Facts, keys: frozenset[str]) -> tuple[tuple[str, str, Any], ...]:
    """A hashable, order-independent form of the projection (values keep their types)."""
    return tuple(sorted((k, type(v).__name__, v) for k, v in facts.items() if k in keys))
