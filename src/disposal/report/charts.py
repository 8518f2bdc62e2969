"""The report's figures, drawn with matplotlib as SVG text that is the same on every run.

Figures are built with matplotlib's object API (``matplotlib.figure.Figure``; no pyplot, so no
global figure state and no GUI backend) and saved as SVG with ``svg.hashsalt`` fixed per chart
and no date in the metadata, so the same data gives the same bytes. Text stays text
(``svg.fonttype: none``): searchable, readable by screen readers, drawn in the reader's sans
serif. Colours are from the Okabe–Ito palette, safe for colour-blind readers; non-compliant bars
also carry white hatching so that the three series stay apart when printed in greyscale.

``standalone`` gives a complete ``.svg`` file (for Markdown); ``inline`` gives the same figure
for embedding in HTML: no XML prolog, no metadata, no namespace URLs, ids prefixed so that
several figures can share one page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter
from matplotlib.typing import RcKeyType

from disposal.report.aggregate import Tally
from disposal.report.labels import COMPLIANCE_LABELS
from disposal.vocab import Compliance

# Okabe & Ito (2008), "Color Universal Design": blue, vermillion, orange.
COLOURS = {
    Compliance.COMPLIANT: "#0072B2",
    Compliance.NON_COMPLIANT: "#D55E00",
    Compliance.UNVERIFIABLE: "#E69F00",
}
HATCHES = {Compliance.COMPLIANT: "", Compliance.NON_COMPLIANT: "///", Compliance.UNVERIFIABLE: ""}
MARKERS = {Compliance.NON_COMPLIANT: "o", Compliance.UNVERIFIABLE: "s"}
INK, GRID = "#222222", "#d9d9d9"
_STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": 9,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": "#666666",
    "xtick.color": INK,
    "ytick.color": INK,
    "hatch.color": "#ffffff",
    "hatch.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
WIDTH_IN = 7.2


def _style(chart_id: str) -> dict[RcKeyType, Any]:
    return {**_STYLE, "svg.hashsalt": f"disposal-report-{chart_id}"}


@dataclass(frozen=True)
class Chart:
    """One figure: an id for the page, a title, a text alternative and the SVG."""

    chart_id: str
    title: str
    description: str
    svg: str

    @property
    def inline(self) -> str:
        return inline_svg(self.svg)


def _series(rows: Sequence[Tally]) -> dict[Compliance, list[int]]:
    return {
        Compliance.COMPLIANT: [t.compliant for t in rows],
        Compliance.NON_COMPLIANT: [t.non_compliant for t in rows],
        Compliance.UNVERIFIABLE: [t.unverifiable for t in rows],
    }


def _stack(ax: Axes, labels: list[str], rows: Sequence[Tally], horizontal: bool) -> None:
    base = [0] * len(rows)
    for kind, values in _series(rows).items():
        style: dict[str, Any] = {
            "color": COLOURS[kind],
            "hatch": HATCHES[kind],
            "label": COMPLIANCE_LABELS[kind],
        }
        if horizontal:
            ax.barh(labels, values, left=base, height=0.7, edgecolor="white", **style)
        else:
            ax.bar(labels, values, bottom=base, width=0.7, edgecolor="white", **style)
        base = [b + v for b, v in zip(base, values, strict=True)]


def _legend(fig: Figure, ax: Axes) -> None:
    handles, names = ax.get_legend_handles_labels()
    fig.legend(handles, names, loc="outside upper left", ncols=3, frameon=False)


def stacked_bars(chart_id: str, title: str, labels: list[str], rows: Sequence[Tally]) -> Chart:
    """Horizontal bars of CRs given per group, stacked by compliance, first group at the top."""
    with matplotlib.rc_context(_style(chart_id)):
        fig = Figure(figsize=(WIDTH_IN, 1.0 + 0.3 * max(len(rows), 2)), layout="constrained")
        ax = fig.add_subplot()
        _stack(ax, labels, rows, horizontal=True)
        ax.invert_yaxis()
        ax.set_xlabel("Community resolutions given")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="x", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        _legend(fig, ax)
        svg = _save(fig)
    total = sum(t.cr_given for t in rows)
    description = (
        f"Horizontal bar chart of {_count(total, 'community resolution')} "
        f"in {_count(len(rows), 'group')}, "
        "each bar split into compliant, non-compliant and unverifiable. "
        "The same figures are in the table that follows."
    )
    return Chart(chart_id, title, description, with_title(svg, chart_id, title))


def trend(chart_id: str, title: str, years: list[str], rows: Sequence[Tally]) -> Chart:
    """Two panels by financial year: CRs given stacked by compliance; % non-compliant."""
    with matplotlib.rc_context(_style(chart_id)):
        fig = Figure(figsize=(WIDTH_IN, 3.2), layout="constrained")
        left, right = fig.subplots(1, 2)
        _stack(left, years, rows, horizontal=False)
        left.set_title("Community resolutions given", fontsize=9, loc="left")
        left.yaxis.set_major_locator(MaxNLocator(integer=True))
        shares = {
            kind: [
                100 * v / t.cr_given if t.cr_given else 0.0 for v, t in zip(vals, rows, strict=True)
            ]
            for kind, vals in _series(rows).items()
            if kind is not Compliance.COMPLIANT
        }
        for kind, values in shares.items():
            right.plot(
                years,
                values,
                marker=MARKERS[kind],
                color=COLOURS[kind],
                linewidth=1.6,
                label=COMPLIANCE_LABELS[kind],
            )
        right.legend(loc="upper right", frameon=False)
        right.margins(x=0.08)
        right.set_title("Share of those given (%)", fontsize=9, loc="left")
        right.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        right.set_ylim(0, max([10.0, *(v for vals in shares.values() for v in vals)]) * 1.1)
        for ax in (left, right):
            ax.grid(axis="y", color=GRID, linewidth=0.6)
            ax.set_axisbelow(True)
            ax.tick_params(axis="x", labelrotation=45 if len(years) > 6 else 0)
        _legend(fig, left)
        svg = _save(fig)
    description = (
        f"Left: community resolutions given in each of {_count(len(years), 'financial year')}, "
        "split into compliant, non-compliant and unverifiable. Right: non-compliant and "
        "unverifiable as a percentage of those given. The figures are in the table that follows."
    )
    return Chart(chart_id, title, description, with_title(svg, chart_id, title))


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _save(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_NAMESPACES = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_SIZE = re.compile(r'<svg\b([^>]*?)\swidth="[^"]*"\s+height="[^"]*"')


def with_title(svg: str, chart_id: str, title: str) -> str:
    """Prefix every id with ``chart_id`` and give the root ``<svg>`` an accessible title."""
    svg = re.sub(r'\bid="', f'id="{chart_id}-', svg)
    svg = svg.replace("url(#", f"url(#{chart_id}-").replace('href="#', f'href="#{chart_id}-')
    svg = re.sub(
        r"<svg\b([^>]*)>",
        lambda m: (
            f'<svg{m[1]} role="img" aria-labelledby="{chart_id}-title">\n'
            f' <title id="{chart_id}-title">{escape(title)}</title>'
        ),
        svg,
        count=1,
    )
    return svg


def inline_svg(svg: str) -> str:
    """The figure ready to sit inside an HTML page (sized by CSS, no external references)."""
    svg = _PROLOG.sub("", svg)
    svg = _METADATA.sub("", svg)
    svg = _NAMESPACES.sub("", svg)
    return _SIZE.sub(r"<svg\1", svg, count=1)
