"""``disposal review``: nothing lost, input order kept, and the same bytes however it is run.

The mixed fixtures (tests/fixtures/review/, described line by line in their README) hold
records broken in known ways; the expected rejects below are read off that README, not off
the output. Byte-identity tests pin the clock (``DISPOSAL_FIXED_TIME``) so that two runs can
be compared whole: with and without the decision cache, one worker or two, killed and resumed
or not.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from disposal.case import CaseRecord
from disposal.cli import app
from disposal.generate import generate_cases
from disposal.policyset import PolicySet
from disposal.service import Evaluator
from disposal.writers import write_records
from tests.conftest import ROOT, RULES

FIXTURES = ROOT / "tests" / "fixtures" / "review"
MIXED = [FIXTURES / "mixed.csv", FIXTURES / "no-decision-date.csv", FIXTURES / "mixed.jsonl"]
FIXED_TIME = "2026-01-01T00:00:00.000000Z"
runner = CliRunner()


def review(tmp: Path, inputs: list[Path], *options: str, out: str = "results.jsonl") -> Result:
    """Run the CLI in ``tmp`` with relative output paths, so runs in two places compare."""
    here = Path.cwd()
    os.chdir(tmp)
    try:
        args = ["review", *map(str, inputs), "--out", out, "--rules", str(RULES), *options]
        return runner.invoke(app, args)
    finally:
        os.chdir(here)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPOSAL_FIXED_TIME", FIXED_TIME)


@pytest.fixture(scope="module")
def generated_records(policy_set: PolicySet) -> list[dict[str, Any]]:
    """800 synthetic cases with repeats and sparse records."""
    return list(
        generate_cases(
            800, 5, offences=policy_set.offences, known_forces=policy_set.forces, sparse_share=0.2
        )
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, generated_records: list[Any]) -> Path:
    """The same cases as flat CSV."""
    path = tmp_path_factory.mktemp("generated") / "cases.csv"
    write_records(generated_records, path)
    return path


# -- nothing lost ------------------------------------------------------------------------------

# (file, line, record, error codes): from tests/fixtures/review/README.md
EXPECTED_REJECTS = [
    ("mixed.csv", 5, "MIX-004", ["bad-integer"]),
    ("mixed.csv", 6, "MIX-005", ["unknown-ho-code"]),
    ("mixed.csv", 7, "MIX-006", ["missing-field"]),
    ("mixed.csv", 10, "#8", ["broken-quoting"]),
    ("mixed.csv", 12, "#10", ["broken-quoting"]),
    ("mixed.csv", 13, "MIX-011", ["bad-encoding"]),
    ("mixed.csv", 14, "MIX-012", ["malformed-row"]),
    ("mixed.csv", 16, "MIX-013", ["bad-value"]),
    ("no-decision-date.csv", 2, "NODATE-2", ["missing-field"]),
    ("no-decision-date.csv", 3, "NODATE-3", ["missing-field"]),
    ("mixed.jsonl", 2, "#18", ["json-syntax"]),
    ("mixed.jsonl", 3, "#19", ["not-a-record"]),
    ("mixed.jsonl", 4, "JSL-EXTRA", ["unknown-field"]),
]
# the good records, in input order: the multi-line row (8-9) and the rows between the two
# stray quotes (11) are decided, not swallowed
EXPECTED_DECIDED = [
    "MIX-001",
    "MIX-002",
    "MIX-003",
    "MIX-007",
    "MIX-009",
    "MIX-014",
    "JSL-001",
    "JSL-003",
]


def test_a_mixed_input_reconciles_exactly(tmp_path: Path) -> None:
    result = review(tmp_path, MIXED, "--ledger", "ledger.jsonl", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert "read 21 = decided 8 + rejected 13: holds" in result.stdout

    rejects = lines(tmp_path / "results.rejects.jsonl")
    got = [
        (Path(r["file"]).name, r["line"], r["record"], [e["code"] for e in r["errors"]])
        for r in rejects
    ]
    assert got == EXPECTED_REJECTS
    by_line = {(Path(r["file"]).name, r["line"]): r["errors"][0] for r in rejects}
    assert by_line[("mixed.csv", 5)]["field"] == "offender.age"
    assert by_line[("mixed.csv", 6)]["field"] == "offence.ho_code"
    assert by_line[("mixed.csv", 16)]["field"] == "offender.admission"
    assert by_line[("mixed.jsonl", 4)]["field"] == "offender_name"

    results = lines(tmp_path / "results.jsonl")
    assert [r["case_id"] for r in results] == EXPECTED_DECIDED

    state = json.loads((tmp_path / "results.jsonl.state.json").read_text())
    assert state["complete"] is True
    assert state["reconciliation"] == {"read": 21, "decided": 8, "rejected": 13, "holds": True}

    # the values that made records bad (personal data, in real files) are never echoed
    everything = result.output + (tmp_path / "results.rejects.jsonl").read_text()
    for value in ("twelve", "Synthetic Name", "caf", "stray", "Public fear"):
        assert value not in everything

    # one ledger record per decided case, chained and verifiable
    ledger = tmp_path / "ledger.jsonl"
    assert [r["input"]["case_id"] for r in lines(ledger)] == EXPECTED_DECIDED
    verified = runner.invoke(app, ["audit", "verify", str(ledger)])
    assert verified.exit_code == 0, verified.output


def test_a_bad_header_is_refused_before_any_record_is_decided(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    text = (FIXTURES / "mixed.csv").read_bytes().replace(b"offender.age", b"offender.agee", 1)
    bad.write_bytes(text)
    result = review(tmp_path, [bad], "--no-ledger")
    assert result.exit_code == 2
    assert f"{bad}:1:" in result.stderr
    assert "unknown-column" in result.stderr
    assert "did you mean 'offender.age'" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "results.jsonl").exists()


def test_review_decides_every_case_as_evaluate_does(
    tmp_path: Path, generated: Path, generated_records: list[dict[str, Any]], evaluator: Evaluator
) -> None:
    """The caches change nothing: each result is what evaluate gives for the same record.

    The same record as CSV can express: the flat form has no ``recent_disposals`` (CONTRACT.md
    §1), so a CSV review sees them as not recorded.
    """
    result = review(tmp_path, [generated], "--no-ledger", "--workers", "1")
    assert result.exit_code == 0, result.output
    results = lines(tmp_path / "results.jsonl")
    assert len(results) == len(generated_records) == 800
    for raw, got in zip(generated_records, results, strict=True):
        flat = copy.deepcopy(raw)
        flat["offender"].get("history", {}).pop("recent_disposals", None)
        case = CaseRecord.model_validate(flat)
        expected = evaluator.evaluate(case).decision.to_json_dict()
        assert {k: v for k, v in got.items() if k != "case"} == expected, case.case_id
        assert got["case"]["force"] == case.force
        assert got["case"]["actual_outcome"] == case.actual_outcome


# -- the same bytes however it is run ----------------------------------------------------------


@pytest.mark.usefixtures("fixed_time")
def test_the_cache_and_the_worker_count_change_no_byte(tmp_path: Path, generated: Path) -> None:
    runs = {
        "cached-2": ("--workers", "2"),
        "uncached-1": ("--workers", "1", "--no-cache"),
    }
    outputs = {}
    for name, options in runs.items():
        where = tmp_path / name
        where.mkdir()
        result = review(where, [generated, *MIXED], "--ledger", "ledger.jsonl", *options)
        assert result.exit_code == 0, result.output
        outputs[name] = [
            (where / f).read_bytes()
            for f in ("results.jsonl", "results.rejects.jsonl", "ledger.jsonl")
        ]
    assert outputs["cached-2"] == outputs["uncached-1"]
    assert outputs["cached-2"][0].count(b"\n") == 808  # 800 generated + 8 good fixture records


@pytest.mark.usefixtures("fixed_time")
def test_the_ledgers_exact_path_writes_the_same_records(
    tmp_path: Path, generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records composed from shared parts equal those built one by one (``build_record``)."""
    ledgers = []
    for name in ("prepared", "exact"):
        if name == "exact":  # as when redaction would change shared text: every record
            monkeypatch.setattr("disposal.review.worker.compose", lambda *a, **k: None)
        where = tmp_path / name
        where.mkdir()
        result = review(where, [generated], "--ledger", "ledger.jsonl", "--workers", "1")
        assert result.exit_code == 0, result.output
        ledgers.append((where / "ledger.jsonl").read_bytes())
    assert ledgers[0] == ledgers[1]
    assert ledgers[0].count(b"\n") == 800


def test_csv_results_feed_the_report(tmp_path: Path, generated: Path) -> None:
    reports = []
    for out in ("results.csv", "results.jsonl"):
        where = tmp_path / out.split(".")[1]
        where.mkdir()
        result = review(where, [generated], "--no-ledger", out=out)
        assert result.exit_code == 0, result.output
        if out.endswith(".csv"):
            rows = (where / out).read_text(encoding="utf-8").splitlines()
            assert len(rows) == 801  # header + one row per case
        made = runner.invoke(app, ["report", str(where / out), "--out", str(where / "report.md")])
        assert made.exit_code == 0, made.output
        reports.append((where / "report.md").read_text())
    csv_report, jsonl_report = reports
    assert "| results.csv | 800 |" in csv_report
    # the same report whichever results format it was read from (but for the file it names)
    assert [line for line in csv_report.splitlines() if not line.startswith("| results.")] == [
        line for line in jsonl_report.splitlines() if not line.startswith("| results.")
    ]


# -- killed and resumed ------------------------------------------------------------------------


def _command(inputs: list[Path], *options: str) -> list[str]:
    args = [sys.executable, "-m", "disposal", "review", *map(str, inputs)]
    return [
        *args,
        "--out",
        "results.jsonl",
        "--ledger",
        "ledger.jsonl",
        "--rules",
        str(RULES),
        *options,
    ]


def _start(where: Path, inputs: list[Path], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        _command(inputs, "--workers", "2"),
        cwd=where,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # so the kill takes the worker processes too
    )


def _env(checkpoint: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DISPOSAL_FIXED_TIME=FIXED_TIME,
        DISPOSAL_REVIEW_CHUNK="40",
        DISPOSAL_REVIEW_CHECKPOINT=str(checkpoint),
        PYTHONPATH=str(ROOT / "src"),
    )
    return env


def _checkpointed(where: Path) -> int:
    try:
        return int(
            json.loads((where / "results.jsonl.state.json").read_text())["position"]["index"]
        )
    except (OSError, ValueError, KeyError):
        return 0


def _written(where: Path) -> int:
    path = where / "results.jsonl"
    return path.stat().st_size if path.exists() else 0


@pytest.mark.parametrize(
    ("checkpoint", "killed_when"),
    [
        (10_000, "results written, before the first checkpoint"),
        (120, "after several checkpoints"),
    ],
)
def test_a_review_killed_mid_run_and_resumed_writes_what_an_uninterrupted_one_does(
    tmp_path: Path, generated: Path, checkpoint: int, killed_when: str
) -> None:
    inputs = [generated, *MIXED]
    env = _env(checkpoint)
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    whole.mkdir()
    killed.mkdir()
    done = _start(whole, inputs, env)
    assert done.wait(timeout=300) == 0, done.stderr.read() if done.stderr else ""

    process = _start(killed, inputs, env)
    ready = (
        (lambda: _written(killed) > 0)
        if checkpoint > 800
        else (lambda: _checkpointed(killed) >= 3 * checkpoint)
    )
    deadline = time.monotonic() + 120
    while not ready() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    state = json.loads((killed / "results.jsonl.state.json").read_text())
    assert state["complete"] is False, f"the run finished before it could be killed ({killed_when})"
    assert (killed / "results.jsonl").read_bytes() != (whole / "results.jsonl").read_bytes()

    # a plain re-run is refused: it would silently duplicate or drop records
    again = subprocess.run(
        _command(inputs),
        cwd=killed,
        env=env,
        capture_output=True,
        check=False,
    )
    assert again.returncode == 2
    assert b"interrupted-run" in again.stderr
    assert b"--resume" in again.stderr

    resumed = subprocess.run(
        _command(inputs, "--resume", "--workers", "2"),
        cwd=killed,
        env=env,
        capture_output=True,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert b"read 821 = decided 808 + rejected 13: holds" in resumed.stdout
    for name in ("results.jsonl", "results.rejects.jsonl", "ledger.jsonl"):
        assert (killed / name).read_bytes() == (whole / name).read_bytes(), name


def test_resume_refuses_changed_inputs_and_a_missing_state(tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_bytes((FIXTURES / "mixed.jsonl").read_bytes())
    nothing = review(tmp_path, [source], "--no-ledger", "--resume")
    assert nothing.exit_code == 2
    assert "no-state" in nothing.stderr

    assert review(tmp_path, [source], "--no-ledger").exit_code == 0
    state_path = tmp_path / "results.jsonl.state.json"
    state = json.loads(state_path.read_text())
    state["complete"] = False  # as if the run had been killed
    state_path.write_text(json.dumps(state))
    with source.open("a", encoding="utf-8") as handle:
        handle.write("\n")
    changed = review(tmp_path, [source], "--no-ledger", "--resume")
    assert changed.exit_code == 2
    assert "resume-mismatch" in changed.stderr
    assert "input files changed" in changed.stderr

    other = review(tmp_path, [source], "--no-ledger", "--resume", "--as-of", "2024-01-01")
    assert other.exit_code == 2
    assert "options differ" in other.stderr


# -- real police.uk rows -----------------------------------------------------------------------


def test_the_real_police_uk_samples_import_and_review(tmp_path: Path) -> None:
    files = sorted((ROOT / "tests" / "fixtures" / "police_uk").glob("*.csv"))
    cases = tmp_path / "cases.jsonl"
    imported = runner.invoke(
        app, ["import", "police-uk", *map(str, files), "--out", str(cases), "--rules", str(RULES)]
    )
    assert imported.exit_code == 0, imported.output
    count = len(cases.read_text().splitlines())
    assert count > 0
    result = review(tmp_path, [cases], "--no-ledger")
    assert result.exit_code == 0, result.output
    assert f"read {count:,} = decided {count:,} + rejected 0: holds" in result.stdout
    results = lines(tmp_path / "results.jsonl")
    local = [r for r in results if r["case"]["actual_outcome"] == 8]
    assert local, "the fixture holds local resolutions"
    for r in local:
        # police.uk says nothing about admission, victims or history, so no local resolution
        # can be shown compliant; one in a family the policy bars can be shown non-compliant
        assert r["compliance"] in ("non_compliant", "unverifiable"), r["case_id"]
    sexual = [r for r in local if r["case"]["offence_family"] == "sexual"]
    assert all(r["decision"] != "permitted" for r in sexual)


# -- the committed example ---------------------------------------------------------------------


def test_the_committed_results_sample_is_current(tmp_path: Path) -> None:
    """docs/examples/results-sample.jsonl is regenerated by 'make examples' when rules change."""
    examples = sorted((ROOT / "cases" / "examples").iterdir(), key=lambda p: p.name.encode())
    result = review(tmp_path, examples, "--no-ledger", "--workers", "1")
    assert result.exit_code == 0, result.output
    sample = ROOT / "docs" / "examples" / "results-sample.jsonl"
    stale = "stale docs/examples/results-sample.jsonl: run 'make examples'"
    assert (tmp_path / "results.jsonl").read_bytes() == sample.read_bytes(), stale
