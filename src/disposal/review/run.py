"""``disposal review``: decide a stream of historic cases, in order, resumably, in parallel.

The parent process reads the inputs as byte lines (``sources``), hands chunks to worker
processes (``worker``), and writes what comes back in input order: the results file, the
rejects file and the audit ledger, whose chain it seals. Memory is bounded by the chunks in
flight and the workers' capped caches, whatever the input size.

Checkpoints: every ``CHECKPOINT`` records the outputs are flushed and fsynced and a state file
(``RESULTS.state.json``) records how far every file got. ``--resume`` truncates the outputs
(and cuts from the ledger the records this run appended after its last checkpoint) back to
that state and carries on with the same run id and timestamp, so an interrupted and resumed
review writes exactly the bytes an uninterrupted one would.
"""

from __future__ import annotations

import gc
import hashlib
import os
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import orjson

from disposal.audit.ledger import LedgerWriter
from disposal.audit.record import TIMESTAMP, utc_now
from disposal.errors import InputError, Location
from disposal.report.columns import RESULT_CSV_COLUMNS
from disposal.review.sources import Chunk, Position, check_inputs, chunks
from disposal.review.summary import Progress
from disposal.review.worker import ChunkOut, Stats, Worker, WorkerConfig, _csv_line

CHECKPOINT = int(os.environ.get("DISPOSAL_REVIEW_CHECKPOINT", "20000"))
STATE_VERSION = 2


@dataclass
class ReviewOptions:
    inputs: list[Path]
    out: Path
    rules_dir: Path
    rejects: Path | None = None
    workers: int = 0
    ledger: Path | None = None
    as_of: date | None = None
    resume: bool = False
    restart: bool = False
    cache: bool = True
    cross_check: bool = True
    progress: bool = True

    @property
    def output(self) -> str:
        suffix = self.out.suffix.lower()
        if suffix not in (".jsonl", ".csv"):
            raise InputError(
                "unknown-output-format",
                "results are written as .jsonl or .csv",
                Location(str(self.out)),
                "name the results file results.jsonl or results.csv",
            )
        return suffix[1:]

    @property
    def rejects_path(self) -> Path:
        return self.rejects or self.out.with_name(self.out.stem + ".rejects.jsonl")

    @property
    def state_path(self) -> Path:
        return self.out.with_name(self.out.name + ".state.json")


@dataclass
class ReviewReport:
    stats: Stats = field(default_factory=Stats)
    run_id: str = ""
    ledger_head: str | None = None
    resumed_from: int = 0

    @property
    def reconciles(self) -> bool:
        s = self.stats
        return s.read == s.decided + s.rejected


# -- worker processes --------------------------------------------------------------------------

_WORKER: Worker | None = None


def _init(config: WorkerConfig) -> None:
    global _WORKER  # noqa: PLW0603 - one Worker per process, built once (DURABLE_RULES_NOTES §3)
    if _WORKER is None or _WORKER.config != config:  # forked children inherit the parent's
        _WORKER = Worker(config)


def _work(chunk: Chunk) -> ChunkOut:
    assert _WORKER is not None
    return _WORKER.run(chunk)


# -- the run -----------------------------------------------------------------------------------


def review(options: ReviewOptions) -> ReviewReport:
    check_inputs(options.inputs)
    output = options.output
    options.out.parent.mkdir(parents=True, exist_ok=True)
    state = _State(options)
    state.start()  # settles the run id and time; a new state is saved once the worker is built
    config = WorkerConfig(
        rules_dir=options.rules_dir,
        run_id=state.data["run_id"],
        timestamp=state.data["timestamp"],
        as_of=options.as_of,
        ledger=options.ledger is not None,
        cache=options.cache,
        cross_check=options.cross_check,
        output=output,
    )
    # Built in the parent: bad rules or a missing audit key fail here, before any output. With
    # several workers every policy version is loaded first, so that the forked workers share
    # one copy of the engine's rule networks rather than each building its own.
    worker = Worker(config)
    if not options.resume:
        state.save()
    count = options.workers or os.cpu_count() or 1
    if count > 1:
        worker.evaluator.load_all()
        gc.freeze()  # keep the collector from touching (and so copying) the shared pages
    report = ReviewReport(run_id=state.data["run_id"], resumed_from=state.position.index)
    report.stats = state.stats()
    with _Outputs(options, state, output) as outputs:
        source = chunks(options.inputs, state.position)
        progress = Progress(options.inputs, state.position, options.progress)
        with progress:
            for chunk, result in _results(source, worker, count):
                outputs.write(result, chunk.end)
                report.stats.add(result.stats)
                progress.advance(chunk, report.stats)
        report.ledger_head = outputs.finish(report.stats)
    return report


def _results(
    source: Iterator[Chunk], worker: Worker, count: int
) -> Iterator[tuple[Chunk, ChunkOut]]:
    """Chunk results in input order; at most two chunks per worker in flight."""
    global _WORKER  # noqa: PLW0603 - handed to forked workers (see _init)
    if count == 1:
        for chunk in source:
            yield chunk, worker.run(chunk)
        return
    _WORKER = worker
    context = get_context("fork" if sys.platform != "win32" else "spawn")
    with ProcessPoolExecutor(
        count, mp_context=context, initializer=_init, initargs=(worker.config,)
    ) as pool:
        pending: deque[tuple[Chunk, Future[ChunkOut]]] = deque()
        for chunk in source:
            pending.append((chunk, pool.submit(_work, chunk)))
            if len(pending) >= 2 * count:
                done_chunk, future = pending.popleft()
                yield done_chunk, future.result()
        while pending:
            done_chunk, future = pending.popleft()
            yield done_chunk, future.result()


# -- outputs and checkpoints -------------------------------------------------------------------


class _Outputs:
    """The results, rejects and ledger files of a run, written in order and checkpointed."""

    def __init__(self, options: ReviewOptions, state: _State, output: str) -> None:
        self.options = options
        self.state = state
        self.output = output
        self.ledger: LedgerWriter | None = None
        self.since_checkpoint = 0

    def __enter__(self) -> _Outputs:
        data = self.state.data
        self.results = _open_at(self.options.out, data["results_size"])
        self.rejects = _open_at(self.options.rejects_path, data["rejects_size"])
        if data["results_size"] == 0 and self.output == "csv":
            self.results.write(_csv_line(list(RESULT_CSV_COLUMNS)))
        if self.options.ledger is not None:
            self.ledger = LedgerWriter(self.options.ledger).__enter__()
            self._align_ledger()
        return self

    def _align_ledger(self) -> None:
        assert self.ledger is not None
        mark = self.state.data.get("ledger")
        if mark is None:  # a fresh run: remember, durably, where this run's records start
            self.state.data["ledger"] = {
                "size": self.ledger.size,
                "seq": self.ledger.records,
                "head": self.ledger.head,
            }
            self.state.save()
            return
        prefix = f'"decision_id":"{self.state.data["run_id"]}-'.encode("ascii")
        self.ledger.rewind(mark["size"], mark["seq"], mark["head"], lambda line: prefix in line)

    def write(self, result: ChunkOut, end: Position) -> None:
        self.results.write(b"".join(result.results))
        self.rejects.write(b"".join(result.rejects))
        if self.ledger is not None and result.ledger:
            self.ledger.append_prepared(result.ledger, sync=False)
        self.state.advance(end, result.stats)
        self.since_checkpoint += len(result.results) + len(result.rejects)
        if self.since_checkpoint >= CHECKPOINT:
            self.checkpoint()

    def checkpoint(self) -> None:
        for handle in (self.results, self.rejects):
            handle.flush()
            os.fsync(handle.fileno())
        data = self.state.data
        data["results_size"] = self.results.tell()
        data["rejects_size"] = self.rejects.tell()
        if self.ledger is not None:
            self.ledger.sync()
            data["ledger"] = {
                "size": self.ledger.size,
                "seq": self.ledger.records,
                "head": self.ledger.head,
            }
        self.state.save()
        self.since_checkpoint = 0

    def finish(self, stats: Stats) -> str | None:
        self.state.data["complete"] = True
        self.state.data["reconciliation"] = {
            "read": stats.read,
            "decided": stats.decided,
            "rejected": stats.rejected,
            "holds": stats.read == stats.decided + stats.rejected,
        }
        self.checkpoint()
        return self.ledger.head if self.ledger is not None else None

    def __exit__(self, *exc: object) -> None:
        self.results.close()
        self.rejects.close()
        if self.ledger is not None:
            self.ledger.__exit__(None, None, None)


def _open_at(path: Path, size: int) -> Any:
    """Open for appending after truncating to ``size`` (0 for a fresh file)."""
    handle = path.open("r+b" if path.exists() else "w+b")
    handle.truncate(size)
    handle.seek(size)
    return handle


class _State:
    """``RESULTS.state.json``: what a resumed run needs to carry on exactly."""

    def __init__(self, options: ReviewOptions) -> None:
        self.options = options
        self.path = options.state_path
        self.data: dict[str, Any] = {}

    @property
    def position(self) -> Position:
        return Position(**self.data["position"])

    def start(self) -> None:
        if self.options.resume:
            self._load()
            return
        if self.path.exists() and not self.options.restart and not _complete(self.path):
            raise InputError(
                "interrupted-run",
                "an interrupted review wrote to these results",
                Location(str(self.path)),
                "add --resume to continue it, or --restart to start again from the beginning",
            )
        # DISPOSAL_FIXED_TIME pins the run's clock (reproducible examples and tests); the run
        # id is derived from what the run is, so a pinned run is reproducible byte for byte.
        timestamp = os.environ.get("DISPOSAL_FIXED_TIME") or utc_now()
        if not TIMESTAMP.match(timestamp):
            raise InputError(
                "bad-fixed-time",
                "must be an ISO-8601 UTC time ending in Z",
                Location(field="DISPOSAL_FIXED_TIME"),
                "for example 2026-01-01T00:00:00.000000Z, or unset it to use the clock",
            )
        inputs = [_fingerprint(p) for p in self.options.inputs]
        identity = orjson.dumps([self._settings(), inputs, timestamp], option=orjson.OPT_SORT_KEYS)
        self.data = {
            "version": STATE_VERSION,
            "run_id": hashlib.sha256(identity).hexdigest()[:16],
            "timestamp": timestamp,
            "inputs": inputs,
            "settings": self._settings(),
            "position": Position().to_data(),
            "results_size": 0,
            "rejects_size": 0,
            "ledger": None,
            "stats": {"read": 0, "decided": 0, "rejected": 0},
            "complete": False,
        }

    def _settings(self) -> dict[str, Any]:
        o = self.options
        return {
            "out": str(o.out),
            "rejects": str(o.rejects_path),
            "ledger": str(o.ledger) if o.ledger else None,
            "as_of": o.as_of.isoformat() if o.as_of else None,
            "rules": str(o.rules_dir),
        }

    def _load(self) -> None:
        if not self.path.exists():
            raise InputError(
                "no-state",
                "there is no interrupted review to resume",
                Location(str(self.path)),
                "run the review without --resume",
            )
        try:
            self.data = orjson.loads(self.path.read_bytes())
        except orjson.JSONDecodeError:
            raise InputError(
                "bad-state",
                "the state file is not valid JSON",
                Location(str(self.path)),
                "start again with --restart",
            ) from None
        if self.data.get("version") != STATE_VERSION:
            raise InputError(
                "bad-state",
                "the state file is from another version",
                Location(str(self.path)),
                "start again with --restart",
            )
        if self.data["settings"] != self._settings():
            raise InputError(
                "resume-mismatch",
                "the options differ from the interrupted run",
                Location(str(self.path)),
                "resume with the same options",
            )
        current = [_fingerprint(p) for p in self.options.inputs]
        if current != self.data["inputs"]:
            raise InputError(
                "resume-mismatch",
                "the input files changed since the interrupted run",
                Location(str(self.path)),
                "resume with the same, unchanged inputs, or start again with --restart",
            )

    def advance(self, end: Position, stats: Stats) -> None:
        self.data["position"] = end.to_data()
        totals = self.data["stats"]
        for name in ("read", "decided", "rejected", "engine_runs"):
            totals[name] = totals.get(name, 0) + getattr(stats, name)
        cells = {tuple(row[:4]): row[4] for row in totals.get("cells", [])}
        for key, count in stats.cells.items():
            cells[key] = cells.get(key, 0) + count
        totals["cells"] = [[*key, count] for key, count in sorted(cells.items())]

    def stats(self) -> Stats:
        totals = self.data["stats"]
        stats = Stats(
            read=totals["read"],
            decided=totals["decided"],
            rejected=totals["rejected"],
            engine_runs=totals.get("engine_runs", 0),
        )
        for force, family, decision, compliance, count in totals.get("cells", []):
            stats.cells[(force, family, decision, compliance)] = count
        return stats

    def save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_bytes(orjson.dumps(self.data, option=orjson.OPT_INDENT_2))
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)


def _complete(state_path: Path) -> bool:
    try:
        return bool(orjson.loads(state_path.read_bytes()).get("complete"))
    except (OSError, orjson.JSONDecodeError, AttributeError):
        return False


def _fingerprint(path: Path) -> dict[str, Any]:
    """Path, size and SHA-256 of the whole file (about 2 s a GB), so any edit is noticed."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return {"path": str(path), "size": path.stat().st_size, "sha256": digest}
