"""From rule states to the decision of CONTRACT.md §2.

Precedence is explicit and lives here, in Python, not in the engine's agenda:

1. a ``deny`` rule that holds on the recorded facts gives ``not_permitted`` (no rank lifts it),
   even when other facts are missing;
2. otherwise, a ``deny`` rule that is unknown, or a ``require_authority`` rule that is unknown
   and would raise the rank needed, gives ``insufficient_information`` when some way of
   recording the missing facts would make it fire (see ``completion``); ``missing`` lists
   the unrecorded facts those rules read;
3. otherwise the highest rank any fired rule requires is ``required_authority`` (``constable``
   when none), and the decision is ``permitted`` when that is constable or when the record's
   authorisation has that rank or above and a non-empty rationale; else
   ``requires_authorisation``.

Choices where the contract is silent (also in docs/DECISIONS.md): ``required_authority`` is
``null`` for ``not_permitted`` (no rank may authorise) and for ``insufficient_information``
(not yet settled); ``reasons`` lists the rules that shaped the result, in policy order (for
``not_permitted`` the bars, warnings and suggestions, not the authority rules a bar overrides);
``unresolved`` names each undecided rule with the facts it needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from disposal.case import CaseRecord
from disposal.completion import could_fire, thresholds
from disposal.conditions import Cmp, Cond, In, Ref, TraceNode, explain
from disposal.facts import COMPUTED, Facts, is_recorded
from disposal.reference import lookup_for
from disposal.resolve import DecisionRule, PolicyVersion
from disposal.states import RuleStates
from disposal.vocab import COMMUNITY_RESOLUTION_OUTCOME, Compliance, Decision, EffectKind, Rank


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Reason(_Out):
    rule: str
    effect: str
    authority: str | None = None
    outcome: int | None = None
    message: str
    source: str
    url: str


class Unresolved(_Out):
    rule: str
    effect: str
    authority: str | None = None
    missing: list[str]


class PolicyRef(_Out):
    profile: str
    version: str
    sha256: str
    era: str
    fallback: str | None = None


class DecisionRecord(_Out):
    case_id: str
    decision: Decision
    required_authority: Rank | None
    authorised: bool
    reasons: list[Reason]
    missing: list[str]
    suggested_outcomes: list[int]
    policy: PolicyRef
    compliance: Compliance | None
    unresolved: list[Unresolved] = []

    def to_json_dict(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude_none=False)
        for reason in data["reasons"]:
            for key in ("authority", "outcome"):
                if reason[key] is None:
                    del reason[key]
        for item in data["unresolved"]:
            if item["authority"] is None:
                del item["authority"]
        if data["policy"]["fallback"] is None:
            del data["policy"]["fallback"]
        return data


_THRESHOLDS: dict[str, dict[str, set[Any]]] = {}


def _thresholds(policy: PolicyVersion) -> dict[str, set[Any]]:
    if policy.sha256 not in _THRESHOLDS:
        _THRESHOLDS[policy.sha256] = thresholds(policy)
    return _THRESHOLDS[policy.sha256]


def reason_for(rule: DecisionRule) -> Reason:
    effect = rule.effect
    return Reason(
        rule=rule.id,
        effect=effect.kind.value,
        authority=effect.rank.value if effect.rank else None,
        outcome=effect.outcome,
        message=rule.message.strip(),
        source=rule.source.citation,
        url=rule.source.url,
    )


def _rank(rule: DecisionRule) -> Rank:
    return rule.effect.rank or Rank.CONSTABLE


def authorisation_sufficient(case: CaseRecord, required: Rank) -> bool:
    auth = case.authorisation
    if auth is None or auth.rank is None or not (auth.rationale or "").strip():
        return False
    return auth.rank.at_least(required)


def compliance_of(case: CaseRecord, decision: Decision) -> Compliance | None:
    if case.actual_outcome != COMMUNITY_RESOLUTION_OUTCOME:
        return None
    if decision is Decision.PERMITTED:
        return Compliance.COMPLIANT
    if decision is Decision.INSUFFICIENT_INFORMATION:
        return Compliance.UNVERIFIABLE
    return Compliance.NON_COMPLIANT


def decide(
    policy: PolicyVersion,
    states: RuleStates,
    facts: Facts,
    case: CaseRecord,
    fallback: str | None = None,
) -> DecisionRecord:
    fired = [r for r in policy.rules if r.id in states.fired]
    kinds = {k: [r for r in fired if r.effect.kind is k] for k in EffectKind}
    advisory = kinds[EffectKind.WARN] + kinds[EffectKind.SUGGEST]
    authority_rules = kinds[EffectKind.REQUIRE_AUTHORITY]
    top = max((_rank(r) for r in authority_rules), key=lambda r: r.level, default=Rank.CONSTABLE)
    unresolved: list[Unresolved] = []
    missing: set[str] = set()
    compared = _thresholds(policy)
    if kinds[EffectKind.DENY]:
        decision, required, shaping = Decision.NOT_PERMITTED, None, kinds[EffectKind.DENY]
    else:
        for rule in policy.rules:
            if rule.id not in states.unknown:
                continue
            if (
                rule.effect.kind is EffectKind.REQUIRE_AUTHORITY
                and not _rank(rule).level > top.level
            ):
                continue
            if not could_fire(rule.cond, policy, facts, dict(states.derived), compared):
                continue  # no way of recording the missing facts makes it fire
            needed = sorted(missing_for(rule.cond, policy, facts, states.derived))
            missing.update(needed)
            unresolved.append(
                Unresolved(
                    rule=rule.id,
                    effect=rule.effect.kind.value,
                    authority=rule.effect.rank.value if rule.effect.rank else None,
                    missing=needed,
                )
            )
        shaping = authority_rules
        if unresolved:
            decision, required = Decision.INSUFFICIENT_INFORMATION, None
        else:
            required = top
            ok = top is Rank.CONSTABLE or authorisation_sufficient(case, top)
            decision = Decision.PERMITTED if ok else Decision.REQUIRES_AUTHORISATION
    shaped = {r.id for r in shaping + advisory}
    reasons = [reason_for(r) for r in policy.rules if r.id in shaped]
    suggested = sorted({r.effect.outcome for r in kinds[EffectKind.SUGGEST] if r.effect.outcome})
    return DecisionRecord(
        case_id=case.case_id,
        decision=decision,
        required_authority=required,
        authorised=required is not None and authorisation_sufficient(case, required),
        reasons=reasons,
        missing=sorted(missing),
        suggested_outcomes=suggested,
        policy=PolicyRef(
            profile=policy.profile,
            version=policy.version,
            sha256=policy.sha256,
            era=policy.era.id,
            fallback=fallback,
        ),
        compliance=compliance_of(case, decision),
        unresolved=unresolved,
    )


# -- which unrecorded facts an undecided rule needs -------------------------------------------


def missing_for(
    cond: Cond, policy: PolicyVersion, facts: Facts, derived: Mapping[str, Any]
) -> set[str]:
    """Unrecorded case paths under the *unknown* parts of a condition.

    Follows the evaluation tree: a sub-condition that is already true or false cannot be
    settled by more facts, so only unknown branches are visited, and an unknown derived fact
    is followed into its own unknown cases.
    """
    lookup = lookup_for(facts, derived)
    derives = {d.fact: d for d in policy.derives}
    out: set[str] = set()
    seen: set[str] = set()

    def visit(node: TraceNode) -> None:
        if node.value is not None:
            return
        if isinstance(node.cond, Cmp | In):
            add(node.cond.left)
        for child in node.children:
            visit(child)

    def add(ref: Ref) -> None:
        if ref.kind == "case":
            out.add(ref.name)
        elif ref.kind == "computed":
            out.update(s for s in COMPUTED[ref.name].sources if not is_recorded(facts, s))
        elif ref.kind == "table":
            out.add("offence.ho_code")
        elif ref.kind == "derived" and ref.name not in seen and ref.name in derives:
            seen.add(ref.name)
            for case_cond, _ in derives[ref.name].cases:
                visit(explain(case_cond, lookup))

    visit(explain(cond, lookup))
    return out
