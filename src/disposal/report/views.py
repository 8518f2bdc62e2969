"""The report's content as captioned tables and sentences, shared by the HTML and Markdown.

Everything here is plain text: each template escapes it for its own format. Tables know which
columns hold numbers so that both formats right-align them. Numbering of tables follows the
order in which they appear.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from disposal.report.aggregate import Dimension, ReportData, Tally
from disposal.report.labels import (
    DECISION_LABELS,
    NOT_RECORDED,
    family_label,
    force_label,
    long_date,
    number,
    percent,
    rank_label,
    year_label,
)
from disposal.vocab import Decision

REASONS_SHOWN = 20
MISSING_SHOWN = 20
Labeller = Callable[[str | None], str]


@dataclass(frozen=True)
class Table:
    number: int
    caption: str
    headers: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    numeric: frozenset[int] = frozenset()
    total: tuple[str, ...] | None = None
    notes: tuple[str, ...] = ()
    mono: frozenset[int] = frozenset()
    align: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        align = tuple("right" if i in self.numeric else "left" for i in range(len(self.headers)))
        object.__setattr__(self, "align", align)

    def css(self, column: int) -> str:
        """The HTML class of a column: its alignment, and ``hash`` for digests."""
        return self.align[column] + (" hash" if column in self.mono else "")

    @property
    def label(self) -> str:
        return f"Table {self.number}"


def plural(count: int, one: str, many: str) -> str:
    return f"{number(count)} {one if count == 1 else many}"


_BREAKDOWN_HEADERS = (
    "Records",
    "CRs given",
    "Compliant",
    "Non-compliant: authorisation not held",
    "Non-compliant: not permitted",
    "Unverifiable",
    "% non-compliant",
    "% unverifiable",
)
_BREAKDOWN_NOTE = (
    "Records: all results in scope. CRs given: records whose actual outcome was a community "
    "resolution (outcome 8); the other columns count those. Percentages are of the CRs given."
)


def _breakdown_cells(t: Tally) -> tuple[str, ...]:
    return (
        number(t.records),
        number(t.cr_given),
        number(t.compliant),
        number(t.lacking_authorisation),
        number(t.not_permitted),
        number(t.unverifiable),
        percent(t.non_compliant, t.cr_given),
        percent(t.unverifiable, t.cr_given),
    )


class Numbering:
    def __init__(self) -> None:
        self.count = 0

    def next(self) -> int:
        self.count += 1
        return self.count


@dataclass(frozen=True)
class Breakdown:
    """One breakdown section: its table and the chart's labels and tallies."""

    table: Table
    labels: list[str]
    tallies: list[Tally]


def breakdown(
    data: ReportData, dimension: Dimension, n: int, caption: str, first: str, label: Labeller
) -> Breakdown:
    groups = data.breakdown(dimension)
    labels = [label(value) for value, _ in groups]
    rows = [(name, *_breakdown_cells(t)) for name, (_, t) in zip(labels, groups, strict=True)]
    table = Table(
        n,
        caption,
        (first, *_BREAKDOWN_HEADERS),
        rows,
        frozenset(range(1, 9)),
        ("All", *_breakdown_cells(data.overall())),
        (_BREAKDOWN_NOTE,),
    )
    with_crs = [(name, t) for name, (_, t) in zip(labels, groups, strict=True) if t.cr_given]
    return Breakdown(table, [name for name, _ in with_crs], [t for _, t in with_crs])


def _force(names: Mapping[str, str] | None, slug: str | None) -> str:
    return force_label(slug, names) if slug is not None else NOT_RECORDED


def findings(data: ReportData, force_names: Mapping[str, str] | None) -> list[str]:
    """The key findings, in words, for the summary box."""
    t = data.overall()
    period = f"from {long_date(data.first_date)} to {long_date(data.last_date)}"
    out = [
        f"{plural(data.records, 'result was', 'results were')} reviewed, for decisions made "
        f"{period} in {plural(len(data.forces), 'force', 'forces')}."
    ]
    if not t.cr_given:
        out.append("No community resolution was given in these results: none could be assessed.")
        return out
    out.append(
        f"{plural(t.cr_given, 'community resolution was', 'community resolutions were')} given. "
        f"Of these, {number(t.compliant)} ({percent(t.compliant, t.cr_given)}) complied with "
        f"the policy in force on the day, {number(t.non_compliant)} "
        f"({percent(t.non_compliant, t.cr_given)}) did not, and {number(t.unverifiable)} "
        f"({percent(t.unverifiable, t.cr_given)}) could not be verified because facts the "
        "policy needs were not recorded."
    )
    if t.non_compliant:
        out.append(
            f"Of the {number(t.non_compliant)} non-compliant, {number(t.lacking_authorisation)} "
            "needed an authorisation that the record does not hold and "
            f"{number(t.not_permitted)} were not permitted at any rank."
        )
    if data.reasons:
        top = data.reasons[0]
        out.append(
            f"The most frequent reason was {top.rule} ({top.message.rstrip('.')}), in "
            f"{plural(top.cases, 'case', 'cases')} "
            f"({percent(top.cases, t.non_compliant)} of the non-compliant)."
        )
    out.extend(_force_range(data, force_names))
    return out


def _force_range(data: ReportData, force_names: Mapping[str, str] | None) -> list[str]:
    rates = [
        (t.non_compliant / t.cr_given, force, t)
        for force, t in data.breakdown("force")
        if t.cr_given and force is not None
    ]
    if len(rates) < 2:
        return []
    low, high = min(rates, key=lambda r: (r[0], r[1])), max(rates, key=lambda r: (r[0], r[1]))
    return [
        f"Across the {len(rates)} forces, non-compliance ranged from "
        f"{percent(low[2].non_compliant, low[2].cr_given)} in {_force(force_names, low[1])} "
        f"(of {number(low[2].cr_given)} CRs) to "
        f"{percent(high[2].non_compliant, high[2].cr_given)} in {_force(force_names, high[1])} "
        f"(of {number(high[2].cr_given)})."
    ]


def headline_table(data: ReportData, n: int) -> Table:
    t, kinds = data.overall(), data.outcome_kinds()
    rows = [
        ("Results reviewed", number(data.records), ""),
        ("Community resolutions given (outcome 8)", number(t.cr_given), ""),
        ("… compliant", number(t.compliant), percent(t.compliant, t.cr_given)),
        ("… non-compliant", number(t.non_compliant), percent(t.non_compliant, t.cr_given)),
        ("… unverifiable", number(t.unverifiable), percent(t.unverifiable, t.cr_given)),
        ("Other outcome recorded", number(kinds["other"]), ""),
        ("No outcome recorded", number(kinds["not_recorded"]), ""),
    ]
    return Table(
        n, "Headline figures", ("Measure", "Number", "% of CRs given"), rows, frozenset({1, 2})
    )


def decisions_table(data: ReportData, n: int) -> Table:
    t = data.overall()
    rows = [
        (
            DECISION_LABELS[d],
            number(t.decisions.get(d, 0)),
            percent(t.decisions.get(d, 0), t.records),
            number(t.cr_decisions.get(d, 0)),
            percent(t.cr_decisions.get(d, 0), t.cr_given),
        )
        for d in Decision
    ]
    total = ("All", number(t.records), percent(t.records, t.records), number(t.cr_given),
             percent(t.cr_given, t.cr_given))  # fmt: skip
    return Table(
        n,
        "Decisions of the tool, for all results and for the CRs given",
        ("Decision", "All results", "%", "CRs given", "%"),
        rows,
        frozenset({1, 2, 3, 4}),
        total,
        (
            "For a CR given, 'Permitted' is compliant, 'Requires authorisation (not held)' and "
            "'Not permitted' are non-compliant and 'Insufficient information' is unverifiable.",
        ),
    )


def reasons_table(data: ReportData, n: int) -> Table:
    nc = data.non_compliant
    rows = [
        (str(i), r.rule, r.message, number(r.cases), percent(r.cases, nc))
        for i, r in enumerate(data.reasons[:REASONS_SHOWN], start=1)
    ]
    notes = ["A case can have more than one reason, so the column does not sum to the total."]
    if len(data.reasons) > REASONS_SHOWN:
        notes.append(f"{plural(len(data.reasons) - REASONS_SHOWN, 'rule', 'rules')} not shown.")
    return Table(
        n,
        "Most frequent reasons for non-compliance",
        ("#", "Rule", "Reason", "Cases", "% of non-compliant"),
        rows,
        frozenset({0, 3, 4}),
        notes=tuple(notes),
    )


def rank_table(data: ReportData, n: int) -> Table:
    rows = [(rank_label(rank), number(count)) for rank, count in data.lacking_rank]
    return Table(
        n,
        "Rank whose authorisation was needed but not recorded",
        ("Lowest rank that may authorise", "Cases"),
        rows,
        frozenset({1}),
    )


def missing_table(data: ReportData, n: int) -> Table:
    unverifiable = data.overall().unverifiable
    rows = [
        (path, number(count), percent(count, unverifiable))
        for path, count in data.missing_facts[:MISSING_SHOWN]
    ]
    notes = ("A case can lack more than one fact.",)
    return Table(
        n,
        "Facts most often not recorded in unverifiable CRs",
        ("Field (case record)", "Cases", "% of unverifiable"),
        rows,
        frozenset({1, 2}),
        notes=notes,
    )


def cases_table(data: ReportData, n: int, force_names: Mapping[str, str] | None) -> Table:
    rows = [
        (
            c.case_id,
            _force(force_names, c.force),
            long_date(c.decision_date),
            family_label(c.offence_family),
            c.ho_code or "",
            DECISION_LABELS[c.decision],
            rank_label(c.required_authority),
            "; ".join(f"{rule}: {message}" if message else rule for rule, message in c.reasons),
        )
        for c in data.listed
    ]
    return Table(
        n,
        "Non-compliant community resolutions",
        ("Case", "Force", "Date", "Offence family", "HO code", "Decision", "Authority", "Reasons"),
        rows,
    )


def breakdowns(
    data: ReportData, numbering: Numbering, force_names: Mapping[str, str] | None
) -> dict[str, Breakdown]:
    return {
        "force": breakdown(
            data,
            "force",
            numbering.next(),
            "Community resolutions by force",
            "Force",
            partial(_force, force_names),
        ),
        "family": breakdown(
            data,
            "offence_family",
            numbering.next(),
            "Community resolutions by offence family",
            "Offence family",
            family_label,
        ),
        "year": breakdown(
            data,
            "financial_year",
            numbering.next(),
            "Community resolutions by financial year (April to March)",
            "Financial year",
            year_label,
        ),
    }
