"""Counting a results file in one streaming pass, with memory bounded by the vocabularies.

The heart of the report is a *cube*: the number of records for each combination of force,
financial year, offence family, decision, compliance and outcome kind. Its size depends on how
many forces, years and families there are (a few hundred thousand cells at most for a decade of
national data), never on the number of records. Everything else kept is bounded too: reasons
and missing facts are counted by rule and by field, and the non-compliant cases kept for
listing are at most ``max_listed`` (the first in force, financial year, case id order). Every
table in the report is a sum over the cube.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from disposal.report.columns import FileStats, iter_records
from disposal.report.model import ResultRecord, shaping_reasons
from disposal.vocab import COMMUNITY_RESOLUTION_OUTCOME, Compliance, Decision, OffenceFamily

OUTCOME_CR = "community_resolution"
OUTCOME_OTHER = "other"
OUTCOME_NONE = "not_recorded"
OUTCOME_KINDS = (OUTCOME_CR, OUTCOME_OTHER, OUTCOME_NONE)

# (force, financial_year, offence_family, decision, compliance, outcome kind)
CubeKey = tuple[str, str | None, str | None, str, str | None, str]
Dimension = Literal["force", "financial_year", "offence_family"]
_DIMENSION_INDEX = {"force": 0, "financial_year": 1, "offence_family": 2}


@dataclass(frozen=True)
class SourceFile:
    """A results file read: its base name (so reports do not depend on where it was), its
    number of records and the SHA-256 of its bytes, for checking with ``sha256sum``."""

    name: str
    records: int
    sha256: str


@dataclass(frozen=True)
class PolicyUse:
    profile: str
    version: str
    sha256: str
    records: int


@dataclass(frozen=True)
class ReasonCount:
    rule: str
    message: str
    cases: int


@dataclass(frozen=True)
class ListedCase:
    case_id: str
    force: str
    decision_date: str | None
    financial_year: str | None
    offence_family: str | None
    ho_code: str | None
    decision: str
    required_authority: str | None
    reasons: tuple[tuple[str, str], ...]

    @property
    def sort_key(self) -> tuple[str, bool, str, str]:
        year = self.financial_year
        return (self.force, year is None, year or "", self.case_id)


@dataclass(frozen=True)
class Tally:
    """Counts for one group of records: all decisions, and those of the CRs actually given."""

    records: int = 0
    decisions: dict[str, int] = field(default_factory=dict)
    cr_decisions: dict[str, int] = field(default_factory=dict)

    @property
    def cr_given(self) -> int:
        return sum(self.cr_decisions.values())

    @property
    def compliant(self) -> int:
        return self.cr_decisions.get(Decision.PERMITTED, 0)

    @property
    def lacking_authorisation(self) -> int:
        return self.cr_decisions.get(Decision.REQUIRES_AUTHORISATION, 0)

    @property
    def not_permitted(self) -> int:
        return self.cr_decisions.get(Decision.NOT_PERMITTED, 0)

    @property
    def non_compliant(self) -> int:
        return self.lacking_authorisation + self.not_permitted

    @property
    def unverifiable(self) -> int:
        return self.cr_decisions.get(Decision.INSUFFICIENT_INFORMATION, 0)


def tally(cells: Iterable[tuple[CubeKey, int]]) -> Tally:
    records, decisions, cr_decisions = 0, Counter[str](), Counter[str]()
    for key, count in cells:
        records += count
        decisions[key[3]] += count
        if key[5] == OUTCOME_CR:
            cr_decisions[key[3]] += count
    return Tally(records, dict(decisions), dict(cr_decisions))


def _group_order(dimension: Dimension, value: str | None) -> tuple[bool, int, str]:
    if dimension == "offence_family" and value is not None:
        return (False, list(OffenceFamily).index(OffenceFamily(value)), value)
    return (value is None, 0, value or "")


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, counted from the results; small whatever the input size."""

    sources: tuple[SourceFile, ...]
    cube: dict[CubeKey, int]
    first_date: str | None
    last_date: str | None
    policies: tuple[PolicyUse, ...]
    reasons: tuple[ReasonCount, ...]
    missing_facts: tuple[tuple[str, int], ...]
    lacking_rank: tuple[tuple[str, int], ...]
    listed: tuple[ListedCase, ...]
    max_listed: int
    no_ho_code: int
    no_policy: int

    @property
    def records(self) -> int:
        return sum(self.cube.values())

    @property
    def forces(self) -> list[str]:
        return sorted({key[0] for key in self.cube})

    def overall(self) -> Tally:
        return tally(self.cube.items())

    def outcome_kinds(self) -> dict[str, int]:
        counts = Counter[str]()
        for key, count in self.cube.items():
            counts[key[5]] += count
        return {kind: counts.get(kind, 0) for kind in OUTCOME_KINDS}

    def breakdown(self, dimension: Dimension) -> list[tuple[str | None, Tally]]:
        """One ``Tally`` per value of ``dimension`` (not-recorded last), in reading order."""
        index = _DIMENSION_INDEX[dimension]
        groups: dict[str | None, list[tuple[CubeKey, int]]] = {}
        for key, count in self.cube.items():
            groups.setdefault(key[index], []).append((key, count))
        order = sorted(groups, key=lambda v: _group_order(dimension, v))
        return [(value, tally(groups[value])) for value in order]

    @property
    def non_compliant(self) -> int:
        return self.overall().non_compliant

    @property
    def omitted(self) -> int:
        return self.non_compliant - len(self.listed)


NonCompliantSink = Callable[[ResultRecord], None]


class _Accumulator:
    def __init__(self, max_listed: int, sink: NonCompliantSink | None) -> None:
        self.max_listed = max_listed
        self.sink = sink
        self.cube: Counter[CubeKey] = Counter()
        self.first: str | None = None
        self.last: str | None = None
        self.policies: Counter[tuple[str, str, str]] = Counter()
        self.no_policy = 0
        self.no_ho_code = 0
        self.reasons: Counter[tuple[str, str]] = Counter()
        self.missing: Counter[str] = Counter()
        self.ranks: Counter[str] = Counter()
        self.listed: list[ListedCase] = []

    def add(self, record: ResultRecord, year: str | None) -> None:
        case = record.case
        outcome = case.actual_outcome
        kind = (
            OUTCOME_NONE
            if outcome is None
            else OUTCOME_CR
            if outcome == COMMUNITY_RESOLUTION_OUTCOME
            else OUTCOME_OTHER
        )
        family = case.offence_family
        key = (case.force, year, family, record.decision, record.compliance, kind)
        self.cube[key] += 1
        day = case.decision_date
        if day is not None:
            self.first = day if self.first is None or day < self.first else self.first
            self.last = day if self.last is None or day > self.last else self.last
        if record.policy is None:
            self.no_policy += 1
        else:
            self.policies[(record.policy.profile, record.policy.version, record.policy.sha256)] += 1
        if case.ho_code is None:
            self.no_ho_code += 1
        if record.compliance is Compliance.NON_COMPLIANT:
            self._non_compliant(record, year)
        elif record.compliance is Compliance.UNVERIFIABLE:
            self.missing.update(set(record.missing))

    def _non_compliant(self, record: ResultRecord, year: str | None) -> None:
        reasons = tuple((r.rule, r.message) for r in shaping_reasons(record))
        self.reasons.update(set(reasons))
        if record.decision is Decision.REQUIRES_AUTHORISATION and record.required_authority:
            self.ranks[record.required_authority] += 1
        if self.sink is not None:
            self.sink(record)
        if self.max_listed <= 0:
            return
        case = record.case
        self.listed.append(
            ListedCase(
                record.case_id,
                case.force,
                case.decision_date,
                year,
                case.offence_family,
                case.ho_code,
                record.decision,
                record.required_authority,
                reasons,
            )
        )
        if len(self.listed) >= 2 * self.max_listed:
            self._trim()

    def _trim(self) -> None:
        self.listed.sort(key=lambda c: c.sort_key)
        del self.listed[self.max_listed :]

    def result(self, sources: Sequence[SourceFile]) -> ReportData:
        self._trim()
        return ReportData(
            sources=tuple(sources),
            cube=dict(self.cube),
            first_date=self.first,
            last_date=self.last,
            policies=tuple(PolicyUse(*key, count) for key, count in sorted(self.policies.items())),
            reasons=tuple(
                ReasonCount(rule, message, count)
                for (rule, message), count in sorted(
                    self.reasons.items(), key=lambda item: (-item[1], item[0])
                )
            ),
            missing_facts=_by_count(self.missing),
            lacking_rank=_by_count(self.ranks),
            listed=tuple(self.listed),
            max_listed=self.max_listed,
            no_ho_code=self.no_ho_code,
            no_policy=self.no_policy,
        )


def _by_count(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def aggregate(
    paths: Sequence[Path],
    max_listed: int = 500,
    *,
    on_non_compliant: NonCompliantSink | None = None,
) -> ReportData:
    """Count the results files in one streaming pass (``on_non_compliant`` sees each such case)."""
    acc = _Accumulator(max_listed, on_non_compliant)
    sources: list[SourceFile] = []
    for path in paths:
        stats = FileStats(path)
        for checked in iter_records(path, stats):
            acc.add(checked.record, checked.financial_year)
        sources.append(SourceFile(path.name, stats.records, stats.sha256))
    return acc.result(sources)
