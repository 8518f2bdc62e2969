"""The audit record of one evaluation: a versioned, self-contained event.

Body members (the ledger adds ``seq``, ``prev`` and ``hash``, see ``disposal.audit.chain``):

=================  ==============================================================================
``kind``           ``"disposal.decision"``
``v``              ``1``: the version of this layout; readers must check it
``decision_id``    unique id of this evaluation (``new_decision_id()``, or a deterministic one)
``timestamp``      when it was evaluated, UTC, ISO-8601 ending in ``Z``
``tool_version``   the ``disposal`` version that evaluated it
``policy``         ``{"profile", "version", "sha256", ...}`` as in the decision (CONTRACT §2)
``as_of``          the date the policy was selected for (``YYYY-MM-DD``)
``input_digest``   digest of the canonical *unredacted* input (keyed when a key is configured)
``input``          the case record after redaction
``decision``       the decision object (CONTRACT §2) after redaction
``trace``          the rule trace, after redaction
``authorisation``  the record's authorisation block after redaction, or ``null``
``redactions``     ``[{"path": "victim.views", "action": "dropped"}, ...]``: what was taken out
``key_id``         which key pseudonymised it (16 hex), or ``null`` when no key was used
=================  ==============================================================================

``decision_id`` and ``timestamp`` are passed in rather than generated so that a resumed batch
review can rebuild a byte-identical ledger; ``new_decision_id`` and ``utc_now`` are for
interactive use.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from disposal.audit.canonical import canonical_bytes
from disposal.audit.errors import AuditError
from disposal.audit.redact import Redactor
from disposal.errors import Location

KIND = "disposal.decision"
VERSION = 1
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def new_decision_id() -> str:
    """A random decision id: 32 lower-case hex digits (UUID4)."""
    return uuid.uuid4().hex


def utc_now() -> str:
    """The current time as ISO-8601 UTC with microseconds, e.g. ``2024-05-14T10:22:03.123456Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def build_record(
    *,
    decision_id: str,
    timestamp: str,
    tool_version: str,
    policy: dict[str, Any],
    as_of: str,
    case_input: dict[str, Any],
    decision: dict[str, Any],
    trace: list[dict[str, Any]],
    redactor: Redactor,
) -> dict[str, Any]:
    """The redacted record body for one evaluation, ready for ``LedgerWriter.append``.

    ``case_input`` is the case record as plain JSON data (dates as ``YYYY-MM-DD`` strings);
    nothing passed in is modified.
    """
    _check_arguments(decision_id, timestamp, tool_version, policy, as_of, case_input)
    body = {
        "kind": KIND,
        "v": VERSION,
        "decision_id": decision_id,
        "timestamp": timestamp,
        "tool_version": tool_version,
        "policy": policy,
        "as_of": as_of,
        "input_digest": redactor.input_digest(canonical_bytes(case_input)),
        "input": case_input,
        "decision": decision,
        "trace": trace,
    }
    redacted, redactions = redactor.redact(body)
    authorisation = redacted["input"].get("authorisation")
    redacted["authorisation"] = authorisation if isinstance(authorisation, dict) else None
    redacted["redactions"] = redactions
    redacted["key_id"] = redactor.key_id
    return redacted


def _check_arguments(
    decision_id: str,
    timestamp: str,
    tool_version: str,
    policy: dict[str, Any],
    as_of: str,
    case_input: dict[str, Any],
) -> None:
    problems = []
    if not isinstance(decision_id, str) or not decision_id:
        problems.append(("decision_id", "must be a non-empty string"))
    if not isinstance(timestamp, str) or not TIMESTAMP.match(timestamp):
        problems.append(("timestamp", "must be ISO-8601 UTC ending in Z"))
    if not isinstance(tool_version, str) or not tool_version:
        problems.append(("tool_version", "must be a non-empty string"))
    if not isinstance(as_of, str) or not _DATE.match(as_of):
        problems.append(("as_of", "must be a YYYY-MM-DD string"))
    if not isinstance(policy, dict) or not all(
        isinstance(policy.get(name), str) for name in ("profile", "version", "sha256")
    ):
        problems.append(("policy", "must hold profile, version and sha256 strings"))
    if not isinstance(case_input, dict):
        problems.append(("case_input", "must be a mapping"))
    if problems:
        name, message = problems[0]
        raise AuditError("bad-record", f"{name} {message}", Location(field=name))
