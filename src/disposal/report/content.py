"""The whole report as one value (``ReportView``): what both templates render, in order.

Building it is the only place that decides what the report says; the HTML and Markdown
templates only lay it out. Charts are drawn here too, once, so both formats show the same ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from disposal import __version__
from disposal.report import charts, text
from disposal.report.aggregate import ReportData
from disposal.report.labels import force_label, long_date, number, percent
from disposal.report.views import (
    Breakdown,
    Numbering,
    Table,
    breakdowns,
    cases_table,
    decisions_table,
    findings,
    headline_table,
    missing_table,
    plural,
    rank_table,
    reasons_table,
)

TITLE = "Community resolutions: policy compliance audit"


@dataclass(frozen=True)
class Figure:
    number: int
    chart: charts.Chart
    file_name: str

    @property
    def label(self) -> str:
        return f"Figure {self.number}"


@dataclass(frozen=True)
class ReportView:
    title: str
    generated: str
    tool_version: str
    findings: list[str]
    scope: list[tuple[str, str]]
    sources: Table
    policies: Table
    headline: Table
    decisions: Table
    by_force: Breakdown
    by_family: Breakdown
    by_year: Breakdown
    figures: dict[str, Figure | None]
    reasons: Table
    ranks: Table
    missing: Table
    cases: Table
    cases_note: str
    context: str
    methodology: list[tuple[str, str]]


def sources_table(data: ReportData, n: int) -> Table:
    rows = [(s.name, number(s.records), s.sha256) for s in data.sources]
    return Table(
        n,
        "Results files read",
        ("File", "Records", "SHA-256 of the file"),
        rows,
        frozenset({1}),
        notes=("Check a file with: sha256sum FILE",),
        mono=frozenset({2}),
    )


def policies_table(data: ReportData, n: int) -> Table:
    rows = [(p.profile, p.version, p.sha256, number(p.records)) for p in data.policies]
    if data.no_policy:
        rows.append(("(not recorded)", "", "", number(data.no_policy)))
    return Table(
        n,
        "Policies applied, as recorded in the results",
        ("Profile", "Version in force", "SHA-256 of the rules", "Records"),
        rows,
        frozenset({3}),
        notes=("The SHA-256 identifies the exact rule content used for each decision.",),
        mono=frozenset({2}),
    )


def _scope(data: ReportData, force_names: Mapping[str, str] | None) -> list[tuple[str, str]]:
    forces = ", ".join(force_label(f, force_names) for f in data.forces)
    return [
        ("Results reviewed", number(data.records)),
        ("Decision dates", f"{long_date(data.first_date)} to {long_date(data.last_date)}"),
        (plural(len(data.forces), "force", "forces").split(" ", 1)[1].capitalize(), forces),
        ("Policy versions", number(len(data.policies))),
    ]


def _figures(parts: dict[str, Breakdown]) -> dict[str, Figure | None]:
    """Figures 1-3 (by force, by family, by year), numbered in order, skipping empty ones."""
    titles = {
        "force": "Community resolutions by force and compliance",
        "family": "Community resolutions by offence family and compliance",
        "year": "Community resolutions and compliance by financial year",
    }
    out: dict[str, Figure | None] = {}
    numbering = Numbering()
    for key, title in titles.items():
        part = parts[key]
        if not part.tallies:
            out[key] = None
            continue
        n = numbering.next()
        draw = charts.trend if key == "year" else charts.stacked_bars
        chart = draw(f"figure-{n}", title, part.labels, part.tallies)
        out[key] = Figure(n, chart, f"figure-{n}.svg")
    return out


def _cases_note(data: ReportData) -> str:
    shown, total = len(data.listed), data.non_compliant
    if not total:
        return "No community resolution given was non-compliant."
    order = "ordered by force, financial year and case reference"
    if not data.omitted:
        return (
            f"All {plural(total, 'non-compliant CR is', 'non-compliant CRs are')} listed, {order}."
        )
    return (
        f"The first {number(shown)} of {plural(total, 'non-compliant CR', 'non-compliant CRs')} "
        f"are listed, {order}; {number(data.omitted)} more are not. For the full list, run "
        "disposal report with --out report.csv: it writes every non-compliant case to "
        "report.noncompliant.csv."
    )


def _methodology(data: ReportData, missing: Table) -> list[tuple[str, str]]:
    family_unknown = sum(t.records for f, t in data.breakdown("offence_family") if f is None)
    year_unknown = sum(t.records for y, t in data.breakdown("financial_year") if y is None)
    return text.methodology(
        missing_table=missing.label,
        no_ho_code=number(data.no_ho_code),
        no_ho_code_pct=percent(data.no_ho_code, data.records),
        no_family=number(family_unknown),
        no_year=number(year_unknown),
        version=__version__,
    )


def build_view(
    data: ReportData, generated: str, force_names: Mapping[str, str] | None = None
) -> ReportView:
    numbering = Numbering()
    sources, policies = (
        sources_table(data, numbering.next()),
        policies_table(data, numbering.next()),
    )
    headline, decisions = (
        headline_table(data, numbering.next()),
        decisions_table(data, numbering.next()),
    )
    parts = breakdowns(data, numbering, force_names)
    figures = _figures(parts)
    reasons, ranks = reasons_table(data, numbering.next()), rank_table(data, numbering.next())
    missing = missing_table(data, numbering.next())
    return ReportView(
        title=TITLE,
        generated=long_date(generated),
        tool_version=__version__,
        findings=findings(data, force_names),
        scope=_scope(data, force_names),
        sources=sources,
        policies=policies,
        headline=headline,
        decisions=decisions,
        by_force=parts["force"],
        by_family=parts["family"],
        by_year=parts["year"],
        figures=figures,
        reasons=reasons,
        ranks=ranks,
        missing=missing,
        cases=cases_table(data, numbering.next(), force_names),
        cases_note=_cases_note(data),
        context=text.NATIONAL_CONTEXT,
        methodology=_methodology(data, missing),
    )
