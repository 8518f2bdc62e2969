"""Real processes: a writer killed mid-append, two writers racing, a writer locked out."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import orjson
import pytest
from audit_samples import ROOT, body

from disposal.audit.errors import LedgerLockedError
from disposal.audit.ledger import LedgerWriter, TornTailWarning
from disposal.audit.redact import Redactor
from disposal.audit.verify import BreakKind, verify

CHILD = Path(__file__).with_name("ledger_child.py")


def start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen(
        [sys.executable, str(CHILD), *args],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_for(child: subprocess.Popen[str], word: str) -> None:
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() == word, f"child said {line!r}"


def kill(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


def test_sigkill_between_two_halves_of_a_write(tmp_path: Path, red: Redactor) -> None:
    path = tmp_path / "ledger.jsonl"
    child = start("split", str(path), "5")
    wait_for(child, "HALF")
    kill(child)
    data = path.read_bytes()
    assert not data.endswith(b"\n")
    whole = data.count(b"\n")
    assert whole >= 5
    report = verify(path)
    assert report.records == whole
    assert [(b.kind, b.line) for b in report.breaks] == [(BreakKind.TORN_TAIL, whole + 1)]
    with (
        warnings.catch_warnings(record=True, action="always") as seen,
        LedgerWriter(path) as ledger,
    ):
        assert ledger.records == whole
        assert ledger.recovered is not None
        assert ledger.recovered.side_file.read_bytes() == data[data.rindex(b"\n") + 1 :]
        ledger.append(body(99, red))
    assert [w.category for w in seen] == [TornTailWarning]
    report = verify(path)
    assert report.ok
    assert report.records == whole + 1


def test_sigkill_at_random_moments_never_breaks_whole_records(tmp_path: Path) -> None:
    for attempt, delay in enumerate((0.05, 0.2, 0.35)):
        path = tmp_path / f"ledger-{attempt}.jsonl"
        child = start("loop", str(path))
        assert child.stdout is not None
        child.stdout.readline()  # the first batch is on disk
        time.sleep(delay)
        kill(child)
        report = verify(path)
        assert report.records >= 40
        assert all(b.kind == BreakKind.TORN_TAIL for b in report.breaks), report.breaks
        assert all(b.line == report.lines for b in report.breaks)


def test_two_writers_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    count = 60
    go = str(time.time() + 2.0)  # both start together, after their imports
    children = [start("race", str(path), name, str(count), go) for name in ("alpha", "beta")]
    for child in children:
        assert child.wait(timeout=120) == 0
    report = verify(path)
    assert report.ok, report.breaks
    assert report.records == 2 * count
    ids = [orjson.loads(line)["decision_id"] for line in path.read_bytes().splitlines()]
    for name in ("alpha", "beta"):
        own = [i for i in ids if i.startswith(name)]
        assert own == [f"{name}-{i:04d}" for i in range(count)]
    switches = sum(a[0] != b[0] for a, b in itertools.pairwise(ids))
    assert switches >= 1  # the two really did write at the same time


def test_a_locked_ledger_refuses_then_waits(tmp_path: Path, red: Redactor) -> None:
    path = tmp_path / "ledger.jsonl"
    holder = start("hold", str(path), "1.0")
    wait_for(holder, "LOCKED")
    with pytest.raises(LedgerLockedError) as caught, LedgerWriter(path, lock_timeout=0.1):
        pass
    assert caught.value.code == "ledger-locked"
    started = time.monotonic()
    with LedgerWriter(path, lock_timeout=30) as ledger:
        assert time.monotonic() - started > 0.2
        assert ledger.records == 1
        ledger.append(body(1, red))
    assert holder.wait(timeout=30) == 0
    assert verify(path).ok
    assert verify(path).records == 2
