"""What the policy book shows of a profile: its eras, and the rules and values in force in each.

Plain data gathered from a ``PolicySet`` for ``bookmd`` to render: which declared versions (eras)
and which policy versions within them are shown, which rule file entries are in force in an era
and in which policy versions (a withdrawal or a dated rule may cover only part of an era), and
which parameter value entries apply, with the profile that set each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from disposal.conditions import Cond
from disposal.plain import VARIES, param_labels
from disposal.plainlabels import Label
from disposal.policy import (
    CATEGORIES,
    Dated,
    Located,
    ParamValue,
    Profile,
    ProfileVersion,
    Rule,
    Withdrawal,
)
from disposal.policyset import PolicySet
from disposal.resolve import Coalesce, PolicyVersion
from disposal.vocab import EffectKind


@dataclass
class Era:
    """A declared version of a profile and the policy versions of it the book shows."""

    era: ProfileVersion
    versions: list[PolicyVersion]

    @property
    def start(self) -> date:
        return self.versions[0].starts

    @property
    def end(self) -> date | None:
        return self.versions[-1].ends


@dataclass
class Entry:
    """A rule file entry in force for some of an era, and in which policy versions."""

    located: Located[Rule]
    origin: str
    versions: list[PolicyVersion] = field(default_factory=list)

    @property
    def rule(self) -> Rule:
        return self.located.item


@dataclass
class ParamEntry:
    name: str
    description: str
    values: list[tuple[ParamValue, str]]  # value entries in force in the era, with their profile


class ProfileView:
    """What the book shows of one profile: its eras, and what is in force in each."""

    def __init__(self, policy_set: PolicySet, profile_id: str, as_of: date | None) -> None:
        self.policy_set = policy_set
        self.id = profile_id
        self.profile = policy_set.profiles[profile_id]
        self.meta = self.profile.meta.item
        self.chain = policy_set.chain(profile_id)
        self.resolver = policy_set.resolver(profile_id)
        self.eras = self._eras(as_of)

    @property
    def base(self) -> str | None:
        return self.meta.extends

    def _eras(self, as_of: date | None) -> list[Era]:
        starts = self.policy_set.version_starts(self.id)
        eras: list[Era] = []
        for era in sorted(self.meta.versions, key=lambda v: v.effective_from):
            versions = [self.policy_set.resolve(self.id, s) for s in starts if era.in_force(s)]
            if as_of is not None:
                versions = [v for v in versions if v.starts <= as_of <= (v.ends or date.max)]
            if versions:
                eras.append(Era(era, versions))
        return eras

    def entries(self, era: Era) -> list[Entry]:
        found: dict[int, Entry] = {}
        for version in era.versions:
            for located, origin in self.resolver.rules_on(version.starts):
                entry = found.setdefault(id(located), Entry(located, origin))
                entry.versions.append(version)
        return list(found.values())

    def first_params(self, located: Located[Rule]) -> dict[str, Any]:
        """The parameter values of the first policy version shown in which ``located`` is in
        force (empty when there is none)."""
        for era in self.eras:
            for version in era.versions:
                if any(r is located for r, _ in self.resolver.rules_on(version.starts)):
                    return dict(version.params)
        return {}

    def params(self, era: Era) -> dict[str, Any]:
        """Each parameter's value in the era, or ``plain.VARIES`` when it changes within it."""
        values: dict[str, Any] = {}
        for version in era.versions:
            for name, value in version.params.items():
                values[name] = VARIES if name in values and values[name] != value else value
        return values

    def param_entries(self, era: Era) -> list[ParamEntry]:
        entries: dict[str, ParamEntry] = {}
        for version in era.versions:
            for name in version.params:
                found = self.param_value(name, version.starts)
                if found is None:
                    continue
                entry = entries.setdefault(name, ParamEntry(name, self.description(name), []))
                if all(found[0] is not v for v, _ in entry.values):
                    entry.values.append(found)
        return sorted(entries.values(), key=lambda e: e.name)

    def param_value(self, name: str, on: date) -> tuple[ParamValue, str] | None:
        return param_value(self.chain, name, on)

    def description(self, name: str) -> str:
        texts = [
            p.item.description for pr in self.chain for p in pr.parameters if p.item.name == name
        ]
        return next((t for t in reversed(texts) if t), "")

    def revalued(self) -> list[tuple[str, ParamValue, list[ParamValue]]]:
        """Each value this profile sets, with the base profiles' values it replaces."""
        out = []
        for param in self.profile.parameters:
            name = param.item.name
            base = [
                value
                for profile in self.chain[:-1]
                for other in profile.parameters
                if other.item.name == name
                for value in other.item.values
            ]
            for value in param.item.values:
                out.append((name, value, [b for b in base if b.overlaps(value)]))
        return out

    def withdrawals_in(self, era: Era) -> list[Withdrawal]:
        shown = Dated(effective_from=era.start, effective_to=era.end)
        return [
            w.item
            for profile in self.chain[1:]
            for w in profile.withdrawals
            if w.item.overlaps(shown)
        ]

    def param_labels(self) -> dict[str, Label]:
        """For each parameter, the label of the fact it is compared with (for its values)."""
        parsed = self.policy_set.parsed
        return param_labels(
            c for p in self.chain for r in p.rules for c in conditions_of(parsed.get(id(r)))
        )

    def base_rule_titles(self) -> dict[str, str]:
        return {r.item.id: r.item.title for p in self.chain[:-1] for r in p.rules}


def category_of(rule: Rule) -> str:
    return "derived" if rule.effect.kind is EffectKind.DERIVE else rule.category


def by_category(entries: list[Entry]) -> list[tuple[str, list[Entry]]]:
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(category_of(entry.rule), []).append(entry)
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(groups.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))


def conditions_of(parsed: Any) -> list[Cond]:
    """The conditions of a parsed rule (a condition, derive cases, or none for coalesce)."""
    if parsed is None or isinstance(parsed, Coalesce):
        return []
    if isinstance(parsed, list):
        return [cond for cond, _ in parsed]
    return [parsed]


def param_value(chain: list[Profile], name: str, on: date) -> tuple[ParamValue, str] | None:
    """The value entry of parameter ``name`` in force on ``on``, as resolution picks it, and
    the profile that set it (the last in the chain with a value in force wins)."""
    found = None
    for profile in chain:
        for param in profile.parameters:
            if param.item.name != name:
                continue
            current = [v for v in param.item.values if v.in_force(on)]
            if current:
                found = (current[0], profile.meta.item.id)
    return found
