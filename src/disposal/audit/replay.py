"""Replaying a ledger: re-evaluate each recorded input and report decisions that differ.

For each decision record, ``current_policy_sha(profile, as_of)`` says what the policy in force on
the record's as-of date hashes to *now*:

* the same hash as recorded: the input is evaluated again and the outcome compared (``same`` or
  ``differs``). A difference under an unchanged policy means the engine, not the policy, changed;
* a different hash: the policy files have changed since (``policy_changed``). With
  ``use_current`` the input is evaluated under the current policy anyway and the item lists what
  the change would have altered; without it the record is not evaluated.

What is compared is the outcome: ``decision``, ``required_authority``, ``authorised``,
``missing``, ``suggested_outcomes``, ``compliance`` and the reasons' ``rule``/``effect``/
``authority`` (messages may be reworded without changing a decision). Replay evaluates the
*redacted* input: a dropped field still reads as recorded (``[redacted]``), so decisions that test
presence replay exactly; a rule that reads the content of a redacted field will show as ``differs``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from disposal.audit.reader import LedgerEntry, read_records
from disposal.audit.record import KIND
from disposal.errors import DisposalError

Evaluate = Callable[[dict[str, Any], str, str], tuple[dict[str, Any], str]]
PolicySha = Callable[[str, str], str]

OUTCOME_FIELDS = (
    "decision",
    "required_authority",
    "authorised",
    "missing",
    "suggested_outcomes",
    "compliance",
)


class ReplayStatus(StrEnum):
    SAME = "same"
    DIFFERS = "differs"
    POLICY_CHANGED = "policy_changed"
    ERROR = "error"
    SKIPPED = "skipped"


@dataclass
class ReplayItem:
    """The result for one ledger line; ``old``/``new`` are outcome summaries when they differ."""

    line: int
    status: ReplayStatus
    decision_id: str = ""
    case_id: str = ""
    recorded_sha: str = ""
    current_sha: str = ""
    changes: list[str] = field(default_factory=list)
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None
    note: str = ""


@dataclass
class ReplayReport:
    items: list[ReplayItem] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(str(item.status) for item in self.items))

    @property
    def differs(self) -> bool:
        """Whether any decision differs under the policy it was made with."""
        return any(item.status is ReplayStatus.DIFFERS for item in self.items)


def replay(
    path: Path | str,
    evaluate: Evaluate,
    current_policy_sha: PolicySha,
    use_current: bool = False,
) -> ReplayReport:
    """Re-evaluate every decision record of the ledger at ``path``; see the module docstring."""
    report = ReplayReport()
    for entry in read_records(Path(path)):
        report.items.append(_replay_one(entry, evaluate, current_policy_sha, use_current))
    return report


def outcome(decision: dict[str, Any]) -> dict[str, Any]:
    """The parts of a decision that replay compares."""
    summary = {name: decision.get(name) for name in OUTCOME_FIELDS}
    summary["reasons"] = [
        {key: reason.get(key) for key in ("rule", "effect", "authority")}
        for reason in decision.get("reasons") or []
        if isinstance(reason, dict)
    ]
    return summary


def _replay_one(
    entry: LedgerEntry, evaluate: Evaluate, current_policy_sha: PolicySha, use_current: bool
) -> ReplayItem:
    record = entry.record
    if record is None or not entry.intact or entry.problem:
        return ReplayItem(entry.line, ReplayStatus.SKIPPED, note="not an intact record: run verify")
    if record.get("kind") != KIND:
        return ReplayItem(entry.line, ReplayStatus.SKIPPED, note=f"a '{record.get('kind')}' record")
    policy = record.get("policy") or {}
    item = ReplayItem(
        entry.line,
        ReplayStatus.SAME,
        decision_id=str(record.get("decision_id")),
        case_id=str((record.get("input") or {}).get("case_id")),
        recorded_sha=str(policy.get("sha256")),
    )
    profile, as_of = str(policy.get("profile")), str(record.get("as_of"))
    try:
        item.current_sha = current_policy_sha(profile, as_of)
        if item.current_sha != item.recorded_sha and not use_current:
            item.status = ReplayStatus.POLICY_CHANGED
            item.note = (
                "the policy files have changed since; replay under the current policy to compare"
            )
            return item
        new_decision, used_sha = evaluate(record.get("input") or {}, profile, as_of)
    except DisposalError as exc:
        item.status, item.note = ReplayStatus.ERROR, f"{exc.code}: {exc.message}"
        return item
    _compare(item, outcome(record.get("decision") or {}), outcome(new_decision), used_sha)
    return item


def _compare(item: ReplayItem, old: dict[str, Any], new: dict[str, Any], used_sha: str) -> None:
    item.changes = [name for name in (*OUTCOME_FIELDS, "reasons") if old.get(name) != new.get(name)]
    changed_policy = item.current_sha != item.recorded_sha
    if item.changes:
        item.old, item.new = old, new
    if changed_policy:
        item.status = ReplayStatus.POLICY_CHANGED
        item.note = (
            "under the current policy: " + ", ".join(item.changes) + " would change"
            if item.changes
            else "under the current policy the outcome would be the same"
        )
    elif item.changes:
        item.status = ReplayStatus.DIFFERS
    if used_sha != item.current_sha:
        item.note = (
            (item.note + "; " if item.note else "") + "the evaluator used policy " + used_sha
        )
