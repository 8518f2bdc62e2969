"""Redaction and pseudonymisation of an audit record, as declared in ``rules/audit.yaml``.

* **Dropped** free text keeps its presence: a non-blank string becomes ``"[redacted]"`` (a list of
  text becomes a list of markers of the same length), so a rule that tests whether a field was
  recorded, or whether a rationale is non-empty, decides the same on replay. Blank strings and
  nulls are kept as they are: they hide nothing and their emptiness matters to the rules.
* **Pseudonymised** identifiers become ``"hmac-sha256:<64 hex>"``; the same identifier always gets
  the same pseudonym under the same key, so records about one officer still link.
* Every value taken out at a configured path is also taken out **wherever else it occurs**:

  - outside the case input (the decision's ``case_id``, the authorisation block, the trace), a
    string equal to a pseudonymised identifier, or to dropped text of four characters or more, is
    replaced;
  - anywhere, including the rest of the input, a value of four characters or more is replaced
    where it appears as a whole word inside a longer string;
  - inside the input, a *whole* string that merely equals a redacted value is left alone: the
    other case fields hold codes and enumerations (an HO code ``"46"``, an injury ``"none"``) that
    replay needs intact.

  Replacement markers and pseudonyms are never rewritten. The engine should keep identifiers and
  free text out of the prose of its trace; where it copies them as values, they are caught.

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

Hit = tuple[str, str, re.Pattern[str] | None, bool]  # raw, replacement, word pattern, exact


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
            raise AuditError(
                "audit-key-too-short",
                f"the audit key must be at least {MIN_KEY_BYTES} bytes",
                Location(config.key.file or f"${config.key.env}"),
                "generate one with: openssl rand -hex 32",
            )
        self.config = config
        self._rules = sorted(
            [(path, "dropped") for path in config.drop]
            + [(path, "pseudonymised") for path in config.pseudonymise]
        )
        self._tree = _path_tree(self._rules)
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
        done: set[str] = set()
        body = {**record_body, "input": self._redact_node(case_input, self._tree, needles, done)}
        redactions = [
            {"path": path, "action": action} for path, action in self._rules if path in done
        ]
        return (self._scrub(body, needles) if needles else body), redactions

    def redact_input(
        self, case_input: dict[str, Any]
    ) -> tuple[dict[str, Any], list[dict[str, str]], dict[str, str]]:
        """The input with its configured paths redacted, what was done, and the raw values taken
        out (``needles``) that ``redact`` would also scrub from the rest of a record."""
        needles: dict[str, str] = {}
        done: set[str] = set()
        redacted = self._redact_node(case_input, self._tree, needles, done)
        redactions = [{"path": p, "action": a} for p, a in self._rules if p in done]
        return redacted, redactions, needles

    def _redact_node(self, node: Any, tree: _Tree, needles: dict[str, str], done: set[str]) -> Any:
        """``node`` with the paths of ``tree`` replaced (through lists), copying what changes."""
        if isinstance(node, list):
            return _map_list(node, lambda item: self._redact_node(item, tree, needles, done))
        if not isinstance(node, dict):
            return node
        changes: dict[str, Any] = {}
        for key, branch in tree.items():
            if key not in node:
                continue
            child = node[key]
            if isinstance(branch, tuple):
                path, action = branch
                replace = _drop if action == "dropped" else self._pseudonymise
                new = replace(child, needles)
                if new is not child:
                    done.add(path)
            else:
                new = self._redact_node(child, branch, needles, done)
            if new is not child:
                changes[key] = new
        return {**node, **changes} if changes else node

    def _pseudonymise(self, value: Any, needles: dict[str, str]) -> Any:
        if isinstance(value, list):
            return _map_list(value, lambda item: self._pseudonymise(item, needles))
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return value if value is None or isinstance(value, bool) else REDACTED
        if not value.strip() or value.startswith(PSEUDONYM_PREFIX):
            return value
        return needles.setdefault(value, self.pseudonym(value))

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
                (raw, rep, self._word(raw), name != "input" and _distinctive(raw, rep))
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


_Tree = dict[str, "_Tree | tuple[str, str]"]


def _path_tree(rules: list[tuple[str, str]]) -> _Tree:
    """``{"victim": {"views": ("victim.views", "dropped")}, ...}`` from (path, action) pairs."""
    tree: _Tree = {}
    for path, action in rules:
        *parents, leaf = path.split(".")
        node = tree
        for part in parents:
            child = node.setdefault(part, {})
            assert isinstance(child, dict), "config validation keeps paths from nesting"
            node = child
        node[leaf] = (path, action)
    return tree


def _drop(value: Any, needles: dict[str, str]) -> Any:
    if isinstance(value, list):
        return _map_list(value, lambda item: _drop(item, needles))
    if value is None or (isinstance(value, str) and not value.strip()):
        return value
    if isinstance(value, str):
        needles.setdefault(value, REDACTED)
    return REDACTED


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
    for raw, replacement, word, exact in hits:
        if text == raw:
            if exact:
                return replacement
            continue
        if word is not None and raw in text:
            text = word.sub(replacement.replace("\\", "\\\\"), text)
    return text


def _distinctive(raw: str, replacement: str) -> bool:
    """Whether a string equal to ``raw`` outside the input is taken to be the redacted value."""
    return replacement != REDACTED or len(raw) >= MIN_WORD
