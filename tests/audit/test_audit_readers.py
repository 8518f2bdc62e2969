"""show and replay, through the library and through ``disposal audit`` (the typer sub-app)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from audit_samples import (
    AUDIT_YAML,
    KEY,
    POLICY,
    SECRET_OFFICER,
    SECRET_VIEWS,
    body,
    case_record,
    decision_for,
)
from typer.testing import CliRunner

from disposal.audit import cli
from disposal.audit.config import load_audit_config
from disposal.audit.errors import AuditError
from disposal.audit.ledger import LedgerWriter
from disposal.audit.reader import read_records
from disposal.audit.redact import REDACTED, Redactor
from disposal.audit.replay import ReplayStatus, replay
from disposal.audit.show import render_json, render_text, select
from disposal.audit.verify import verify

MakeLedger = Callable[..., Path]
runner = CliRunner()


@pytest.fixture(autouse=True)
def no_engine() -> Iterator[None]:
    cli.set_engine_factory(None)
    yield
    cli.set_engine_factory(None)


def invoke(*args: str) -> Any:
    return runner.invoke(cli.audit_app, list(args))


def test_text_rendering_has_what_a_panel_needs(make_ledger: MakeLedger) -> None:
    path = make_ledger(2)
    text = render_text(read_records(path), source="ledger.jsonl")
    first = text.split("\n\n")[0]
    for expected in (
        "ledger.jsonl:1: record 1, decision decision-000000",
        "When          2024-05-14T10:22:03.000000Z (disposal 0.1.0)",
        "Case          KNT-2024-000000",
        f"Policy        kent, version 2024-10-01, sha256 {POLICY['sha256']}",
        "Decision      permitted; authority needed: sergeant or above; authorised",
        "1. NAT-YOUTH-01 [require_authority, sergeant] Offender under 18",
        "source: NPCC Community Resolutions guidance 2022 s4.2",
        "Missing       nothing",
        "Authorisation inspector, officer hmac-sha256:",
        f"rationale: {REDACTED}",
        "Redacted      authorisation.officer_id (pseudonymised); authorisation.rationale (dropped)",
        "prev 0000000000000000000000000000000000000000000000000000000000000000",
        "the line matches its hash",
    ):
        assert expected in first, expected
    assert SECRET_OFFICER not in text
    assert SECRET_VIEWS not in text


def test_text_rendering_flags_a_changed_line(make_ledger: MakeLedger) -> None:
    path = make_ledger(2)
    path.write_bytes(path.read_bytes().replace(b'"age":15', b'"age":19', 1))
    assert "DOES NOT MATCH ITS HASH" in render_text(read_records(path))


def test_select_finds_a_case_by_id_or_pseudonym(tmp_path: Path) -> None:
    config = load_audit_config(AUDIT_YAML)
    config = config.model_copy(update={"pseudonymise": ["authorisation.officer_id", "case_id"]})
    red = Redactor(config, KEY)
    path = tmp_path / "l.jsonl"
    with LedgerWriter(path) as ledger:
        ledger.append_many(body(i, red) for i in range(4))
    wanted = red.pseudonym("KNT-2024-000002")
    found = list(select(read_records(path), {"KNT-2024-000002", wanted}))
    assert [entry.line for entry in found] == [3]
    assert not list(select(read_records(path), {"KNT-2024-000002"}))


def test_lines_that_are_not_records_are_named(tmp_path: Path) -> None:
    path = tmp_path / "junk.jsonl"
    path.write_bytes(b'{"kind":"disposal.decision","v":1}\n')
    assert render_text(read_records(path)) == (
        "line 1: not a readable record (the line does not end with a hash member)\n"
    )


def test_json_rendering(make_ledger: MakeLedger) -> None:
    rows = [json.loads(row) for row in render_json(read_records(make_ledger(3))).splitlines()]
    assert [row["line"] for row in rows] == [1, 2, 3]
    assert all(row["intact"] for row in rows)
    assert rows[1]["record"]["seq"] == 2


def fake_engine(
    outcome: str = "permitted", sha: str = POLICY["sha256"]
) -> tuple[Callable[[dict[str, Any], str, str], tuple[dict[str, Any], str]], Any]:
    calls: list[tuple[str, str]] = []

    def evaluate(case: dict[str, Any], profile: str, as_of: str) -> tuple[dict[str, Any], str]:
        calls.append((profile, as_of))
        assert case["victim"]["views"] == REDACTED  # replay sees the redacted input
        return decision_for(case, outcome), sha

    def current_sha(profile: str, as_of: str) -> str:
        return sha

    evaluate.calls = calls  # type: ignore[attr-defined]
    return evaluate, current_sha


def test_replay_same_differs_and_policy_changed(make_ledger: MakeLedger) -> None:
    path = make_ledger(3)
    evaluate, sha = fake_engine()
    report = replay(path, evaluate, sha)
    assert [item.status for item in report.items] == [ReplayStatus.SAME] * 3
    assert evaluate.calls == [("kent", "2024-05-14")] * 3  # type: ignore[attr-defined]

    evaluate, sha = fake_engine("not_permitted")
    report = replay(path, evaluate, sha)
    assert report.differs
    assert report.counts == {"differs": 3}
    item = report.items[0]
    assert item.changes == ["decision"]
    assert item.case_id == "KNT-2024-000000"
    assert item.old is not None
    assert item.new is not None
    assert (item.old["decision"], item.new["decision"]) == ("permitted", "not_permitted")

    evaluate, sha = fake_engine("not_permitted", sha="f" * 64)
    report = replay(path, evaluate, sha)
    assert report.counts == {"policy_changed": 3}
    assert not report.differs
    assert not evaluate.calls  # type: ignore[attr-defined]
    report = replay(path, evaluate, sha, use_current=True)
    assert report.items[0].status is ReplayStatus.POLICY_CHANGED
    assert report.items[0].changes == ["decision"]
    assert "would change" in report.items[0].note


def test_replay_reports_engine_errors_and_skips_broken_lines(make_ledger: MakeLedger) -> None:
    path = make_ledger(2)
    path.write_bytes(path.read_bytes() + b"garbage\n")

    def failing(case: dict[str, Any], profile: str, as_of: str) -> tuple[dict[str, Any], str]:
        raise AuditError("unknown-profile", "no such profile")

    report = replay(path, failing, lambda profile, as_of: POLICY["sha256"])
    assert [item.status for item in report.items] == [
        ReplayStatus.ERROR,
        ReplayStatus.ERROR,
        ReplayStatus.SKIPPED,
    ]
    assert report.items[0].note == "unknown-profile: no such profile"


def test_cli_verify_ok_prints_the_head(make_ledger: MakeLedger) -> None:
    path = make_ledger(3)
    result = invoke("verify", str(path))
    assert result.exit_code == 0
    assert "ok: 3 record(s), chain intact" in result.output
    assert f"head: {verify(path).head}" in result.output
    as_json = json.loads(invoke("verify", str(path), "--json").output)
    assert as_json["ok"]
    assert as_json["records"] == 3


def test_cli_verify_broken_exits_1_and_names_the_line(make_ledger: MakeLedger) -> None:
    path = make_ledger(4)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join([lines[0], lines[1], lines[3]]))
    result = invoke("verify", str(path))
    assert result.exit_code == 1
    assert f"{path}:3: removed: record 3 is missing before this line" in result.output
    assert "broken: first break at line 3 (removed)" in result.output


def test_cli_verify_expect_head(make_ledger: MakeLedger) -> None:
    path = make_ledger(3)
    head = verify(path).head
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:2]))
    result = invoke("verify", str(path), "--expect-head", head)
    assert result.exit_code == 1
    assert ":3: truncated:" in result.output
    bad = invoke("verify", str(path), "--expect-head", "xyz")
    assert bad.exit_code == 2
    assert "bad-value" in bad.output


@pytest.mark.parametrize("command", ["verify", "show", "replay"])
def test_cli_bad_input_exits_2_without_traceback(tmp_path: Path, command: str) -> None:
    cli.set_engine_factory(fake_engine)
    result = invoke(command, str(tmp_path / "missing.jsonl"))
    assert result.exit_code == 2
    assert "error:" in result.output
    assert "file-not-found" in result.output
    assert "Traceback" not in result.output


def test_cli_show_text_json_and_case(make_ledger: MakeLedger) -> None:
    path = make_ledger(3)
    text = invoke("show", str(path), "--audit-config", str(AUDIT_YAML)).output
    assert text.count("Decision ") == 3
    one = invoke("show", str(path), "--case", "KNT-2024-000001", "--audit-config", str(AUDIT_YAML))
    assert one.exit_code == 0
    assert one.output.count("Decision ") == 1
    assert f"{path}:2: record 2" in one.output
    rows = invoke("show", str(path), "--json").output.splitlines()
    assert [json.loads(row)["line"] for row in rows] == [1, 2, 3]
    none = invoke("show", str(path), "--case", "NOPE")
    assert none.exit_code == 0
    assert "no records to show" in none.output


def test_cli_replay_without_engine_is_a_clear_error(make_ledger: MakeLedger) -> None:
    result = invoke("replay", str(make_ledger(1)))
    assert result.exit_code == 2
    assert "engine-not-available" in result.output


def test_cli_replay_with_an_engine(make_ledger: MakeLedger) -> None:
    path = make_ledger(2)
    cli.set_engine_factory(lambda: fake_engine("not_permitted"))
    result = invoke("replay", str(path))
    assert result.exit_code == 0
    assert f"{path}:1: differs: case KNT-2024-000000: decision changed" in result.output
    assert "replayed 2 line(s): 2 differs" in result.output
    assert invoke("replay", str(path), "--fail-on-diff").exit_code == 1
    rows = [json.loads(row) for row in invoke("replay", str(path), "--json").output.splitlines()]
    assert rows[0]["status"] == "differs"
    assert rows[0]["new"]["decision"] == "not_permitted"


def test_every_command_has_an_example_in_its_help() -> None:
    for command in ("verify", "show", "replay"):
        result = invoke(command, "--help")
        assert result.exit_code == 0
        assert "Example: disposal audit " + command in result.output


def test_case_record_fixture_is_realistic() -> None:
    def leaves(value: Any) -> int:
        if isinstance(value, dict):
            return sum(leaves(v) for v in value.values())
        if isinstance(value, list):
            return sum(leaves(v) for v in value) or 1
        return 1

    assert 35 <= leaves(case_record(0)) <= 50
