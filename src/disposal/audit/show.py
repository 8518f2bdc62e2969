"""Rendering ledger records for people: what a scrutiny panel reads, and the same as JSON.

``render_text`` shows, per record: when and by which tool version; the policy (profile, version,
hash) and as-of date; the decision, each reason with its source, what was missing, suggested
outcomes and compliance; the authorisation as recorded (pseudonymised officer, rationale or
``[redacted]``); which paths were redacted and how; and where the record sits in the chain. It only
reads: whether the line matches its own hash is shown, the chain is ``verify``'s job.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Any

import orjson

from disposal.audit.reader import LedgerEntry
from disposal.vocab import OUTCOME_TYPES

_LABEL = 13
_DECISIONS = {
    "permitted": "permitted",
    "requires_authorisation": "requires authorisation",
    "not_permitted": "not permitted",
    "insufficient_information": "insufficient information",
}


def select(entries: Iterable[LedgerEntry], case_ids: Collection[str]) -> Iterator[LedgerEntry]:
    """The entries whose input or decision ``case_id`` is one of ``case_ids`` (raw or pseudonym)."""
    for entry in entries:
        record = entry.record or {}
        found = {_get(record, "input", "case_id"), _get(record, "decision", "case_id")}
        if found & set(case_ids):
            yield entry


def render_json(entries: Iterable[LedgerEntry]) -> str:
    """One JSON object per line: ``{"line", "intact", "problem", "record"}``."""
    return "".join(
        orjson.dumps(
            {"line": e.line, "intact": e.intact, "problem": e.problem, "record": e.record},
            option=orjson.OPT_APPEND_NEWLINE,
        ).decode("utf-8")
        for e in entries
    )


def render_text(entries: Iterable[LedgerEntry], *, source: str = "") -> str:
    """Readable blocks, one per line of the ledger, separated by blank lines."""
    blocks = [_block(entry, source) for entry in entries]
    if not blocks:
        return "no records to show\n"
    return "\n".join(blocks)


def _block(entry: LedgerEntry, source: str) -> str:
    where = f"{source}:{entry.line}" if source else f"line {entry.line}"
    record = entry.record
    if record is None:
        return f"{where}: not a readable record ({entry.problem or 'unreadable'})\n"
    if record.get("kind") != "disposal.decision":
        return f"{where}: a '{record.get('kind')}' record, not a decision\n"
    head = f"{where}: record {record.get('seq')}, decision {record.get('decision_id')}"
    return "\n".join([head, *_rows(record, entry)]) + "\n"


def _rows(record: dict[str, Any], entry: LedgerEntry) -> list[str]:
    decision = record.get("decision") or {}
    policy = record.get("policy") or {}
    rows = [
        _row("When", f"{record.get('timestamp')} (disposal {record.get('tool_version')})"),
        _row("Case", str(_get(record, "input", "case_id"))),
        _row(
            "Policy",
            f"{policy.get('profile')}, version {policy.get('version')}, sha256 "
            f"{policy.get('sha256')}",
        ),
        _row("As of", str(record.get("as_of"))),
        _row("Decision", _decision_line(decision)),
        *_reasons(decision.get("reasons") or []),
        _row("Missing", ", ".join(decision.get("missing") or []) or "nothing"),
        _row("Suggested", _outcomes(decision.get("suggested_outcomes") or [])),
        _row("Compliance", str(decision.get("compliance") or "not assessed")),
        *_authorisation(record.get("authorisation")),
        _row("Redacted", _redactions(record.get("redactions") or [])),
        _row(
            "Input digest", f"{record.get('input_digest')} (key {record.get('key_id') or 'none'})"
        ),
        _row("Chain", f"prev {record.get('prev')}"),
        _row("", f"hash {record.get('hash')}"),
        _row("", _integrity(entry)),
    ]
    return rows


def _row(label: str, text: str) -> str:
    return f"  {label:<{_LABEL}} {text}"


def _get(record: dict[str, Any], part: str, name: str) -> Any:
    block = record.get(part)
    return block.get(name) if isinstance(block, dict) else None


def _decision_line(decision: dict[str, Any]) -> str:
    name = _DECISIONS.get(str(decision.get("decision")), str(decision.get("decision")))
    authority = decision.get("required_authority")
    authorised = "authorised" if decision.get("authorised") else "not authorised"
    return f"{name}; authority needed: {authority or 'none'} or above; {authorised}"


def _reasons(reasons: list[dict[str, Any]]) -> list[str]:
    if not reasons:
        return [_row("Reasons", "none recorded")]
    rows = []
    for number, reason in enumerate(reasons, 1):
        label = "Reasons" if number == 1 else ""
        effect = reason.get("effect")
        if reason.get("authority"):
            effect = f"{effect}, {reason['authority']}"
        rows.append(
            _row(label, f"{number}. {reason.get('rule')} [{effect}] {reason.get('message')}")
        )
        rows.append(_row("", f"   source: {reason.get('source') or 'not given'}"))
    return rows


def _outcomes(codes: list[Any]) -> str:
    if not codes:
        return "none"
    return "; ".join(
        f"{code} ({OUTCOME_TYPES.get(code, 'unknown outcome type')})" for code in codes
    )


def _authorisation(block: Any) -> list[str]:
    if not isinstance(block, dict):
        return [_row("Authorisation", "none recorded")]
    rank = block.get("rank") or "rank not recorded"
    officer = block.get("officer_id") or "not recorded"
    return [
        _row(
            "Authorisation",
            f"{rank}, officer {officer}, dated {block.get('date') or 'not recorded'}",
        ),
        _row("", f"rationale: {block.get('rationale') or 'not recorded'}"),
    ]


def _redactions(items: list[dict[str, Any]]) -> str:
    if not items:
        return "nothing"
    return "; ".join(f"{item.get('path')} ({item.get('action')})" for item in items)


def _integrity(entry: LedgerEntry) -> str:
    if not entry.intact:
        return "THE LINE DOES NOT MATCH ITS HASH: it was changed after it was written"
    if entry.problem:
        return f"the line matches its hash, but {entry.problem}"
    return "the line matches its hash (run 'disposal audit verify' to check the chain)"
