"""A real writer process for the audit tests, started with ``sys.executable ledger_child.py``.

Modes:
  race NAME N START  at time START (time.time()), append N records, taking the lock afresh for
                     each one and pausing 5 ms between records so that the writers alternate
  hold SECONDS       take the lock, append one record, print LOCKED, keep the lock for SECONDS
  split WHOLE        append WHOLE records, then a 3-record batch whose single writev is cut in
                     two: the first half is written, HALF is printed, and the process sleeps
                     so that the test can SIGKILL it between the two halves
  loop               append 40-record batches until killed, printing the record count after each
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_samples import body, redactor

from disposal.audit import ledger as ledger_module
from disposal.audit.ledger import LedgerWriter


def race(path: Path, name: str, count: int, start: float) -> None:
    red = redactor()
    bodies = [body(i, red, decision_id=f"{name}-{i:04d}") for i in range(count)]
    time.sleep(max(0.0, start - time.time()))
    for record in bodies:
        with LedgerWriter(path, lock_timeout=60) as ledger:
            ledger.append(record)
        time.sleep(0.005)


def hold(path: Path, seconds: float) -> None:
    with LedgerWriter(path) as ledger:
        ledger.append(body(0, redactor(), decision_id="holder"))
        print("LOCKED", flush=True)
        time.sleep(seconds)


def split(path: Path, whole: int) -> None:
    red = redactor()
    real_write = os.write

    def half_then_stall(fd: int, buffers: Sequence[Any]) -> int:
        data = b"".join(buffers)
        half = len(data) // 2
        written = real_write(fd, data[:half])
        print("HALF", flush=True)
        time.sleep(60)
        return written

    with LedgerWriter(path) as ledger:
        ledger.append_many(body(i, red) for i in range(whole))
        batch = [body(whole + k, red) for k in range(3)]
        ledger_module.os.writev = half_then_stall  # type: ignore[assignment]
        ledger.append_many(batch)


def loop(path: Path) -> None:
    red = redactor()
    bodies = [body(i, red) for i in range(40)]
    with LedgerWriter(path) as ledger:
        while True:
            ledger.append_many(bodies)
            print(ledger.records, flush=True)


if __name__ == "__main__":
    mode, ledger_path, *args = sys.argv[1:]
    target = Path(ledger_path)
    if mode == "race":
        race(target, args[0], int(args[1]), float(args[2]))
    elif mode == "hold":
        hold(target, float(args[0]))
    elif mode == "split":
        split(target, int(args[0]))
    elif mode == "loop":
        loop(target)
    else:
        raise SystemExit(f"unknown mode {mode}")
