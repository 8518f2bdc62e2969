"""Throughput and memory of ``disposal report`` on a synthetic results file.

    PYTHONPATH=src python benchmarks/bench_report.py --lines 1000000

Writes N results lines (44 forces, 12 financial years, every offence family, 1 in 10
non-compliant) to a temporary directory, then times the streaming pass and each output format,
and prints peak resident memory. A decade of national CRs is about 1.6 million lines; a decade
of all outcomes about 55 million (DATA_NOTES.md §0).
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from disposal.report.aggregate import aggregate
from disposal.report.render import write_report

FORCES = [f"force-{i:02d}" for i in range(44)]
FAMILIES = [
    *("theft", "violence", "sexual", "weapons", "drugs"),
    *("public_order", "criminal_damage", "fraud", "other", None),
]
REASONS = {
    0: ('"not_permitted"', "null", '[{"rule": "NAT-SEX-01", "effect": "deny", "message": "No"}]'),
    1: ('"requires_authorisation"', '"inspector"',
        '[{"rule": "NAT-SEX-02", "effect": "require_authority", "message": "Inspector"}]'),
}  # fmt: skip
COMPLIANCE = {0: "non_compliant", 1: "non_compliant", 2: "unverifiable"}


def write_results(path: Path, lines: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            year = 2014 + (i // 97) % 12
            decision, rank, reasons = REASONS.get(i % 20, ('"permitted"', '"constable"', "[]"))
            if i % 20 == 2:
                decision, rank = '"insufficient_information"', "null"
            compliance = COMPLIANCE.get(i % 20, "compliant") if i % 20 < 18 else None
            outcome = 8 if compliance else 1
            out.write(
                f'{{"case_id": "C-{i:010d}", "decision": {decision}, '
                f'"required_authority": {rank}, "reasons": {reasons}, "missing": [], '
                f'"policy": {{"profile": "national", "version": "2014-04-01", '
                f'"sha256": "{"0" * 64}"}}, "compliance": {json.dumps(compliance)}, '
                f'"case": {{"force": "{FORCES[i % 44]}", '
                f'"decision_date": "{year}-{4 + i % 9:02d}-{1 + i % 28:02d}", '
                f'"offence_family": {json.dumps(FAMILIES[(i // 3) % 10])}, '
                f'"ho_code": "46", "actual_outcome": {outcome}}}}}\n'
            )


def timed(label: str, lines: int, func: object) -> None:
    start = time.perf_counter()
    func()  # type: ignore[operator]
    seconds = time.perf_counter() - start
    print(f"{label:<28} {seconds:8.2f} s  {lines / seconds:>10,.0f} lines/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.jsonl"
        write_results(results, args.lines)
        size = results.stat().st_size / 1e6
        print(f"{args.lines:,} lines, {size:,.0f} MB")
        timed("aggregate (one pass)", args.lines, lambda: aggregate([results]))
        for ext in ("html", "md", "csv"):
            out = Path(tmp) / f"report.{ext}"
            timed(f"write_report .{ext}", args.lines, lambda o=out: write_report([results], o))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak resident memory        {peak:8.0f} MB")


if __name__ == "__main__":
    main()
