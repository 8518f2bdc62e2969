"""The command line: help and examples, version, evaluate in its modes, rules list by date.

Runs that evaluate cases go through the real entry point (``python -m disposal`` in a child
process, from the worktree so ``./rules`` is found): that is what users run, and it keeps the
durable_rules engine out of the test process. Error paths use typer's ``CliRunner``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from disposal import __version__
from disposal.cli import app
from tests.conftest import complete_case

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "cases/examples/d26-youth-shoplifting.yaml"
BAD_CASES = ROOT / "tests" / "fixtures" / "bad_cases"
CONTRACT_KEYS = {
    "case_id",
    "decision",
    "required_authority",
    "authorised",
    "reasons",
    "missing",
    "suggested_outcomes",
    "policy",
    "compliance",
}
DOCUMENTED_EXTRAS = {"unresolved"}


@cache
def entry_point(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m disposal ARGS`` in a real process (cached: runs are deterministic)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("DISPOSAL_DEBUG", None)
    env.pop("DISPOSAL_RULES", None)
    return subprocess.run(
        [sys.executable, "-m", "disposal", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ok(*args: str) -> str:
    done = entry_point(*args)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def json_lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), prog_name="disposal")


# -- help, examples, version -------------------------------------------------------------------


def command_paths() -> list[tuple[str, ...]]:
    """Every command and sub-command, found by walking the CLI (new ones are covered too)."""
    paths: list[tuple[str, ...]] = []

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        paths.append(path)
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return paths


NO_EXAMPLE: dict[tuple[str, ...], str] = {}


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "disposal")
def test_help_exits_0_and_shows_an_example(
    path: tuple[str, ...], request: pytest.FixtureRequest
) -> None:
    if path in NO_EXAMPLE:
        request.applymarker(pytest.mark.xfail(strict=True, reason=NO_EXAMPLE[path]))
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "Example:" in result.stdout


def help_examples() -> list[tuple[str, str]]:
    out = []
    for path in command_paths():
        text = invoke(*path, "--help").stdout
        for match in re.finditer(r"Example:\s+(disposal [^\n]+)", text):
            out.append((" ".join(path), match.group(1).strip()))
    return out


@pytest.mark.parametrize("command", [c for _, c in help_examples()])
def test_help_examples_run(command: str, request: pytest.FixtureRequest) -> None:
    args = shlex.split(command)[1:]
    done = entry_point(*args)
    assert done.returncode == 0, done.stderr


def test_there_are_examples_to_run() -> None:
    assert len(help_examples()) >= 3


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"disposal {__version__}"


def test_version_is_printed_before_a_command() -> None:
    """What works today: --version given ahead of a sub-command prints and exits 0."""
    result = invoke("--version", "rules", "list")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"disposal {__version__}"


# -- evaluate ----------------------------------------------------------------------------------


def test_evaluate_example_in_text() -> None:
    out = ok("evaluate", EXAMPLE)
    assert out.startswith("EX-D26-001: PERMITTED")
    # The NPCC Child Gravity Matrix (dated 2023-10-01) starts the national version in force.
    assert "national version 2023-10-01" in out


def test_evaluate_example_in_json_has_exactly_the_contract_keys() -> None:
    (data,) = json_lines(ok("evaluate", EXAMPLE, "--json"))
    assert set(data) == CONTRACT_KEYS | DOCUMENTED_EXTRAS
    assert data["case_id"] == "EX-D26-001"
    assert data["decision"] == "permitted"
    assert data["required_authority"] == "constable"
    assert data["compliance"] is None
    policy = data["policy"]
    assert {"profile", "version", "sha256"} <= set(policy)
    assert policy["profile"] == "national"
    assert policy["version"] == "2023-10-01"  # gravity matrices dated from 2023-10-01
    assert re.fullmatch(r"[0-9a-f]{64}", policy["sha256"])


def test_explain_json_adds_only_the_trace() -> None:
    (plain,) = json_lines(ok("evaluate", EXAMPLE, "--json"))
    (explained,) = json_lines(ok("evaluate", EXAMPLE, "--json", "--explain"))
    assert set(explained) == set(plain) | {"trace"}
    assert {k: v for k, v in explained.items() if k != "trace"} == plain
    assert explained["trace"]


def test_explain_never_prints_free_text() -> None:
    text = ok("evaluate", EXAMPLE, "--explain") + ok("evaluate", EXAMPLE, "--explain", "--json")
    assert "Store manager" not in text  # victim.views
    assert "Chocolate bar" not in text  # offence.description


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Cases that exercise every decision, for comparing the evaluators."""
    records = [
        complete_case(case_id="B-1"),
        complete_case(case_id="B-2", offender={"admission": "denies"}),
        complete_case(case_id="B-3", victim={"consulted": False}),
        complete_case(case_id="B-4", offender={"age": 15, "appropriate_adult_present": True}),
        complete_case(case_id="B-5", offence={"evidence_sufficient": None}),
        complete_case(case_id="B-6", offence={"ho_code": "8N"}, actual_outcome=8),
        complete_case(case_id="B-7", decision_date="2016-03-01", victim={"consents": False}),
    ]
    path = tmp_path_factory.mktemp("batch") / "batch.yaml"
    path.write_text(yaml.safe_dump(records, sort_keys=False), encoding="utf-8")
    return path


def test_batch_covers_several_decisions(batch: Path) -> None:
    decisions = {d["decision"] for d in json_lines(ok("evaluate", str(batch), "--json"))}
    assert len(decisions) >= 3, decisions


@pytest.mark.parametrize("options", [("--engine", "reference"), ("--cross-check",)], ids=str)
def test_other_engines_give_the_same_json(batch: Path, options: tuple[str, ...]) -> None:
    default = ok("evaluate", str(batch), "--json")
    assert ok("evaluate", str(batch), "--json", *options) == default
    assert len(default.splitlines()) == 7


def test_evaluating_a_directory_evaluates_every_file(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(complete_case(case_id="DIR-B")))
    (tmp_path / "a.json").write_text(json.dumps(complete_case(case_id="DIR-A")))
    sub = tmp_path / "sub"
    sub.mkdir()
    both = [complete_case(case_id="DIR-C1"), complete_case(case_id="DIR-C2")]
    (sub / "c.yml").write_text(yaml.safe_dump(both))
    (tmp_path / "notes.txt").write_text("not a case file")
    ids = [d["case_id"] for d in json_lines(ok("evaluate", str(tmp_path), "--json"))]
    assert ids == ["DIR-A", "DIR-B", "DIR-C1", "DIR-C2"]


# -- evaluate: bad options and records ---------------------------------------------------------


def test_as_of_with_a_bad_date_exits_2() -> None:
    result = invoke("evaluate", EXAMPLE, "--as-of", "14/05/2024")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert ": bad-date: " in result.stderr
    assert "--as-of" in result.stderr


def test_unknown_engine_exits_2() -> None:
    result = invoke("evaluate", EXAMPLE, "--engine", "drools")
    assert result.exit_code == 2
    assert ": bad-option: " in result.stderr


@pytest.mark.parametrize(
    ("target", "code"),
    [("missing.yaml", "file-not-found"), ("empty_dir", "no-input")],
)
def test_missing_input_exits_2(tmp_path: Path, target: str, code: str) -> None:
    (tmp_path / "empty_dir").mkdir()
    result = invoke("evaluate", str(tmp_path / target))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {tmp_path / target}: {code}: ")


UNKNOWN_FORCE = BAD_CASES / "unknown_force.yaml"


def test_unknown_force_exits_2_with_did_you_mean() -> None:
    done = entry_point("evaluate", str(UNKNOWN_FORCE.relative_to(ROOT)))
    assert done.returncode == 2
    assert done.stdout == ""
    assert ": unknown-force: " in done.stderr
    assert "did you mean 'kent'?" in done.stderr
    assert "Traceback" not in done.stderr
    assert "ZZ-PRIVATE-MARKER" not in done.stderr


def test_unknown_force_names_file_line_and_record() -> None:
    result = invoke("evaluate", str(UNKNOWN_FORCE))
    assert result.stderr.startswith(f"error: {UNKNOWN_FORCE}:3:1 (record BAD-FORCE, field 'force')")


def write_force_batch(path: Path) -> Path:
    records = [
        complete_case(case_id="F-1"),
        complete_case(case_id="F-2", force="kentt"),
        complete_case(case_id="F-3", force="sufolk"),
    ]
    path.write_text(yaml.safe_dump(records, sort_keys=False), encoding="utf-8")
    return path


def test_unknown_forces_in_a_batch_are_all_reported_before_any_output(tmp_path: Path) -> None:
    path = write_force_batch(tmp_path / "forces.yaml")
    done = entry_point("evaluate", str(path), "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count(": unknown-force: ") == 2


# -- rules list by date ------------------------------------------------------------------------


@cache
def rules_list(as_of: str) -> str:
    """``rules list --profile national --as-of DATE`` (in-process: no engine runs)."""
    result = invoke("rules", "list", "--profile", "national", "--as-of", as_of)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def listed(as_of: str) -> dict[str, str]:
    """Rule id -> effect column, from ``rules list``."""
    rows = {}
    for line in rules_list(as_of).splitlines()[1:]:
        rule_id, effect, *_ = line.split(None, 2)
        rows[rule_id] = effect
    return rows


def test_rules_list_follows_the_dates() -> None:
    assert rules_list("2015-06-01").startswith("national@2012-01-01 (ACPO")
    assert rules_list("2024-06-01").startswith("national@2023-10-01 (NPCC")
    in_2015, in_2024 = listed("2015-06-01"), listed("2024-06-01")
    assert set(in_2024) - set(in_2015) == {"NAT-ADM-02", "NAT-IMG-01"}
    assert set(in_2015) <= set(in_2024)
    adm_02 = next(ln for ln in rules_list("2024-06-01").splitlines() if "NAT-ADM-02" in ln)
    assert '{"suggest": 22}' in adm_02
    # NAT-ADM-02 (suggest outcome 22) is dated from 2019-04-01: listed from that day on.
    assert "NAT-ADM-02" not in listed("2019-03-31")
    assert "NAT-ADM-02" in listed("2019-04-01")


DATED = {
    # accepted_admissions: a full admission only under ACPO (2012), acceptance too since 2022
    "P-ADMISSION": ({"offender": {"admission": "accepts_responsibility"}}, "not_permitted"),
    # victim_no_consent_effect: a sergeant may authorise (ACPO); only a warning since 2022
    "P-CONSENT": ({"victim": {"consents": False}}, "requires_authorisation"),
}


def test_dated_parameters_change_the_decision(tmp_path: Path) -> None:
    path = tmp_path / "dated.yaml"
    records = [complete_case(case_id=cid, **over) for cid, (over, _) in DATED.items()]
    path.write_text(yaml.safe_dump(records, sort_keys=False), encoding="utf-8")
    old = json_lines(ok("evaluate", str(path), "--json", "--as-of", "2015-06-01"))
    new = json_lines(ok("evaluate", str(path), "--json", "--as-of", "2024-06-01"))
    assert {d["case_id"]: d["decision"] for d in old} == {k: v for k, (_, v) in DATED.items()}
    assert {d["case_id"]: d["decision"] for d in new} == dict.fromkeys(DATED, "permitted")
    assert {d["policy"]["version"] for d in old} == {"2012-01-01"}
    assert {d["policy"]["version"] for d in new} == {"2023-10-01"}


def test_rules_list_with_a_bad_date_exits_2() -> None:
    result = invoke("rules", "list", "--as-of", "2024-02-30")
    assert result.exit_code == 2
    assert ": bad-date: " in result.stderr


def test_rules_list_unknown_profile_exits_2_with_did_you_mean() -> None:
    result = invoke("rules", "list", "--profile", "nationl")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "did you mean 'national'?" in result.stderr


def test_rules_list_unknown_profile_is_named_as_such() -> None:
    result = invoke("rules", "list", "--profile", "nationl")
    assert ": unknown-profile: " in result.stderr
    assert "--profile" in result.stderr
