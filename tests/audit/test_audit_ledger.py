"""The ledger file: sealing, the writer, and verify catching every kind of tampering."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from audit_samples import body, case_record

from disposal.audit import ledger as ledger_module
from disposal.audit.chain import GENESIS, seal
from disposal.audit.errors import AuditError, CanonicalError, LedgerLockedError
from disposal.audit.ledger import LedgerWriter, TornTailWarning
from disposal.audit.prepared import body_bytes, seal_pieces
from disposal.audit.redact import Redactor
from disposal.audit.verify import BreakKind, verify

MakeLedger = Callable[..., Path]


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def rewrite(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"".join(lines))


def reseal(line: bytes, **changes: Any) -> bytes:
    """A tamperer who knows the format: change fields and recompute this line's hash."""
    record = json.loads(line)
    prev, seq = record.pop("prev"), record.pop("seq")
    record.pop("hash")
    prev = changes.pop("prev", prev)
    record.update(changes)
    return seal(record, prev, seq)[0]


def test_genesis_chain_and_the_documented_line_check(make_ledger: MakeLedger) -> None:
    assert GENESIS == "0" * 64
    path = make_ledger(4)
    prev = GENESIS
    for number, line in enumerate(lines_of(path), 1):
        record = json.loads(line)
        signed = line.rstrip(b"\n")[:-75] + b"}"
        assert hashlib.sha256(signed).hexdigest() == record["hash"]
        assert line.rstrip(b"\n").endswith(b',"hash":"' + record["hash"].encode() + b'"}')
        assert (record["prev"], record["seq"]) == (prev, number)
        prev = record["hash"]
    report = verify(path)
    assert report.ok
    assert report.records == 4
    assert report.head == prev


def test_empty_and_missing_ledgers(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    report = verify(empty, expect_head=GENESIS)
    assert report.ok
    assert report.records == 0
    assert report.head == GENESIS
    with pytest.raises(AuditError) as caught:
        verify(tmp_path / "nope.jsonl")
    assert caught.value.code == "file-not-found"
    with pytest.raises(AuditError) as caught:
        verify(tmp_path)
    assert caught.value.code == "unreadable-file"


def test_reopening_continues_the_chain(make_ledger: MakeLedger, red: Redactor) -> None:
    path = make_ledger(3)
    with LedgerWriter(path) as ledger:
        assert ledger.records == 3
        assert ledger.head == verify(path).head
        head = ledger.append(body(3, red))
    assert json.loads(lines_of(path)[-1])["seq"] == 4
    report = verify(path)
    assert report.ok
    assert report.records == 4
    assert report.head == head
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_resumed_runs_are_byte_identical(tmp_path: Path, red: Redactor) -> None:
    whole, resumed = tmp_path / "whole.jsonl", tmp_path / "resumed.jsonl"
    with LedgerWriter(whole) as ledger:
        ledger.append_many(body(i, red) for i in range(5))
    for part in (range(2), range(2, 5)):
        with LedgerWriter(resumed) as ledger:
            ledger.append_many(body(i, red) for i in part)
    assert whole.read_bytes() == resumed.read_bytes()


def tamper_edit(lines: list[bytes]) -> None:
    lines[2] = lines[2].replace(b'"decision":"permitted"', b'"decision":"not_permitted"')


def tamper_edit_rehash(lines: list[bytes]) -> None:
    lines[2] = reseal(lines[2], as_of="2020-01-01")


def tamper_remove(lines: list[bytes]) -> None:
    del lines[2]


def tamper_remove_first(lines: list[bytes]) -> None:
    del lines[0]


def tamper_duplicate(lines: list[bytes]) -> None:
    lines.insert(3, lines[2])


def tamper_replay_old(lines: list[bytes]) -> None:
    lines.insert(4, lines[0])


def tamper_forge_fitted(lines: list[bytes]) -> None:
    previous = json.loads(lines[1])["hash"]
    lines.insert(2, reseal(lines[2], decision_id="forged", prev=previous))


def tamper_foreign(lines: list[bytes]) -> None:
    lines.insert(2, reseal(lines[1], decision_id="from-another-ledger", prev="1" * 64))


def tamper_swap(lines: list[bytes]) -> None:
    lines[2], lines[3] = lines[3], lines[2]


def tamper_move_later(lines: list[bytes]) -> None:
    lines.insert(3, lines.pop(1))


def tamper_move_earlier(lines: list[bytes]) -> None:
    lines.insert(1, lines.pop(4))


def tamper_swap_last(lines: list[bytes]) -> None:
    lines[4], lines[5] = lines[5], lines[4]


def tamper_torn(lines: list[bytes]) -> None:
    lines[5] = lines[5][: len(lines[5]) // 2]


def tamper_garbage(lines: list[bytes]) -> None:
    lines.insert(2, b"this is not a record\n")


def tamper_blank(lines: list[bytes]) -> None:
    lines.insert(2, b"\n")


def tamper_strip_hash(lines: list[bytes]) -> None:
    record = json.loads(lines[2])
    del record["hash"]
    lines[2] = json.dumps(record).encode() + b"\n"


TAMPERS = [
    (tamper_edit, BreakKind.EDITED, 3, 1),
    (tamper_edit_rehash, BreakKind.EDITED, 3, 1),
    (tamper_remove, BreakKind.REMOVED, 3, 1),
    (tamper_remove_first, BreakKind.REMOVED, 1, 1),
    (tamper_duplicate, BreakKind.INSERTED, 4, 1),
    (tamper_replay_old, BreakKind.INSERTED, 5, 1),
    (tamper_forge_fitted, BreakKind.INSERTED, 3, 1),
    (tamper_foreign, BreakKind.INSERTED, 3, 1),
    (tamper_swap, BreakKind.REORDERED, 3, 1),
    (tamper_move_later, BreakKind.REORDERED, 2, 2),
    (tamper_move_earlier, BreakKind.REORDERED, 2, 1),
    (tamper_swap_last, BreakKind.REORDERED, 5, 1),
    (tamper_torn, BreakKind.TORN_TAIL, 6, 1),
    (tamper_garbage, BreakKind.MALFORMED, 3, 1),
    (tamper_blank, BreakKind.MALFORMED, 3, 1),
    (tamper_strip_hash, BreakKind.MALFORMED, 3, 2),
]


@pytest.mark.parametrize(
    ("tamper", "kind", "line", "count"), TAMPERS, ids=[t[0].__name__ for t in TAMPERS]
)
def test_verify_names_the_kind_and_line_of_every_tampering(
    make_ledger: MakeLedger, tamper: Callable[[list[bytes]], None], kind: str, line: int, count: int
) -> None:
    path = make_ledger(6)
    assert verify(path).ok
    lines = lines_of(path)
    tamper(lines)
    rewrite(path, lines)
    report = verify(path)
    assert not report.ok
    assert (report.breaks[0].kind, report.breaks[0].line) == (kind, line), report.breaks
    assert len(report.breaks) == count, report.breaks
    if count == 1 or kind != BreakKind.MALFORMED:
        assert {b.kind for b in report.breaks} == {kind}, report.breaks
    else:  # a record that lost its hash member no longer counts, so its number is missing
        assert [(b.kind, b.line) for b in report.breaks[1:]] == [(BreakKind.REMOVED, line + 1)]


def test_truncation_needs_the_head_kept_elsewhere(make_ledger: MakeLedger) -> None:
    path = make_ledger(6)
    kept = verify(path).head
    rewrite(path, lines_of(path)[:-1])
    assert verify(path).ok  # without the kept head a cut tail cannot be seen
    report = verify(path, expect_head=kept)
    assert [(b.kind, b.line) for b in report.breaks] == [(BreakKind.TRUNCATED, 6)]


def test_rewriting_everything_after_an_edit_is_caught_by_the_kept_head(
    make_ledger: MakeLedger,
) -> None:
    path = make_ledger(4)
    kept = verify(path).head
    lines = lines_of(path)
    lines[3] = reseal(lines[3], as_of="2020-01-01")
    rewrite(path, lines)
    assert verify(path).ok
    assert verify(path, expect_head=kept).breaks[0].kind == BreakKind.TRUNCATED


def test_a_kept_head_from_earlier_still_verifies_a_grown_ledger(
    make_ledger: MakeLedger, red: Redactor
) -> None:
    path = make_ledger(3)
    kept = verify(path).head
    with LedgerWriter(path) as ledger:
        ledger.append_many(body(i, red) for i in range(3, 6))
    report = verify(path, expect_head=kept)
    assert report.ok
    assert report.expected_head_line == 3
    assert report.records == 6


def test_writer_moves_a_torn_tail_aside_and_continues(
    make_ledger: MakeLedger, red: Redactor
) -> None:
    path = make_ledger(4)
    whole = path.read_bytes()
    torn = body(4, red)
    partial = seal(torn, verify(path).head, 5)[0][:300]
    path.write_bytes(whole + partial)
    assert [(b.kind, b.line) for b in verify(path).breaks] == [(BreakKind.TORN_TAIL, 5)]
    with (
        warnings.catch_warnings(record=True, action="always") as seen,
        LedgerWriter(path) as ledger,
    ):
        assert ledger.recovered is not None
        assert ledger.recovered.side_file.read_bytes() == partial
        assert (ledger.recovered.offset, ledger.recovered.line) == (len(whole), 5)
        assert path.read_bytes() == whole
        ledger.append(torn)
    assert [w.category for w in seen] == [TornTailWarning]
    assert "ledger.jsonl:5: torn last line" in str(seen[0].message)
    report = verify(path)
    assert report.ok
    assert report.records == 5


def test_writer_refuses_to_chain_to_a_broken_last_record(make_ledger: MakeLedger) -> None:
    path = make_ledger(3)
    lines = lines_of(path)
    tamper_edit([b"", b"", *lines[2:]])
    lines[2] = lines[2].replace(b'"v":1', b'"v":2')
    rewrite(path, lines)
    with pytest.raises(AuditError) as caught, LedgerWriter(path):
        pass
    assert caught.value.code == "ledger-tail-invalid"


def test_opening_reads_only_the_end_of_a_big_ledger(
    make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_ledger(600)
    assert path.stat().st_size > 2_000_000
    read: list[int] = []
    real_pread = os.pread

    def counting_pread(fd: int, size: int, offset: int) -> bytes:
        read.append(size)
        return real_pread(fd, size, offset)

    monkeypatch.setattr(ledger_module.os, "pread", counting_pread)
    with LedgerWriter(path) as ledger:
        assert ledger.records == 600
    assert sum(read) < 200_000


def test_a_bad_record_in_a_batch_keeps_the_records_before_it(tmp_path: Path, red: Redactor) -> None:
    path = tmp_path / "l.jsonl"
    bad = {"kind": "disposal.decision", "v": 1, "value": float("nan")}
    with LedgerWriter(path) as ledger:
        with pytest.raises(CanonicalError):
            ledger.append_many([body(0, red), body(1, red), bad, body(3, red)])
        assert ledger.records == 2
        ledger.append(body(2, red))
    assert verify(path).ok
    assert verify(path).records == 3


def test_bodies_must_not_carry_chain_fields(tmp_path: Path) -> None:
    with LedgerWriter(tmp_path / "l.jsonl") as ledger, pytest.raises(AuditError) as caught:
        ledger.append({"kind": "x", "v": 1, "prev": GENESIS})
    assert caught.value.code == "bad-record"


def test_a_second_writer_in_the_same_process_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    with LedgerWriter(path), pytest.raises(LedgerLockedError) as caught:
        LedgerWriter(path, lock_timeout=0).__enter__()
    assert caught.value.code == "ledger-locked"
    with LedgerWriter(path, lock_timeout=0) as ledger:  # released on exit
        assert ledger.records == 0


@pytest.mark.parametrize("where", ["a-file/l.jsonl", "missing/l.jsonl", "a-directory"])
def test_unwritable_places_are_input_errors(tmp_path: Path, where: str) -> None:
    (tmp_path / "a-file").write_text("")
    (tmp_path / "a-directory").mkdir()
    with pytest.raises(AuditError) as caught, LedgerWriter(tmp_path / where):
        pass
    assert caught.value.code == "ledger-unwritable"
    assert not (tmp_path / "missing").exists()
    assert case_record(0)["case_id"] not in caught.value.render()


def test_breaks_are_listed_by_line_not_by_when_they_were_found(make_ledger: MakeLedger) -> None:
    path = make_ledger(5)
    lines = lines_of(path)
    lines[2] = reseal(lines[2], as_of="2020-01-01")  # found only at the next record
    lines.insert(3, b"not a record\n")
    rewrite(path, lines)
    report = verify(path)
    assert [(b.kind, b.line) for b in report.breaks] == [
        (BreakKind.EDITED, 3),
        (BreakKind.MALFORMED, 4),
    ]


def test_short_writes_are_continued_from_the_first_byte_not_written(
    tmp_path: Path, red: Redactor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write to a file may be short; the ledger must come out the same byte for byte."""
    bodies = [body(i, red) for i in range(7)]
    whole = tmp_path / "whole.jsonl"
    with LedgerWriter(whole) as ledger:
        ledger.append_many(bodies[:3])
        ledger.append_prepared([body_bytes(b) for b in bodies[3:]])
    calls: list[int] = []

    def short_writev(fd: int, buffers: list[bytes | memoryview]) -> int:
        calls.append(len(buffers))
        return os.write(fd, b"".join(buffers)[:777])  # also ends writes mid-piece

    monkeypatch.setattr(ledger_module.os, "writev", short_writev)
    short = tmp_path / "short.jsonl"
    with LedgerWriter(short) as ledger:
        ledger.append_many(bodies[:3])
        ledger.append_prepared([body_bytes(b) for b in bodies[3:]])
    assert short.read_bytes() == whole.read_bytes()
    assert len(calls) > whole.stat().st_size // 777
    assert verify(short).ok


def test_only_synced_bytes_are_dropped_from_the_page_cache(
    make_ledger: MakeLedger, red: Redactor, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_ledger(2)
    before = path.stat().st_size
    synced: list[int] = []
    advised: list[tuple[int, int, int]] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        synced.append(os.fstat(fd).st_size)

    monkeypatch.setattr(ledger_module.os, "fsync", fsync)
    monkeypatch.setattr(
        ledger_module.os, "posix_fadvise", lambda fd, *advice: advised.append(advice)
    )
    with LedgerWriter(path) as ledger:
        ledger.append_prepared([body_bytes(body(2, red))], sync=False)
        assert advised == []  # written but not yet on disk: kept
        ledger.append_prepared([body_bytes(body(3, red))])
        ledger.append_many(body(i, red) for i in range(4, 6))
        ledger.sync()  # nothing new: no advice
    after = path.stat().st_size
    dontneed = getattr(os, "POSIX_FADV_DONTNEED", 4)
    # from where the ledger ended when opened (earlier bytes are not this writer's), each
    # advised range ends where an fsync found the file, and together they cover what was added
    assert [a[2] for a in advised] == [dontneed, dontneed]
    assert advised[0][0] == before
    assert advised[1][0] == advised[0][0] + advised[0][1]
    assert {a[0] + a[1] for a in advised} <= set(synced)
    assert advised[1][0] + advised[1][1] == after
    assert verify(path).records == 6


def test_sealing_prepared_bytes_gives_the_line_sealing_the_record_gives(red: Redactor) -> None:
    prev = GENESIS
    for seq, number in enumerate((0, 1, 7, 12), start=1):
        record = body(number, red)
        pieces, digest = seal_pieces(body_bytes(record), prev, seq)
        assert (b"".join(pieces), digest) == seal(record, prev, seq)
        prev = digest
