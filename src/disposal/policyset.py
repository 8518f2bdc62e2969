"""Everything under ``rules/``: the offence table, the force list and the profiles, checked.

``PolicySet.load`` reads and validates all files and collects every error before raising, so a
policy owner sees all problems in one run. ``check`` goes further and resolves every dated
version of every profile, which type-checks every rule as it would be evaluated.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from disposal.case import References
from disposal.checks import static_checks
from disposal.compiler import compile_policy
from disposal.conditions import Cond, ConditionParser, Ref
from disposal.errors import (
    DisposalError,
    InputError,
    Location,
    RuleFileError,
    as_exception,
    did_you_mean,
    raise_all,
)
from disposal.offences import OffenceTable, load_offence_table
from disposal.policy import Located, Profile, Rule, load_profile
from disposal.resolve import Coalesce, Parsed, PolicyVersion, Resolver, field_type_of
from disposal.source import load_document
from disposal.validation import errors_from_validation

NATIONAL = "national"


def default_rules_dir() -> Path:
    """$DISPOSAL_RULES, else ./rules, else the rules/ folder beside the source tree."""
    env = os.environ.get("DISPOSAL_RULES")
    if env:
        return Path(env)
    here = Path("rules")
    if (here / "offences.yaml").exists():
        return here
    return Path(__file__).resolve().parents[2] / "rules"


class _Force(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    slug: str
    name: str


class _ForceList(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    forces: list[_Force]


@dataclass(frozen=True)
class Resolution:
    """The policy a case is decided under, and why, when it is not the force's own profile."""

    policy: PolicyVersion
    force: str
    fallback: str | None = None


class PolicySet:
    def __init__(
        self,
        root: Path,
        offences: OffenceTable,
        forces: dict[str, str],
        profiles: dict[str, Profile],
        parsed: Parsed,
    ) -> None:
        self.root = root
        self.offences = offences
        self.forces = forces
        self.profiles = profiles
        self.parsed = parsed
        self._cache: dict[tuple[str, date], PolicyVersion] = {}
        self._resolvers: dict[str, Resolver] = {}

    # -- loading ----------------------------------------------------------------------------

    @classmethod
    def load(cls, root: Path) -> PolicySet:
        """Load and statically check everything; raise all problems found together."""
        errors: list[DisposalError] = []
        policy = cls.load_collecting(root, errors)
        raise_all(errors)
        assert policy is not None
        return policy

    @classmethod
    def load_collecting(cls, root: Path, errors: list[DisposalError]) -> PolicySet | None:
        """Load what can be loaded, appending every problem; None when nothing usable is left."""
        if not root.is_dir():
            errors.append(
                RuleFileError(
                    "file-not-found", "rules directory does not exist", Location(str(root))
                )
            )
            return None
        offences = _catch(errors, lambda: load_offence_table(root / "offences.yaml"))
        forces = _catch(errors, lambda: _load_forces(root / "forces.yaml")) or {}
        profiles: dict[str, Profile] = {}
        profile_root = root / "profiles"
        dirs = (
            sorted(p for p in profile_root.iterdir() if p.is_dir()) if profile_root.is_dir() else []
        )
        for directory in dirs:
            profile = load_profile(directory, errors)
            if profile is not None:
                profiles[profile.meta.item.id] = profile
        if NATIONAL not in profiles:
            errors.append(
                RuleFileError(
                    "missing-profile", "no 'national' profile", Location(str(profile_root))
                )
            )
        parsed = _parse_all(profiles, errors)
        if offences is None or NATIONAL not in profiles:
            return None
        policy = cls(root, offences, forces, profiles, parsed)
        errors.extend(policy.static_errors())
        return policy

    @classmethod
    def check_directory(cls, root: Path) -> list[DisposalError]:
        """The full ``disposal rules check``: every problem of every kind, sorted by place."""
        errors: list[DisposalError] = []
        policy = cls.load_collecting(root, errors)
        if policy is not None:
            errors.extend(policy.check())
        unique = {(e.location, e.code, e.message): e for e in errors}
        return sorted(unique.values(), key=lambda e: (e.location, e.code))

    # -- checks -----------------------------------------------------------------------------

    def static_errors(self) -> list[DisposalError]:
        return static_checks(self)

    def check(self) -> list[DisposalError]:
        """Resolve and compile every version of every profile, collecting all problems.

        Static checks are reported by ``load``/``load_collecting``; this adds what only shows
        once a version is resolved (type errors, cycles) or compiled (rules too complex).
        """
        errors: list[DisposalError] = []
        for profile_id in sorted(self.profiles):
            try:
                starts = self.version_starts(profile_id)
            except DisposalError as exc:
                errors.extend(getattr(exc, "errors", [exc]))
                continue
            for start in starts:
                try:
                    compile_policy(self.resolve(profile_id, start))
                except DisposalError as exc:
                    errors.extend(getattr(exc, "errors", [exc]))
        unique = {(e.location, e.code, e.message): e for e in errors}
        return list(unique.values())

    # -- resolution -------------------------------------------------------------------------

    def chain(self, profile_id: str) -> list[Profile]:
        chain: list[Profile] = []
        current: str | None = profile_id
        while current is not None:
            profile = self.profiles.get(current)
            if profile is None or profile in chain:
                raise RuleFileError(
                    "unknown-profile", f"profile chain of '{profile_id}' is broken", Location()
                )
            chain.insert(0, profile)
            current = profile.meta.item.extends
        return chain

    def resolver(self, profile_id: str) -> Resolver:
        if profile_id not in self._resolvers:
            self._resolvers[profile_id] = Resolver(
                self.chain(profile_id), self.offences, self.parsed
            )
        return self._resolvers[profile_id]

    def resolve(self, profile_id: str, on: date) -> PolicyVersion:
        resolver = self.resolver(profile_id)
        start, _ = resolver.slice_bounds(on)
        key = (profile_id, start)
        if key not in self._cache:
            self._cache[key] = resolver.resolve(on)
        return self._cache[key]

    def version_starts(self, profile_id: str) -> list[date]:
        """The first day of every policy version of a profile, within its declared versions."""
        resolver = self.resolver(profile_id)
        starts: set[date] = set()
        for era in self.profiles[profile_id].meta.item.versions:
            day = era.effective_from
            while era.in_force(day):
                start, end = resolver.slice_bounds(day)
                starts.add(max(start, era.effective_from))
                if end is None:
                    break
                day = end.fromordinal(end.toordinal() + 1)
        return sorted(starts)

    def profile_for(self, force: str) -> str:
        """The profile a force's cases use: its own when it has one, else ``national``."""
        if force == NATIONAL or force in self.profiles:
            return force
        for profile in self.profiles.values():
            if force in profile.meta.item.forces:
                return profile.meta.item.id
        return NATIONAL

    def references(self) -> References:
        """What case records may refer to: HO codes, their families and force slugs."""
        forces = {NATIONAL, *self.forces, *self.profiles}
        return References(self.offences.codes, self.offences.family_of(), forces)

    def known_force(self, force: str) -> bool:
        return force == NATIONAL or force in self.forces or force in self.profiles

    def for_case(self, force: str, on: date, profile_override: str | None = None) -> Resolution:
        """The policy version a case is decided under, falling back to national with a note."""
        if not self.known_force(force):
            raise InputError(
                "unknown-force",
                "is not a force slug listed in rules/forces.yaml",
                Location(field="force"),
                did_you_mean(force, [*self.forces, NATIONAL]),
            )
        profile_id = profile_override or self.profile_for(force)
        if profile_id not in self.profiles:
            raise InputError(
                "unknown-profile",
                f"no profile '{profile_id}'",
                Location(),
                did_you_mean(profile_id, self.profiles),
            )
        fallback = None
        if profile_id == NATIONAL and force not in (NATIONAL, *self.profiles):
            fallback = f"force '{force}' has no profile of its own; national guidance applies"
        elif profile_id != NATIONAL and self.resolver(profile_id).era(on) is None:
            fallback = (
                f"profile '{profile_id}' has no version in force on {on.isoformat()}; "
                "national guidance applies"
            )
            profile_id = NATIONAL
        return Resolution(self.resolve(profile_id, on), force, fallback)


def _catch(errors: list[DisposalError], thunk: Any) -> Any:
    try:
        return thunk()
    except DisposalError as exc:
        errors.extend(getattr(exc, "errors", [exc]))
        return None


def _load_forces(path: Path) -> dict[str, str]:
    doc = load_document(path, RuleFileError)
    try:
        model = _ForceList.model_validate(doc.data)
    except ValidationError as exc:
        raise as_exception(
            errors_from_validation(exc, doc.data, doc, (), _ForceList, RuleFileError)
        ) from None
    return {f.slug: f.name for f in model.forces}


def _parse_all(profiles: dict[str, Profile], errors: list[DisposalError]) -> Parsed:
    parsed: Parsed = {}
    for profile in profiles.values():
        for located in profile.rules:
            result = _parse_rule(located, errors)
            if result is not None:
                parsed[id(located)] = result
    return parsed


def _parse_rule(located: Located[Rule], errors: list[DisposalError]) -> Any:
    rule = located.item
    parser = ConditionParser(located.doc, rule.id)
    result: Any = None
    if rule.when is not None:
        result = parser.parse(rule.when, (*located.path, "when"))
    elif rule.cases is not None:
        cases: list[tuple[Cond | None, Any]] = [
            (parser.parse(case.when, (*located.path, "cases", i, "when")), case.value)
            for i, case in enumerate(rule.cases)
        ]
        result = [(c, v) for c, v in cases if c is not None]
    elif rule.table is not None:
        result = _table_cases(located, parser)
    elif rule.coalesce is not None:
        result = _coalesce(located, parser)
    errors.extend(parser.errors)
    return None if parser.errors else result


def _coalesce(located: Located[Rule], parser: ConditionParser) -> Coalesce | None:
    """Parse a ``coalesce`` list: references with a closed set of values, of one type."""
    refs_: list[Ref] = []
    kinds: set[str] = set()
    for i, raw in enumerate(located.item.coalesce or []):
        path = (*located.path, "coalesce", i)
        ref = parser._ref(raw, path, allow_param=False)
        if ref is None:
            continue
        ftype = field_type_of(ref)
        if ftype is None or not ftype.values:
            parser._err(
                path,
                "bad-coalesce",
                f"'{raw}' must be a case, computed or table fact with a closed set of values",
            )
            continue
        kinds.add(ftype.kind)
        refs_.append(ref)
    if len(kinds) > 1:
        parser._err(
            (*located.path, "coalesce"), "bad-coalesce", "all sources must have the same type"
        )
    return Coalesce(tuple(refs_)) if refs_ else None


def _table_cases(located: Located[Rule], parser: ConditionParser) -> list[tuple[Cond, Any]]:
    """A ``table`` derive becomes one ``all(eq(key, v) ...)`` case per row."""
    table = located.item.table
    assert table is not None
    out: list[tuple[Cond, Any]] = []
    for i, row in enumerate(table.rows):
        path = (*located.path, "table", "rows", i)
        if len(row) != len(table.keys) + 1:
            parser._err(
                path, "bad-table-row", f"a row has {len(table.keys)} key values then the value"
            )
            continue
        raw = {"all": [{"eq": [k, v]} for k, v in zip(table.keys, row[:-1], strict=True)]}
        cond = ConditionParser(located.doc, located.item.id).parse(raw, path)
        if cond is not None:
            out.append((cond, row[-1]))
    return out
