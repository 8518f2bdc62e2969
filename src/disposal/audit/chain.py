"""One ledger line: how a record is sealed into the hash chain and how a line is checked.

The line format, for anyone who re-implements the check:

* A ledger is a UTF-8 JSON Lines file: one record per line, each line ends with ``\\n``.
* Record *n* (1-based) is a JSON object holding the record body (``kind``, ``v``, ...) and three
  chain members: ``seq`` = *n*; ``prev`` = the ``hash`` of record *n-1* (``GENESIS`` for the
  first record); ``hash`` = lower-case hex SHA-256 of ``canonical_bytes(record without "hash")``
  (see ``disposal.audit.canonical``).
* The line is ``canonical_bytes(record without "hash")`` with its final ``}`` replaced by
  ``,"hash":"<64 hex>"}``, then ``\\n``. The hash member is therefore always the last 75 bytes
  before the newline: to check a line's own hash without a JSON parser, drop those 75 bytes, append
  ``}``, and SHA-256 the result.

Because the hash is taken over the stored bytes, a later change of JSON library cannot make old
records fail; the canonical-form check only confirms that no other writer produced the line.

``GENESIS`` is 64 zeros (``"0" * 64``): the ``prev`` of the first record of every ledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson

from disposal.audit.canonical import canonical_bytes, sha256_hex
from disposal.audit.errors import AuditError, CanonicalError

GENESIS = "0" * 64
CHAIN_FIELDS = ("prev", "seq", "hash")

_HASH_OPEN = b',"hash":"'
_SUFFIX_LEN = len(_HASH_OPEN) + 64 + 2  # ,"hash":"<64 hex>"}
_HEX64 = re.compile(r"[0-9a-f]{64}")


def is_hash(text: str) -> bool:
    """Whether ``text`` is a record hash: 64 lower-case hex digits."""
    return _HEX64.fullmatch(text) is not None


def seal(body: dict[str, Any], prev: str, seq: int) -> tuple[bytes, str]:
    """The line (with newline) for ``body`` as record ``seq`` after ``prev``, and its hash."""
    clash = [name for name in CHAIN_FIELDS if name in body]
    if clash:
        raise AuditError(
            "bad-record",
            f"record body already has chain field(s) {', '.join(clash)}",
            hint="pass the body without prev/seq/hash; the ledger adds them",
        )
    canonical = canonical_bytes({**body, "prev": prev, "seq": seq})
    digest = sha256_hex(canonical)
    return b"".join((canonical[:-1], _HASH_OPEN, digest.encode("ascii"), b'"}\n')), digest


@dataclass(frozen=True)
class CheckedLine:
    """What one line of a ledger says about itself (not yet about its place in the chain).

    ``hash`` is the stored hash when the line ends with a well-formed hash member; ``intact`` is
    true when the bytes before it hash to that value; ``problem`` says why the line is not a
    well-formed record (empty when it is); ``record`` is the parsed object when it parses.
    """

    hash: str | None
    intact: bool
    record: dict[str, Any] | None
    problem: str = ""

    @property
    def prev(self) -> str | None:
        return self.record.get("prev") if self.record and not self.problem else None

    @property
    def seq(self) -> int | None:
        return self.record.get("seq") if self.record and not self.problem else None


def check_line(line: bytes) -> CheckedLine:
    """Check one line (without its newline): its own hash, JSON, chain fields, canonical form."""
    stored = _stored_hash(line)
    if stored is None:
        return CheckedLine(None, False, _parse(line), "the line does not end with a hash member")
    signed = line[:-_SUFFIX_LEN] + b"}"
    intact = sha256_hex(signed) == stored
    record = _parse(line)
    if record is None:
        return CheckedLine(stored, intact, None, "" if not intact else "the line is not JSON")
    problem = _structure_problem(record, stored)
    if not problem and intact and not _is_canonical(record, signed):
        problem = "the record is not in canonical form (not written by disposal)"
    return CheckedLine(stored, intact, record, problem)


def _stored_hash(line: bytes) -> str | None:
    if len(line) < _SUFFIX_LEN + 2 or not line.endswith(b'"}'):
        return None
    if line[-_SUFFIX_LEN : -_SUFFIX_LEN + len(_HASH_OPEN)] != _HASH_OPEN:
        return None
    digest = line[-66:-2].decode("ascii", "replace")
    return digest if _HEX64.fullmatch(digest) else None


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _structure_problem(record: dict[str, Any], stored: str) -> str:
    prev, seq = record.get("prev"), record.get("seq")
    if record.get("hash") != stored:
        return "the record has more than one hash member"
    if not isinstance(prev, str) or not _HEX64.fullmatch(prev):
        return "'prev' is missing or is not a SHA-256 hex digest"
    if type(seq) is not int or seq < 1:
        return "'seq' is missing or is not a positive integer"
    if not isinstance(record.get("kind"), str) or type(record.get("v")) is not int:
        return "'kind' or 'v' is missing"
    return ""


def _is_canonical(record: dict[str, Any], signed: bytes) -> bool:
    try:
        return canonical_bytes({k: v for k, v in record.items() if k != "hash"}) == signed
    except CanonicalError:
        return False
