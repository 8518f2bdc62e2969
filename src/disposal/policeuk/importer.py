"""police.uk street and outcomes rows -> partial case records (``disposal import police-uk``).

One record per crime of the street files given (the Crime ID is the ``case_id``). Its outcome
is the latest one the outcomes files hold for that Crime ID (latest month; within a month the
first in ``mapping.OUTCOMES`` order), else the street file's "Last outcome category".
``decision_date`` is the first day of the month that outcome was recorded in (outcomes files),
or of the crime month when only the street file gives the outcome: the street Month is when the
crime happened, so the decision can only be that month or later (see docs/POLICE_UK.md).

Every row read is accounted for: street rows are written or skipped with a reason; outcome rows
are used, superseded by another outcome of the same crime, unmatched (no street row among the
files given), or skipped with a reason. ``ImportSummary.reconciles()`` checks the arithmetic.

Memory: the outcomes files are indexed by Crime ID (about 300 bytes per distinct ID), and the
Crime IDs written are remembered to keep ``case_id`` unique; the street files are streamed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from disposal.case import CaseRecord
from disposal.errors import InputError, Location
from disposal.policeuk.mapping import ASB, CRIME_TYPES, LOCAL_RESOLUTION, OUTCOMES, priority
from disposal.policeuk.reader import OUTCOMES as OUTCOMES_LAYOUT
from disposal.policeuk.reader import STREET, PoliceUkFile, Row, open_file

_CRIME_ID = re.compile(r"^[0-9a-f]{64}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
BTP_NAME = "British Transport Police"

# Why a row contributed no record (the codes in the summary and the rejects file).
REASONS: dict[str, str] = {
    "anti-social-behaviour": "anti-social behaviour is not a crime and has no Crime ID",
    "btp-no-crime-id": "British Transport Police rows carry no Crime ID",
    "no-crime-id": "the row has no Crime ID, so it cannot be linked or reviewed",
    "bad-crime-id": "the Crime ID is not 64 lower-case hexadecimal characters",
    "bad-month": "Month is not YYYY-MM",
    "unknown-force": "the force name is not in rules/forces.yaml",
    "malformed-row": "the row has the wrong number of cells",
    "duplicate-crime-id": "another street row with this Crime ID was used",
    "invalid-record": "the record did not validate as a case record",
    "superseded": "another outcome of the same crime was used (later month or higher priority)",
    "unmatched": "no street row among the files given has this Crime ID",
}


@dataclass(frozen=True)
class Reject:
    file: str
    line: int
    layout: str
    reason: str
    cells: Mapping[str, str]


RejectSink = Callable[[Reject], None]


@dataclass
class ImportSummary:
    street_files: int = 0
    outcome_files: int = 0
    street_rows: int = 0
    written: int = 0
    street_skipped: Counter[str] = field(default_factory=Counter)
    outcome_rows: int = 0
    outcome_used: int = 0
    outcome_skipped: Counter[str] = field(default_factory=Counter)
    local_resolutions: Counter[str] = field(default_factory=Counter)  # by crime type
    outcome_types: Counter[str] = field(default_factory=Counter)  # written records
    warnings: Counter[str] = field(default_factory=Counter)

    def reconciles(self) -> bool:
        streets = self.written + sum(self.street_skipped.values())
        outcomes = self.outcome_used + sum(self.outcome_skipped.values())
        return self.street_rows == streets and self.outcome_rows == outcomes

    def lines(self) -> list[str]:
        """The summary as text lines (counts only: no row values)."""
        out = [
            f"police.uk import: {self.street_files} street file(s), "
            f"{self.outcome_files} outcomes file(s)",
            f"street rows read: {self.street_rows}",
            f"  records written: {self.written}",
            f"  rows skipped: {sum(self.street_skipped.values())}",
            *_counts(self.street_skipped, "    "),
            f"outcome rows read: {self.outcome_rows}",
            f"  used (latest outcome of a record written): {self.outcome_used}",
            f"  not used: {sum(self.outcome_skipped.values())}",
            *_counts(self.outcome_skipped, "    "),
            f'community resolutions ("Local resolution") in records written: '
            f"{sum(self.local_resolutions.values())}",
            *_counts(self.local_resolutions, "  "),
            "records by actual_outcome (HO type; none = not recorded):",
            *_counts(self.outcome_types, "  "),
        ]
        if self.warnings:
            out += ["notes:", *_counts(self.warnings, "  ")]
        out.append("counts reconcile" if self.reconciles() else "COUNTS DO NOT RECONCILE")
        return out


def _counts(counter: Counter[str], indent: str) -> list[str]:
    return [f"{indent}{key}: {count}" for key, count in sorted(counter.items(), key=_by_count)]


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


class _Best:
    """The outcome used so far for one Crime ID, and what else was seen for it."""

    __slots__ = ("conflict", "file", "had_lr", "line", "month", "outcome", "prio", "rows", "used")

    def __init__(self, month: str, outcome: str, file: int, line: int) -> None:
        self.month, self.outcome, self.prio = month, outcome, priority(outcome)
        self.file, self.line = file, line
        self.rows, self.used = 1, False
        self.had_lr = outcome == LOCAL_RESOLUTION
        self.conflict = False

    def offer(self, month: str, outcome: str, file: int, line: int) -> None:
        self.rows += 1
        self.had_lr |= outcome == LOCAL_RESOLUTION
        prio = priority(outcome)
        if month == self.month and outcome != self.outcome:
            self.conflict = True
        if (month, prio) > (self.month, self.prio):
            self.conflict = month == self.month
            self.month, self.outcome, self.prio, self.file, self.line = (
                month,
                outcome,
                prio,
                file,
                line,
            )


class _Run:
    def __init__(
        self, forces: Mapping[str, str], summary: ImportSummary, sink: RejectSink | None
    ) -> None:
        self.forces = forces
        self.summary = summary
        self.sink = sink
        self.index: dict[str, _Best] = {}
        self.written: set[str] = set()

    def check(self, f: PoliceUkFile, row: Row) -> tuple[str, str]:
        """(reason the row is skipped or "", force slug)."""
        if row.malformed:
            return "malformed-row", ""
        cells = row.cells
        crime_id = cells["Crime ID"].strip()
        if f.layout == STREET and cells["Crime type"].strip() == ASB:
            return "anti-social-behaviour", ""
        force_name = cells["Reported by"].strip() or cells["Falls within"].strip()
        if not crime_id:
            return ("btp-no-crime-id" if force_name == BTP_NAME else "no-crime-id"), ""
        if not _CRIME_ID.match(crime_id):
            return "bad-crime-id", ""
        if not _MONTH.match(cells["Month"].strip()):
            return "bad-month", ""
        slug = self.forces.get(force_name)
        return ("", slug) if slug else ("unknown-force", "")

    def reject(self, f: PoliceUkFile, row: Row, reason: str) -> None:
        counter = (
            self.summary.street_skipped if f.layout == STREET else self.summary.outcome_skipped
        )
        counter[reason] += 1
        if self.sink is not None:
            self.sink(Reject(f.name, row.line, f.layout, reason, row.cells))

    def index_outcomes(self, number: int, f: PoliceUkFile) -> None:
        for row in f.rows():
            self.summary.outcome_rows += 1
            reason, _ = self.check(f, row)
            if reason:
                self.reject(f, row, reason)
                continue
            cells = row.cells
            crime_id, month = cells["Crime ID"].strip(), cells["Month"].strip()
            outcome = cells["Outcome type"].strip()
            best = self.index.get(crime_id)
            if best is None:
                self.index[crime_id] = _Best(month, outcome, number, row.line)
            else:
                best.offer(month, outcome, number, row.line)

    def street_records(self, f: PoliceUkFile) -> Iterator[dict[str, Any]]:
        chosen: dict[str, tuple[int, int]] = {}  # Crime ID -> (-priority, line) of the row used
        for row in f.rows():
            if not self.check(f, row)[0]:
                key = (-priority(row.cells["Last outcome category"].strip()), row.line)
                crime_id = row.cells["Crime ID"].strip()
                chosen[crime_id] = min(chosen.get(crime_id, key), key)
        for row in f.rows():
            self.summary.street_rows += 1
            reason, slug = self.check(f, row)
            crime_id = "" if reason else row.cells["Crime ID"].strip()
            if not reason and (crime_id in self.written or chosen[crime_id][1] != row.line):
                reason = "duplicate-crime-id"
            record = None if reason else self.record(row.cells, slug)
            if record is None:
                self.reject(f, row, reason or "invalid-record")
                continue
            self.written.add(crime_id)
            self.summary.written += 1
            yield record

    def record(self, cells: Mapping[str, str], slug: str) -> dict[str, Any] | None:
        summary = self.summary
        crime_id, crime_month = cells["Crime ID"].strip(), cells["Month"].strip()
        crime_type = cells["Crime type"].strip()
        street_outcome = cells["Last outcome category"].strip()
        best = self.index.get(crime_id)
        if best is not None:
            best.used = True
            outcome, month, source = best.outcome, best.month, "outcomes file"
            self._warn_outcomes(best, street_outcome, crime_month)
        else:
            outcome, month, source = street_outcome, crime_month, "street file, crime month"
        offence: dict[str, Any] = {}
        kind = CRIME_TYPES.get(crime_type)
        if kind is None:
            summary.warnings["unknown-crime-type"] += 1
        elif kind.family is not None:
            offence["family"] = kind.family.value
        offence["description"] = (
            f"police.uk: {crime_type or 'no crime type'}; "
            f"outcome: {outcome or 'none'} ({source} {month})"
        )
        record: dict[str, Any] = {
            "case_id": crime_id,
            "force": slug,
            "decision_date": f"{month}-01",
            "offence": offence,
        }
        mapped = OUTCOMES.get(outcome)
        if outcome and mapped is None:
            summary.warnings["unknown-outcome"] += 1
        if mapped is not None and mapped.ho_type is not None:
            record["actual_outcome"] = mapped.ho_type
        try:
            CaseRecord.model_validate(record)
        except ValidationError:
            return None
        summary.outcome_types[str(record.get("actual_outcome", "none"))] += 1
        if outcome == LOCAL_RESOLUTION:
            summary.local_resolutions[crime_type or "no crime type"] += 1
        return record

    def _warn_outcomes(self, best: _Best, street_outcome: str, crime_month: str) -> None:
        warnings = self.summary.warnings
        if best.month < crime_month:
            warnings["outcome-month-before-crime-month"] += 1
        if best.conflict:
            warnings["several-outcomes-in-latest-month"] += 1
        if best.had_lr and best.outcome != LOCAL_RESOLUTION:
            warnings["local-resolution-superseded"] += 1
        if street_outcome and street_outcome != best.outcome:
            warnings["street-outcome-differs"] += 1
            if street_outcome == LOCAL_RESOLUTION:
                warnings["street-local-resolution-not-used"] += 1

    def finish(self, outcome_files: Sequence[PoliceUkFile]) -> None:
        summary = self.summary
        for best in self.index.values():
            summary.outcome_skipped["superseded"] += best.rows - 1
            if best.used:
                summary.outcome_used += 1
            else:
                summary.outcome_skipped["unmatched"] += 1
                if best.outcome == LOCAL_RESOLUTION:
                    summary.warnings["local-resolution-unmatched"] += 1
        summary.outcome_skipped += Counter()  # drop zero counts
        if self.sink is None:
            return
        for number, f in enumerate(outcome_files):
            for row in f.rows():
                if self.check(f, row)[0]:
                    continue
                best = self.index[row.cells["Crime ID"].strip()]
                if (best.file, best.line) != (number, row.line):
                    self.sink(Reject(f.name, row.line, f.layout, "superseded", row.cells))
                elif not best.used:
                    self.sink(Reject(f.name, row.line, f.layout, "unmatched", row.cells))


def import_police_uk(
    paths: Sequence[Path],
    forces: Mapping[str, str],
    summary: ImportSummary | None = None,
    on_reject: RejectSink | None = None,
) -> Iterator[dict[str, Any]]:
    """Partial case records from police.uk files, streamed in street-file order.

    ``forces`` maps police.uk force names ("Cheshire Constabulary") to force slugs. Every file's
    header is checked before anything is read (``InputError`` naming the file otherwise); at
    least one street file is needed. ``summary`` is filled in as records are produced and is
    complete when the iterator is exhausted; ``on_reject`` receives every row that produced no
    record, with its reason.
    """
    files = [open_file(path) for path in paths]
    streets = [f for f in files if f.layout == STREET]
    outcomes = [f for f in files if f.layout == OUTCOMES_LAYOUT]
    if not streets:
        raise InputError(
            "no-street-file",
            "no police.uk street file among the files given",
            Location(", ".join(str(p) for p in paths)),
            "records are made from street files; outcomes files only add outcomes to them",
        )
    summary = summary if summary is not None else ImportSummary()
    summary.street_files, summary.outcome_files = len(streets), len(outcomes)
    return _run(_Run(forces, summary, on_reject), streets, outcomes)


def _run(run: _Run, streets: list[PoliceUkFile], outcomes: list[PoliceUkFile]) -> Iterator[Any]:
    for number, f in enumerate(outcomes):
        run.index_outcomes(number, f)
    for f in streets:
        yield from run.street_records(f)
    run.finish(outcomes)
