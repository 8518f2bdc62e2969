"""Shared fixtures: the repository's real policy, loaded once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from disposal.case import CaseRecord
from disposal.policyset import PolicySet
from disposal.service import Evaluator

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"


def shared_data() -> Path | None:
    """The project's shared research data (outside the repository), when this machine has it.

    ``$DISPOSAL_SHARED_DATA`` names it; otherwise ``shared/data`` next to the checkout or one
    level up (worktrees). Tests over these large real files run where they exist; small real
    samples are committed under tests/fixtures so the same behaviour is tested on a clean clone.
    """
    named = os.environ.get("DISPOSAL_SHARED_DATA")
    candidates = [Path(named)] if named else [p / "shared" / "data" for p in ROOT.parents[:2]]
    return next((p for p in candidates if p.is_dir()), None)


@pytest.fixture(autouse=True, scope="session")
def _audit_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests never write an audit ledger into the working tree, and have a (test) key.

    Child processes started by tests inherit these variables too.
    """
    ledger = tmp_path_factory.mktemp("ledger") / "test-ledger.jsonl"
    saved = {k: os.environ.get(k) for k in ("DISPOSAL_LEDGER", "DISPOSAL_AUDIT_KEY")}
    os.environ["DISPOSAL_LEDGER"] = str(ledger)
    os.environ["DISPOSAL_AUDIT_KEY"] = "test-only-key-0123456789abcdef"
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def policy_set() -> PolicySet:
    return PolicySet.load(RULES)


@pytest.fixture(scope="session")
def evaluator(policy_set: PolicySet) -> Evaluator:
    """durable_rules with every case cross-checked against the reference evaluator."""
    return Evaluator(RULES, engine="durable", cross_check=True, policy_set=policy_set)


def complete_case(**overrides: Any) -> dict[str, Any]:
    """A fully recorded, permitted-at-officer-level adult shoplifting case (national, 2024).

    Tests start from this and change one fact, so each test shows exactly what moves the
    decision. Nested blocks in ``overrides`` are merged one level deep.
    """
    base: dict[str, Any] = {
        "case_id": "T-1",
        "force": "national",
        "decision_date": "2024-05-14",
        "offence": {
            "ho_code": "46",
            "value_gbp": 12.5,
            "injury": "none",
            "aggravating_factors": [],
            "mitigating_factors": [],
            "domestic_abuse": False,
            "relationship_to_victim": "stranger",
            "hate_crime": False,
            "weapon": "none",
            "evidence_sufficient": True,
        },
        "offender": {
            "age": 34,
            "admission": "full_admission",
            "agrees_to_resolution": True,
            "appropriate_adult_present": False,
            "prolific_or_priority_offender": False,
            "history": {
                "previous_convictions": 0,
                "previous_cautions": 0,
                "previous_community_resolutions": 0,
            },
        },
        "victim": {
            "identified": True,
            "age": 45,
            "vulnerable": False,
            "consulted": True,
            "consents": True,
            "views": "Content with an apology and the goods returned",
        },
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base


def record(**overrides: Any) -> CaseRecord:
    return CaseRecord.model_validate(complete_case(**overrides), strict=False)
