"""Questions, marks and answer sheets: what counts as the right decision, rank and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from disposal.errors import DisposalError
from disposal.training import answers
from disposal.training.loader import load_scenario
from disposal.training.marking import (
    NO_RULE,
    Answer,
    Question,
    accepted_reasons,
    build_question,
    explanation,
    mark,
    parse_decision,
    parse_rank,
)
from disposal.training.scenario import LoadedScenario
from disposal.vocab import Decision, Rank
from tests.training.conftest import library_policy
from tests.training.helpers import library_file

P, RA, NP, II = (
    Decision.PERMITTED,
    Decision.REQUIRES_AUTHORISATION,
    Decision.NOT_PERMITTED,
    Decision.INSUFFICIENT_INFORMATION,
)


def scenario(scenario_id: str) -> LoadedScenario:
    return load_scenario(library_file(scenario_id), library_policy())


@pytest.mark.parametrize(
    ("text", "decision"),
    [("1", P), ("2", RA), ("3", NP), ("4", II), ("permitted", P), ("not_permitted", NP),
     ("Requires authorisation", RA), ("i", II), ("n", NP), ("5", None), ("", None),
     ("perhaps", None)],
)  # fmt: skip
def test_parse_decision(text: str, decision: Decision | None) -> None:
    assert parse_decision(text) is decision


@pytest.mark.parametrize(
    ("text", "numbered", "rank"),
    [("2", True, Rank.INSPECTOR), ("2", False, None), ("chief inspector", False,
     Rank.CHIEF_INSPECTOR), ("chief_inspector", True, Rank.CHIEF_INSPECTOR), ("9", True, None),
     ("Sergeant", False, Rank.SERGEANT), ("sarge", False, None)],
)  # fmt: skip
def test_parse_rank(text: str, numbered: bool, rank: Rank | None) -> None:
    assert parse_rank(text, numbered) is rank


@pytest.mark.parametrize(
    ("scenario_id", "accepted"),
    [
        ("TRN-001", [NO_RULE]),  # permitted, nothing fires
        ("TRN-023", ["NAT-VIC-03"]),  # permitted with a warning
        ("TRN-035", ["NAT-HIST-03"]),  # the top rank decides, not the Sergeant rule
        ("TRN-013", ["NAT-SEX-01", "NAT-GRAV-01"]),  # any bar
        ("TRN-059", ["NAT-HIST-01"]),  # the undecided rule
        ("TRN-011", ["MET-EXC-SEX"]),  # Superintendent beats the Inspector rules
    ],
)
def test_accepted_main_reasons(scenario_id: str, accepted: list[str]) -> None:
    assert accepted_reasons(scenario(scenario_id)) == accepted


def test_questions_are_seeded_and_never_offer_a_fired_rule_as_a_distractor() -> None:
    s = scenario("TRN-010")
    q = build_question(s, seed=3)
    assert q == build_question(s, seed=3)
    ids = [rid for rid, _ in q.choices]
    assert len(ids) == 4
    assert len(set(ids)) == 4
    assert q.main_reason in ids
    fired = set(s.scenario.expect.fires) - {q.main_reason}
    assert not fired & set(ids)


def test_a_right_answer_and_a_wrong_one() -> None:
    q = build_question(scenario("TRN-035"))
    right = mark(q, Answer(RA, Rank.INSPECTOR, "NAT-HIST-03"))
    assert (right.correct, right.decision_correct, right.reason_correct) == (True, True, True)
    wrong_rank = mark(q, Answer(RA, Rank.SERGEANT, "NAT-HIST-03"))
    assert (wrong_rank.decision_correct, wrong_rank.reason_correct) == (False, True)
    lines = "\n".join(explanation(wrong_rank))
    assert "Not quite." in lines
    assert "Your answer: requires authorisation (sergeant)" in lines
    assert "The answer: REQUIRES AUTHORISATION: inspector or above" in lines
    assert "Prolific or priority offender needs an Inspector" in lines
    assert "Source:" in lines


# -- answer sheets ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def questions() -> dict[str, Question]:
    return {s: build_question(scenario(s)) for s in ("TRN-001", "TRN-018", "TRN-035")}


def test_a_yaml_sheet_is_marked(tmp_path: Path, questions: dict[str, Question]) -> None:
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(
        "trainee: PC 1\n"
        "answers:\n"
        "  - {scenario: TRN-001, decision: permitted, reason: none}\n"
        "  - {scenario: TRN-018, decision: not permitted, reason: domestic abuse between"
        " intimate partners}\n"
        "  - {scenario: TRN-035, decision: requires_authorisation, rank: sergeant,"
        " reason: NAT-HIST-01}\n",
        encoding="utf-8",
    )
    marks = answers.mark_sheet(answers.answers_for(answers.load_sheet(sheet), questions))
    assert [m.correct for m in marks] == [True, True, False]
    text = "\n".join(answers.render_marked(marks))
    assert "Score: 2 of 3 fully correct (decision right in 2)." in text
    assert "Topics to revisit: authorisation, history, theft" in text


def test_a_csv_sheet_is_marked(tmp_path: Path, questions: dict[str, Question]) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "scenario,decision,rank,reason\nTRN-018,not_permitted,,NAT-DA-01\n", encoding="utf-8"
    )
    marks = answers.mark_sheet(answers.answers_for(answers.load_sheet(sheet), questions))
    assert [m.correct for m in marks] == [True]


@pytest.mark.parametrize(
    ("row", "code", "hint"),
    [
        ("TRN-0018,not_permitted,,NAT-DA-01", "unknown-scenario", "TRN-018"),
        ("TRN-018,refused,,NAT-DA-01", "bad-value", ""),
        ("TRN-035,requires_authorisation,inspecter,NAT-HIST-03", "unknown-rank", "inspector"),
        ("TRN-018,not_permitted,,NAT-DA-1", "unknown-rule", "NAT-DA-01"),
    ],
)
def test_bad_sheet_rows_are_located_errors(
    tmp_path: Path, questions: dict[str, Question], row: str, code: str, hint: str
) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(f"scenario,decision,rank,reason\n{row}\n", encoding="utf-8")
    with pytest.raises(DisposalError) as caught:
        answers.answers_for(answers.load_sheet(sheet), questions)
    assert caught.value.code == code
    assert caught.value.location.line == 2
    assert hint in caught.value.hint


def test_a_sheet_that_is_not_a_sheet(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text("- TRN-001\n", encoding="utf-8")
    with pytest.raises(DisposalError) as caught:
        answers.load_sheet(sheet)
    assert caught.value.code == "bad-answer-sheet"
