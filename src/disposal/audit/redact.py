"""Redaction and pseudonymisation of an audit record, as declared in ``rules/audit.yaml``.

* **Dropped** free text keeps its presence: a non-blank string becomes ``"[redacted]"`` (a list of
  text becomes a list of markers of the same length), so a rule that tests whether a field was
  recorded, or whether a rationale is non-empty, decides the same on replay. Blank strings and
  nulls are kept as they are: they hide nothing and their emptiness matters to the rules.
* **Pseudonymised** identifiers become ``"hmac-sha256:<64 hex>"``; the same identifier always gets
  the same pseudonym under the same key, so records about one officer still link.
* Every value taken out at a configured path is also taken out **wherever else it occurs** in the
  record: a string equal to it anywhere (the decision's ``case_id``, the authorisation block, the
  trace) is replaced, and inside longer strings it is replaced as a whole word when it is at least
  four characters long. Replacement markers and pseudonyms are never rewritten.

Keys, for anyone who must reproduce a pseudonym or digest with the force's key *K*::

    K_p = HMAC-SHA256(K, "disposal.audit.pseudonym")      pseudonym(v) = HMAC-SHA256(K_p, utf8(v))
    K_d = HMAC-SHA256(K, "disposal.audit.input-digest")   digest = HMAC-SHA256(K_d, canonical input)
    key_id = first 16 hex digits of HMAC-SHA256(K, "disposal.audit.key-id")

The input digest is keyed whenever a key is available: a plain SHA-256 of the unredacted input
would let anyone holding the ledger confirm guesses of a redacted value (a four-digit officer
number takes 10,000 tries). Without a key it is ``"sha256:<hex>"`` of the canonical input.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from disposal.audit.config import (
    MIN_KEY_BYTES,
    AuditConfig,
    load_audit_config,
    load_key,
)
from disposal.audit.errors import AuditError
from disposal.errors import Location

__all__ = ["PSEUDONYM_PREFIX", "REDACTED", "AuditConfig", "Redactor", "load_audit_config"]

REDACTED = "[redacted]"
PSEUDONYM_PREFIX = "hmac-sha256:"
MIN_WORD = 4  # shorter values are replaced only where a whole string equals them
_CACHE_LIMIT = 65_536

Hit = tuple[str, str, re.Pattern[str] | None]


class Redactor:
    """Applies one ``AuditConfig`` with one key (``None`` when nothing is pseudonymised)."""

    def __init__(self, config: AuditConfig, key: bytes | None) -> None:
        if config.pseudonymise and key is None:
            raise AuditError(
                "audit-key-missing",
                "pseudonymisation is configured but no audit key is available",
                Location(config.key.file or f"${config.key.env}"),
                f"set {config.key.env or 'the key variable'} to a secret of at least "
                f"{MIN_KEY_BYTES} bytes (openssl rand -hex 32), or a key file; never in the ledger",
            )
        if key is not None and len(key) < MIN_KEY_BYTES:
            raise AuditError("audit-key-too-short", f"the audit key must be {MIN_KEY_BYTES}+ bytes")
        self.config = config
        self._rules = sorted(
            [(path, "dropped") for path in config.drop]
            + [(path, "pseudonymised") for path in config.pseudonymise]
        )
        self._pseudonym_key = _derive(key, "pseudonym")
        self._digest_key = _derive(key, "input-digest")
        key_id = _derive(key, "key-id")
        self.key_id: str | None = key_id.hex()[:16] if key_id else None
        self._pseudonyms: dict[str, str] = {}
        self._patterns: dict[str, re.Pattern[str]] = {}

    @classmethod
    def from_config(cls, config: AuditConfig, environ: Mapping[str, str] | None = None) -> Redactor:
        """A redactor with the key named by the configuration (environment variable or file)."""
        return cls(config, load_key(config, environ))

    def pseudonym(self, identifier: str) -> str:
        """``"hmac-sha256:<hex>"`` for ``identifier`` under this redactor's key."""
        if self._pseudonym_key is None:
            raise AuditError("audit-key-missing", "no audit key: cannot compute a pseudonym")
        found = self._pseudonyms.get(identifier)
        if found is None:
            mac = hmac.digest(self._pseudonym_key, identifier.encode("utf-8"), "sha256")
            found = PSEUDONYM_PREFIX + mac.hex()
            if len(self._pseudonyms) >= _CACHE_LIMIT:
                self._pseudonyms.clear()
            self._pseudonyms[identifier] = found
        return found

    def input_digest(self, canonical_input: bytes) -> str:
        """The digest of the canonical unredacted input: keyed when a key is available."""
        if self._digest_key is None:
            return "sha256:" + hashlib.sha256(canonical_input).hexdigest()
        return PSEUDONYM_PREFIX + hmac.digest(self._digest_key, canonical_input, "sha256").hex()

    def redact(self, record_body: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
        """The redacted copy of a record body (paths apply to its ``input``) and what was done.

        The body passed in is not modified; unchanged parts are shared with the copy.
        """
        case_input = record_body.get("input")
        if not isinstance(case_input, dict):
            raise AuditError("bad-record", "the record body has no 'input' mapping to redact")
        needles: dict[str, str] = {}
        redactions: list[dict[str, str]] = []
        for path, action in self._rules:
            replace = (
                self._dropper(needles) if action == "dropped" else self._pseudonymiser(needles)
            )
            changed = _apply(case_input, tuple(path.split(".")), replace)
            if changed is not case_input:
                case_input = changed
                redactions.append({"path": path, "action": action})
        body = {**record_body, "input": case_input}
        return (self._scrub(body, needles) if needles else body), redactions

    def _dropper(self, needles: dict[str, str]) -> Callable[[Any], Any]:
        def drop(value: Any) -> Any:
            if isinstance(value, list):
                return _map_list(value, drop)
            if value is None or (isinstance(value, str) and not value.strip()):
                return value
            if isinstance(value, str):
                needles.setdefault(value, REDACTED)
            return REDACTED

        return drop

    def _pseudonymiser(self, needles: dict[str, str]) -> Callable[[Any], Any]:
        def pseudonymise(value: Any) -> Any:
            if isinstance(value, list):
                return _map_list(value, pseudonymise)
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                return value if value is None or isinstance(value, bool) else REDACTED
            if not value.strip() or value.startswith(PSEUDONYM_PREFIX):
                return value
            return needles.setdefault(value, self.pseudonym(value))

        return pseudonymise

    def _scrub(self, body: dict[str, Any], needles: dict[str, str]) -> dict[str, Any]:
        """Replace the needles wherever else they occur; orjson bytes tell which parts to walk."""
        probes = [(orjson.dumps(raw)[1:-1], raw, rep) for raw, rep in needles.items()]
        probes.sort(key=lambda probe: -len(probe[1]))
        blob = _dump_or_none(body)
        if blob is not None and not any(probe in blob for probe, _, _ in probes):
            return body
        out = dict(body)
        for name, value in body.items():
            part = _dump_or_none(value)
            hits = [
                (raw, rep, self._word(raw))
                for probe, raw, rep in probes
                if part is None or probe in part
            ]
            if hits:
                out[name] = _scrub_value(value, hits)
        return out

    def _word(self, raw: str) -> re.Pattern[str] | None:
        if len(raw) < MIN_WORD:
            return None
        pattern = self._patterns.get(raw)
        if pattern is None:
            if len(self._patterns) >= _CACHE_LIMIT:
                self._patterns.clear()
            pattern = self._patterns[raw] = re.compile(rf"(?<!\w){re.escape(raw)}(?!\w)")
        return pattern


def _derive(key: bytes | None, label: str) -> bytes | None:
    if key is None:
        return None
    return hmac.digest(key, f"disposal.audit.{label}".encode("ascii"), "sha256")


def _apply(node: Any, parts: tuple[str, ...], replace: Callable[[Any], Any]) -> Any:
    """``node`` with ``replace`` applied at ``parts`` (through lists), copying only what changes."""
    if isinstance(node, list):
        return _map_list(node, lambda item: _apply(item, parts, replace))
    if not isinstance(node, dict) or parts[0] not in node:
        return node
    child = node[parts[0]]
    new = replace(child) if len(parts) == 1 else _apply(child, parts[1:], replace)
    return node if new is child else {**node, parts[0]: new}


def _map_list(items: list[Any], fn: Callable[[Any], Any]) -> list[Any]:
    mapped = [fn(item) for item in items]
    return items if all(a is b for a, b in zip(mapped, items, strict=True)) else mapped


def _dump_or_none(value: Any) -> bytes | None:
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return None  # not JSON data: walk it all; canonical_bytes will report the problem


def _scrub_value(value: Any, hits: list[Hit]) -> Any:
    if isinstance(value, str):
        return _scrub_text(value, hits)
    if isinstance(value, dict):
        return {_scrub_text(k, hits): _scrub_value(v, hits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(item, hits) for item in value]
    return value


def _scrub_text(text: Any, hits: list[Hit]) -> Any:
    if not isinstance(text, str) or text == REDACTED or text.startswith(PSEUDONYM_PREFIX):
        return text
    for raw, replacement, word in hits:
        if text == raw:
            return replacement
        if word is not None and raw in text:
            text = word.sub(replacement.replace("\\", "\\\\"), text)
    return text
