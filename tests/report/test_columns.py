"""The results formats shared with ``disposal review``: columns, flattening, reading back."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from disposal.report.aggregate import aggregate
from disposal.report.columns import (
    RESULT_CSV_COLUMNS,
    flatten_result,
    join_list,
    read_results,
    split_list,
)

AGREED = [
    "case_id",
    "decision",
    "required_authority",
    "authorised",
    "compliance",
    "rule_ids",
    "missing",
    "suggested_outcomes",
    "policy_profile",
    "policy_version",
    "policy_sha256",
    "force",
    "decision_date",
    "financial_year",
    "offence_family",
    "ho_code",
    "actual_outcome",
    "reasons",
]


def test_columns_are_the_agreed_list_plus_reason_effects() -> None:
    assert list(RESULT_CSV_COLUMNS) == [*AGREED, "reason_effects"]


items = st.lists(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1).map(str.strip)
    .filter(bool),
    max_size=6,
)  # fmt: skip


@given(items)
def test_list_cells_round_trip_whatever_the_items_hold(values: list[str]) -> None:
    assert split_list(join_list(values)) == values


def test_list_cells_escape_separators() -> None:
    assert join_list(["a;b", "c\\d", "e"]) == "a\\;b;c\\\\d;e"
    assert split_list("a\\;b;c\\\\d;e") == ["a;b", "c\\d", "e"]
    assert split_list(" x ; ;y") == ["x", "y"]


def test_csv_reads_back_as_the_json_it_was_flattened_from(
    results_jsonl: Path, results_csv: Path
) -> None:
    from_json = list(read_results(results_jsonl))
    from_csv = list(read_results(results_csv))
    assert len(from_json) == len(from_csv) == 30
    for a, b in zip(from_json, from_csv, strict=True):
        for reason in a["reasons"]:  # the CSV form carries rule, effect and message only
            reason["authority"] = reason["source"] = None
        assert a == b


def test_flatten_result_writes_every_column_as_text(results_jsonl: Path) -> None:
    obj = next(read_results(results_jsonl))
    row = flatten_result(obj)
    assert list(row) == list(RESULT_CSV_COLUMNS)
    assert all(isinstance(v, str) for v in row.values())
    assert row["actual_outcome"] == "8"
    assert row["authorised"] == "false"
    assert flatten_result({"case_id": "X"})["reasons"] == ""


def test_reason_effects_column_is_optional(results_csv: Path, tmp_path: Path) -> None:
    """Without effects every reason counts as one that shaped the decision."""
    rows = list(csv.reader(io.StringIO(results_csv.read_text(encoding="utf-8"))))
    for row in rows:
        row.pop()  # reason_effects is the last column
    path = tmp_path / "no-effects.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    data = aggregate([path])
    assert data.overall().non_compliant == 10
    rules = {r.rule: r.cases for r in data.reasons}
    assert rules["NAT-VIC-W1"] == 1  # a warning, now counted for want of its effect
    assert rules["NAT-ADM-S1"] == 1


def test_the_review_writer_can_import_the_format_without_plotting_libraries() -> None:
    code = (
        "import sys, disposal.report.columns\n"
        "assert not {'matplotlib', 'jinja2'} & set(sys.modules), 'heavy import'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
