"""From an evaluation to an audit-ledger record body, and back again for replay.

This is the seam between the decision pipeline and the ledger: the ledger itself knows nothing
of rules; the pipeline knows nothing of hashing. ``record_for`` builds the body of one record;
``replay_engine`` gives ``disposal audit replay`` a way to re-decide a recorded input under the
current rule files.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from disposal import __version__
from disposal.audit.record import build_record
from disposal.audit.redact import Redactor
from disposal.case import CaseRecord
from disposal.decision import decide
from disposal.facts import case_facts
from disposal.render import trace_summary
from disposal.service import Evaluation, Evaluator


def case_input(case: CaseRecord) -> dict[str, Any]:
    """The case as plain JSON data: what was evaluated, field names as in the contract."""
    data: dict[str, Any] = case.model_dump(mode="json", exclude_none=True)
    return data


def record_for(
    ev: Evaluation, redactor: Redactor, *, decision_id: str, timestamp: str, as_of: date
) -> dict[str, Any]:
    """The ledger body for one evaluation (the ledger adds ``seq``, ``prev`` and ``hash``)."""
    return build_record(
        decision_id=decision_id,
        timestamp=timestamp,
        tool_version=__version__,
        policy=ev.decision.to_json_dict()["policy"],
        as_of=as_of.isoformat(),
        case_input=case_input(ev.case),
        decision=ev.decision.to_json_dict(),
        trace=trace_summary(ev),
        redactor=redactor,
    )


Evaluate = Callable[[dict[str, Any], str, str], tuple[dict[str, Any], str]]
PolicySha = Callable[[str, str], str]


def replay_engine(rules_dir: Path) -> tuple[Evaluate, PolicySha]:
    """``(evaluate, current_policy_sha)`` over the rule files in ``rules_dir`` as they are now."""
    evaluator = Evaluator(rules_dir)

    def evaluate(raw: dict[str, Any], profile: str, as_of: str) -> tuple[dict[str, Any], str]:
        case = CaseRecord.model_validate(raw)
        policy = evaluator.policy_set.resolve(profile, date.fromisoformat(as_of))
        facts = case_facts(case, evaluator.policy_set.offences)
        states = evaluator.states(policy, facts, case.case_id)
        return decide(policy, states, facts, case).to_json_dict(), policy.sha256

    def current_sha(profile: str, as_of: str) -> str:
        return evaluator.policy_set.resolve(profile, date.fromisoformat(as_of)).sha256

    return evaluate, current_sha
