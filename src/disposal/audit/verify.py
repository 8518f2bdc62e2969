"""Checking a whole ledger: every record's own hash and the chain, streaming, in bounded memory.

Each line is first checked on its own (``chain.check_line``), then against its place in the chain.
The verifier keeps the last two accepted records, one line of look-ahead, and short lists of
missing sequence numbers and set-aside records (so a break found later can be reclassified). It
reports every break it finds, with the line number (1-based) and one of these kinds:

``edited``
    The line's bytes do not hash to its recorded ``hash`` (content changed, hash left alone); or
    the line hashes correctly but the *next* record chains from a different hash while claiming to
    be its successor (``seq`` one higher): the content was changed and the hash recomputed. The
    break names the changed line. The chain then continues from the recorded hash.
``removed``
    A well-formed record's ``seq`` jumps ahead of the expected one: the records in between are
    missing. The break names the line after the gap.
``inserted``
    A line that is not part of the chain: an exact copy of the line before it; a record whose
    successor chains from the record *before* it (a forged record fitted into the chain, detected
    at the next line); a record followed by the true successor of the line before it; or a record
    whose ``seq`` was already used.
``reordered``
    A record that is in the ledger but in the wrong place: a record set aside as inserted that is
    later found to be exactly the missing successor, or a record whose ``seq`` fills an earlier
    gap. Both ends of the move are reported as ``reordered``; the first names the first moved line.
``torn_tail``
    The last line has no newline: a write was interrupted. Earlier records are unaffected.
``truncated``
    Only with ``expect_head``: that hash is not the hash of any record in the ledger, so records
    were removed from the end (or the ledger was replaced or rewritten from some point on).
``malformed``
    A line that is not a record: empty, not JSON, no hash member at the end, chain fields missing,
    or not in canonical form.

Limits (honest ones): the chain is unkeyed SHA-256, so someone who rewrites a record *and every
record after it* leaves a ledger that verifies. Only a head hash kept elsewhere
(``expect_head``) detects that, which is why ``verify`` prints the head. Where several readings
fit, the classification is the simplest one consistent with the lines seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from disposal.audit.chain import GENESIS, CheckedLine, check_line
from disposal.audit.reader import iter_lines, open_ledger

MAX_BREAKS = 1000
_MAX_PENDING = 1000


class BreakKind(StrEnum):
    EDITED = "edited"
    REMOVED = "removed"
    INSERTED = "inserted"
    REORDERED = "reordered"
    TORN_TAIL = "torn_tail"
    TRUNCATED = "truncated"
    MALFORMED = "malformed"


@dataclass
class Break:
    """One break in the ledger: the 1-based line, the kind, and what was seen (no contents)."""

    line: int
    kind: BreakKind
    detail: str


@dataclass
class VerifyReport:
    """The outcome of ``verify``: ``ok`` when there is no break at all."""

    path: str
    ok: bool
    records: int
    lines: int
    head: str
    breaks: list[Break] = field(default_factory=list)
    expected_head_line: int | None = None
    unlisted_breaks: int = 0


@dataclass(frozen=True)
class _Entry:
    line: int
    checked: CheckedLine
    torn: bool = False
    size: int = 0


@dataclass(frozen=True)
class _Pos:
    hash: str
    seq: int
    line: int


@dataclass
class _SetAside:
    pos: _Pos
    prev: str
    index: int | None


@dataclass
class _Gap:
    first: int
    last: int
    line: int
    index: int | None


def verify(path: Path | str, expect_head: str | None = None) -> VerifyReport:
    """Check every record and the chain of ``path``; see the module docstring for break kinds."""
    path = Path(path)
    state = _Verifier(expect_head)
    lines = 0
    with open_ledger(path) as stream:
        entries = _entries(stream)
        current = next(entries, None)
        while current is not None:
            following = next(entries, None)
            state.feed(current, following)
            lines = current.line
            current = following
    state.finish(lines)
    return VerifyReport(
        path=str(path),
        ok=not state.breaks and not state.unlisted,
        records=state.records,
        lines=lines,
        head=state.last.hash,
        breaks=sorted(state.breaks, key=lambda b: b.line),  # found in stream order, listed by line
        expected_head_line=state.expect_line,
        unlisted_breaks=state.unlisted,
    )


def _entries(stream: BinaryIO) -> Iterator[_Entry]:
    for number, raw, ended in iter_lines(stream):
        if raw is None:
            yield _Entry(number, CheckedLine(None, False, None, "the line is longer than 64 MiB"))
        elif not ended:
            yield _Entry(number, CheckedLine(None, False, None), torn=True, size=len(raw))
        elif not raw:
            yield _Entry(number, CheckedLine(None, False, None, "the line is empty"))
        else:
            yield _Entry(number, check_line(raw))


class _Verifier:
    def __init__(self, expect_head: str | None) -> None:
        self.breaks: list[Break] = []
        self.unlisted = 0
        self.records = 0
        self.last = _Pos(GENESIS, 0, 0)
        self.before_last: _Pos | None = None
        self.set_aside: list[_SetAside] = []
        self.gaps: list[_Gap] = []
        self.expect = expect_head
        self.expect_line: int | None = 0 if expect_head == GENESIS else None

    def add(self, line: int, kind: BreakKind, detail: str) -> int | None:
        if len(self.breaks) >= MAX_BREAKS:
            self.unlisted += 1
            return None
        self.breaks.append(Break(line, kind, detail))
        return len(self.breaks) - 1

    def accept(self, pos: _Pos, *, replacing: bool = False) -> None:
        if not replacing:
            self.before_last = self.last
        self.last = pos
        if pos.hash == self.expect and self.expect_line is None:
            self.expect_line = pos.line

    def follows(self, prev: str | None, seq: int | None) -> bool:
        return prev == self.last.hash and seq == self.last.seq + 1

    def feed(self, entry: _Entry, following: _Entry | None) -> None:
        checked = entry.checked
        if entry.torn:
            self.add(
                entry.line,
                BreakKind.TORN_TAIL,
                f"the last line has no line end: an interrupted write left {entry.size} bytes",
            )
        elif checked.hash is None or (checked.intact and checked.problem):
            self.add(entry.line, BreakKind.MALFORMED, checked.problem or "not a ledger record")
        elif not checked.intact:
            self.records += 1
            self.add(entry.line, BreakKind.EDITED, "the line does not match its recorded hash")
            self.accept(_Pos(checked.hash, self.last.seq + 1, entry.line))
        else:
            self.records += 1
            pos = _Pos(checked.hash, checked.seq or 0, entry.line)
            if not self.follows(checked.prev, pos.seq):
                self.reclaim()
            if self.follows(checked.prev, pos.seq):
                self.accept(pos)
            else:
                self.classify(pos, checked.prev or "", following)

    def reclaim(self) -> None:
        """Records set aside earlier that turn out to be the missing successor: reordered."""
        found = True
        while found:
            found = False
            for item in self.set_aside:
                if self.follows(item.prev, item.pos.seq):
                    self.relabel(
                        item.index,
                        BreakKind.REORDERED,
                        f"record {item.pos.seq} is out of "
                        f"place: it belongs after line {self.last.line}",
                    )
                    self.set_aside.remove(item)
                    self.accept(item.pos)
                    found = True
                    break

    def relabel(self, index: int | None, kind: BreakKind, detail: str) -> None:
        if index is not None:
            self.breaks[index] = Break(self.breaks[index].line, kind, detail)

    def classify(self, pos: _Pos, prev: str, following: _Entry | None) -> None:
        last, before = self.last, self.before_last
        gap = next((g for g in self.gaps if g.first <= pos.seq <= g.last), None)
        if pos.hash == last.hash:
            self.add(pos.line, BreakKind.INSERTED, f"a copy of line {last.line}")
        elif gap is not None:
            self.fill(gap, pos)
        elif before is not None and prev == before.hash and pos.seq == last.seq:
            self.add(
                last.line,
                BreakKind.INSERTED,
                f"not part of the chain: line {pos.line} follows line {before.line} directly",
            )
            self.accept(pos, replacing=True)
        elif following is not None and self.follows(following.checked.prev, following.checked.seq):
            index = self.add(
                pos.line,
                BreakKind.INSERTED,
                f"not part of the chain: line {following.line} follows line {last.line} directly",
            )
            self.set_aside = [*self.set_aside[-_MAX_PENDING + 1 :], _SetAside(pos, prev, index)]
        elif pos.seq == last.seq + 1:
            self.edited_before(pos)
        elif pos.seq > last.seq + 1:
            self.removed(pos)
        else:
            self.add(
                pos.line,
                BreakKind.INSERTED,
                f"record number {pos.seq} was already used earlier in the ledger",
            )

    def fill(self, gap: _Gap, pos: _Pos) -> None:
        self.relabel(
            gap.index,
            BreakKind.REORDERED,
            f"record {pos.seq} belongs here but appears later, at line {pos.line}",
        )
        self.add(
            pos.line,
            BreakKind.REORDERED,
            f"record {pos.seq} is out of place: it belongs before line {gap.line}",
        )
        self.gaps.remove(gap)
        if gap.first < pos.seq:
            self.gaps.append(_Gap(gap.first, pos.seq - 1, gap.line, gap.index))
        if pos.seq < gap.last:
            self.gaps.append(_Gap(pos.seq + 1, gap.last, gap.line, gap.index))

    def edited_before(self, pos: _Pos) -> None:
        last = self.last
        if last.line == 0:
            self.add(
                pos.line, BreakKind.EDITED, "the first record does not chain from the genesis value"
            )
        else:
            self.add(
                last.line,
                BreakKind.EDITED,
                f"changed and its hash recomputed: line {pos.line} chains from a different hash",
            )
        self.accept(pos)

    def removed(self, pos: _Pos) -> None:
        first, last = self.last.seq + 1, pos.seq - 1
        span = f"record {first} is" if first == last else f"records {first}-{last} are"
        index = self.add(pos.line, BreakKind.REMOVED, f"{span} missing before this line")
        self.gaps = [*self.gaps[-_MAX_PENDING + 1 :], _Gap(first, last, pos.line, index)]
        self.accept(pos)

    def finish(self, lines: int) -> None:
        self.reclaim()
        if self.expect is not None and self.expect_line is None:
            self.add(
                lines + 1,
                BreakKind.TRUNCATED,
                f"the expected head {self.expect[:16]}... "
                "is not in the ledger: records were removed from its end, or it was replaced",
            )
