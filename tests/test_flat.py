"""The flat (CSV) form of a case record: columns, cells, lists, errors, and round trips."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from disposal.case import CaseRecord
from disposal.errors import CaseRecordError, DisposalError, Location
from disposal.flat import (
    FLAT_COLUMNS,
    NO_FLAT_FORM,
    check_columns,
    join_list,
    record_to_row,
    row_to_record,
    split_list,
)
from tests.conftest import complete_case


def _leaf_paths(model: Any, prefix: str = "") -> set[str]:
    """Every dotted leaf path of the case model (nested models walked)."""
    out: set[str] = set()
    for name, info in model.model_fields.items():
        nested = [
            a
            for a in (info.annotation, *getattr(info.annotation, "__args__", ()))
            if isinstance(a, type) and hasattr(a, "model_fields")
        ]
        if nested:
            out |= _leaf_paths(nested[0], f"{prefix}{name}.")
        else:
            out.add(f"{prefix}{name}")
    return out


def _errors(exc: DisposalError) -> list[DisposalError]:
    return list(getattr(exc, "errors", [exc]))


def test_columns_cover_every_field_of_the_case_model_once() -> None:
    assert len(set(FLAT_COLUMNS)) == len(FLAT_COLUMNS)
    assert set(FLAT_COLUMNS) == _leaf_paths(CaseRecord) - NO_FLAT_FORM
    assert FLAT_COLUMNS[:3] == ("case_id", "force", "decision_date")


def test_record_to_row_writes_every_column_in_order_with_contract_spellings() -> None:
    row = record_to_row(complete_case(actual_outcome=8))
    assert list(row) == list(FLAT_COLUMNS)
    assert row["offence.ho_code"] == "46"
    assert row["offence.value_gbp"] == "12.5"
    assert row["offence.domestic_abuse"] == "false"
    assert row["offence.aggravating_factors"] == "[]"
    assert row["offender.history.previous_cautions"] == "0"
    assert row["authorisation.rank"] == ""
    assert row["actual_outcome"] == "8"


def test_round_trip_of_a_full_record_through_csv_text() -> None:
    raw = complete_case(
        offence={"aggravating_factors": ["group; planned", "a\\b", "[]"], "date": "2024-05-01"},
        peer_sexual_activity={"consensual_in_fact": True, "families_support": False},
        authorisation={"rank": "inspector", "officer_id": "0042", "rationale": "Line 1\nLine 2"},
        actual_outcome=8,
    )
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FLAT_COLUMNS)
    writer.writeheader()
    writer.writerow(record_to_row(raw))
    (row,) = csv.DictReader(io.StringIO(buf.getvalue()))
    back = row_to_record(row)
    assert back == raw
    CaseRecord.model_validate(back)


def test_recent_disposals_are_dropped_and_their_column_is_rejected() -> None:
    raw = complete_case()
    raw["offender"]["history"]["recent_disposals"] = [
        {"type": "community_resolution", "date": "2023-01-02", "ho_code": "46"}
    ]
    row = record_to_row(raw)
    assert "offender.history.recent_disposals" not in row
    with pytest.raises(CaseRecordError) as info:
        row_to_record({"case_id": "X", "offender.history.recent_disposals": "x"})
    assert info.value.code == "unknown-column"
    assert "counts" in info.value.hint


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("true", True),
        ("TRUE", True),
        ("Yes", True),
        ("y", True),
        ("1", True),
        ("false", False),
        ("No", False),
        ("N", False),
        ("0", False),
        (" true ", True),
    ],
)
def test_boolean_spellings(cell: str, value: bool) -> None:
    assert row_to_record({"victim.consents": cell}) == {"victim": {"consents": value}}


@pytest.mark.parametrize(
    ("column", "cell", "code"),
    [
        ("victim.consents", "maybe", "bad-boolean"),
        ("victim.consents", "2", "bad-boolean"),
        ("offender.age", "15.5", "bad-integer"),
        ("offender.age", "fifteen", "bad-integer"),
        ("offence.value_gbp", "£4", "bad-number"),
        ("offence.value_gbp", "nan", "bad-number"),
        ("offence.value_gbp", "inf", "bad-number"),
    ],
)
def test_bad_cells_are_errors_naming_the_column_not_the_value(
    column: str, cell: str, code: str
) -> None:
    with pytest.raises(CaseRecordError) as info:
        row_to_record({"case_id": "C-9", column: cell}, location=_loc())
    err = info.value
    assert err.code == code
    assert err.location.field == column
    assert err.location.line == 7
    assert cell not in err.render()


def _loc() -> Location:
    return Location("cases.csv", 7, 0, "C-9")


def test_every_bad_cell_of_a_row_is_reported_together() -> None:
    with pytest.raises(DisposalError) as info:
        row_to_record({"offender.age": "x", "victim.age": "y", "victim.consents": "z"})
    assert sorted(e.code for e in _errors(info.value)) == [
        "bad-boolean",
        "bad-integer",
        "bad-integer",
    ]


def test_empty_and_blank_cells_mean_not_recorded_and_empty_blocks_vanish() -> None:
    row = dict.fromkeys(FLAT_COLUMNS, "")
    row |= {"case_id": "C-1", "force": "kent", "decision_date": "2024-01-02", "victim.views": "  "}
    assert row_to_record(row) == {"case_id": "C-1", "force": "kent", "decision_date": "2024-01-02"}


def test_a_missing_column_is_not_recorded() -> None:
    assert row_to_record({"case_id": "C-1"}) == {"case_id": "C-1"}


def test_unknown_and_duplicate_columns() -> None:
    with pytest.raises(DisposalError) as info:
        check_columns(["case_id", "offender.agee", "case_id"])
    codes = {e.code: e for e in _errors(info.value)}
    assert set(codes) == {"unknown-column", "duplicate-column"}
    assert "offender.age" in codes["unknown-column"].hint
    assert codes["unknown-column"].location.col == 2


@pytest.mark.parametrize(
    "items",
    [
        [],
        ["one"],
        ["a;b"],
        ["a\\;b", "c"],
        ["\\"],
        ["ends with \\"],
        ["[]"],
        ["[]", "x"],
        ["semi;", ";colon"],
    ],
)
def test_list_cells_round_trip_with_escaping(items: list[str]) -> None:
    assert split_list(join_list(items)) == items


def test_list_cells_written_by_hand() -> None:
    assert split_list("a; b ;c") == ["a", "b", "c"]
    assert split_list("a;;b") == ["a", "b"]
    assert split_list(" [] ") == []
    assert join_list(["a;b"]) == "a\\;b"


def test_record_to_row_rejects_what_the_flat_form_cannot_hold() -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        (complete_case(offence={"aggravating_factors": ["ok", "  "]}), "blank-list-item"),
        (complete_case(offence={"aggravating_factors": "planned"}), "not-a-list"),
        (complete_case(victim={"views": ["a"]}), "not-a-scalar"),
        (complete_case(offender={"agee": 3}), "no-flat-column"),
        (complete_case(offence="shoplifting"), "no-flat-column"),
        (complete_case(extra=1), "no-flat-column"),
    ]
    for raw, code in cases:
        with pytest.raises(CaseRecordError) as info:
            record_to_row(raw)
        assert info.value.code == code


def test_record_to_row_accepts_a_model_dump() -> None:
    record = CaseRecord.model_validate(complete_case(actual_outcome=3), strict=False)
    row = record_to_row(record.model_dump())
    assert row["decision_date"] == "2024-05-14"
    assert row["offender.admission"] == "full_admission"
    assert CaseRecord.model_validate(row_to_record(row)) == record


def test_cells_beyond_the_header_are_an_error() -> None:
    header = "case_id,force\n"
    (row,) = csv.DictReader(io.StringIO(header + "C-1,kent,surplus\n"))
    with pytest.raises(CaseRecordError) as info:
        row_to_record(row, location=Location("cases.csv", 2))
    assert info.value.code == "extra-cells"
    assert info.value.location.line == 2


def test_cells_missing_at_the_end_of_a_row_are_not_recorded() -> None:
    (row,) = csv.DictReader(io.StringIO("case_id,force,victim.age\nC-1,kent\n"))
    assert row_to_record(row) == {"case_id": "C-1", "force": "kent"}


def test_a_cell_that_is_not_text_is_an_error() -> None:
    with pytest.raises(CaseRecordError) as info:
        row_to_record({"offender.age": 15})
    assert info.value.code == "not-text"
