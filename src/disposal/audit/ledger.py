"""Writing the ledger: one locked, append-only, fsynced JSON Lines file.

**Lock.** ``LedgerWriter`` holds an exclusive ``filelock.FileLock`` on ``<ledger>.lock`` (a kernel
``flock``, released by the kernel if the process dies) from ``__enter__`` to ``__exit__``. A second
writer waits up to ``lock_timeout`` seconds (default 10; ``None`` waits for ever, ``0`` refuses at
once) and then raises ``LedgerLockedError`` (code ``ledger-locked``). Readers (``verify``, ``show``,
``replay``) take no lock: run while a writer is active, they may see its unfinished last line as a
torn tail. The lock is advisory and needs a local file system (not NFS).

**Head.** On opening, the writer reads the file backwards from the end to the last whole line, so
opening costs the same for a 10-record and a 10-GB ledger. It checks that last record's own hash
(``ledger-tail-invalid`` if it fails: run ``disposal audit verify``); it does not re-verify the
whole chain.

**Torn tail.** A line without its final newline can only come from an interrupted write (a crash,
``SIGKILL``, a full disk). ``verify`` reports it as ``torn_tail``. On opening, the writer moves the
torn bytes to a side file ``<ledger>.torn-<offset>`` (``-2``, ``-3`` ... if that exists), fsyncs
it, truncates the ledger back to the last whole record, emits a ``TornTailWarning`` and keeps the
details in ``writer.recovered``. The ledger then verifies again and a resumed run continues the
chain; the side file is the evidence of what was cut. No record is added to the ledger for the
recovery, so a resumed batch review can still produce a byte-identical ledger.

**Durability.** ``append_many`` seals every record, writes the lines with as few calls as possible
(``os.writev`` of up to 1,024 pieces, about 8 MiB per batch of calls) to an ``O_APPEND``
descriptor and then calls ``os.fsync``. When it returns, every record it was given is on stable
storage; if the process dies inside it, the ledger holds a prefix of the batch, possibly followed
by a torn line. A new ledger file's directory entry is fsynced too. ``append`` is ``append_many``
of one record (one fsync each: use ``append_many`` for batches). The file is created with mode
``0600``.

**Page cache.** After each ``fsync`` the writer tells the kernel that it will not read the synced
bytes again (``posix_fadvise(..., POSIX_FADV_DONTNEED)``, where the platform has it). A review of
years of cases writes tens of gigabytes of ledger; left in the page cache, they would push
everything else on an auditor's machine out of memory, for bytes nobody reads until ``verify``.
Dropped, their pages are reused for the next writes. On the benchmark VM that also speeds up
appending (with ``writev``, 1.32x at an fsync per 1,000 records, 1.69x at the review's cadence),
because memory the guest has touched before is much cheaper to write into than fresh memory
(README, "Performance"). The advice never affects what is on disk: it is given only for bytes
already fsynced, and an error from it is ignored.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import filelock

from disposal.audit.chain import GENESIS, check_line, seal
from disposal.audit.errors import AuditError, LedgerLockedError
from disposal.audit.prepared import seal_pieces
from disposal.audit.verify import Break, VerifyReport, verify
from disposal.errors import Location

__all__ = [
    "GENESIS",
    "Break",
    "LedgerWriter",
    "TornTail",
    "TornTailWarning",
    "VerifyReport",
    "verify",
]

DEFAULT_LOCK_TIMEOUT = 10.0
_CHUNK = 8 * 1024 * 1024
_BLOCK = 64 * 1024
_IOV_MAX = 1024  # the smallest limit on pieces per writev among Linux, macOS and the BSDs
_DONTNEED = getattr(os, "POSIX_FADV_DONTNEED", 4)  # the value on Linux; used only where it exists


class TornTailWarning(UserWarning):
    """A torn last line was moved aside when a ledger was opened for writing."""


@dataclass(frozen=True)
class TornTail:
    """What the writer cut off: where it started, how long it was, and where it was saved."""

    offset: int
    length: int
    line: int
    side_file: Path


class LedgerWriter:
    """Appends sealed records to a ledger; use as ``with LedgerWriter(path) as ledger: ...``."""

    def __init__(self, path: Path | str, *, lock_timeout: float | None = DEFAULT_LOCK_TIMEOUT):
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.recovered: TornTail | None = None
        self._lock = _make_lock(Path(f"{self.path}.lock"), lock_timeout)
        self._fd = -1
        self._head = GENESIS
        self._seq = 0
        self._synced = 0  # bytes known to be on disk and already dropped from the page cache

    @property
    def head(self) -> str:
        """The hash of the last record (``GENESIS`` for an empty ledger)."""
        return self._head

    @property
    def records(self) -> int:
        """How many records the ledger holds (the ``seq`` of the last one)."""
        return self._seq

    def __enter__(self) -> LedgerWriter:
        if not self.path.parent.is_dir():  # filelock would create missing directories
            raise _unwritable(self.path, FileNotFoundError(2, "its directory does not exist"))
        try:
            self._lock.acquire()
        except filelock.Timeout:
            raise LedgerLockedError(
                "ledger-locked",
                f"another process is writing to this ledger (waited {self.lock_timeout}s)",
                Location(str(self.path)),
                "wait for it to finish, or write to a different --ledger",
            ) from None
        except OSError as exc:
            raise _unwritable(self.path, exc) from None
        try:
            self._open()
        except OSError as exc:
            self._close()
            raise _unwritable(self.path, exc) from None
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()

    def append(self, body: dict[str, Any]) -> str:
        """Seal and durably append one record; return its hash (the new head)."""
        return self.append_many((body,))

    def append_many(self, bodies: Iterable[dict[str, Any]]) -> str:
        """Seal and durably append records in order, fsync once; return the new head hash.

        If a record cannot be sealed (``not-json``, ``bad-record``), the records before it are
        still appended and fsynced, ``head`` and ``records`` say how far it got, and the error
        is raised.
        """
        return self._append(bodies, _seal_dict, sync=True)

    @property
    def size(self) -> int:
        """The ledger's length in bytes (every byte a whole record)."""
        return os.fstat(self._fd).st_size if self._fd >= 0 else 0

    def sync(self) -> None:
        """Make every appended record durable (``append_prepared(..., sync=False)`` defers it)."""
        self._sync()

    def rewind(self, size: int, seq: int, head: str, ours: Callable[[bytes], bool]) -> None:
        """Cut the ledger back to ``size`` bytes (record ``seq``, hash ``head``).

        For a resumed batch review: records appended after its last checkpoint are cut so
        that they can be written again, identically. Each record to be cut must satisfy
        ``ours`` (it was written by that run); anything else is refused.
        """
        end = self.size
        if end < size:
            raise AuditError(
                "ledger-shorter",
                "the ledger is shorter than the run recorded",
                Location(str(self.path)),
                "the ledger was changed since the run",
            )
        tail = b""
        if end > size:  # our descriptor is append-only: read through a second one
            with self.path.open("rb") as handle:
                handle.seek(size)
                tail = handle.read(end - size)
        # the last piece after the final newline is a torn write (power cut mid-append): the
        # file lock kept other writers out, so it is this run's and is cut with the rest
        whole = tail.split(b"\n")[:-1]
        if not all(ours(line) for line in whole):
            raise AuditError(
                "ledger-changed",
                "records not written by this run follow its last checkpoint",
                Location(str(self.path)),
                "another process appended to the ledger",
            )
        if tail:
            os.ftruncate(self._fd, size)
            self._synced = min(self._synced, size)
            self._sync()
        self._head, self._seq = head, seq

    def append_prepared(self, bodies: Iterable[bytes], sync: bool = True) -> str:
        """Seal canonical record bodies (``prepared.compose``) and append them; fsync once."""
        return self._append(bodies, seal_pieces, sync)

    def _append(self, bodies: Iterable[Any], sealer: _Sealer, sync: bool) -> str:
        """Seal each body after the last, write in chunks of about ``_CHUNK`` bytes, fsync.

        A body that fails to seal stops the batch; what was sealed before it is still written.
        """
        if self._fd < 0:
            raise AuditError("ledger-closed", "the ledger is not open", Location(str(self.path)))
        head, seq = self._head, self._seq
        pending: list[bytes | memoryview] = []
        size = 0
        try:
            for body in bodies:
                pieces, head = sealer(body, head, seq + 1)
                seq += 1
                pending.extend(pieces)
                size += sum(map(len, pieces))
                if size >= _CHUNK:
                    chunk, pending, size = pending, [], 0
                    self._write(chunk, head, seq)
        finally:
            if pending and self._fd >= 0:
                self._write(pending, head, seq)
            if sync:
                self._sync()
        return self._head

    def _write(self, lines: Sequence[bytes | memoryview], head: str, seq: int) -> None:
        try:
            _writev_all(self._fd, lines)
        except OSError as exc:
            self._close()  # never write after a partial line; reopening cuts the torn tail
            raise _unwritable(self.path, exc) from None
        self._head, self._seq = head, seq

    def _sync(self) -> None:
        if self._fd >= 0:
            try:
                os.fsync(self._fd)
            except OSError as exc:
                self._close()
                raise _unwritable(self.path, exc) from None
            self._drop_synced()

    def _drop_synced(self) -> None:
        """Advise the kernel to drop what was just fsynced from the page cache (module doc)."""
        end = self.size
        if end > self._synced and hasattr(os, "posix_fadvise"):
            with contextlib.suppress(OSError):  # advice only: the bytes are on disk either way
                os.posix_fadvise(self._fd, self._synced, end - self._synced, _DONTNEED)
        self._synced = end

    def _open(self) -> None:
        created = not self.path.exists()
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        if created:
            _fsync_dir(self.path.parent)
        cut = _cut_torn_tail(self.path)
        self._head, self._seq = _read_head(self.path)
        self._synced = self.size  # what was there before is not ours to drop
        if cut is not None:
            self.recovered = TornTail(cut[0], cut[1], self._seq + 1, cut[2])
            warnings.warn(
                f"{self.path}:{self.recovered.line}: torn last line ({cut[1]} bytes) moved to"
                f" {cut[2].name}; the ledger continues from its last whole record",
                TornTailWarning,
                stacklevel=3,
            )

    def _close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if self._lock.is_locked:
            self._lock.release()


def _make_lock(lock_path: Path, timeout: float | None) -> filelock.BaseFileLock:
    wait = -1.0 if timeout is None else max(timeout, 0.0)
    try:  # recent filelock: never fall back to a marker-file lock that a crash leaves stale
        return filelock.FileLock(
            lock_path, timeout=wait, thread_local=False, fallback_to_soft=False
        )
    except TypeError:
        return filelock.FileLock(lock_path, timeout=wait, thread_local=False)


def _unwritable(path: Path, exc: OSError) -> AuditError:
    return AuditError(
        "ledger-unwritable",
        f"cannot write the ledger ({exc.strerror or type(exc).__name__})",
        Location(str(path)),
        "check that the directory exists and is writable, or use --no-ledger",
    )


# (body, prev, seq) -> (the pieces of its line, its hash): a dict body or canonical bytes
_Sealer = Callable[[Any, str, int], tuple[Sequence[bytes | memoryview], str]]


def _seal_dict(body: dict[str, Any], prev: str, seq: int) -> tuple[tuple[bytes], str]:
    line, digest = seal(body, prev, seq)
    return (line,), digest


def _writev_all(fd: int, pieces: Sequence[bytes | memoryview]) -> None:
    """Write ``pieces`` in order, without joining them: ``os.writev`` of up to ``_IOV_MAX``.

    Joining a batch first would copy every record once more into a fresh 8 MiB buffer; a write to
    a file may also be short, so the call is repeated from the first byte not written.
    """
    if not hasattr(os, "writev"):  # not on Windows
        _write_all(fd, b"".join(pieces))
        return
    pending = list(pieces)
    start = 0
    while start < len(pending):
        written = os.writev(fd, pending[start : start + _IOV_MAX])
        while start < len(pending) and written >= len(pending[start]):
            written -= len(pending[start])
            start += 1
        if written:  # a short write ended inside this piece
            pending[start] = memoryview(pending[start])[written:]


def _write_all(fd: int, data: bytes) -> None:
    """``os.write`` until every byte is written (a write to a file may be short)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _last_newline(fd: int, end: int) -> int:
    """Offset of the last ``\\n`` before ``end``, or -1; reads backwards in blocks."""
    while end > 0:
        start = max(0, end - _BLOCK)
        found = os.pread(fd, end - start, start).rfind(b"\n")
        if found >= 0:
            return start + found
        end = start
    return -1


def _cut_torn_tail(path: Path) -> tuple[int, int, Path] | None:
    """Move a final line without newline to a side file; (offset, length, side file) or None."""
    fd = os.open(path, os.O_RDWR)
    try:
        size = os.fstat(fd).st_size
        if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
            return None
        keep = _last_newline(fd, size) + 1
        side = _side_file(path, keep)
        _copy_range(fd, keep, size, side)
        os.ftruncate(fd, keep)
        os.fsync(fd)
    finally:
        os.close(fd)
    _fsync_dir(path.parent)
    return keep, size - keep, side


def _side_file(path: Path, offset: int) -> Path:
    candidate = path.with_name(f"{path.name}.torn-{offset}")
    number = 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.torn-{offset}-{number}")
    return candidate


def _copy_range(fd: int, start: int, end: int, target: Path) -> None:
    out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        while start < end:
            chunk = os.pread(fd, min(_CHUNK, end - start), start)
            _write_all(out, chunk)
            start += len(chunk)
        os.fsync(out)
    finally:
        os.close(out)


def _read_head(path: Path) -> tuple[str, int]:
    """(hash, seq) of the last record, read backwards from the end; ``(GENESIS, 0)`` if empty."""
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        if size == 0:
            return GENESIS, 0
        start = _last_newline(fd, size - 1) + 1
        line = os.pread(fd, size - 1 - start, start)
    finally:
        os.close(fd)
    checked = check_line(line)
    if not checked.intact or checked.problem or checked.hash is None or checked.seq is None:
        raise AuditError(
            "ledger-tail-invalid",
            "the last record of the ledger does not check out, so nothing can be chained to it",
            Location(str(path)),
            "run 'disposal audit verify' on it, and start a new ledger if it is broken",
        )
    return checked.hash, checked.seq
