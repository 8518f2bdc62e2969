"""Synthetic case generation speed: drawing records, and writing them as JSON Lines and CSV.

    PYTHONPATH=src python benchmarks/bench_generate.py              # 200,000 cases, best of 3
    PYTHONPATH=src python benchmarks/bench_generate.py --n 1000000 --repeat 1

Each figure is the best of ``--repeat`` runs (the machine is shared, so the best run is the one
least disturbed). Peak resident memory is printed to show that streaming keeps it flat whatever
``--n`` is. A benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from disposal.generate import generate_cases
from disposal.policyset import PolicySet
from disposal.writers import write_records
from machine import describe  # benchmarks/machine.py: run as scripts from this folder

ROOT = Path(__file__).resolve().parents[1]


def best_rate(n: int, repeat: int, work: Callable[[], object]) -> float:
    best = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = max(best, n / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    policy = PolicySet.load(ROOT / "rules")

    def cases() -> Iterator[dict[str, Any]]:
        return generate_cases(
            args.n, args.seed, offences=policy.offences, known_forces=policy.forces
        )

    def drain() -> None:
        for _ in cases():
            pass

    def writer(out: Path) -> Callable[[], object]:
        return lambda: write_records(cases(), out)

    print(f"machine: {describe()}")
    print(f"n = {args.n:,}, best of {args.repeat}")
    print(f"  draw only      {best_rate(args.n, args.repeat, drain):>10,.0f} cases/s")
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (".jsonl", ".csv"):
            out = Path(tmp) / f"cases{suffix}"
            rate = best_rate(args.n, args.repeat, writer(out))
            size = out.stat().st_size / 1e6
            print(f"  to {suffix:<11} {rate:>10,.0f} cases/s  ({size:,.1f} MB)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS       {peak:>10,.0f} MB")


if __name__ == "__main__":
    main()
