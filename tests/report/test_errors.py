"""Bad results files: a stable code, the file and line, the field, exit code 2, no values."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from disposal.cli import app
from disposal.errors import ErrorGroup
from disposal.report.aggregate import aggregate
from disposal.report.columns import read_results
from disposal.report.model import ResultsFileError

SECRET = "SECRET-7f3a"  # planted in bad values: must never appear in an error message

Edit = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Edit:
    def edit(obj: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            obj = obj[key]
        obj[last] = value

    return edit


def _drop(key: str) -> Edit:
    return lambda obj: obj.pop(key)


def _jsonl(src: Path, tmp: Path, line: int, edit: Edit) -> Path:
    lines = src.read_text(encoding="utf-8").splitlines()
    obj = json.loads(lines[line - 1])
    edit(obj)
    lines[line - 1] = json.dumps(obj)
    out = tmp / "bad.jsonl"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


# (edit, error code, field); the edit is applied to line 5 (LAN-2023-0023: not permitted, CR)
JSON_CASES = [
    (_set("decision", SECRET), "bad-value", "decision"),
    (_set("compliance", "non-compliant"), "bad-value", "compliance"),
    (_set("compliance", "compliant"), "inconsistent-compliance", "compliance"),
    (_set("case.actual_outcome", 1), "inconsistent-compliance", "compliance"),
    (_set("case.actual_outcome", 99), "bad-value", "case.actual_outcome"),
    (_set("case.actual_outcome", "8"), "wrong-type", "case.actual_outcome"),
    (_set("case.decision_date", "2023-02-30"), "bad-date", "case.decision_date"),
    (_set("case.decision_date", "02/02/2023"), "bad-value", "case.decision_date"),
    (_set("case.financial_year", "2023/24"), "inconsistent-financial-year", "case.financial_year"),
    (_set("case.financial_year", "2022/24"), "bad-value", "case.financial_year"),
    (_set("case.force", "Kent Police"), "bad-value", "case.force"),
    (_set("case.offence_family", "violance"), "bad-value", "case.offence_family"),
    (_set("policy.sha256", SECRET), "bad-value", "policy.sha256"),
    (_set("reasons", [{"message": SECRET}]), "missing-field", "reasons.0.rule"),
    (_set("decision", "insufficient_information"), "inconsistent-compliance", "compliance"),
    (_drop("compliance"), "missing-field", "compliance"),
    (_drop("case"), "missing-field", "case"),
    (_set("case_id", 123), "wrong-type", "case_id"),
]


@pytest.mark.parametrize(("edit", "code", "field"), JSON_CASES)
def test_bad_json_line(
    results_jsonl: Path, tmp_path: Path, edit: Edit, code: str, field: str
) -> None:
    bad = _jsonl(results_jsonl, tmp_path, 5, edit)
    with pytest.raises(ResultsFileError) as caught:
        aggregate([bad])
    err = caught.value
    assert (err.code, err.location.line, err.location.field) == (code, 5, field)
    assert err.location.file == str(bad)
    assert err.exit_code == 2
    assert SECRET not in err.render()


@pytest.mark.parametrize(
    ("line", "edit"),
    [
        (6, _set("authorised", True)),  # ASP-2023-0013 requires an inspector: not held
        (29, _set("authorised", False)),  # KNT-2025-0010 permitted with a sergeant's authority
    ],
)
def test_authorised_must_not_contradict_the_decision(
    results_jsonl: Path, tmp_path: Path, line: int, edit: Edit
) -> None:
    bad = _jsonl(results_jsonl, tmp_path, line, edit)
    with pytest.raises(ResultsFileError) as caught:
        aggregate([bad])
    err = caught.value
    assert (err.code, err.location.line, err.location.field) == (
        "inconsistent-authorisation",
        line,
        "authorised",
    )


def test_did_you_mean_names_a_valid_value(results_jsonl: Path, tmp_path: Path) -> None:
    bad = _jsonl(results_jsonl, tmp_path, 5, _set("case.offence_family", "violance"))
    with pytest.raises(ResultsFileError) as caught:
        list(read_results(bad))
    assert caught.value.hint == "did you mean 'violence'?"


def test_malformed_json_line(results_jsonl: Path, tmp_path: Path) -> None:
    lines = results_jsonl.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2][:40]  # truncated, as by a crashed writer
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ResultsFileError) as caught:
        aggregate([bad])
    assert (caught.value.code, caught.value.location.line) == ("json-syntax", 3)
    assert lines[2] not in caught.value.render()


def test_every_bad_line_is_reported_in_line_order(results_jsonl: Path, tmp_path: Path) -> None:
    lines = results_jsonl.read_text(encoding="utf-8").splitlines()
    for i in (3, 10, 20):
        lines[i - 1] = "{"
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ErrorGroup) as caught:
        aggregate([bad])
    assert [(e.code, e.location.line) for e in caught.value.errors] == [
        ("json-syntax", 3),
        ("json-syntax", 10),
        ("json-syntax", 20),
    ]


def test_a_file_of_garbage_stops_after_twenty_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n" * 10_000, encoding="utf-8")
    with pytest.raises(ErrorGroup) as caught:
        aggregate([bad])
    codes = [e.code for e in caught.value.errors]
    assert codes == ["json-syntax"] * 20 + ["too-many-errors"]


def _csv(src: Path, tmp: Path, edit: Callable[[list[list[str]]], None]) -> Path:
    rows = list(csv.reader(io.StringIO(src.read_text(encoding="utf-8"))))
    edit(rows)
    out = tmp / "bad.csv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return out


def _drop_column(name: str) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        i = rows[0].index(name)
        for row in rows:
            del row[i]

    return edit


def _set_cell(line: int, name: str, value: str) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        rows[line - 1][rows[0].index(name)] = value

    return edit


def _rename(old: str, new: str) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        rows[0][rows[0].index(old)] = new

    return edit


CSV_CASES = [
    (_drop_column("compliance"), "missing-column", 1, "compliance"),
    (_rename("offence_family", "offence_group"), "missing-column", 1, "offence_family"),
    (lambda rows: rows[6].pop(), "bad-row", 7, ""),
    (_set_cell(6, "decision", SECRET), "bad-value", 6, "decision"),
    (_set_cell(6, "actual_outcome", SECRET), "wrong-type", 6, "actual_outcome"),
    (_set_cell(6, "authorised", SECRET), "wrong-type", 6, "authorised"),
    (_set_cell(6, "policy_sha256", SECRET), "bad-value", 6, "policy_sha256"),
    (_set_cell(6, "financial_year", "2023/24"), "inconsistent-financial-year", 6, "financial_year"),
    (_set_cell(6, "rule_ids", "NAT-OTHER-01"), "inconsistent-reasons", 6, "rule_ids"),
    (_set_cell(6, "suggested_outcomes", "22;x"), "wrong-type", 6, "suggested_outcomes"),
]


@pytest.mark.parametrize(("edit", "code", "line", "field"), CSV_CASES)
def test_bad_csv(
    results_csv: Path,
    tmp_path: Path,
    edit: Callable[[list[list[str]]], None],
    code: str,
    line: int,
    field: str,
) -> None:
    bad = _csv(results_csv, tmp_path, edit)
    with pytest.raises(ResultsFileError) as caught:
        aggregate([bad])
    err = caught.value
    assert (err.code, err.location.line, err.location.field) == (code, line, field)
    assert err.exit_code == 2
    assert SECRET not in err.render()


def test_missing_column_hint_names_the_misspelt_header(results_csv: Path, tmp_path: Path) -> None:
    bad = _csv(results_csv, tmp_path, _rename("offence_family", "ofence_family"))
    with pytest.raises(ResultsFileError) as caught:
        aggregate([bad])
    assert caught.value.hint == "did you mean 'ofence_family'?"


def test_csv_line_numbers_count_physical_lines(results_csv: Path, tmp_path: Path) -> None:
    """A quoted cell spanning lines moves later rows down; errors name the row's first line."""

    def edit(rows: list[list[str]]) -> None:
        rows[2][rows[0].index("reasons")] = "NAT-X-01: first line\nsecond line"
        rows[2][rows[0].index("rule_ids")] = "NAT-X-01"
        rows[5][rows[0].index("decision")] = "bogus"

    bad = _csv(results_csv, tmp_path, edit)
    with pytest.raises(ResultsFileError) as caught:
        aggregate([bad])
    assert (caught.value.code, caught.value.location.line) == ("bad-value", 7)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("missing.jsonl", None, "file-not-found"),
        ("results.txt", "{}\n", "unknown-results-format"),
        ("empty.jsonl", "\n\n", "empty-file"),
        ("empty.csv", "", "empty-file"),
    ],
)
def test_unusable_files(tmp_path: Path, name: str, content: str | None, code: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ResultsFileError) as caught:
        aggregate([path])
    assert caught.value.code == code
    assert caught.value.location.file == str(path)


def test_bad_input_writes_no_report(results_jsonl: Path, tmp_path: Path) -> None:
    bad = _jsonl(results_jsonl, tmp_path, 30, _drop("case"))  # the very last line
    for name in ("r.html", "r.md", "r.csv"):
        result = CliRunner().invoke(app, ["report", str(bad), "--out", str(tmp_path / name)])
        assert result.exit_code == 2
        assert "error: " in result.stderr
        assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl"]
