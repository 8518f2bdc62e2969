"""What a review shows while it runs and when it ends: progress, reconciliation, summary.

The progress bar (records, records/s, ETA by bytes read) is drawn only when stderr is a
terminal; piped or in CI the run is quiet until its summary. The summary counts decisions
against compliance overall, by force and by offence family, and states ``read = decided +
rejected``, which must hold.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from disposal.review.sources import Chunk, Position
from disposal.review.worker import Stats

DECISIONS = ("permitted", "requires_authorisation", "not_permitted", "insufficient_information")
COMPLIANCE = ("compliant", "non_compliant", "unverifiable", "None")


class Progress:
    """A progress bar over the bytes of line-based inputs (quiet when not on a terminal)."""

    def __init__(self, inputs: Sequence[Path], start: Position, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.sizes = [p.stat().st_size for p in inputs]
        self.bar: RichProgress | None = None
        self.done = sum(self.sizes[: start.file_no]) + start.offset

    def __enter__(self) -> Progress:
        if self.enabled:
            self.bar = RichProgress(
                TextColumn("reviewing"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[records]:,} records, {task.fields[rate]:,.0f}/s"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.bar.__enter__()
            self.task = self.bar.add_task("review", total=sum(self.sizes), records=0, rate=0.0)
            self.bar.update(self.task, completed=self.done)
        return self

    def advance(self, chunk: Chunk, stats: Stats) -> None:
        if self.bar is None:
            return
        end = chunk.end
        done = sum(self.sizes[: end.file_no]) + (end.offset if end.file_no < len(self.sizes) else 0)
        elapsed = self.bar.tasks[0].elapsed or 1e-9
        self.bar.update(self.task, completed=done, records=stats.read, rate=stats.read / elapsed)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.bar is not None:
            self.bar.__exit__(kind, exc, tb)


def summary_tables(stats: Stats) -> list[Table]:
    """Decisions by compliance overall, by force and by offence family."""
    overall = Table(title="Decisions by compliance of the CR actually given")
    overall.add_column("decision")
    for name in COMPLIANCE:
        overall.add_column("no CR given" if name == "None" else name, justify="right")
    overall.add_column("total", justify="right")
    grid: Counter[tuple[str, str]] = Counter()
    for (_, _, decision, compliance), count in stats.cells.items():
        grid[(decision, compliance)] += count
    for decision in DECISIONS:
        counts = [grid[(decision, c)] for c in COMPLIANCE]
        overall.add_row(decision, *(f"{n:,}" for n in counts), f"{sum(counts):,}")
    return [overall, _by(stats, 0, "force"), _by(stats, 1, "offence family")]


def _by(stats: Stats, position: int, label: str) -> Table:
    table = Table(title=f"By {label}")
    table.add_column(label)
    for name in (*DECISIONS, "non_compliant"):
        table.add_column(name.replace("_", " "), justify="right")
    groups: dict[str, Counter[str]] = {}
    for key, count in stats.cells.items():
        row = groups.setdefault(key[position], Counter())
        row[key[2]] += count
        if key[3] == "non_compliant":
            row["non_compliant"] += count
    for name in sorted(groups):
        row = groups[name]
        table.add_row(name, *(f"{row[d]:,}" for d in (*DECISIONS, "non_compliant")))
    return table


def print_summary(stats: Stats, console: Console | None = None) -> None:
    console = console or Console(width=120)
    for table in summary_tables(stats):
        console.print(table)
    holds = "holds" if stats.read == stats.decided + stats.rejected else "DOES NOT HOLD"
    if stats.decided:
        console.print(
            f"durable_rules ran {stats.engine_runs:,} times for {stats.decided:,} decisions "
            "(cases the policy cannot tell apart share one run)",
            style="dim",
        )
    console.print(
        f"read {stats.read:,} = decided {stats.decided:,} + rejected {stats.rejected:,}: {holds}"
    )
