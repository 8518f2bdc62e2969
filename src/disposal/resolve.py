"""Dated resolution: the exact policy in force for a profile on a date, and its content hash.

A *policy version* is the set of rules, parameter values and offence-table content in force
over a period in which none of them changes. Its id is the date the period starts (e.g.
``2024-10-01``), and its SHA-256 is computed over that exact content, so an audit record can
name precisely what a decision was made under. Overlay profiles (a force's) start from their
base (national) and may set parameter values, add rules, or withdraw a base rule with a reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from disposal.conditions import All, AnyOf, Cmp, Cond, Literal, Present, Ref, bind, refs
from disposal.errors import DisposalError, Location, RuleFileError, as_exception, did_you_mean
from disposal.facts import CASE_FIELDS, COMPUTED, TABLE_FIELDS, FieldType
from disposal.offences import OffenceTable
from disposal.policy import Dated, Effect, Located, Profile, ProfileVersion, Rule, Source
from disposal.typecheck import TypeChecker, derived_type
from disposal.vocab import EffectKind


@dataclass(frozen=True)
class DecisionRule:
    id: str
    title: str
    category: str
    effect: Effect
    cond: Cond
    message: str
    source: Source
    notes: str | None
    origin: str
    loc: Location = field(default=Location(), compare=False)


@dataclass(frozen=True)
class DeriveRule:
    id: str
    title: str
    fact: str
    cases: tuple[tuple[Cond, Any], ...]
    otherwise: Any
    source: Source
    origin: str
    # For ``coalesce``: the exact condition under which the value is unknown (no source is
    # recorded), and no 'otherwise' case. The generic construction is equivalent but far too
    # large for durable's patterns; the reference evaluator still uses the generic semantics.
    unknown_when: Cond | None = None
    exhaustive: bool = False
    loc: Location = field(default=Location(), compare=False)

    @property
    def values(self) -> list[Any]:
        return [value for _, value in self.cases] + [self.otherwise]


@dataclass(frozen=True)
class PolicyVersion:
    profile: str
    chain: tuple[str, ...]
    version: str
    era: ProfileVersion
    starts: date
    ends: date | None
    derives: tuple[DeriveRule, ...]
    rules: tuple[DecisionRule, ...]
    params: Mapping[str, Any]
    fact_types: Mapping[str, FieldType]
    sha256: str

    @property
    def name(self) -> str:
        return f"{self.profile}@{self.version}"

    def rule(self, rule_id: str) -> DecisionRule | DeriveRule:
        items: list[DecisionRule | DeriveRule] = [*self.rules, *self.derives]
        for item in items:
            if item.id == rule_id:
                return item
        raise KeyError(rule_id)


Parsed = dict[int, Any]  # id(Located[Rule]) -> Cond, [(Cond, value)] or Coalesce


def canonical_hash(content: Any) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rule_content(rule: Rule, origin: str) -> dict[str, Any]:
    data = rule.model_dump(mode="json", exclude={"effect"}, exclude_none=True)
    data["effect"] = rule.effect.to_data()
    data["origin"] = origin
    return data


def in_force(items: Iterable[Located[Any]], on: date) -> list[Located[Any]]:
    return [x for x in items if x.item.in_force(on)]


def breakpoints(dated: Iterable[Dated]) -> set[date]:
    points: set[date] = set()
    for item in dated:
        points.add(item.effective_from)
        if item.effective_to is not None and item.effective_to < date.max:
            points.add(item.effective_to + timedelta(days=1))
    return points


class Resolver:
    """Builds ``PolicyVersion`` objects for one profile chain (base first, leaf last)."""

    def __init__(self, chain: list[Profile], offences: OffenceTable, parsed: Parsed) -> None:
        self.chain = chain
        self.leaf = chain[-1]
        self.offences = offences
        self.parsed = parsed

    def era(self, on: date) -> ProfileVersion | None:
        for version in self.leaf.meta.item.versions:
            if version.in_force(on):
                return version
        return None

    def slice_bounds(self, on: date) -> tuple[date, date | None]:
        dated: list[Dated] = []
        for profile in self.chain:
            dated += profile.meta.item.versions
            dated += [r.item for r in profile.rules]
            dated += [w.item for w in profile.withdrawals]
            for param in profile.parameters:
                dated += param.item.values
        points = sorted(breakpoints(dated))
        start = max((p for p in points if p <= on), default=on)
        later = [p for p in points if p > on]
        return start, (later[0] - timedelta(days=1)) if later else None

    def rules_on(self, on: date) -> list[tuple[Located[Rule], str]]:
        chosen: list[tuple[Located[Rule], str]] = []
        for profile in self.chain:
            withdrawn = {w.item.rule for w in in_force(profile.withdrawals, on)}
            chosen = [(r, o) for r, o in chosen if r.item.id not in withdrawn]
            chosen += [(r, profile.meta.item.id) for r in in_force(profile.rules, on)]
        return chosen

    def params_on(self, on: date) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for profile in self.chain:
            for param in profile.parameters:
                current = [v for v in param.item.values if v.in_force(on)]
                if current:
                    values[param.item.name] = current[0].value
        return values

    def resolve(self, on: date) -> PolicyVersion:
        era = self.era(on)
        if era is None:
            raise RuleFileError(
                "no-policy-in-force",
                f"profile '{self.leaf.meta.item.id}' has no version in force on {on.isoformat()}",
                self.leaf.meta.at("versions"),
                "check the case's decision_date or the profile's versions",
            )
        start, end = self.slice_bounds(on)
        rules = self.rules_on(start)
        params = self.params_on(start)
        errors: list[DisposalError] = []
        derives, decisions = self._build(rules, params, errors)
        fact_types = self._fact_types(derives, errors)
        every: list[DecisionRule | DeriveRule] = [*derives, *decisions]
        for rule in every:
            checker = TypeChecker(fact_types, self.offences.codes, rule.id)
            for cond in _conds_of(rule):
                checker.check(cond)
            errors += checker.errors
        ordered = _topological(derives, errors)
        if errors:
            raise as_exception(errors)
        content = {
            "profile": self.leaf.meta.item.id,
            "chain": [p.meta.item.id for p in self.chain],
            "version": start.isoformat(),
            "era": era.id,
            "rules": [rule_content(r.item, origin) for r, origin in rules],
            "parameters": params,
            "offences": self.offences.content(),
        }
        return PolicyVersion(
            profile=self.leaf.meta.item.id,
            chain=tuple(p.meta.item.id for p in self.chain),
            version=start.isoformat(),
            era=era,
            starts=start,
            ends=end,
            derives=tuple(ordered),
            rules=tuple(decisions),
            params=params,
            fact_types=fact_types,
            sha256=canonical_hash(content),
        )

    def _build(
        self,
        rules: list[tuple[Located[Rule], str]],
        params: Mapping[str, Any],
        errors: list[DisposalError],
    ) -> tuple[list[DeriveRule], list[DecisionRule]]:
        derives: list[DeriveRule] = []
        decisions: list[DecisionRule] = []
        for located, origin in rules:
            rule = located.item
            parsed = self.parsed.get(id(located))
            if parsed is None:
                continue  # a parse error was already reported
            if not _params_known(located, parsed, params, errors):
                continue
            if rule.effect.kind is EffectKind.DERIVE:
                derives.append(self._derive(located, parsed, params, origin))
            else:
                assert not isinstance(parsed, list)
                decisions.append(
                    DecisionRule(
                        rule.id,
                        rule.title,
                        rule.category,
                        rule.effect,
                        bind(parsed, params),
                        rule.message or "",
                        rule.source,
                        rule.notes,
                        origin,
                        _rule_loc(located),
                    )
                )
        return derives, decisions

    def _derive(
        self, located: Located[Rule], parsed: Any, params: Mapping[str, Any], origin: str
    ) -> DeriveRule:
        rule = located.item
        fact = rule.effect.fact or ""
        if isinstance(parsed, Coalesce):
            cases = coalesce_cases(parsed.refs, self._domain(parsed.refs))
            unknown = All(tuple(Present(r, True, r.loc) for r in parsed.refs), parsed.refs[0].loc)
            return DeriveRule(
                rule.id,
                rule.title,
                fact,
                tuple(cases),
                None,
                rule.source,
                origin,
                unknown,
                exhaustive=True,
                loc=_rule_loc(located),
            )
        if isinstance(parsed, list):
            cases = [(bind(c, params), v) for c, v in parsed]
            otherwise = rule.otherwise
        else:
            cases, otherwise = [(bind(parsed, params), True)], False
        return DeriveRule(
            rule.id,
            rule.title,
            fact,
            tuple(cases),
            otherwise,
            rule.source,
            origin,
            loc=_rule_loc(located),
        )

    def _domain(self, refs_: tuple[Ref, ...]) -> list[Any]:
        values: set[Any] = set()
        for ref in refs_:
            ftype = field_type_of(ref)
            values |= set(ftype.values if ftype else ())
        return sorted(values, key=lambda v: (str(type(v)), v))

    def _fact_types(
        self, derives: list[DeriveRule], errors: list[DisposalError]
    ) -> dict[str, FieldType]:
        types: dict[str, FieldType] = {}
        owners: dict[str, str] = {}
        for rule in derives:
            if rule.fact in owners:
                errors.append(
                    RuleFileError(
                        "duplicate-derivation",
                        f"fact '{rule.fact}' is also derived by {owners[rule.fact]} at this date",
                        rule.loc,
                    )
                )
            owners[rule.fact] = rule.id
            types[rule.fact] = derived_type(rule.values)
        return types


def field_type_of(ref: Ref) -> FieldType | None:
    """The type of a case, computed or table reference (derived facts are typed per version)."""
    if ref.kind == "case":
        return CASE_FIELDS.get(ref.name)
    if ref.kind == "computed":
        spec = COMPUTED.get(ref.name)
        return spec.ftype if spec else None
    if ref.kind == "table":
        return TABLE_FIELDS.get(ref.name)
    return None


def _rule_loc(located: Located[Rule]) -> Location:
    where = located.at("id")
    return Location(where.file, where.line, where.col, located.item.id)


def _params_known(
    located: Located[Rule], parsed: Any, params: Mapping[str, Any], errors: list[DisposalError]
) -> bool:
    if isinstance(parsed, Coalesce):
        return True
    conds = [c for c, _ in parsed] if isinstance(parsed, list) else [parsed]
    ok = True
    for cond in conds:
        for ref, _ in refs(cond):
            if ref.kind == "param" and ref.name not in params:
                where = Location(ref.loc.file, ref.loc.line, ref.loc.col, located.item.id)
                errors.append(
                    RuleFileError(
                        "unknown-parameter",
                        f"no value of parameter '{ref.name}' is in force for this rule's dates",
                        where,
                        did_you_mean(ref.name, params),
                    )
                )
                ok = False
    return ok


def _conds_of(rule: DecisionRule | DeriveRule) -> list[Cond]:
    return [c for c, _ in rule.cases] if isinstance(rule, DeriveRule) else [rule.cond]


def derived_reads(rule: DecisionRule | DeriveRule) -> set[str]:
    return {r.name for c in _conds_of(rule) for r, _ in refs(c) if r.kind == "derived"}


def _topological(derives: list[DeriveRule], errors: list[DisposalError]) -> list[DeriveRule]:
    """Derive rules ordered so that each comes after the facts it reads; cycles are errors."""
    by_fact = {d.fact: d for d in derives}
    done: list[DeriveRule] = []
    state: dict[str, int] = {}

    def visit(rule: DeriveRule, stack: tuple[str, ...]) -> None:
        mark = state.get(rule.fact, 0)
        if mark == 2:
            return
        if mark == 1:
            cycle = " -> ".join((*stack, rule.fact))
            errors.append(
                RuleFileError("derive-cycle", f"derived facts form a cycle: {cycle}", rule.loc)
            )
            return
        state[rule.fact] = 1
        for name in sorted(derived_reads(rule)):
            if name in by_fact:
                visit(by_fact[name], (*stack, rule.fact))
        state[rule.fact] = 2
        done.append(rule)

    for rule in derives:
        visit(rule, ())
    return done


@dataclass(frozen=True)
class Coalesce:
    """A ``coalesce`` derive: the first of ``refs`` that is recorded gives the value."""

    refs: tuple[Ref, ...]


def coalesce_cases(refs_: tuple[Ref, ...], domain: list[Any]) -> list[tuple[Cond, Any]]:
    """One case per possible value: some source holds it and every earlier one is absent."""
    cases: list[tuple[Cond, Any]] = []
    for value in domain:
        options: list[Cond] = []
        for j, ref in enumerate(refs_):
            earlier = tuple(Present(r, True, r.loc) for r in refs_[:j])
            options.append(
                All((*earlier, Cmp("eq", ref, Literal(value, ref.loc), ref.loc)), ref.loc)
            )
        cases.append((AnyOf(tuple(options), refs_[0].loc), value))
    return cases
