"""Sample case records, decisions and traces for the audit tests, the child processes and the
benchmark. Values marked SECRET are distinctive so that a byte search of a ledger finds any leak."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from disposal.audit.config import load_audit_config
from disposal.audit.record import build_record
from disposal.audit.redact import Redactor

ROOT = Path(__file__).resolve().parents[2]
AUDIT_YAML = ROOT / "rules" / "audit.yaml"
KEY = b"test-key-0123456789abcdef-not-for-production"
POLICY = {"profile": "kent", "version": "2024-10-01", "sha256": "ab" * 32}
TIMESTAMP = "2024-05-14T10:22:03.000000Z"

SECRET_VIEWS = "Zebra-Quartz victim says she is frightened of Mr Xylophone"
SECRET_DESCRIPTION = "Took a Quokka-Marmalade jar from Blenheim Stores"
SECRET_RATIONALE = "Rationale-Pineapple: both 13, families support"
SECRET_OFFICER = "PC-7731-ZX81"


def officer_id(i: int) -> str:
    return f"{SECRET_OFFICER}-{i % 3}"


def case_record(i: int = 0) -> dict[str, Any]:
    """A realistic case record of about 40 fields, as plain JSON data."""
    return {
        "case_id": f"KNT-2024-{i:06d}",
        "force": "kent",
        "decision_date": "2024-05-14",
        "offence": {
            "ho_code": "46",
            "description": f"{SECRET_DESCRIPTION} #{i}",
            "date": "2024-05-01",
            "mode_of_trial": "summary",
            "gravity_score": 1,
            "value_gbp": 4.5 + i % 7,
            "injury": "none",
            "aggravating_factors": ["group"],
            "mitigating_factors": ["first offence", "remorse"],
            "domestic_abuse": False,
            "relationship_to_victim": "stranger",
            "hate_crime": False,
            "weapon": "none",
            "evidence_sufficient": True,
        },
        "offender": {
            "age": 15,
            "admission": "full_admission",
            "agrees_to_resolution": True,
            "appropriate_adult_present": True,
            "prolific_or_priority_offender": False,
            "history": {
                "previous_convictions": 0,
                "previous_cautions": 0,
                "previous_community_resolutions": 1,
                "recent_disposals": [
                    {"type": "community_resolution", "date": "2023-11-02", "ho_code": "46"}
                ],
            },
        },
        "victim": {
            "identified": True,
            "age": 40,
            "vulnerable": False,
            "consulted": True,
            "consents": True,
            "views": f"{SECRET_VIEWS} ({i})",
        },
        "authorisation": {
            "rank": "inspector",
            "officer_id": officer_id(i),
            "rationale": f"{SECRET_RATIONALE} ({i})",
            "date": "2024-05-14",
        },
    }


def decision_for(case: dict[str, Any], outcome: str = "permitted") -> dict[str, Any]:
    """A contract §2 decision with three reasons."""
    return {
        "case_id": case["case_id"],
        "decision": outcome,
        "required_authority": "sergeant",
        "authorised": True,
        "reasons": [
            {
                "rule": "NAT-YOUTH-01",
                "effect": "require_authority",
                "authority": "sergeant",
                "message": "Offender under 18: appropriate adult and sergeant authorisation",
                "source": "NPCC Community Resolutions guidance 2022 s4.2",
            },
            {
                "rule": "NAT-THEFT-02",
                "effect": "warn",
                "authority": None,
                "message": "Previous community resolution within 24 months",
                "source": "NPCC Community Resolutions guidance 2022 s3.5",
            },
            {
                "rule": "KNT-VAL-01",
                "effect": "suggest",
                "authority": None,
                "message": "Low value theft: community resolution appropriate",
                "source": "Kent Police community resolution policy 2024 para 12",
            },
        ],
        "missing": [],
        "suggested_outcomes": [],
        "policy": dict(POLICY),
        "compliance": None,
    }


def trace_for(case: dict[str, Any]) -> list[dict[str, Any]]:
    """Fifteen trace entries, as the engine's trace-as-data might look."""
    statuses = ("fired", "not_fired", "not_in_force")
    return [
        {
            "rule": f"NAT-R-{k:02d}",
            "status": statuses[k % 3],
            "reads": ["offender.age", "victim.consents"],
            "why": "condition offender.age < 18 held" if k % 3 == 0 else "condition did not hold",
        }
        for k in range(15)
    ]


def redactor(key: bytes | None = KEY) -> Redactor:
    return Redactor(load_audit_config(AUDIT_YAML), key)


def body(i: int = 0, red: Redactor | None = None, **overrides: Any) -> dict[str, Any]:
    """A redacted record body for case ``i`` with deterministic id and timestamp."""
    case = overrides.pop("case_input", None) or case_record(i)
    arguments: dict[str, Any] = {
        "decision_id": f"decision-{i:06d}",
        "timestamp": TIMESTAMP,
        "tool_version": "0.1.0",
        "policy": dict(POLICY),
        "as_of": "2024-05-14",
        "case_input": case,
        "decision": decision_for(case),
        "trace": trace_for(case),
        "redactor": red or redactor(),
    }
    arguments.update(overrides)
    return build_record(**arguments)
