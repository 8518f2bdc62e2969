"""What changed in a profile's policy between two dates, and whose decision it changes.

``diff_versions`` compares the policy versions in force on two dates: rules added, removed (with
the withdrawal's reason when an overlay withdrew one) and changed, field by field (the condition
in plain English before and after, effect, message, source, dates, notes); parameters whose
value changed; and the unchanged rules that read a changed parameter, which behave differently
although their text did not change. ``flips`` decides cases as at both dates under the profile
and keeps those whose decision or required authority differs, with the rules that fired under
one version and not the other.

The results are plain records; ``render_text`` and ``to_data`` (JSON) both read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from disposal.bookview import conditions_of, param_value
from disposal.case import LoadedCase
from disposal.conditions import refs
from disposal.errors import InputError, Location, did_you_mean
from disposal.plain import (
    dates_text,
    derive_summary,
    effect_text,
    never_holds,
    param_labels,
    sentence,
    value_text,
)
from disposal.policy import Located, Rule, Source
from disposal.policyset import PolicySet
from disposal.resolve import PolicyVersion, rule_content
from disposal.service import Evaluation, Evaluator
from disposal.vocab import EffectKind

# Rule fields compared, by the name shown, with the file keys that make them up.
FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("title", ("title",)),
    ("category", ("category",)),
    ("effect", ("effect",)),
    ("condition", ("when", "cases", "otherwise", "coalesce", "table")),
    ("message", ("message",)),
    ("source", ("source",)),
    ("dates", ("effective_from", "effective_to")),
    ("notes", ("notes",)),
    ("set by", ("origin",)),
)


@dataclass(frozen=True)
class VersionInfo:
    on: date
    version: PolicyVersion

    def to_data(self) -> dict[str, Any]:
        v = self.version
        return {
            "date": self.on.isoformat(),
            "version": v.version,
            "era": v.era.id,
            "starts": v.starts.isoformat(),
            "ends": v.ends.isoformat() if v.ends else None,
            "sha256": v.sha256,
        }


@dataclass(frozen=True)
class RuleInfo:
    id: str
    title: str
    effect: Any  # the effect as in the rule files
    effect_text: str
    origin: str
    note: str = ""

    def to_data(self) -> dict[str, Any]:
        data = {"id": self.id, "title": self.title, "effect": self.effect, "origin": self.origin}
        return {**data, "note": self.note} if self.note else data


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class RuleChange:
    id: str
    title: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class ParamChange:
    name: str
    before: Any  # None when not set before
    after: Any
    before_text: str
    after_text: str
    source: Source | None  # of the value in force at the later date


@dataclass(frozen=True)
class Affected:
    """An unchanged rule that reads a changed parameter; ``on_*`` false when switched off."""

    id: str
    title: str
    params: tuple[str, ...]
    on_before: bool
    on_after: bool


@dataclass(frozen=True)
class PolicyDiff:
    profile: str
    before: VersionInfo
    after: VersionInfo
    added: tuple[RuleInfo, ...]
    removed: tuple[RuleInfo, ...]
    changed: tuple[RuleChange, ...]
    parameters: tuple[ParamChange, ...]
    affected: tuple[Affected, ...]

    @property
    def same(self) -> bool:
        return self.before.version.sha256 == self.after.version.sha256


# -- comparing versions -------------------------------------------------------------------------

Entries = dict[str, tuple[Located[Rule], str]]


def version_for(policy_set: PolicySet, profile: str, on: date, option: str) -> PolicyVersion:
    if profile not in policy_set.profiles:
        raise InputError(
            "unknown-profile",
            "is not a profile under rules/profiles/",
            Location(field="--profile"),
            did_you_mean(profile, policy_set.profiles) or "see disposal rules check",
        )
    if policy_set.resolver(profile).era(on) is None:
        raise InputError(
            "no-policy-in-force",
            f"profile '{profile}' has no version in force on {on.isoformat()}",
            Location(field=option),
            "check the date against the profile's versions (disposal rules list)",
        )
    return policy_set.resolve(profile, on)


def diff_versions(policy_set: PolicySet, profile: str, d1: date, d2: date) -> PolicyDiff:
    """What changed in ``profile`` between the policy in force on ``d1`` and on ``d2``."""
    v1 = version_for(policy_set, profile, d1, "--from")
    v2 = version_for(policy_set, profile, d2, "--to")
    resolver = policy_set.resolver(profile)
    old: Entries = {r.item.id: (r, o) for r, o in resolver.rules_on(v1.starts)}
    new: Entries = {r.item.id: (r, o) for r, o in resolver.rules_on(v2.starts)}
    parameters = _param_changes(policy_set, profile, v1, v2)
    changed_names = {p.name for p in parameters}
    same_ids = [i for i in old if i in new]
    return PolicyDiff(
        profile=profile,
        before=VersionInfo(d1, v1),
        after=VersionInfo(d2, v2),
        added=tuple(_info(*new[i], _dates_note(new[i][0])) for i in new if i not in old),
        removed=tuple(_removed(policy_set, profile, v2, *old[i]) for i in old if i not in new),
        changed=tuple(
            c for i in same_ids if (c := _rule_change(policy_set, old[i], new[i], v1, v2))
        ),
        parameters=parameters,
        affected=tuple(
            a
            for i in same_ids
            if (a := _affected(policy_set, old[i], new[i], v1, v2, changed_names)) is not None
        ),
    )


def _info(located: Located[Rule], origin: str, note: str = "") -> RuleInfo:
    rule = located.item
    return RuleInfo(
        rule.id, rule.title, rule.effect.to_data(), effect_text(rule.effect), origin, note
    )


def _dates_note(located: Located[Rule]) -> str:
    return "dates: " + dates_text(located.item.effective_from, located.item.effective_to)


def _removed(
    policy_set: PolicySet, profile: str, after: PolicyVersion, located: Located[Rule], origin: str
) -> RuleInfo:
    rule = located.item
    for base in policy_set.chain(profile)[1:]:
        for w in base.withdrawals:
            if w.item.rule == rule.id and w.item.in_force(after.starts):
                reason = w.item.reason or "no reason given"
                return _info(located, origin, f"withdrawn by {base.meta.item.id}: {reason}")
    if rule.effective_to is not None and rule.effective_to < after.starts:
        return _info(located, origin, f"ended {rule.effective_to.isoformat()}")
    return _info(located, origin)


def _param_changes(
    policy_set: PolicySet, profile: str, v1: PolicyVersion, v2: PolicyVersion
) -> tuple[ParamChange, ...]:
    chain = policy_set.chain(profile)
    labels = param_labels(
        c for p in chain for r in p.rules for c in conditions_of(policy_set.parsed.get(id(r)))
    )
    out = []
    for name in sorted({*v1.params, *v2.params}):
        before, after = v1.params.get(name), v2.params.get(name)
        if before == after:
            continue
        label = labels.get(name)
        entry = param_value(chain, name, v2.starts)
        out.append(
            ParamChange(
                name,
                before,
                after,
                "(not set)" if before is None else value_text(before, label),
                "(not set)" if after is None else value_text(after, label),
                entry[0].source if entry else None,
            )
        )
    return tuple(out)


def _rule_change(
    policy_set: PolicySet,
    old: tuple[Located[Rule], str],
    new: tuple[Located[Rule], str],
    v1: PolicyVersion,
    v2: PolicyVersion,
) -> RuleChange | None:
    before, after = rule_content(old[0].item, old[1]), rule_content(new[0].item, new[1])
    fields = []
    for name, keys in FIELDS:
        if all(before.get(k) == after.get(k) for k in keys):
            continue
        fields.append(
            FieldChange(
                name,
                _field_text(policy_set, old[0], old[1], name, v1.params),
                _field_text(policy_set, new[0], new[1], name, v2.params),
            )
        )
    return RuleChange(new[0].item.id, new[0].item.title, tuple(fields)) if fields else None


def _field_text(
    policy_set: PolicySet,
    located: Located[Rule],
    origin: str,
    name: str,
    params: Mapping[str, Any],
) -> str:
    rule = located.item
    if name == "condition":
        return condition_text(rule, policy_set.parsed.get(id(located)), params)
    if name == "effect":
        return effect_text(rule.effect)
    if name == "source":
        return f"{rule.source.citation} <{rule.source.url}> ({rule.source.strength})"
    if name == "dates":
        return dates_text(rule.effective_from, rule.effective_to)
    if name == "set by":
        return origin
    text = getattr(rule, name)
    return " ".join(str(text).split()) if text else "(none)"


def condition_text(rule: Rule, parsed: Any, params: Mapping[str, Any]) -> str:
    """A rule's condition, or a derive rule's working, in plain English on one line."""
    if parsed is None:
        return "(not parsed)"
    if rule.effect.kind is not EffectKind.DERIVE:
        return sentence(parsed, params)
    summary = derive_summary(rule, parsed, params)
    if summary.sources:
        return f"{summary.lead}: " + "; ".join(summary.sources)
    if summary.table:
        rows = [", ".join(row[:-1]) + " -> " + row[-1] for row in summary.table[1:]]
        return f"{summary.lead}: " + "; ".join(rows)
    cases = [f"{value} when {said.line()}" for value, said in summary.cases]
    return "; ".join([*cases, f"otherwise {summary.otherwise}"])


def params_read(parsed: Any) -> set[str]:
    return {r.name for c in conditions_of(parsed) for r, _ in refs(c) if r.kind == "param"}


def _affected(
    policy_set: PolicySet,
    old: tuple[Located[Rule], str],
    new: tuple[Located[Rule], str],
    v1: PolicyVersion,
    v2: PolicyVersion,
    changed: set[str],
) -> Affected | None:
    if old[0] is not new[0]:
        return None  # a different entry: listed as changed when its content differs
    rule = new[0].item
    reads = sorted(params_read(policy_set.parsed.get(id(new[0]))) & changed)
    if not reads:
        return None
    on = (_in_effect(v1, rule.id), _in_effect(v2, rule.id))
    if on == (False, False):
        return None
    return Affected(rule.id, rule.title, tuple(reads), *on)


def _in_effect(version: PolicyVersion, rule_id: str) -> bool:
    bound = version.rule(rule_id)
    cond = getattr(bound, "cond", None)
    return cond is None or not never_holds(cond)


# -- cases whose decision flips -----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    decision: str
    authority: str | None
    missing: tuple[str, ...]

    @classmethod
    def of(cls, ev: Evaluation) -> Outcome:
        d = ev.decision
        authority = d.required_authority.value if d.required_authority else None
        return cls(d.decision.value, authority, tuple(d.missing))

    def text(self) -> str:
        return self.decision + (f" ({self.authority})" if self.authority else "")

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"decision": self.decision, "required_authority": self.authority}
        return {**data, "missing": list(self.missing)} if self.missing else data


@dataclass(frozen=True)
class Flip:
    case_id: str
    file: str
    line: int
    before: Outcome
    after: Outcome
    stopped: tuple[RuleInfo, ...]  # fired as at the first date only
    started: tuple[RuleInfo, ...]  # fired as at the second date only


@dataclass(frozen=True)
class FlipReport:
    evaluated: int
    flips: tuple[Flip, ...]


def flips(
    evaluator: Evaluator, cases: Sequence[LoadedCase], profile: str, d1: date, d2: date
) -> FlipReport:
    """Decide each case under ``profile`` as at ``d1`` and ``d2``; keep those that differ."""
    out = []
    for case in cases:
        ev1 = evaluator.evaluate(case.record, d1, profile)
        ev2 = evaluator.evaluate(case.record, d2, profile)
        before, after = Outcome.of(ev1), Outcome.of(ev2)
        if (before.decision, before.authority) == (after.decision, after.authority):
            continue
        out.append(
            Flip(
                case.record.case_id,
                case.file,
                case.line,
                before,
                after,
                _fired(ev1, ev1.states.fired - ev2.states.fired),
                _fired(ev2, ev2.states.fired - ev1.states.fired),
            )
        )
    return FlipReport(len(cases), tuple(out))


def _fired(ev: Evaluation, ids: Iterable[str]) -> tuple[RuleInfo, ...]:
    wanted = set(ids)
    return tuple(
        RuleInfo(r.id, r.title, r.effect.to_data(), effect_text(r.effect), r.origin)
        for r in ev.policy.rules
        if r.id in wanted
    )
