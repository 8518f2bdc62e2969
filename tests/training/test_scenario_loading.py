"""Loading scenario files: strict, located errors with stable codes, every problem at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from disposal.errors import DisposalError
from disposal.policyset import PolicySet
from disposal.training.loader import load_scenario, load_scenarios
from tests.training.conftest import library_paths, library_policy
from tests.training.helpers import scenario_data, write


@pytest.fixture(scope="module")
def policy() -> PolicySet:
    return library_policy()


def codes(exc: DisposalError) -> list[tuple[str, str]]:
    return [(e.code, e.location.field) for e in getattr(exc, "errors", [exc])]


def test_a_valid_scenario_loads(tmp_path: Path, policy: PolicySet) -> None:
    loaded = load_scenario(write(tmp_path, scenario_data()), policy)
    assert loaded.id == "TRN-900"
    assert loaded.case.case_id == "TRN-900"
    assert loaded.policy.name == "national@2023-10-01"


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _drop(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


BAD = [
    # what is wrong, the change, (code, field) expected among the errors
    ("unknown top-level key", _set(("narative",), "x"), ("unknown-field", "narative")),
    ("missing narrative", _drop(("narrative",)), ("missing-field", "narrative")),
    ("bad id", _set(("id",), "T-1"), ("bad-value", "id")),
    ("unknown difficulty", _set(("difficulty",), "hard"), ("bad-value", "difficulty")),
    ("unknown topic", _set(("topics",), ["domestic"]), ("bad-value", "topics.0")),
    ("unknown profile", _set(("profile",), "northumberland"), ("unknown-profile", "profile")),
    ("profile not in force", _set(("profile",), "kent"), ("profile-mismatch", "case.force")),
    (
        "date differs from the case's",
        _set(("date",), "2024-07-17"),
        ("date-mismatch", "case.decision_date"),
    ),
    (
        "unknown rule expected to fire",
        _set(("expect", "fires"), ["NAT-VIC-3"]),
        ("unknown-rule", "expect.fires.0"),
    ),
    (
        "rank given for not_permitted",
        _set(("expect", "decision"), "not_permitted"),
        ("bad-value", "expect.required_authority"),
    ),
    (
        "insufficient_information without main_reason",
        lambda d: d["expect"].update(decision="insufficient_information", required_authority=None),
        ("missing-field", "expect.main_reason"),
    ),
    (
        "main reason that is not expected to fire",
        _set(("expect", "main_reason"), "NAT-VIC-04"),
        ("bad-value", "expect.main_reason"),
    ),
    (
        "learning point without a source",
        _set(("learning_points",), [{"text": "Something"}]),
        ("missing-source", "learning_points.0"),
    ),
    (
        "case field typo",
        _set(("case", "offender", "agrees"), True),
        ("unknown-field", "offender.agrees"),
    ),
    (
        "unknown HO code",
        _set(("case", "offence", "ho_code"), "466"),
        ("unknown-ho-code", "offence.ho_code"),
    ),
    (
        "unfinished skeleton",
        _set(("narrative",), "TODO: write it"),
        ("unfinished-scenario", "narrative"),
    ),
]


@pytest.mark.parametrize(("why", "change", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_scenarios_give_located_errors(
    tmp_path: Path,
    policy: PolicySet,
    why: str,
    change: Callable[[dict[str, Any]], None],
    expected: tuple[str, str],
) -> None:
    data = scenario_data()
    change(data)
    path = write(tmp_path, data, "trn-900-test.yaml")
    with pytest.raises(DisposalError) as caught:
        load_scenario(path, policy)
    assert expected in codes(caught.value), codes(caught.value)
    for error in getattr(caught.value, "errors", [caught.value]):
        assert error.location.file == str(path)
        assert error.location.line > 0, error.render()


def test_unknown_rule_gets_a_did_you_mean(tmp_path: Path, policy: PolicySet) -> None:
    data = scenario_data(expect={"fires": ["NAT-VIC-3"]})
    with pytest.raises(DisposalError) as caught:
        load_scenario(write(tmp_path, data, "trn-900-test.yaml"), policy)
    assert "NAT-VIC-03" in caught.value.hint


def test_a_profile_without_a_version_on_the_date_is_refused(
    tmp_path: Path, policy: PolicySet
) -> None:
    """Kent's profile starts in November 2020: a 2019 Kent scenario would silently be national."""
    case = scenario_data()["case"]
    case.update(force="kent", decision_date="2019-05-01")
    data = scenario_data(profile="kent", date="2019-05-01", case=case)
    with pytest.raises(DisposalError) as caught:
        load_scenario(write(tmp_path, data, "trn-900-test.yaml"), policy)
    assert ("profile-not-in-force", "date") in codes(caught.value)


def test_file_name_must_start_with_the_id(tmp_path: Path, policy: PolicySet) -> None:
    with pytest.raises(DisposalError) as caught:
        load_scenario(write(tmp_path, scenario_data(), "store-refuses.yaml"), policy)
    assert caught.value.code == "file-name"


def test_all_errors_of_all_files_are_reported_together(tmp_path: Path, policy: PolicySet) -> None:
    write(tmp_path, scenario_data(difficulty="hard"), "trn-900-a.yaml")
    write(tmp_path, scenario_data(), "trn-900-b.yaml")
    other = scenario_data(id="TRN-901", expect={"fires": ["NOPE-1"]})
    write(tmp_path, other, "trn-901-c.yaml")
    with pytest.raises(DisposalError) as caught:
        load_scenarios([tmp_path], policy)
    found = {code for code, _ in codes(caught.value)}
    assert {"bad-value", "unknown-rule"} <= found


def test_duplicate_ids_are_refused(tmp_path: Path, policy: PolicySet) -> None:
    write(tmp_path, scenario_data(), "trn-900-a.yaml")
    write(tmp_path, scenario_data(), "trn-900-b.yaml")
    with pytest.raises(DisposalError) as caught:
        load_scenarios([tmp_path], policy)
    assert caught.value.code == "duplicate-scenario-id"


def test_no_scenario_files_is_an_error(tmp_path: Path, policy: PolicySet) -> None:
    with pytest.raises(DisposalError) as caught:
        load_scenarios([tmp_path], policy)
    assert caught.value.code == "no-input"


def test_errors_never_quote_the_narrative(tmp_path: Path, policy: PolicySet) -> None:
    secret = "Jane Example of 1 Secret Street"
    data = scenario_data(narrative=secret, difficulty=secret)
    with pytest.raises(DisposalError) as caught:
        load_scenario(write(tmp_path, data, "trn-900-test.yaml"), policy)
    assert "Secret" not in caught.value.render()


def test_the_whole_library_loads(policy: PolicySet) -> None:
    loaded = load_scenarios(library_paths(), policy)
    assert len(loaded) == len(library_paths())
