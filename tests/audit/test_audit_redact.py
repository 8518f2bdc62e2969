"""Redaction and pseudonymisation: nothing marked for redaction reaches the ledger's bytes."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from audit_samples import (
    AUDIT_YAML,
    KEY,
    SECRET_DESCRIPTION,
    SECRET_OFFICER,
    SECRET_RATIONALE,
    SECRET_VIEWS,
    body,
    case_record,
    decision_for,
    officer_id,
    trace_for,
)

from disposal.audit.canonical import canonical_bytes, sha256_hex
from disposal.audit.config import AuditConfig, load_audit_config
from disposal.audit.errors import AuditError
from disposal.audit.ledger import LedgerWriter
from disposal.audit.record import build_record, new_decision_id, utc_now
from disposal.audit.redact import PSEUDONYM_PREFIX, REDACTED, Redactor
from disposal.errors import DisposalError

SECRETS = [SECRET_VIEWS, SECRET_DESCRIPTION, SECRET_RATIONALE, SECRET_OFFICER]


def leaky_trace(case: dict[str, Any]) -> list[dict[str, Any]]:
    """A trace that repeats redacted values, exactly and inside longer text."""
    return [
        *trace_for(case),
        {"rule": "NAT-K2", "status": "fired", "value": case["victim"]["views"]},
        {"rule": "AUTH", "why": f"authorised by {case['authorisation']['officer_id']} today"},
        {"rule": "CASE", "why": f"case {case['case_id']} reviewed"},
    ]


def write_leaky_ledger(path: Path, red: Redactor, n: int = 6) -> bytes:
    with LedgerWriter(path) as ledger:
        for i in range(n):
            case = case_record(i)
            ledger.append(body(i, red, case_input=case, trace=leaky_trace(case)))
    return path.read_bytes()


def assert_absent(data: bytes, needles: list[str]) -> None:
    for needle in needles:
        for form in (needle.encode(), json.dumps(needle)[1:-1].encode()):
            assert form not in data, f"{needle!r} leaked into the ledger"


def test_no_redacted_text_or_raw_identifier_reaches_the_file(tmp_path: Path, red: Redactor) -> None:
    data = write_leaky_ledger(tmp_path / "l.jsonl", red)
    assert_absent(data, SECRETS)
    assert b"KNT-2024-000001" in data  # case ids are kept by the default configuration


def test_pseudonymised_case_ids_are_gone_everywhere(tmp_path: Path) -> None:
    config = load_audit_config(AUDIT_YAML)
    config = config.model_copy(update={"pseudonymise": [*config.pseudonymise, "case_id"]})
    data = write_leaky_ledger(tmp_path / "l.jsonl", Redactor(config, KEY))
    assert_absent(data, [*SECRETS, "KNT-2024-00000"])


def test_markers_keep_presence_and_the_record_says_what_it_masked(red: Redactor) -> None:
    record = body(1, red)
    assert record["input"]["victim"]["views"] == REDACTED
    assert record["input"]["offence"]["description"] == REDACTED
    assert record["authorisation"]["rationale"] == REDACTED
    assert record["authorisation"]["officer_id"].startswith(PSEUDONYM_PREFIX)
    assert record["authorisation"] == record["input"]["authorisation"]
    assert record["redactions"] == [
        {"path": "authorisation.officer_id", "action": "pseudonymised"},
        {"path": "authorisation.rationale", "action": "dropped"},
        {"path": "offence.description", "action": "dropped"},
        {"path": "victim.views", "action": "dropped"},
    ]
    assert record["key_id"] == red.key_id
    assert len(red.key_id or "") == 16


def test_redaction_in_the_decision_and_trace(red: Redactor) -> None:
    config = red.config.model_copy(update={"pseudonymise": ["authorisation.officer_id", "case_id"]})
    pseudo = Redactor(config, KEY)
    case = case_record(2)
    record = body(2, pseudo, case_input=case, trace=leaky_trace(case))
    case_pseudonym = pseudo.pseudonym(case["case_id"])
    assert record["decision"]["case_id"] == case_pseudonym == record["input"]["case_id"]
    assert record["trace"][-3]["value"] == REDACTED
    assert record["trace"][-2]["why"] == f"authorised by {pseudo.pseudonym(officer_id(2))} today"
    assert record["trace"][-1]["why"] == f"case {case_pseudonym} reviewed"


def test_same_identifier_links_and_another_key_does_not(red: Redactor) -> None:
    first, same_officer = body(0, red), body(3, red)  # officer_id(i) repeats every 3 cases
    assert first["authorisation"]["officer_id"] == same_officer["authorisation"]["officer_id"]
    assert first["authorisation"]["officer_id"] != body(1, red)["authorisation"]["officer_id"]
    other = Redactor(red.config, b"another-key-of-at-least-16-bytes")
    assert body(0, other)["authorisation"]["officer_id"] != first["authorisation"]["officer_id"]
    assert other.key_id != red.key_id


def test_missing_key_is_an_error_not_raw_ids(red: Redactor) -> None:
    with pytest.raises(AuditError) as caught:
        Redactor(red.config, None)
    assert caught.value.code == "audit-key-missing"
    with pytest.raises(AuditError) as caught:
        Redactor.from_config(red.config, environ={})
    assert caught.value.code == "audit-key-missing"
    assert "DISPOSAL_AUDIT_KEY" in caught.value.render()


def test_drop_only_needs_no_key_and_digest_is_then_plain_sha256() -> None:
    config = AuditConfig(drop=["victim.views"], pseudonymise=[])
    red = Redactor(config, None)
    case = case_record(4)
    record = body(4, red, case_input=case)
    assert record["input_digest"] == "sha256:" + sha256_hex(canonical_bytes(case))
    assert record["key_id"] is None
    assert record["authorisation"]["officer_id"] == officer_id(4)


def test_input_digest_is_keyed_when_a_key_exists(red: Redactor) -> None:
    case = case_record(5)
    digest = body(5, red, case_input=case)["input_digest"]
    assert digest.startswith(PSEUDONYM_PREFIX)
    assert digest.removeprefix(PSEUDONYM_PREFIX) != sha256_hex(canonical_bytes(case))
    assert digest == red.input_digest(canonical_bytes(copy.deepcopy(case)))


def test_key_sources(tmp_path: Path, red: Redactor) -> None:
    key_file = tmp_path / "audit.key"
    key_file.write_bytes(b"file-key-0123456789abcdef\n")
    key_file.chmod(0o600)
    config = AuditConfig(pseudonymise=["authorisation.officer_id"], key={"file": str(key_file)})
    from_file = Redactor.from_config(config, environ={})
    from_env = Redactor.from_config(config, environ={"DISPOSAL_AUDIT_KEY": KEY.decode()})
    assert from_env.key_id == red.key_id != from_file.key_id
    key_file.chmod(0o644)
    with pytest.raises(AuditError) as caught:
        Redactor.from_config(config, environ={})
    assert caught.value.code == "audit-key-permissions"
    with pytest.raises(AuditError) as caught:
        Redactor.from_config(config, environ={"DISPOSAL_AUDIT_KEY": "Kq9xw"})
    assert caught.value.code == "audit-key-too-short"
    assert caught.value.location.file == "$DISPOSAL_AUDIT_KEY"
    assert "Kq9xw" not in caught.value.render()


def test_blank_and_missing_values_are_kept_and_lists_become_markers() -> None:
    config = AuditConfig(drop=["victim.views", "offence.mitigating_factors"], pseudonymise=[])
    red = Redactor(config, None)
    case = case_record(6)
    case["victim"]["views"] = "   "
    del case["authorisation"]
    record = body(6, red, case_input=case)
    assert record["input"]["victim"]["views"] == "   "
    assert record["input"]["offence"]["mitigating_factors"] == [REDACTED, REDACTED]
    assert record["authorisation"] is None
    assert record["redactions"] == [{"path": "offence.mitigating_factors", "action": "dropped"}]


def test_short_values_are_replaced_only_where_a_whole_string_equals_them() -> None:
    red = Redactor(AuditConfig(pseudonymise=["authorisation.officer_id"]), KEY)
    case = case_record(7)
    case["authorisation"]["officer_id"] = "12"
    trace = [{"rule": "A", "value": "12", "why": "within 12 months"}]
    record = body(7, red, case_input=case, trace=trace)
    assert record["trace"] == [
        {"rule": "A", "value": red.pseudonym("12"), "why": "within 12 months"}
    ]


def test_inputs_are_not_modified(red: Redactor) -> None:
    case = case_record(8)
    decision, trace = decision_for(case), leaky_trace(case)
    before = copy.deepcopy((case, decision, trace))
    body(8, red, case_input=case, decision=decision, trace=trace)
    assert (case, decision, trace) == before


def test_bad_arguments_are_named(red: Redactor) -> None:
    with pytest.raises(AuditError) as caught:
        body(9, red, timestamp="14/05/2024 10:22")
    assert caught.value.code == "bad-record"
    assert caught.value.location.field == "timestamp"


def test_helpers_for_interactive_use() -> None:
    assert len(new_decision_id()) == 32
    assert new_decision_id() != new_decision_id()
    stamp = utc_now()
    assert stamp.endswith("Z")
    assert stamp[10] == "T"
    record = build_record(
        decision_id=new_decision_id(),
        timestamp=stamp,
        tool_version="0.1.0",
        policy={"profile": "national", "version": "2024-01-01", "sha256": "c" * 64, "extra": 1},
        as_of="2024-05-14",
        case_input={"case_id": "X-1", "force": "kent", "decision_date": "2024-05-14"},
        decision={"case_id": "X-1", "decision": "permitted"},
        trace=[],
        redactor=Redactor(AuditConfig(), None),
    )
    assert record["kind"] == "disposal.decision"
    assert record["v"] == 1
    assert record["redactions"] == []
    assert record["policy"]["extra"] == 1


CONFIG_ERRORS = [
    ("drop:\n  - victim.view\n", "unknown-field", 2, "did you mean 'views'?"),
    ("pseudonymise:\n  - victim.age\n", "not-an-identifier", 2, ""),
    ("drop:\n  - offender.admission\n", "not-free-text", 2, ""),
    ("pseudonymise:\n  - force\n", "not-redactable", 2, ""),
    ("drop:\n  - victim.views\npseudonymise:\n  - victim.views\n", "duplicate-path", 4, ""),
    ("drop:\n  - victim.views.text\n", "unknown-field", 2, ""),
    ("version: 1\ndorp: []\n", "unknown-field", 2, "did you mean 'drop'?"),
    ("drop: victim.views\n", "wrong-type", 1, ""),
    ("version: 2\n", "bad-value", 1, ""),
    ("key:\n  env: 'NOT A NAME'\n", "bad-value", 2, ""),
    ("drop: [victim.views\n", "yaml-syntax", 1, ""),  # where the unclosed list opens
]


@pytest.mark.parametrize(("text", "code", "line", "hint"), CONFIG_ERRORS)
def test_config_errors_name_code_and_line(
    tmp_path: Path, text: str, code: str, line: int, hint: str
) -> None:
    path = tmp_path / "audit.yaml"
    path.write_text(text)
    with pytest.raises(DisposalError) as caught:
        load_audit_config(path)
    assert caught.value.code == code
    assert caught.value.location.file == str(path)
    assert caught.value.location.line == line
    assert hint in caught.value.hint


def test_default_config_is_valid_and_documented() -> None:
    config = load_audit_config(AUDIT_YAML)
    assert config.drop == ["victim.views", "offence.description", "authorisation.rationale"]
    assert config.pseudonymise == ["authorisation.officer_id"]
    assert config.key.env == "DISPOSAL_AUDIT_KEY"
    text = AUDIT_YAML.read_text()
    assert text.count("\n#") > 20
    assert "# - case_id" in text


def test_relative_key_file_is_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "audit.yaml").write_text("key:\n  file: secrets/audit.key\n")
    config = load_audit_config(tmp_path / "audit.yaml")
    assert config.key.file == str((tmp_path / "secrets" / "audit.key").resolve())
    assert os.path.isabs(config.key.file)


def test_paths_reach_through_lists_of_records() -> None:
    red = Redactor(AuditConfig(pseudonymise=["offender.history.recent_disposals.ho_code"]), KEY)
    case = case_record(10)
    case["offender"]["history"]["recent_disposals"].append(
        {"type": "caution", "date": "2022-01-01"}
    )
    record = body(10, red, case_input=case)
    disposals = record["input"]["offender"]["history"]["recent_disposals"]
    assert disposals[0]["ho_code"] == red.pseudonym("46")
    assert "ho_code" not in disposals[1]
    assert record["input"]["offence"]["ho_code"] == "46"  # equal, but a code the rules need
    assert record["redactions"] == [
        {"path": "offender.history.recent_disposals.ho_code", "action": "pseudonymised"}
    ]


def test_short_or_common_redacted_text_does_not_corrupt_other_fields() -> None:
    red = Redactor(AuditConfig(drop=["victim.views"]), None)
    case = case_record(11)
    case["victim"]["views"] = "none"
    case["offence"]["mitigating_factors"] = ["none", "none of note"]
    case_decision = decision_for(case, "permitted")
    trace = [{"rule": "W", "value": "none", "why": "views: none recorded"}]
    record = body(11, red, case_input=case, decision=case_decision, trace=trace)
    offence = record["input"]["offence"]
    assert (offence["injury"], offence["weapon"]) == ("none", "none")  # enumerations intact
    assert offence["mitigating_factors"] == ["none", f"{REDACTED} of note"]
    assert record["trace"] == [
        {"rule": "W", "value": REDACTED, "why": f"views: {REDACTED} recorded"}
    ]
    assert record["decision"]["decision"] == "permitted"
