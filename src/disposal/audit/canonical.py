"""Canonical JSON: the exact bytes the ledger hashes and the input digest is taken over.

Auditors may re-implement this, so the module docstring is the specification.

``canonical_bytes(value)`` is the UTF-8 encoding of the JSON text that Python's standard library
writes with::

    json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)

for JSON data. Spelled out:

* **No insignificant whitespace** anywhere; separators are exactly ``,`` and ``:``.
* **Objects**: keys must be strings; members are sorted by key, comparing keys code point by code
  point (the same order as comparing their UTF-8 bytes). Keys are written like strings.
* **Arrays**: Python lists and tuples, elements in order.
* **Strings**: between ``"`` as raw UTF-8 (non-ASCII is *not* written as ``\\u`` escapes). Only
  these are escaped: ``"`` as ``\\"``, ``\\`` as ``\\\\``, U+0008/0009/000A/000C/000D as
  ``\\b \\t \\n \\f \\r``, and every other character below U+0020 as ``\\u00xx`` with lower-case
  hex. ``/``, U+007F, U+2028 and U+2029 are written as they are. Lone surrogates are rejected.
* **Integers**: decimal, ``-`` for negatives, no leading zeros, no size limit. ``true``,
  ``false`` and ``null`` as usual.
* **Floats**: Python's ``repr``: the shortest decimal that reads back as the same IEEE-754 double.
  When ``1e-4 <= |x| < 1e16`` (or ``x`` is zero) it is positional with at least one digit after
  the point (``4.5``, ``100.0``, ``0.0001``, ``-0.0``); otherwise it is ``d[.ddd]e±XX`` with a sign
  and at least two exponent digits (``1e-05``, ``1.5e+16``). **NaN and ±Infinity are rejected.**
* **Other Python types**: ``str`` and ``int`` subclasses (``StrEnum``, ``IntEnum`` members) are
  written as their plain string or integer. Everything else (floats' subclasses, ``bytes``,
  ``date``/``datetime``, ``Enum`` members that are not ``str``/``int``, ``UUID``, sets, dataclasses,
  models) is rejected with ``not-json``: callers convert dates to ``YYYY-MM-DD`` strings first.

Implementation: ``orjson`` (with ``OPT_SORT_KEYS``) writes exactly these bytes for plain JSON
data, except that it writes NaN/Infinity as ``null``, formats floats below ``1e-4`` differently
and serialises some non-JSON types. A cheap scan of the value decides whether the fast output is
provably identical (only plain JSON types, and every float finite and zero or at least 1e-4 in
magnitude); otherwise the standard-library form above is computed after a strict type walk.
Tests check both paths against the definition.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
from typing import Any

import orjson

from disposal.audit.errors import CanonicalError
from disposal.errors import Location

_PLAIN = frozenset({dict, list, tuple, str, int, bool, type(None)})
_PLAIN_WITH_FLOAT = _PLAIN | {float}
_FAST_OPTIONS = (
    orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def canonical_bytes(value: Any) -> bytes:
    """The canonical JSON bytes of ``value`` (see the module docstring); ``CanonicalError`` else."""
    try:
        fast = orjson.dumps(value, option=_FAST_OPTIONS)
    except orjson.JSONEncodeError:
        return _standard(value)
    if _fast_is_exact(value, fast):
        return fast
    return _standard(value)


def _fast_is_exact(value: Any, fast: bytes) -> bool:
    """Whether orjson's bytes for ``value`` are provably the canonical ones.

    ``gc.get_referents`` lists the direct contents of containers in C, level by level; for plain
    JSON data that is every value (dict keys are strings, which orjson has already checked). A
    level holding any other type stops the walk before it is traversed (an object's referents
    include its class, and from there the whole interpreter). orjson and ``repr`` agree on every
    finite float of magnitude 1e-4 or more (and zero); others take the standard path.
    """
    level = [value]
    while level:
        kinds = {*map(type, level)}
        if not kinds <= _PLAIN_WITH_FLOAT:
            return False
        if float in kinds and not all(
            map(_orjson_writes_as_repr, [item for item in level if type(item) is float])
        ):
            return False
        level = gc.get_referents(*level)
    return True


def _orjson_writes_as_repr(number: float) -> bool:
    return number == 0.0 or 1e-4 <= abs(number) < math.inf


def _standard(value: Any) -> bytes:
    _check_strict(value, "$")
    try:
        text = json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise _not_json("$", "a string holds a lone surrogate") from None
    except (ValueError, RecursionError):
        raise _not_json("$", "is circular or nested too deeply") from None


def _check_strict(value: Any, path: str) -> None:
    """Reject anything the definition rejects, naming the JSON path (never the value)."""
    stack: list[tuple[Any, str]] = [(value, path)]
    seen: set[int] = set()  # shared containers are checked once; cycles are left to json.dumps
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict | list | tuple):
            if id(item) in seen:
                continue
            seen.add(id(item))
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise _not_json(
                        where, f"has a key of type {type(key).__name__}; keys must be strings"
                    )
                stack.append((child, f"{where}.{key}"))
        elif isinstance(item, list | tuple):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(item))
        elif type(item) is float:
            if not math.isfinite(item):
                raise _not_json(where, "is NaN or infinite, which JSON cannot represent")
        elif item is not None and not isinstance(item, str | int):
            raise _not_json(where, f"is a {type(item).__name__}, which is not JSON data")


def _not_json(where: str, message: str) -> CanonicalError:
    return CanonicalError(
        "not-json",
        f"value at {where} {message}",
        Location(field=where),
        "pass plain JSON data: dicts with string keys, lists, strings, numbers, booleans, None",
    )
