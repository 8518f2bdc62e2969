"""Ledger append throughput: build_record (redaction + input digest) and LedgerWriter.append_many
(canonical JSON + SHA-256 chain + write + fsync per batch), against a baseline measured in the
same run: json.dumps of the same content (unredacted, unhashed) + write + fsync per batch, as a
naive logger would (it leaves what it wrote in the page cache; the ledger writer drops what it
has fsynced, see audit/ledger.py). Then verify reads the ledger back.

    PYTHONPATH=src python benchmarks/bench_ledger.py                 # 200,000 records
    PYTHONPATH=src python benchmarks/bench_ledger.py -n 20000 --profile   # where the time goes

It also times the batch review's path (``audit.prepared``: the parts a kind of case shares are
serialised once, then composed per record and appended with ``append_prepared``), once with an
fsync per batch and once at the review's own cadence (a write per chunk of records, an fsync
per checkpoint), and checks that both write exactly the bytes of the one-by-one path.

Records are realistic: a ~40-field case record, a decision with three reasons and a 15-entry
trace (tests/audit/audit_samples.py), redacted with rules/audit.yaml and a test key. A pool of
distinct cases is cycled with a fresh decision id per record. This is a benchmark, not a test:
it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from machine import describe  # benchmarks/machine.py: run as scripts from this folder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "audit"))

from audit_samples import (  # noqa: E402
    POLICY,
    TIMESTAMP,
    case_record,
    decision_for,
    redactor,
    trace_for,
)

from disposal.audit.ledger import LedgerWriter  # noqa: E402
from disposal.audit.prepared import body_bytes, compose, shared_parts  # noqa: E402
from disposal.audit.record import build_record  # noqa: E402
from disposal.audit.redact import Redactor  # noqa: E402
from disposal.audit.verify import verify  # noqa: E402
from disposal.review.run import CHECKPOINT  # noqa: E402
from disposal.review.sources import CHUNK_RECORDS  # noqa: E402

Sample = tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]


def pool(size: int) -> list[Sample]:
    samples = []
    for i in range(size):
        case = case_record(i)
        samples.append((case, decision_for(case), trace_for(case)))
    return samples


def build(i: int, sample: Sample, red: Redactor) -> dict[str, Any]:
    case, decision, trace = sample
    return build_record(
        decision_id=f"bench-{i:09d}",
        timestamp=TIMESTAMP,
        tool_version="0.1.0",
        policy=POLICY,
        as_of="2024-05-14",
        case_input=case,
        decision=decision,
        trace=trace,
        redactor=red,
    )


def run_ledger(
    path: Path, n: int, batch: int, samples: list[Sample], red: Redactor
) -> dict[str, float]:
    building = appending = 0.0
    with LedgerWriter(path) as ledger:
        for start in range(0, n, batch):
            t0 = time.perf_counter()
            bodies = [
                build(i, samples[i % len(samples)], red)
                for i in range(start, min(n, start + batch))
            ]
            t1 = time.perf_counter()
            ledger.append_many(bodies)
            appending += time.perf_counter() - t1
            building += t1 - t0
    return {"build": building, "append": appending, "total": building + appending}


def run_prepared(
    path: Path, n: int, batch: int, samples: list[Sample], red: Redactor, sync_every: int = 0
) -> dict[str, float]:
    """The batch review's path: shared parts per kind of case, composed per record, appended.

    Every batch is fsynced, or with ``sync_every`` only every that many records, as the review
    does at its checkpoints.
    """
    shared = [shared_parts(decision, trace) for _, decision, trace in samples]
    t0 = time.perf_counter()
    appending = 0.0
    with LedgerWriter(path) as ledger:
        for start in range(0, n, batch):
            bodies = []
            for i in range(start, min(n, start + batch)):
                k = i % len(samples)
                body = compose(
                    red,
                    shared[k],
                    decision_id=f"bench-{i:09d}",
                    timestamp=TIMESTAMP,
                    tool_version="0.1.0",
                    as_of="2024-05-14",
                    case_input=samples[k][0],
                )
                bodies.append(body if body is not None else body_bytes(build(i, samples[k], red)))
            t1 = time.perf_counter()
            end = start + len(bodies)
            sync = not sync_every or end % sync_every == 0 or end == n
            ledger.append_prepared(bodies, sync=sync)
            appending += time.perf_counter() - t1
    return {"total": time.perf_counter() - t0, "append": appending}


def run_baseline(path: Path, n: int, batch: int, samples: list[Sample]) -> dict[str, float]:
    """What a naive logger does: the same content, json.dumps, write, fsync per batch."""
    t0 = time.perf_counter()
    with path.open("ab") as out:
        for start in range(0, n, batch):
            lines = []
            for i in range(start, min(n, start + batch)):
                case, decision, trace = samples[i % len(samples)]
                record = {
                    "kind": "disposal.decision",
                    "v": 1,
                    "decision_id": f"bench-{i:09d}",
                    "timestamp": TIMESTAMP,
                    "tool_version": "0.1.0",
                    "policy": POLICY,
                    "as_of": "2024-05-14",
                    "input": case,
                    "decision": decision,
                    "trace": trace,
                    "authorisation": case.get("authorisation"),
                }
                lines.append(json.dumps(record) + "\n")
            out.write("".join(lines).encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
    return {"total": time.perf_counter() - t0}


def _digest(path: Path) -> str:
    with path.open("rb") as data:
        return hashlib.file_digest(data, "sha256").hexdigest()


def report(name: str, n: int, seconds: float, size: int) -> float:
    rate, megabytes = n / seconds, size / seconds / 1e6
    print(f"  {name:<38} {rate:>9,.0f} records/s {megabytes:>7.1f} MB/s ({seconds:.2f} s)")
    return rate


def profile(n: int, batch: int, samples: list[Sample], red: Redactor, directory: Path) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    run_ledger(directory / "profile.jsonl", n, batch, samples, red)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs().sort_stats("tottime")
    stats.print_stats(18)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--records", type=int, default=200_000)
    parser.add_argument(
        "--batch", type=int, default=1000, help="records per append_many (one fsync each)"
    )
    parser.add_argument("--pool", type=int, default=2000, help="distinct cases cycled through")
    parser.add_argument(
        "--dir", type=Path, default=None, help="where to write (default: a temp dir)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the ledger run instead")
    args = parser.parse_args(argv)

    print(f"machine: {describe()}")
    samples = pool(args.pool)
    red = redactor()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        directory = Path(tmp)
        if args.profile:
            profile(args.records, args.batch, samples, red, directory)
            return
        ledger_path, baseline_path = directory / "ledger.jsonl", directory / "baseline.jsonl"
        timing = run_ledger(ledger_path, args.records, args.batch, samples, red)
        prepared_path = directory / "prepared.jsonl"
        prepared = run_prepared(prepared_path, args.records, args.batch, samples, red)
        cadence_path = directory / "cadence.jsonl"
        cadence = run_prepared(
            cadence_path, args.records, CHUNK_RECORDS, samples, red, sync_every=CHECKPOINT
        )
        base = run_baseline(baseline_path, args.records, args.batch, samples)
        size, base_size = ledger_path.stat().st_size, baseline_path.stat().st_size
        print(
            f"{args.records:,} records in batches of {args.batch:,}; ledger {size / 1e6:,.0f} MB "
            f"({size / args.records:,.0f} bytes/record)"
        )
        append = report("append_many: hash + write + fsync", args.records, timing["append"], size)
        report("build_record: redact + digest", args.records, timing["build"], size)
        ours = report("end to end: build + append", args.records, timing["total"], size)
        prepared_rate = report(
            "append_prepared: hash + write + fsync",
            args.records,
            prepared["append"],
            prepared_path.stat().st_size,
        )
        report(
            f"  same, {CHUNK_RECORDS:,}/write, fsync/{CHECKPOINT:,}",
            args.records,
            cadence["append"],
            cadence_path.stat().st_size,
        )
        fast = report(
            "review path: compose + append_prepared",
            args.records,
            prepared["total"],
            prepared_path.stat().st_size,
        )
        plain = report(
            "baseline: json.dumps + write + fsync", args.records, base["total"], base_size
        )
        print(
            f"  ratio append_many/baseline: {append / plain:.2f}x; "
            f"append_prepared/baseline: {prepared_rate / plain:.2f}x;\n"
            f"  end to end/baseline: {ours / plain:.2f}x; review path/baseline: {fast / plain:.2f}x"
        )
        if not _digest(prepared_path) == _digest(cadence_path) == _digest(ledger_path):
            raise SystemExit("the review path wrote different bytes from build_record")
        started = time.perf_counter()
        checked = verify(ledger_path)
        if not checked.ok or checked.records != args.records:
            raise SystemExit(f"the benchmark ledger does not verify: {checked.breaks[:3]}")
        report("verify: every hash + the chain", args.records, time.perf_counter() - started, size)


if __name__ == "__main__":
    main()
