"""The plain-Python evaluator of the same condition trees: explanations and the cross-check.

It computes the same ``RuleStates`` as the durable_rules adapter by evaluating the bound
conditions directly in three-valued logic, deriving facts in dependency order. It never looks
at the compiled ruleset, so agreement between the two is evidence that the compiler and the
engine are right, not just consistent with themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from disposal.conditions import Lookup, Ref, TraceNode, evaluate, explain
from disposal.errors import EngineError, Location
from disposal.facts import Facts
from disposal.resolve import PolicyVersion
from disposal.states import RuleStates
from disposal.vocab import EffectKind

_DECIDING = (EffectKind.DENY, EffectKind.REQUIRE_AUTHORITY)


def lookup_for(facts: Facts, derived: Mapping[str, Any]) -> Lookup:
    def lookup(ref: Ref) -> Any:
        if ref.kind == "derived":
            return derived.get(ref.name)
        if ref.kind == "case":
            return facts.get(ref.name)
        return facts.get(f"{ref.kind}.{ref.name}")

    return lookup


def derive_all(policy: PolicyVersion, facts: Facts, record: str = "") -> dict[str, Any]:
    derived: dict[str, Any] = {}
    lookup = lookup_for(facts, derived)
    for rule in policy.derives:
        truths = [evaluate(cond, lookup) for cond, _ in rule.cases]
        values = {(type(v), v) for (_, v), tv in zip(rule.cases, truths, strict=True) if tv is True}
        if len(values) > 1:
            raise EngineError(
                "engine-error",
                f"derive-conflict: two rules give '{rule.fact}' different values",
                Location(record=record),
            )
        if values:
            derived[rule.fact] = next(iter(values))[1]
        elif any(tv is None for tv in truths):
            derived[rule.fact] = None
        else:
            derived[rule.fact] = rule.otherwise
    return derived


def evaluate_reference(policy: PolicyVersion, facts: Facts, record: str = "") -> RuleStates:
    derived = derive_all(policy, facts, record)
    lookup = lookup_for(facts, derived)
    fired: set[str] = set()
    unknown: set[str] = set()
    for rule in policy.rules:
        truth = evaluate(rule.cond, lookup)
        if truth is True:
            fired.add(rule.id)
        elif truth is None and rule.effect.kind in _DECIDING:
            unknown.add(rule.id)
    return RuleStates(frozenset(fired), frozenset(unknown), derived)


def explain_rules(
    policy: PolicyVersion, facts: Facts, derived: Mapping[str, Any]
) -> dict[str, TraceNode]:
    """Per decision rule, the full evaluation tree (which condition held, failed, was unknown)."""
    lookup = lookup_for(facts, derived)
    return {rule.id: explain(rule.cond, lookup) for rule in policy.rules}


def explain_derived(
    policy: PolicyVersion, facts: Facts, derived: Mapping[str, Any]
) -> dict[str, list[tuple[Any, TraceNode]]]:
    lookup = lookup_for(facts, derived)
    return {
        rule.id: [(value, explain(cond, lookup)) for cond, value in rule.cases]
        for rule in policy.derives
    }
