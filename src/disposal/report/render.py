"""Writing the compliance audit report as HTML, Markdown or CSV (chosen by the extension).

``report.html``: one self-contained file that opens offline: CSS and the three figures (SVG)
inline, no scripts, fonts, images or links to fetch. Templates are jinja2 with autoescaping, so
case references and rule messages are always shown as text.

``report.md``: the same content in Markdown (GFM tables). Figures cannot be inlined portably,
so they are written next to the ``.md`` as ``<stem>-figure-1.svg`` … ``-figure-3.svg`` and
linked by file name; keep them together when moving the report.

``report.csv``: for analysts, two machine-readable files instead of the formatted tables:

* ``report.csv`` is the long-format count table every report table is summed from, one row per
  combination of ``force, financial_year, offence_family, decision, compliance, outcome`` with
  its ``records`` count (zero rows omitted; empty cell = not recorded; ``outcome`` is
  ``community_resolution``, ``other`` or ``not_recorded``). A pivot table on it reproduces
  any breakdown, e.g. CRs given = sum of ``records`` where ``outcome`` is
  ``community_resolution``.
* ``report.noncompliant.csv`` holds every non-compliant CR, in input order, in the results
  CSV format (``RESULT_CSV_COLUMNS``): it is itself a results file that ``disposal report``
  reads. HTML and Markdown list at most ``max_listed`` cases and point here for the rest.

All outputs are written to a temporary name and renamed when complete, so a run stopped by bad
input leaves no half-written report.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import IO

import jinja2

from disposal.errors import Location
from disposal.report.aggregate import ReportData, aggregate
from disposal.report.columns import RESULT_CSV_COLUMNS, flatten_result
from disposal.report.content import build_view
from disposal.report.model import ReportError, ResultRecord

REPORT_CSV_COLUMNS = (
    "force",
    "financial_year",
    "offence_family",
    "decision",
    "compliance",
    "outcome",
    "records",
)
SECTIONS = (
    ("s1", "Scope and data"),
    ("s2", "Headline figures"),
    ("s3", "Compliance by force"),
    ("s4", "Compliance by offence family"),
    ("s5", "Trend by financial year"),
    ("s6", "Reasons for non-compliance"),
    ("s7", "Non-compliant cases"),
    ("s8", "Methodology and caveats"),
)
FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}
FORMATS[".csv"] = "csv"
_MD_SPECIAL = str.maketrans(
    {c: "\\" + c for c in "\\`*_[]|#~"} | {"<": "&lt;", ">": "&gt;", "&": "&amp;", "\n": " "}
)


def md_escape(value: object) -> str:
    """Text that Markdown (and the HTML a Markdown viewer makes of it) shows literally."""
    return str(value).translate(_MD_SPECIAL)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("disposal.report", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    return env


def render_html(
    data: ReportData, generated: str, *, force_names: Mapping[str, str] | None = None
) -> str:
    """The report as one self-contained HTML page (``generated``: the date, YYYY-MM-DD)."""
    view = build_view(data, check_generated(generated), force_names)
    return _environment().get_template("report.html.j2").render(v=view, sections=SECTIONS)


def render_markdown(
    data: ReportData,
    generated: str,
    chart_dir: Path,
    *,
    prefix: str = "",
    force_names: Mapping[str, str] | None = None,
) -> str:
    """The report in Markdown; writes its figures to ``chart_dir`` as ``{prefix}figure-N.svg``."""
    view = build_view(data, check_generated(generated), force_names)
    for figure in view.figures.values():
        if figure is not None:
            _write_text(chart_dir / f"{prefix}{figure.file_name}", figure.chart.svg)
    return _environment().get_template("report.md.j2").render(v=view, prefix=prefix)


def write_csv(data: ReportData, out: Path) -> None:
    """The long-format count table (see the module docstring) to ``out``."""
    with _atomic(out) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(REPORT_CSV_COLUMNS)
        for key, count in sorted(data.cube.items(), key=lambda kv: _none_last(kv[0])):
            writer.writerow([*("" if v is None else str(v) for v in key), count])


def _none_last(key: tuple[str | None, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((v is None, v or "") for v in key)


def noncompliant_path(out: Path) -> Path:
    """Where ``write_report`` puts the full non-compliant list next to ``report.csv``."""
    return out.with_name(f"{out.stem}.noncompliant.csv")


def check_generated(generated: str) -> str:
    try:
        dt.date.fromisoformat(generated)
    except (TypeError, ValueError):
        raise ReportError(
            "bad-date", "must be a date written YYYY-MM-DD", Location(field="--generated")
        ) from None
    if len(generated) != 10:
        raise ReportError(
            "bad-date", "must be a date written YYYY-MM-DD", Location(field="--generated")
        )
    return generated


def write_report(
    results: Sequence[Path],
    out: Path,
    generated: str | None = None,
    max_listed: int = 500,
    *,
    force_names: Mapping[str, str] | None = None,
) -> Path:
    """Read the results and write the report in the format ``out``'s extension names."""
    kind = _output_format(out)
    generated = check_generated(generated or dt.date.today().isoformat())
    if max_listed < 0:
        raise ReportError("bad-value", "must be 0 or more", Location(field="--max-listed"))
    _check_not_overwriting(results, [out, noncompliant_path(out)] if kind == "csv" else [out])
    if kind == "csv":
        _write_csv_report(results, out, max_listed)
        return out
    data = aggregate(results, max_listed)
    if kind == "html":
        text = render_html(data, generated, force_names=force_names)
    else:
        text = render_markdown(
            data, generated, out.parent, prefix=f"{out.stem}-", force_names=force_names
        )
    _write_text(out, text)
    return out


def _write_csv_report(results: Sequence[Path], out: Path, max_listed: int) -> None:
    sibling = noncompliant_path(out)
    with _atomic(sibling) as handle:
        writer = csv.DictWriter(handle, fieldnames=RESULT_CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()

        def sink(record: ResultRecord) -> None:
            writer.writerow(flatten_result(record.model_dump(mode="json")))

        data = aggregate(results, max_listed, on_non_compliant=sink)
    write_csv(data, out)


def _output_format(out: Path) -> str:
    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        raise ReportError(
            "unknown-output-format",
            "the output's extension names no report format",
            Location(str(out)),
            "name the output report.html, report.md or report.csv",
        )
    return kind


def _check_not_overwriting(results: Sequence[Path], outputs: Sequence[Path]) -> None:
    inputs = {p.resolve() for p in results}
    for path in outputs:
        if path.resolve() in inputs:
            raise ReportError(
                "output-is-input",
                "the report would overwrite a results file it reads",
                Location(str(path)),
                "choose another output name",
            )


@contextmanager
def _atomic(path: Path) -> Iterator[IO[str]]:
    """Write to ``path.tmp``, then rename over ``path``; remove the temporary file on error."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        handle = tmp.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise ReportError(
            "unwritable-output", f"cannot write ({exc.strerror})", Location(str(path))
        ) from None
    try:
        with handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_text(path: Path, text: str) -> None:
    with _atomic(path) as handle:
        handle.write(text)
