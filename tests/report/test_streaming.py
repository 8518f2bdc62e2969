"""Streaming: what the aggregate keeps does not grow with the number of lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from disposal.report.aggregate import ReportData, aggregate

FORCES = ("kent", "avon-and-somerset", "lancashire", "greater-manchester", "metropolitan")
FAMILIES = ("theft", "violence", "sexual", "drugs", "other", None)
SHA = "0" * 64
DENY = '[{"rule": "NAT-SEX-01", "effect": "deny", "message": "Never suitable"}]'
NEEDS = '[{"rule": "NAT-SEX-02", "effect": "require_authority", "message": "Inspector"}]'
KINDS = {  # i % 20 → (decision, compliance if a CR, required authority, reasons, missing)
    0: ("not_permitted", "non_compliant", "null", DENY, "[]"),
    1: ("requires_authorisation", "non_compliant", '"inspector"', NEEDS, "[]"),
    2: ("insufficient_information", "unverifiable", "null", "[]", '["victim.consents"]'),
}
PERMITTED = ("permitted", "compliant", '"constable"', "[]", "[]")


def write_results(path: Path, lines: int) -> None:
    """Synthetic results: 1 in 10 non-compliant, 1 in 20 unverifiable, 1 in 10 not a CR."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            force, year, family = FORCES[i % 5], 2019 + (i // 7) % 6, FAMILIES[(i // 3) % 6]
            decision, compliance, rank, reasons, missing = KINDS.get(i % 20, PERMITTED)
            outcome = 8 if i % 20 < 18 else 1
            out.write(
                f'{{"case_id": "C-{i:09d}", "decision": "{decision}", '
                f'"required_authority": {rank}, "reasons": {reasons}, "missing": {missing}, '
                f'"policy": {{"profile": "{force}", "version": "2019-04-01", "sha256": "{SHA}"}}, '
                f'"compliance": {json.dumps(compliance if outcome == 8 else None)}, '
                f'"case": {{"force": "{force}", "decision_date": "{year}-{4 + i % 9:02d}-15", '
                f'"offence_family": {json.dumps(family)}, "ho_code": "46", '
                f'"actual_outcome": {outcome}}}}}\n'
            )


def deep_size(data: ReportData) -> int:
    """Bytes held by the aggregate's containers (keys, values and listed cases included)."""
    total = sys.getsizeof(data.cube) + sum(sys.getsizeof(k) for k in data.cube)
    for part in (data.reasons, data.missing_facts, data.lacking_rank, data.policies):
        total += sys.getsizeof(part) + sum(sys.getsizeof(x) for x in part)
    return total + sum(sys.getsizeof(c) + sys.getsizeof(c.reasons) for c in data.listed)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("streaming")
    small, large = base / "small.jsonl", base / "large.jsonl"
    write_results(small, 20_000)
    write_results(large, 200_000)
    return small, large


def test_aggregate_does_not_grow_with_the_number_of_lines(files: tuple[Path, Path]) -> None:
    small, large = (aggregate([path], max_listed=50) for path in files)
    assert large.records == 200_000
    overall = large.overall()
    assert overall.cr_given == 180_000
    assert overall.non_compliant == 20_000  # i % 20 in (0, 1)
    assert overall.unverifiable == 10_000
    assert len(large.listed) == 50
    assert large.omitted == 19_950
    assert set(large.cube) == set(small.cube)  # the same cells, only bigger counts
    assert len(large.cube) <= len(FORCES) * 6 * len(FAMILIES) * 4
    assert len(large.reasons) == len(small.reasons) == 2
    assert deep_size(large) <= deep_size(small) * 1.05
    # i = 1: avon-and-somerset (i % 5), 2019/20 (i // 7 = 0), non-compliant (i % 20): first
    assert large.listed[0].case_id == "C-000000001"
