"""The trace as data, and its text rendering for officers.

``trace_data`` turns an evaluation into plain JSON-able records (which rule held, failed or was
unknown, and why, condition by condition); the text renderer and the ``--json --explain``
output both read those records. Free-text fields never appear: a condition on one can only
test whether it is recorded, and only that is shown.
"""

from __future__ import annotations

from typing import Any

from disposal.conditions import Cmp, In, Present, TraceNode, describe
from disposal.decision import DecisionRecord
from disposal.reference import explain_derived, explain_rules
from disposal.resolve import PolicyVersion
from disposal.service import Evaluation
from disposal.states import RuleStates
from disposal.vocab import OUTCOME_TYPES, Decision

_STATE = {True: "true", False: "false", None: "unknown"}
_MARK = {"true": "✔", "false": "✘", "unknown": "?"}
_HEADLINE = {
    Decision.PERMITTED: "PERMITTED",
    Decision.REQUIRES_AUTHORISATION: "REQUIRES AUTHORISATION",
    Decision.NOT_PERMITTED: "NOT PERMITTED",
    Decision.INSUFFICIENT_INFORMATION: "INSUFFICIENT INFORMATION",
}


def _node(node: TraceNode) -> dict[str, Any]:
    data: dict[str, Any] = {"condition": describe(node.cond), "value": _STATE[node.value]}
    if isinstance(node.cond, Cmp | In) and node.fact is not None:
        data["fact"] = node.fact
    elif isinstance(node.cond, Present):
        data["fact"] = "recorded" if node.fact else "not recorded"
    if node.children:
        data["children"] = [_node(child) for child in node.children]
    return data


def trace_data(ev: Evaluation) -> dict[str, Any]:
    """Every derived fact and decision rule of the version, with its evaluation tree."""
    policy = ev.policy
    derived_trees = explain_derived(policy, ev.facts, ev.states.derived)
    derived = [
        {
            "rule": rule.id,
            "fact": rule.fact,
            "value": ev.states.derived.get(rule.fact),
            "cases": [{"value": value, **_node(tree)} for value, tree in derived_trees[rule.id]],
        }
        for rule in policy.derives
    ]
    trees = explain_rules(policy, ev.facts, ev.states.derived)
    rules = []
    for rule in policy.rules:
        state = (
            "true"
            if rule.id in ev.states.fired
            else "unknown"
            if rule.id in ev.states.unknown
            else "false"
        )
        rules.append(
            {
                "rule": rule.id,
                "effect": rule.effect.to_data(),
                "state": state,
                **_node(trees[rule.id]),
            }
        )
    return {"policy": policy.name, "derived": derived, "rules": rules}


def trace_summary(ev: Evaluation) -> list[dict[str, Any]]:
    """The compact trace kept in the audit ledger: each rule's state and each derived value."""
    return summary_trace(ev.policy, ev.states)


def summary_trace(policy: PolicyVersion, states: RuleStates) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"rule": d.id, "fact": d.fact, "value": states.derived.get(d.fact)} for d in policy.derives
    ]
    for rule in policy.rules:
        if rule.id in states.fired:
            out.append({"rule": rule.id, "state": "true"})
        elif rule.id in states.unknown:
            out.append({"rule": rule.id, "state": "unknown"})
    return out


def render_text(ev: Evaluation, explain: bool = False) -> str:
    lines = render_decision(ev.decision)
    if explain:
        lines += ["", "  Explanation (rules of " + ev.policy.name + "):"]
        lines += _render_trace(trace_data(ev))
    return "\n".join(lines)


def render_decision(d: DecisionRecord) -> list[str]:
    head = _HEADLINE[d.decision]
    if d.decision is Decision.REQUIRES_AUTHORISATION and d.required_authority:
        head += f": {d.required_authority.value.replace('_', ' ')} or above"
    elif d.decision is Decision.PERMITTED and d.required_authority:
        rank = d.required_authority.value.replace("_", " ")
        head += " (officer's decision)" if rank == "constable" else f" (authorised at {rank} level)"
    policy = d.policy
    lines = [
        f"{d.case_id}: {head}",
        f"  Policy: {policy.profile} version {policy.version} ({policy.era}), "
        f"sha256 {policy.sha256[:16]}…",
    ]
    if policy.fallback:
        lines.append(f"  Note: {policy.fallback}")
    if not d.reasons and d.decision is Decision.PERMITTED:
        lines.append(
            "  No rule bars, restricts or qualifies a community resolution on these facts."
        )
    if d.reasons:
        lines.append("  Reasons:")
        for r in d.reasons:
            label = r.effect if not r.authority else f"{r.effect}: {r.authority}"
            if r.outcome:
                label = f"suggest outcome {r.outcome}"
            lines.append(f"    - {r.rule} [{label}] {r.message}")
            lines.append(f"      Source: {r.source} <{r.url}>")
    if d.missing:
        lines.append("  Missing facts that would settle it: " + ", ".join(d.missing))
        for u in d.unresolved:
            lines.append(f"    - {u.rule} ({u.effect}) needs: {', '.join(u.missing)}")
    if d.suggested_outcomes:
        named = [f"{n} ({OUTCOME_TYPES.get(n, '?')})" for n in d.suggested_outcomes]
        lines.append("  Consider instead: " + "; ".join(named))
    if d.decision is Decision.REQUIRES_AUTHORISATION:
        lines.append(
            "  Authorisation: none sufficient recorded (needs the rank above and a rationale)"
        )
    elif d.authorised:
        lines.append("  Authorisation: recorded, sufficient rank, with a rationale")
    if d.compliance is not None:
        lines.append(f"  Compliance of the CR actually given: {d.compliance.value}")
    return lines


def _render_trace(trace: dict[str, Any]) -> list[str]:
    lines = ["    Derived facts:"]
    for item in trace["derived"]:
        value = "unknown" if item["value"] is None else item["value"]
        lines.append(f"      {item['fact']} = {value}   ({item['rule']})")
    lines.append("    Rules:")
    for item in trace["rules"]:
        mark = _MARK[item["state"]]
        lines.append(f"      {mark} {item['rule']} {item['effect']}")
        lines += _render_node(item, "          ")
    return lines


def _render_node(node: dict[str, Any], indent: str) -> list[str]:
    fact = f"  [{node['fact']}]" if "fact" in node else ""
    lines = [f"{indent}{_MARK[node['value']]} {node['condition']}{fact}"]
    for child in node.get("children", []):
        lines += _render_node(child, indent + "  ")
    return lines
