"""``disposal import police-uk``: real police.uk rows -> partial case records, every row counted.

The committed fixture (tests/fixtures/police_uk/, real rows; see its README) is hand-counted, so
the counts below are asserted exactly. Behaviour the real rows cannot show (several months,
malformed rows) uses small files written by the tests with made-up Crime IDs.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from disposal.case import CaseRecord
from disposal.cli import app
from disposal.errors import InputError
from disposal.policeuk import (
    CRIME_TYPES,
    LAYOUTS,
    OUTCOMES,
    REASONS,
    ImportSummary,
    Reject,
    import_police_uk,
)
from disposal.policyset import PolicySet
from disposal.vocab import OUTCOME_TYPES
from tests.conftest import shared_data

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "police_uk"
FIXTURE_FILES = sorted(FIXTURE.glob("*.csv"))
SHARED = (shared_data() or Path("/nonexistent")) / "police-uk" / "2023-03"
STREET_HEADER = ",".join(LAYOUTS["street"])
OUTCOMES_HEADER = ",".join(LAYOUTS["outcomes"])


@pytest.fixture(scope="module")
def force_names(policy_set: PolicySet) -> dict[str, str]:
    return {name: slug for slug, name in policy_set.forces.items()}


def run_import(
    paths: list[Path], names: dict[str, str]
) -> tuple[list[dict[str, Any]], ImportSummary, list[Reject]]:
    summary = ImportSummary()
    rejects: list[Reject] = []
    records = list(import_police_uk(paths, names, summary, rejects.append))
    return records, summary, rejects


@pytest.fixture(scope="module")
def fixture_run(
    force_names: dict[str, str],
) -> tuple[list[dict[str, Any]], ImportSummary, list[Reject]]:
    return run_import(FIXTURE_FILES, force_names)


def by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["case_id"]: r for r in records}


def hex_id(n: int) -> str:
    """A made-up Crime ID (64 hex digits)."""
    return f"{n:064x}"


def street_row(crime_id: str, month: str, crime_type: str, last: str, force: str = "") -> str:
    force = force or "Cheshire Constabulary"
    return f"{crime_id},{month},{force},{force},,,On or near ,,,{crime_type},{last},"


def outcome_row(crime_id: str, month: str, outcome: str) -> str:
    force = "Cheshire Constabulary"
    return f"{crime_id},{month},{force},{force},,,On or near ,,,{outcome}"


def write(path: Path, header: str, rows: list[str], newline: str = "\r\n") -> Path:
    path.write_text(newline.join([header, *rows]) + newline, encoding="utf-8", newline="")
    return path


# -- the committed fixture: hand-counted --------------------------------------------------------


def test_fixture_counts_reconcile_exactly(fixture_run: Any) -> None:
    records, summary, rejects = fixture_run
    assert summary.street_rows == 31
    assert summary.written == len(records) == 24
    assert summary.street_skipped == Counter(
        {"btp-no-crime-id": 3, "anti-social-behaviour": 2, "duplicate-crime-id": 2}
    )
    assert summary.outcome_rows == 22
    assert summary.outcome_used == 14
    assert summary.outcome_skipped == Counter({"superseded": 4, "unmatched": 4})
    assert summary.reconciles()
    assert len(rejects) == 7 + 8
    assert Counter(r.reason for r in rejects) == (summary.street_skipped + summary.outcome_skipped)
    assert set(REASONS) >= {r.reason for r in rejects}


def test_fixture_local_resolutions(fixture_run: Any) -> None:
    records, summary, _ = fixture_run
    crs = [r for r in records if r.get("actual_outcome") == 8]
    assert len(crs) == sum(summary.local_resolutions.values()) == 7
    assert summary.local_resolutions == Counter(
        {
            "Drugs": 2,
            "Other theft": 1,
            "Possession of weapons": 1,
            "Public order": 1,
            "Shoplifting": 1,
            "Violence and sexual offences": 1,
        }
    )
    assert summary.warnings["local-resolution-unmatched"] == 2


def test_a_local_resolution_row_becomes_outcome_8(fixture_run: Any) -> None:
    records = by_id(fixture_run[0])
    # Cheshire street line 51: Possession of weapons, "Local resolution", no outcome row.
    cheshire = [r for r in records.values() if r["force"] == "cheshire"]
    (weapons,) = [r for r in cheshire if r["offence"].get("family") == "weapons"]
    assert weapons["actual_outcome"] == 8
    assert weapons["decision_date"] == "2023-03-01"
    assert "street file, crime month" in weapons["offence"]["description"]
    # City street line 298 (Public order) linked to outcomes line 442 (Local resolution).
    (public_order,) = [
        r
        for r in records.values()
        if r["force"] == "city-of-london" and r["offence"].get("family") == "public_order"
    ]
    assert public_order["actual_outcome"] == 8
    assert "outcomes file 2023-03" in public_order["offence"]["description"]


def test_fixture_records_are_valid_partial_records(fixture_run: Any, policy_set: Any) -> None:
    records = fixture_run[0]
    assert len({r["case_id"] for r in records}) == len(records)
    for record in records:
        CaseRecord.model_validate(record)
        assert record["force"] in policy_set.forces
        assert "ho_code" not in record["offence"], "the importer never asserts an HO code"
        assert set(record) <= {"case_id", "force", "decision_date", "offence", "actual_outcome"}
    violence = [r for r in records if "Violence and sexual" in r["offence"]["description"]]
    assert violence
    assert all("family" not in r["offence"] for r in violence)


def test_street_duplicates_keep_the_most_informative_row(fixture_run: Any) -> None:
    records = by_id(fixture_run[0])
    # City lines 172/174 share an ID: "Status update unavailable" vs a drugs warning.
    assert (
        records["bbe2d275d3c813cb2570e55aefa877f16282fb17af24ddcf154956070c05c140"][
            "actual_outcome"
        ]
        == 7
    )
    # City lines 24/52: "Investigation complete; no suspect identified" vs no update.
    assert (
        records["06aaccb0457f18f52df23d6501fb0b23e1033810f55df9e4240a578f684e809c"][
            "actual_outcome"
        ]
        == 18
    )


def test_outcomes_file_outcome_is_preferred_to_the_street_one(fixture_run: Any) -> None:
    records, summary, _ = fixture_run
    # City line 12: street "Court result unavailable", outcomes "Suspect charged" -> both 1.
    differs = [
        r for r in records if "Suspect charged (outcomes file" in r["offence"]["description"]
    ]
    assert len(differs) == 1
    assert summary.warnings["street-outcome-differs"] == 1


def test_file_order_does_not_change_the_records(force_names: dict[str, str]) -> None:
    forward = run_import(FIXTURE_FILES, force_names)[0]
    backward = run_import(FIXTURE_FILES[::-1], force_names)[0]
    assert sorted(forward, key=lambda r: r["case_id"]) == sorted(
        backward, key=lambda r: r["case_id"]
    )


# -- outcomes over several months, tie-breaks ---------------------------------------------------


def test_latest_month_wins_then_the_outcome_table_order(
    tmp_path: Path, force_names: dict[str, str]
) -> None:
    a, b, c = hex_id(1), hex_id(2), hex_id(3)
    street = write(
        tmp_path / "street.csv",
        STREET_HEADER,
        [
            street_row(a, "2023-01", "Shoplifting", "Under investigation"),
            street_row(b, "2023-01", "Drugs", "Local resolution"),
            street_row(c, "2023-02", "Public order", "Local resolution"),
        ],
    )
    jan = write(
        tmp_path / "jan.csv",
        OUTCOMES_HEADER,
        [
            outcome_row(a, "2023-01", "Local resolution"),
            outcome_row(b, "2023-01", "Suspect charged"),
        ],
    )
    feb = write(
        tmp_path / "feb.csv",
        OUTCOMES_HEADER,
        [
            outcome_row(a, "2023-02", "Unable to prosecute suspect"),
            outcome_row(b, "2023-02", "Suspect charged"),
            outcome_row(b, "2023-02", "Local resolution"),
        ],
    )
    for order in ([street, jan, feb], [feb, street, jan]):
        records, summary, _ = run_import(order, force_names)
        got = by_id(records)
        assert got[a]["decision_date"] == "2023-02-01"
        assert "actual_outcome" not in got[a], "unable to prosecute maps to no single HO type"
        assert got[b]["actual_outcome"] == 8, "a Local resolution wins within its month"
        assert got[b]["decision_date"] == "2023-02-01"
        assert got[c]["actual_outcome"] == 8
        assert got[c]["decision_date"] == "2023-02-01", "street only: the crime month"
        assert summary.warnings["local-resolution-superseded"] == 1
        assert summary.warnings["several-outcomes-in-latest-month"] == 1
        assert summary.outcome_skipped == Counter({"superseded": 3})
        assert summary.reconciles()


def test_bad_rows_are_skipped_with_reasons_and_counted(
    tmp_path: Path, force_names: dict[str, str]
) -> None:
    street = write(
        tmp_path / "street.csv",
        STREET_HEADER,
        [
            street_row(hex_id(1), "2023-03", "Shoplifting", ""),
            street_row(hex_id(2), "2023-13", "Shoplifting", ""),
            street_row("not-a-hash", "2023-03", "Shoplifting", ""),
            street_row(hex_id(3), "2023-03", "Shoplifting", "", force="Atlantis Police"),
            street_row("", "2023-03", "Robbery", ""),
            "too,few,cells",
            "",
            street_row(hex_id(4), "2023-03", "Cyber stalking", "Mystery outcome"),
        ],
        newline="\n",
    )
    records, summary, rejects = run_import([street], force_names)
    assert [r["case_id"] for r in records] == [hex_id(1), hex_id(4)]
    assert summary.street_rows == 7, "a blank line is not a row"
    assert summary.street_skipped == Counter(
        {
            "bad-month": 1,
            "bad-crime-id": 1,
            "unknown-force": 1,
            "no-crime-id": 1,
            "malformed-row": 1,
        }
    )
    assert summary.reconciles()
    assert [r.line for r in rejects] == [3, 4, 5, 6, 7]
    unknown = by_id(records)[hex_id(4)]
    assert "family" not in unknown["offence"]
    assert "actual_outcome" not in unknown
    assert summary.warnings == Counter({"unknown-crime-type": 1, "unknown-outcome": 1})


def test_a_utf8_bom_and_lf_line_endings_are_read(
    tmp_path: Path, force_names: dict[str, str]
) -> None:
    path = tmp_path / "street.csv"
    text = STREET_HEADER + "\n" + street_row(hex_id(9), "2023-03", "Shoplifting", "") + "\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    records, summary, _ = run_import([path], force_names)
    assert summary.reconciles()
    assert [r["case_id"] for r in records] == [hex_id(9)]
    assert records[0]["offence"]["family"] == "theft"


@pytest.mark.parametrize(
    ("header", "hint"),
    [
        ("Month,Reported by,Falls within,Easting,Northing,Location,Crime type,Context", "2012"),
        (
            "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude",
            "stop-and-search",
        ),
        (STREET_HEADER.replace("Crime type", "Crime kind"), "street (12 columns)"),
        ("", "empty"),
    ],
)
def test_an_unknown_header_is_an_error_naming_the_file(
    tmp_path: Path, force_names: dict[str, str], header: str, hint: str
) -> None:
    street = write(tmp_path / "good.csv", STREET_HEADER, [])
    bad = tmp_path / "bad.csv"
    bad.write_text(header + ("\r\n" if header else ""), encoding="utf-8")
    with pytest.raises(InputError) as info:
        import_police_uk([street, bad], force_names)
    assert info.value.code == "unknown-police-uk-layout"
    assert info.value.location.file == str(bad)
    assert hint in info.value.hint


def test_outcomes_files_alone_are_an_error(force_names: dict[str, str]) -> None:
    with pytest.raises(InputError) as info:
        import_police_uk([FIXTURE / "city-outcomes.csv"], force_names)
    assert info.value.code == "no-street-file"


def test_non_utf8_text_is_an_error(tmp_path: Path, force_names: dict[str, str]) -> None:
    path = tmp_path / "street.csv"
    row = street_row(hex_id(1), "2023-03", "Shoplifting", "").replace("On or near ", "On \xe9")
    path.write_bytes((STREET_HEADER + "\r\n" + row + "\r\n").encode("latin-1"))
    with pytest.raises(InputError) as info:
        list(import_police_uk([path], force_names))
    assert info.value.code == "bad-encoding"


# -- the mapping tables -------------------------------------------------------------------------


def test_every_police_uk_crime_type_is_mapped() -> None:
    assert len(CRIME_TYPES) == 14


def test_crime_type_families_agree_with_the_offence_table(policy_set: PolicySet) -> None:
    entries = policy_set.offences.model.offences
    for name, kind in CRIME_TYPES.items():
        families = {e.family for e in entries if e.ho_group in kind.ho_groups}
        if kind.family is None:
            assert name == "Anti-social behaviour" or len(families) > 1, name
        else:
            assert families == {kind.family}, name


def test_outcome_mapping_names_real_outcome_types() -> None:
    assert OUTCOMES["Local resolution"].ho_type == 8
    assert OUTCOMES["Offender given a caution"].ho_type is None
    for label, outcome in OUTCOMES.items():
        assert outcome.ho_type is None or outcome.ho_type in OUTCOME_TYPES, label
        assert outcome.basis, label


# -- the command --------------------------------------------------------------------------------


def test_cli_writes_records_rejects_and_a_summary(tmp_path: Path) -> None:
    out, rejects = tmp_path / "cases.jsonl", tmp_path / "rejects.csv"
    args = ["import", "police-uk", *map(str, FIXTURE_FILES), "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--rejects", str(rejects)], prog_name="disposal")
    assert result.exit_code == 0, result.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 24
    assert all(CaseRecord.model_validate(json.loads(line)) for line in lines)
    rows = list(csv.DictReader(io.StringIO(rejects.read_text())))
    assert len(rows) == 15
    assert Counter(r["reason"] for r in rows)["anti-social-behaviour"] == 2
    assert "street rows read: 31" in result.stderr
    assert "records written: 24" in result.stderr
    assert "btp-no-crime-id: 3" in result.stderr
    assert "counts reconcile" in result.stderr


def test_cli_unknown_header_exits_2_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "stop-and-search.csv"
    bad.write_text("Type,Date,Part of a policing operation\r\n", encoding="utf-8")
    out = tmp_path / "cases.jsonl"
    result = CliRunner().invoke(
        app, ["import", "police-uk", str(bad), "--out", str(out)], prog_name="disposal"
    )
    assert result.exit_code == 2
    assert f"error: {bad}:1: unknown-police-uk-layout:" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not out.exists()


# -- the real shared files (not in a clean clone) -----------------------------------------------


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared police.uk samples not present at {SHARED}")
def test_the_real_march_2023_files_import_and_reconcile(force_names: dict[str, str]) -> None:
    records, summary, _ = run_import(sorted(SHARED.glob("*.csv")), force_names)
    assert summary.street_rows == 26133  # shared/data/police-uk/README.md
    assert summary.outcome_rows == 31949
    assert summary.reconciles()
    assert summary.written == len(records) > 15000
    assert summary.street_skipped["btp-no-crime-id"] == 5946
    assert summary.local_resolutions.total() > 500
    assert not summary.warnings["unknown-crime-type"]
    assert not summary.warnings["unknown-outcome"]
