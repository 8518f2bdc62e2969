"""Building scenario files for tests: a valid scenario as data, changed one field at a time."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT, complete_case

LIBRARY = ROOT / "cases" / "training"


def scenario_data(**overrides: Any) -> dict[str, Any]:
    """A valid scenario: D-17 under NPCC 2022 (permitted with NAT-VIC-03's warning)."""
    case = complete_case(
        case_id="TRN-900",
        decision_date="2024-07-16",
        victim={"consents": False, "views": "Store wants prosecution"},
    )
    data: dict[str, Any] = {
        "id": "TRN-900",
        "title": "The store insists on prosecution",
        "difficulty": "foundation",
        "topics": ["victim", "theft"],
        "profile": "national",
        "date": "2024-07-16",
        "basis": "POLICY_RESEARCH D-17: PERMIT + WARN (CR-D1, S13).",
        "narrative": "A first-time adult shoplifter admits it; the store wants prosecution.",
        "case": case,
        "expect": {
            "decision": "permitted",
            "required_authority": "constable",
            "fires": ["NAT-VIC-03"],
        },
        "learning_points": [{"text": "Views are recorded, not followed.", "rule": "NAT-VIC-03"}],
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return copy.deepcopy(data)


def write(directory: Path, data: dict[str, Any], name: str | None = None) -> Path:
    path = directory / (name or f"{str(data.get('id', 'trn-000')).lower()}-test.yaml")
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def library_file(scenario_id: str) -> Path:
    (path,) = LIBRARY.glob(f"{scenario_id.lower()}-*.yaml")
    return path
