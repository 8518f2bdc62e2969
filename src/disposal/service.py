"""The evaluation pipeline for one case: resolve the policy, compute facts, run, decide.

``Evaluator`` is the library's front door (the CLI, the audit replay, batch review and the
training quiz all use it). It owns one ``DurableEngine`` (one per process: durable_rules must
not be driven from two threads) and caches compiled policies by content hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from disposal.case import CaseRecord
from disposal.compiler import CompiledPolicy, compile_policy
from disposal.decision import DecisionRecord, decide
from disposal.engine import DurableEngine
from disposal.errors import CaseRecordError, DisposalError, EngineError, Location
from disposal.facts import Facts, case_facts, engine_fact
from disposal.policyset import PolicySet, Resolution
from disposal.projection import project, read_keys
from disposal.reference import evaluate_reference
from disposal.resolve import PolicyVersion
from disposal.states import RuleStates

ENGINES = ("durable", "reference")
DEFAULT_RULES = Path("rules")


@dataclass(frozen=True)
class Evaluation:
    case: CaseRecord
    resolution: Resolution
    facts: Facts
    states: RuleStates
    decision: DecisionRecord

    @property
    def policy(self) -> PolicyVersion:
        return self.resolution.policy


class Evaluator:
    """Evaluates case records under the dated policy in ``rules_dir``.

    ``engine`` is ``durable`` (the default: the rules run in durable_rules) or ``reference``
    (the plain-Python evaluator). With ``cross_check``, every case runs through both and any
    difference is an error, never silently resolved.
    """

    def __init__(
        self,
        rules_dir: Path = DEFAULT_RULES,
        engine: str = "durable",
        mode: str = "direct",
        cross_check: bool = False,
        policy_set: PolicySet | None = None,
    ) -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}")
        self.policy_set = policy_set or PolicySet.load(rules_dir)
        self.engine_name = engine
        self.cross_check = cross_check
        self._durable = DurableEngine(mode) if engine == "durable" or cross_check else None
        self._compiled: dict[str, CompiledPolicy] = {}

    def load_all(self) -> int:
        """Compile every policy version of every profile and register it with the engine.

        A batch review calls this in its parent process before forking workers, so that the
        workers share one copy of the engine's rule networks (copy-on-write) instead of each
        building its own. Returns how many versions were loaded.
        """
        loaded = 0
        for profile in self.policy_set.profiles:
            for start in self.policy_set.version_starts(profile):
                compiled = self.compiled(self.policy_set.resolve(profile, start))
                if self._durable is not None:
                    self._durable.load(compiled)
                loaded += 1
        return loaded

    def compiled(self, policy: PolicyVersion) -> CompiledPolicy:
        key = f"{policy.name}:{policy.sha256}"
        if key not in self._compiled:
            self._compiled[key] = compile_policy(policy)
        return self._compiled[key]

    def resolve(
        self,
        case: CaseRecord,
        as_of: date | None = None,
        force: str | None = None,
        where: Location | None = None,
    ) -> Resolution:
        """The policy a case is decided under: its force's profile as at ``as_of``/decision date.

        A date before any encoded policy is the record's (or the option's) fault, so the error
        points at it (``where``: the record's file and line), not at a rule file.
        """
        try:
            return self.policy_set.for_case(force or case.force, as_of or case.decision_date)
        except DisposalError as exc:
            if exc.code != "no-policy-in-force":
                raise
            here = where or Location()
            field = "--as-of" if as_of else "decision_date"
            raise CaseRecordError(
                "no-policy-in-force",
                f"no policy version is in force on {(as_of or case.decision_date).isoformat()}"
                f" ({exc.message})",
                Location(here.file, here.line, here.col, case.case_id, field),
                "national guidance is encoded from 2012-01-01; check the date",
            ) from None

    def states(self, policy: PolicyVersion, facts: Facts, record: str = "") -> RuleStates:
        facts = project(facts, read_keys(policy))
        if self._durable is None:
            return evaluate_reference(policy, facts, record)
        states = self._durable.evaluate(self.compiled(policy), engine_fact(facts), record)
        if self.cross_check:
            reference = evaluate_reference(policy, facts, record)
            if not states.same_as(reference):
                raise EngineError(
                    "engine-disagreement",
                    "durable_rules and the reference evaluator disagree on this case",
                    Location(record=record),
                )
            if self.engine_name == "reference":
                return reference
        return states

    def evaluate(
        self,
        case: CaseRecord,
        as_of: date | None = None,
        force: str | None = None,
        where: Location | None = None,
    ) -> Evaluation:
        """Decide one case; ``where`` (file and line of the record) makes errors point at it."""
        resolution = self.resolve(case, as_of, force, where)
        facts = case_facts(case, self.policy_set.offences)
        states = self.states(resolution.policy, facts, case.case_id)
        decision = decide(resolution.policy, states, facts, case, resolution.fallback)
        return Evaluation(case, resolution, facts, states, decision)
