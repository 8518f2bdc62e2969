"""The report outputs: self-contained and deterministic HTML, golden files, format parity."""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from disposal.report.aggregate import ReportData, aggregate
from disposal.report.columns import read_results
from disposal.report.model import ReportError
from disposal.report.render import render_html, render_markdown, write_report

GENERATED = "2025-01-31"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def data(results_jsonl: Path) -> ReportData:
    return aggregate([results_jsonl])


@pytest.fixture(scope="module")
def html(data: ReportData) -> str:
    return render_html(data, GENERATED)


def check_golden(name: str, text: str) -> None:
    """Compare with tests/report/golden/NAME byte for byte; UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"no golden file {path}: run with UPDATE_GOLDEN=1 and review the diff"
    assert text.encode("utf-8") == path.read_bytes(), (
        f"{name} differs from its golden file; if the change is intended, run "
        "UPDATE_GOLDEN=1 pytest tests/report and review the diff (matplotlib is pinned in "
        "constraints.txt: another version draws different SVG)"
    )


def test_html_matches_golden_file(html: str) -> None:
    check_golden("report.html", html)


def test_markdown_matches_golden_file(data: ReportData, tmp_path: Path) -> None:
    check_golden("report.md", render_markdown(data, GENERATED, tmp_path, prefix="report-"))


def test_html_is_deterministic(results_jsonl: Path, html: str) -> None:
    again = render_html(aggregate([results_jsonl]), GENERATED)
    assert again.encode() == html.encode()


def test_html_is_one_self_contained_file(results_jsonl: Path, tmp_path: Path) -> None:
    out = write_report([results_jsonl], tmp_path / "report.html", GENERATED)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    text = out.read_text(encoding="utf-8")
    assert text.count("<svg") == 3
    assert not re.search(r"""\b(?:src|href|action|srcset)\s*=\s*["']?\s*(?:https?:)?//""", text)
    assert "http://" not in text
    assert "https://" not in text
    for tag in (
        "<script",
        "<link",
        "<img",
        "<iframe",
        "<object",
        "<embed",
        "@import",
        "@font-face",
    ):
        assert tag not in text.lower()
    ids = set(re.findall(r'\bid="([^"]+)"', text))
    targets = re.findall(r'href="([^"]*)"', text)
    assert targets[:8] == [f"#s{i}" for i in range(1, 9)]
    assert all(t.startswith("#") and t[1:] in ids for t in targets), "only in-page links"


def test_html_structure_for_readers(html: str) -> None:
    assert '<html lang="en-GB">' in html
    assert html.count("<caption>") == 11  # every table captioned
    assert html.count("<figcaption>") == 3
    assert html.count('role="img"') == 3  # each chart has an accessible name
    assert '<title id="figure-1-title">' in html
    assert '<th scope="col" class="right">% non-compliant</th>' in html
    assert "@media print" in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "inline SVGs must not repeat ids"
    for number, title in enumerate(
        ["Scope and data", "Headline figures", "Compliance by force"], start=1
    ):
        assert f'<span class="secno">{number}</span>{title}</h2>' in html


def test_data_is_escaped_in_html_and_markdown(tmp_path: Path, results_jsonl: Path) -> None:
    first = json.loads(results_jsonl.read_text(encoding="utf-8").splitlines()[4])  # 0023
    first["case_id"] = "<script>alert(1)</script>"
    first["reasons"][0]["message"] = 'Denies | <img src=x onerror="x()"> *bold* [link](x)'
    hostile = tmp_path / "hostile.jsonl"
    hostile.write_text(json.dumps(first) + "\n", encoding="utf-8")
    data = aggregate([hostile])
    html = render_html(data, GENERATED)
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = render_markdown(data, GENERATED, tmp_path)
    rendered = MarkdownIt("commonmark").enable("table").render(md)
    assert "<script" not in rendered
    assert "onerror" not in rendered.replace("onerror=&quot;", "")
    assert '<img src="x"' not in rendered
    assert "<em>bold</em>" not in rendered
    assert "<a href" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered


def test_markdown_tables_render_and_figures_are_sibling_files(
    data: ReportData, tmp_path: Path, results_jsonl: Path
) -> None:
    out = write_report([results_jsonl], tmp_path / "audit.md", GENERATED)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["audit-figure-1.svg", "audit-figure-2.svg", "audit-figure-3.svg", "audit.md"]
    md = out.read_text(encoding="utf-8")
    for n in (1, 2, 3):
        assert f"](audit-figure-{n}.svg)" in md
        svg = (tmp_path / f"audit-figure-{n}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<?xml")
        assert "<svg" in svg
    rendered = MarkdownIt("commonmark").enable("table").render(md)
    assert rendered.count("<table>") == 11


def _md_headline(md: str) -> dict[str, int]:
    rows = re.findall(r"^\| (.+?) \| ([\d,]+) \|", md, flags=re.MULTILINE)
    return {label: int(value.replace(",", "")) for label, value in rows}


def _csv_headline(path: Path) -> dict[str, int]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cr = [r for r in rows if r["outcome"] == "community_resolution"]
    return {
        "Results reviewed": sum(int(r["records"]) for r in rows),
        "Community resolutions given (outcome 8)": sum(int(r["records"]) for r in cr),
        "… compliant": sum(int(r["records"]) for r in cr if r["compliance"] == "compliant"),
        "… non-compliant": sum(int(r["records"]) for r in cr if r["compliance"] == "non_compliant"),
        "… unverifiable": sum(int(r["records"]) for r in cr if r["compliance"] == "unverifiable"),
    }


def test_markdown_html_and_csv_carry_the_same_headline_numbers(
    results_csv: Path, tmp_path: Path
) -> None:
    md = write_report([results_csv], tmp_path / "r.md", GENERATED).read_text(encoding="utf-8")
    html = write_report([results_csv], tmp_path / "r.html", GENERATED).read_text(encoding="utf-8")
    csv_out = write_report([results_csv], tmp_path / "r.csv", GENERATED)
    from_csv = _csv_headline(csv_out)
    from_md = _md_headline(md)
    assert from_csv == {
        "Results reviewed": 30,
        "Community resolutions given (outcome 8)": 26,
        "… compliant": 12,
        "… non-compliant": 10,
        "… unverifiable": 4,
    }
    assert {k: from_md[k] for k in from_csv} == from_csv
    for label, value in from_csv.items():
        assert f'<th scope="row" class="left">{label}</th><td class="right">{value}</td>' in html
    assert "12 (46.2%) complied" in md
    assert "12 (46.2%) complied" in html


def test_csv_lists_every_non_compliant_case_as_a_results_file(
    results_jsonl: Path, tmp_path: Path
) -> None:
    out = write_report([results_jsonl], tmp_path / "r.csv", GENERATED, max_listed=3)
    sibling = tmp_path / "r.noncompliant.csv"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.noncompliant.csv"]
    listed = list(read_results(sibling))
    assert len(listed) == 10
    assert {r["compliance"] for r in listed} == {"non_compliant"}
    assert aggregate([sibling]).overall().non_compliant == 10
    assert out.read_text(encoding="utf-8").splitlines()[0] == (
        "force,financial_year,offence_family,decision,compliance,outcome,records"
    )


def test_long_lists_are_cut_with_a_pointer_to_the_csv(results_jsonl: Path) -> None:
    html = render_html(aggregate([results_jsonl], max_listed=3), GENERATED)
    assert "The first 3 of 10 non-compliant CRs are listed" in html
    assert "7 more are not" in html
    assert "report.noncompliant.csv" in html
    assert html.count('<tr><th scope="row" class="left">ASP-') == 3


def test_results_without_any_cr_still_make_a_report(results_jsonl: Path, tmp_path: Path) -> None:
    lines = results_jsonl.read_text(encoding="utf-8").splitlines()
    others = [line for line in lines if '"actual_outcome": 8' not in line]
    path = tmp_path / "others.jsonl"
    path.write_text("\n".join(others) + "\n", encoding="utf-8")
    html = render_html(aggregate([path]), GENERATED)
    assert "No community resolution was given" in html
    assert "<svg" not in html


@pytest.mark.parametrize(
    ("name", "generated", "code"),
    [
        ("report.pdf", GENERATED, "unknown-output-format"),
        ("report", GENERATED, "unknown-output-format"),
        ("report.html", "31/01/2025", "bad-date"),
        ("report.html", "2025-02-30", "bad-date"),
    ],
)
def test_bad_arguments(
    results_jsonl: Path, tmp_path: Path, name: str, generated: str, code: str
) -> None:
    with pytest.raises(ReportError) as caught:
        write_report([results_jsonl], tmp_path / name, generated)
    assert caught.value.code == code
    assert caught.value.exit_code == 2
    assert list(tmp_path.iterdir()) == []


def test_a_report_never_overwrites_its_input(results_csv: Path, tmp_path: Path) -> None:
    copy = tmp_path / "r.noncompliant.csv"
    copy.write_bytes(results_csv.read_bytes())
    with pytest.raises(ReportError) as caught:
        write_report([copy], tmp_path / "r.csv", GENERATED)
    assert caught.value.code == "output-is-input"
    assert copy.read_bytes() == results_csv.read_bytes()
