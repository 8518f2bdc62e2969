"""``disposal scenarios test|new`` and ``disposal train`` through typer's CliRunner.

The quiz's simple flows are driven with typed input (``input=``); the real-terminal tests,
with Ctrl-D and Ctrl-C, are in ``test_quiz_terminal.py``.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from disposal.cli import app
from disposal.training.loader import load_scenario
from disposal.training.marking import build_question
from tests.conftest import ROOT
from tests.training.conftest import library_policy
from tests.training.helpers import library_file, scenario_data, write

SAMPLE_SHEET = ROOT / "docs" / "examples" / "quiz-answers.yaml"


def invoke(*args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(app, list(args), input=stdin, prog_name="disposal")


def copy_scenarios(directory: Path, *ids: str) -> Path:
    for scenario_id in ids:
        shutil.copy(library_file(scenario_id), directory)
    return directory


def letter(scenario_id: str, reason: str | None = None, seed: int = 0) -> str:
    """The letter the quiz shows for ``reason`` (default: the main reason) of a scenario."""
    q = build_question(load_scenario(library_file(scenario_id), library_policy()), seed)
    wanted = reason or q.main_reason
    return "abcd"[[rid for rid, _ in q.choices].index(wanted)]


def wrong_letter(scenario_id: str) -> str:
    """The letter of the first offered reason that is not an accepted main reason."""
    q = build_question(load_scenario(library_file(scenario_id), library_policy()))
    return "abcd"[next(i for i, (rid, _) in enumerate(q.choices) if rid not in q.accepted)]


# -- scenarios test ---------------------------------------------------------------------------


def test_scenarios_test_passes_and_reports_coverage(tmp_path: Path) -> None:
    copy_scenarios(tmp_path, "TRN-018", "TRN-019")
    result = invoke("scenarios", "test", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "PASS TRN-018" in result.stdout
    assert "metropolitan's own rules no scenario makes fire: MET-EXC-HATE" in result.stdout
    assert result.stdout.rstrip().endswith("2 passed, 0 failed, 2 scenario(s)")


def test_scenarios_test_profile_option_selects(tmp_path: Path) -> None:
    copy_scenarios(tmp_path, "TRN-018", "TRN-019")
    result = invoke("scenarios", "test", str(tmp_path), "--profile", "metropolitan")
    assert result.exit_code == 0, result.output
    assert "TRN-018" not in result.stdout
    assert "1 passed, 0 failed, 1 scenario(s)" in result.stdout


def test_a_failing_scenario_exits_1_with_the_report_and_no_traceback(tmp_path: Path) -> None:
    data = scenario_data(expect={"decision": "not_permitted", "required_authority": None})
    write(tmp_path, data, "trn-900-test.yaml")
    result = invoke("scenarios", "test", str(tmp_path))
    assert result.exit_code == 1
    assert "FAIL TRN-900" in result.stdout
    assert "expected: not_permitted" in result.stdout
    assert "Traceback" not in result.output


def test_a_bad_scenario_file_exits_2_with_a_located_error(tmp_path: Path) -> None:
    write(tmp_path, scenario_data(expect={"fires": ["NAT-VIC-3"]}), "trn-900-test.yaml")
    result = invoke("scenarios", "test", str(tmp_path))
    assert result.exit_code == 2
    assert "trn-900-test.yaml:" in result.stderr
    assert "unknown-rule" in result.stderr
    assert "did you mean 'NAT-VIC-03'" in result.stderr
    assert "Traceback" not in result.output


def test_an_unknown_profile_option(tmp_path: Path) -> None:
    copy_scenarios(tmp_path, "TRN-018")
    result = invoke("scenarios", "test", str(tmp_path), "--profile", "met")
    assert result.exit_code == 2
    assert "unknown-profile" in result.stderr


# -- scenarios new ----------------------------------------------------------------------------

CASE = "cases/examples/d13-intimate-partner-assault.yaml"


def test_scenarios_new_prints_a_skeleton_with_the_engine_answer() -> None:
    result = invoke("scenarios", "new", "--from", str(ROOT / CASE), "--id", "TRN-900")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# TODO: confirm against the policy text.")
    assert "id: TRN-900" in text
    assert "decision: not_permitted" in text
    assert "- NAT-DA-01" in text
    assert 'ho_code: "105A"' in text


def test_scenarios_new_writes_once_and_never_overwrites(tmp_path: Path) -> None:
    out = tmp_path / "trn-900-skeleton.yaml"
    first = invoke(
        "scenarios", "new", "--from", str(ROOT / CASE), "--id", "TRN-900", "--out", str(out)
    )
    assert first.exit_code == 0, first.output
    before = out.read_text(encoding="utf-8")
    again = invoke(
        "scenarios", "new", "--from", str(ROOT / CASE), "--id", "TRN-900", "--out", str(out)
    )
    assert again.exit_code == 2
    assert "file-exists" in again.stderr
    assert out.read_text(encoding="utf-8") == before
    # The skeleton is refused by the loader until an author finishes it.
    check = invoke("scenarios", "test", str(out))
    assert check.exit_code == 2
    assert "unfinished-scenario" in check.stderr


def test_scenarios_new_under_another_profile(tmp_path: Path) -> None:
    result = invoke(
        "scenarios", "new", "--from", str(ROOT / CASE), "--id", "TRN-900",
        "--profile", "metropolitan",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "profile: metropolitan" in result.stdout
    assert "force: metropolitan" in result.stdout
    assert "- MET-EXC-DA" in result.stdout


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--from", CASE, "--id", "X-1"), "bad-value"),
        (("--from", "cases/examples/nope.yaml"), "file-not-found"),
        (("--from", CASE, "--profile", "kentt"), "unknown-profile"),
    ],
)
def test_scenarios_new_bad_input(args: tuple[str, ...], code: str) -> None:
    fixed = [str(ROOT / a) if a.startswith("cases/") else a for a in args]
    result = invoke("scenarios", "new", *fixed)
    assert result.exit_code == 2
    assert code in result.stderr
    assert "Traceback" not in result.output


def test_scenarios_new_refuses_a_file_of_several_cases(tmp_path: Path) -> None:
    two = tmp_path / "two.yaml"
    text = (ROOT / CASE).read_text(encoding="utf-8")
    body = text.split("\ncase_id:", 1)[1]
    two.write_text(
        "- case_id:" + body.replace("\n", "\n  ")
        + "\n- case_id:" + body.replace("EX-D13-001", "EX-D13-002").replace("\n", "\n  "),
        encoding="utf-8",
    )  # fmt: skip
    result = invoke("scenarios", "new", "--from", str(two))
    assert result.exit_code == 2
    assert "one-case-only" in result.stderr


# -- train --answers --------------------------------------------------------------------------


def test_train_marks_the_sample_answer_sheet(tmp_path: Path) -> None:
    results = tmp_path / "results.csv"
    result = invoke(
        "train", str(ROOT / "cases" / "training"), "--answers", str(SAMPLE_SHEET),
        "--results", str(results),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Marked answer sheet")
    assert "Score: 3 of 6 fully correct (decision right in 3)." in result.stdout
    rows = list(csv.DictReader(results.open(encoding="utf-8")))
    assert [r["scenario"] for r in rows][:2] == ["TRN-001", "TRN-010"]
    assert {r["trainee"] for r in rows} == {"Sample trainee"}


def test_train_answers_with_an_unknown_scenario(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text("answers:\n  - {scenario: TRN-0001, decision: permitted}\n", encoding="utf-8")
    result = invoke("train", str(ROOT / "cases" / "training"), "--answers", str(sheet))
    assert result.exit_code == 2
    assert "unknown-scenario" in result.stderr
    assert "did you mean 'TRN-001'" in result.stderr


# -- the interactive quiz with typed input ----------------------------------------------------


def quiz_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "quiz"
    directory.mkdir(parents=True)
    return copy_scenarios(directory, "TRN-001", "TRN-035")


def test_quiz_right_answers(tmp_path: Path) -> None:
    typed = f"1\n{letter('TRN-001')}\n2\n2\n{letter('TRN-035')}\n"
    result = invoke("train", str(quiz_dir(tmp_path)), stdin=typed)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Correct. (decision right, main reason right)") == 2
    assert "Score: 2 of 2 answered fully correct" in result.stdout
    assert "Topics to revisit: none" in result.stdout
    assert "Results are not saved" in result.stdout


def test_quiz_reasks_an_invalid_answer_and_explains_a_wrong_one(tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    # Q1: '7' and 'x' are invalid and re-asked; then right. Q2: wrong rank (sergeant).
    typed = f"7\nx\n1\nz\n{letter('TRN-001')}\n2\nsergeant\n{letter('TRN-035')}\n"
    result = invoke(
        "train",
        str(quiz_dir(tmp_path)),
        "--results",
        str(results),
        "--trainee",
        "PC 9",
        stdin=typed,
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.count("Please answer with a number from 1 to 4.") == 2
    assert "Please answer with one letter from a to d." in out
    assert "Not quite. (decision wrong, main reason right)" in out
    assert "Your answer: requires authorisation (sergeant)" in out
    assert "The answer: REQUIRES AUTHORISATION: inspector or above" in out
    assert "Main reason: Prolific or priority offender needs an Inspector" in out
    assert "Topics to revisit: authorisation, history, theft" in out
    rows = list(csv.DictReader(results.open(encoding="utf-8")))
    assert [(r["scenario"], r["correct"]) for r in rows] == [
        ("TRN-001", "true"),
        ("TRN-035", "false"),
    ]
    assert rows[1]["answer_rank"] == "sergeant"
    assert rows[1]["answer_reason"] == "NAT-HIST-03"
    assert float(rows[0]["seconds"]) >= 0


def test_quiz_end_of_input_keeps_the_answers_so_far(tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    typed = f"1\n{letter('TRN-001')}\n2\n"  # input ends at the rank question
    result = invoke("train", str(quiz_dir(tmp_path)), "--results", str(results), stdin=typed)
    assert result.exit_code == 0, result.output
    assert "End of input: the quiz stops here." in result.stdout
    assert "Score: 1 of 1 answered fully correct" in result.stdout
    rows = list(csv.DictReader(results.open(encoding="utf-8")))
    assert [r["scenario"] for r in rows] == ["TRN-001"]


def test_quiz_count_and_shuffle(tmp_path: Path) -> None:
    directory = quiz_dir(tmp_path)
    result = invoke("train", str(directory), "--count", "1", "--shuffle", "--seed", "7", stdin="")
    assert result.exit_code == 0, result.output
    assert "Question 1 of 1:" in result.stdout


def test_results_header_is_written_once(tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    for run in ("first", "second"):
        directory = quiz_dir(tmp_path / run)
        invoke(
            "train", str(directory), "--results", str(results), stdin=f"1\n{letter('TRN-001')}\n"
        )
    lines = results.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("timestamp,trainee,scenario,")
    assert sum(line.startswith("timestamp") for line in lines) == 1
    assert len(lines) == 3
