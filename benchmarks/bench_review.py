"""End-to-end batch review throughput and memory, against a plain CSV -> JSON Lines baseline.

Reproduce (about 20 minutes on 2 cores for the default million cases):

    PYTHONPATH=src python benchmarks/bench_review.py                # 1,000,000 cases
    PYTHONPATH=src python benchmarks/bench_review.py --n 100000     # a quicker look

All figures come from one run, so their ratios mean something on a noisy machine:

* ``plain CSV -> JSONL``: read the same CSV with the csv module and write each row as a JSON
  line, one core; the floor any review pays just to read and write;
* ``review``: ``disposal review CASES.csv --out results.jsonl --ledger ledger.jsonl`` with all
  workers, as a user runs it (validation, decisions, one audit record per case), with every
  distinct kind of case cross-checked against the reference evaluator (the default) and
  without (``--no-cross-check``);
* ``uncached, 1 worker`` and ``cached, 1 worker``: the first ``--uncached-n`` cases with every
  record through durable_rules (``--no-cache``) and with the decision cache, to show the
  per-worker engine cost and what the cache saves;
* the distinct kinds of case (engine runs) and the cache hit rate, from the run's state file;
* peak memory of the whole process tree (parent and workers), sampled every 0.2 s, as PSS
  (shared pages divided among the processes sharing them) and as the sum of RSS.

Cases come from ``disposal generate`` (seeded; 50% CRs, 10% sparse records). This prints
figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from machine import describe  # benchmarks/machine.py: run as scripts from this folder

ROOT = Path(__file__).resolve().parents[1]
KEY = "benchmark-key-not-secret-0123456789"


def tree_memory_mb(root: int) -> tuple[float, float]:
    """(RSS, PSS) of ``root`` and all its descendants, in MB (Linux /proc).

    RSS counts pages shared by forked workers once per process, so its sum over-states the
    tree; PSS divides each shared page among its sharers, so its sum is the tree's real share
    of memory.
    """
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    rss = pss = 0
    for pid in parents:
        walk = pid
        while walk and walk != root:
            walk = parents.get(walk, 0)
        if walk != root:
            continue
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
                for line in rollup:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024


def run_review(label: str, cases: Path, where: Path, *options: str) -> dict[str, Any]:
    where.mkdir(parents=True, exist_ok=True)
    for stale in where.iterdir():
        stale.unlink()
    env = dict(os.environ, DISPOSAL_AUDIT_KEY=KEY, PYTHONPATH=str(ROOT / "src"))
    command = [sys.executable, "-m", "disposal", "review", str(cases), "--out"]
    command += [str(where / "results.jsonl"), "--rules", str(ROOT / "rules"), *options]
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    samples: list[tuple[float, float, float]] = []

    def sample() -> None:
        while process.poll() is None:
            samples.append((time.perf_counter() - start, *tree_memory_mb(process.pid)))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    seconds = time.perf_counter() - start
    sampler.join()
    if code != 0:
        raise SystemExit(f"{label}: review exited {code}")
    state = json.loads((where / "results.jsonl.state.json").read_text(encoding="utf-8"))
    stats = state["stats"]
    decided, runs = stats["decided"], stats.get("engine_runs", 0)
    peak = max((rss for _, rss, _ in samples), default=float("nan"))
    peak_pss = max((pss for _, _, pss in samples), default=float("nan"))
    result = {
        "label": label,
        "cases": stats["read"],
        "seconds": seconds,
        "rate": stats["read"] / seconds,
        "engine_runs": runs,
        "hit_rate": 1 - runs / decided if decided else 0.0,
        "peak_rss_mb": peak,
        "peak_pss_mb": peak_pss,
        "pss_by_tenth": _tenths([(t, pss) for t, _, pss in samples]),
        "reconciles": state["reconciliation"]["holds"],
    }
    print(
        f"  {label:<34} {result['cases']:>9,} cases {seconds:8.1f} s = {result['rate']:>7,.0f}/s"
        f"   engine runs {runs:>9,} (hit rate {result['hit_rate']:5.1%})"
        f"   peak memory PSS {peak_pss:5.0f} MB (RSS {peak:5.0f} MB)",
        flush=True,
    )
    return result


def _tenths(samples: list[tuple[float, float]]) -> list[float]:
    if not samples:
        return []
    end = samples[-1][0]
    return [
        round(max((mb for t, mb in samples if t <= end * k / 10), default=0.0), 1)
        for k in range(1, 11)
    ]


def plain_baseline(cases: Path, out: Path) -> dict[str, Any]:
    start = time.perf_counter()
    count = 0
    with (
        cases.open(newline="", encoding="utf-8") as source,
        out.open("w", encoding="utf-8") as sink,
    ):
        for row in csv.DictReader(source):
            sink.write(json.dumps(row))
            sink.write("\n")
            count += 1
    seconds = time.perf_counter() - start
    print(
        f"  {'plain CSV -> JSONL (1 core)':<34} {count:>9,} rows  {seconds:8.1f} s"
        f" = {count / seconds:>7,.0f}/s",
        flush=True,
    )
    return {"label": "plain", "cases": count, "seconds": seconds, "rate": count / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--uncached-n", type=int, default=20_000)
    parser.add_argument("--dir", type=Path, help="working directory (default: a temporary one)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--police-uk",
        type=Path,
        help="also review real police.uk files from this folder (imported, then repeated)",
    )
    parser.add_argument("--repeat", type=int, default=10, help="copies of the police.uk records")
    parser.add_argument(
        "--skip-generated", action="store_true", help="only the police.uk part (with --police-uk)"
    )
    args = parser.parse_args()

    work = args.dir or Path(tempfile.mkdtemp(prefix="bench-review-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {describe()}; working in {work}", flush=True)
    cases = work / f"cases-{args.n}-{args.seed}.csv"
    if not cases.exists():
        start = time.perf_counter()
        subprocess.run(
            [
                *(sys.executable, "-m", "disposal", "generate", "--n", str(args.n)),
                *("--seed", str(args.seed), "--out", str(cases), "--rules", str(ROOT / "rules")),
            ],
            env=dict(os.environ, PYTHONPATH=str(ROOT / "src")),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"generated {args.n:,} cases in {time.perf_counter() - start:.1f} s", flush=True)
    head = work / f"head-{args.uncached_n}.csv"
    with cases.open("rb") as source, head.open("wb") as sink:
        for i, line in enumerate(source):
            if i > args.uncached_n:
                break
            sink.write(line)

    workers = ["--workers", str(args.workers)]
    results: dict[str, Any] = {"machine": describe(), "n": args.n, "workers": args.workers}
    if args.police_uk:
        results["police_uk"] = police_uk(args.police_uk, work, args.repeat, workers)
    if args.skip_generated:
        _finish(results, args, work)
        return
    print("throughput:")
    results["plain"] = plain_baseline(cases, work / "plain.jsonl")
    results["review"] = run_review(
        f"review, {args.workers} workers, ledger", cases, work / "review",
        "--ledger", str(work / "review-ledger.jsonl"), *workers,
    )  # fmt: skip
    (work / "review-ledger.jsonl").unlink()
    results["no_cross_check"] = run_review(
        "  same, --no-cross-check", cases, work / "fast",
        "--ledger", str(work / "fast-ledger.jsonl"), "--no-cross-check", *workers,
    )  # fmt: skip
    (work / "fast-ledger.jsonl").unlink()
    results["uncached_1"] = run_review(
        "uncached, 1 worker, no ledger", head, work / "uncached",
        "--no-ledger", "--no-cache", "--workers", "1",
    )  # fmt: skip
    results["cached_1"] = run_review(
        "cached, 1 worker, no ledger", head, work / "cached",
        "--no-ledger", "--workers", "1",
    )  # fmt: skip
    review, plain = results["review"], results["plain"]
    print(
        f"review / plain = {review['rate'] / plain['rate']:.3f}x;"
        f" no-cross-check / review = {results['no_cross_check']['rate'] / review['rate']:.2f}x;"
        f" cached / uncached (1 worker) = "
        f"{results['cached_1']['rate'] / results['uncached_1']['rate']:.2f}x"
    )
    print(f"peak PSS by tenth of the review: {review['pss_by_tenth']} MB")
    _finish(results, args, work)


def police_uk(folder: Path, work: Path, repeat: int, workers: list[str]) -> dict[str, Any]:
    """Real rows: police.uk files imported as partial records, the batch repeated."""
    imported = work / "police-uk.jsonl"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    subprocess.run(
        [
            *(sys.executable, "-m", "disposal", "import", "police-uk"),
            *map(str, sorted(folder.glob("*.csv"))),
            *("--out", str(imported)),
        ],
        env=env,
        check=True,
        stderr=subprocess.DEVNULL,
    )
    data = imported.read_bytes()
    batch = work / f"police-uk-x{repeat}.jsonl"
    batch.write_bytes(data * repeat)
    count = data.count(b"\n")
    print(f"police.uk: {count:,} records imported from {folder}, repeated {repeat}x")
    return run_review(
        "police.uk records, ledger", batch, work / "police-uk",
        "--ledger", str(work / "police-uk-ledger.jsonl"), *workers,
    )  # fmt: skip


def _finish(results: dict[str, Any], args: argparse.Namespace, work: Path) -> None:
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    if not args.dir:
        for path in sorted(work.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        work.rmdir()


if __name__ == "__main__":
    main()
