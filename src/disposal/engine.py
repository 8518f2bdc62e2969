"""The durable_rules adapter: the only module that imports durable_rules.

It enforces the guard rails of DURABLE_RULES_NOTES.md:

* facts, not events (an event is consumed by the first rule that matches it);
* a ``Host`` subclass whose ``_run`` does nothing, so no timer thread races with our calls;
* one session per case, deleted afterwards, and a sentinel rule so that every session has run
  an action before ``delete_state`` (deleting a session in which nothing ran segfaults);
* positive type discriminators on every pattern (checked again here before registering);
* no NOT patterns at all (the compiler needs none);
* an action budget per evaluation against runaway chaining;
* every action wrapped by us: its exceptions are recorded against the case and raised after
  the call, never swallowed; a ``MessageObservedException`` for a fact this evaluation did not
  assert is an identity-hash collision and fails the case;
* values are normalised before they reach the engine (``facts``), and results are collected
  in Python, not in engine state.

Two dispatch modes run the same registered rulesets. ``host`` uses durable's own Python layer
(``Host.assert_fact``, Closure/Promise objects). ``direct`` drives the same C engine with a lean
loop (``start_action_for_state`` / ``complete_and_start_action``), skipping the JSON round trips
of the session state after every action; it also lets Ctrl-C through instead of swallowing it.
The benchmark measures both; differential tests check both against the reference evaluator.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import durable_rules_engine as dre
import orjson
from durable import engine as durable_engine

from disposal.compiler import CompiledPolicy, check_engine_safe, derived_fact_json
from disposal.errors import EngineError, Location
from disposal.states import RuleStates

MODES = ("direct", "host")
_NOT_HANDLED = 1
_OBSERVED = 2


class _NotHandled(Exception):
    pass


class _Observed(Exception):
    pass


@dataclass
class _Trace:
    compiled: CompiledPolicy
    sid: str
    budget: int
    steps: int = 0
    fired: list[str] = field(default_factory=list)
    derived: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


class _PolicyHost(durable_engine.Host):  # type: ignore[misc]
    """A durable Host without background timer threads, resolving actions by name."""

    def __init__(self, resolve: Callable[[str], Callable[[Any], None]]) -> None:
        self._resolve = resolve
        super().__init__()

    def _run(self) -> None:
        """No dispatch or timer threads: every action runs inside our own calls."""

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        return self._resolve(action_name)


class DurableEngine:
    """Evaluates normalised case facts against compiled policies, one session per case."""

    def __init__(self, mode: str = "direct", max_actions: int | None = None) -> None:
        """``max_actions`` caps the actions of one evaluation (default: 4 per compiled rule
        plus 16); a policy that chains beyond it is a runaway and fails the case."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.mode = mode
        self.max_actions = max_actions
        self._host = _PolicyHost(self._host_action)
        self._handles: dict[str, int] = {}
        self._trace: _Trace | None = None
        self._next_sid = 0

    # -- registration ----------------------------------------------------------------------

    def load(self, compiled: CompiledPolicy) -> None:
        """Register a compiled policy once, under its versioned, hash-qualified name."""
        if compiled.name in self._handles:
            return
        check_engine_safe(compiled)
        definition = copy.deepcopy(compiled.definition)  # set_rulesets mutates its argument
        for rule_name, rule in definition.items():
            rule["run"] = rule_name
        try:
            self._host.set_rulesets({compiled.name: definition})
        except Exception as exc:  # durable reports malformed rulesets with bare codes
            raise EngineError("engine-load", f"durable_rules refused the ruleset: {exc}") from None
        self._handles[compiled.name] = self._host.get_ruleset(compiled.name)._handle

    # -- evaluation ------------------------------------------------------------------------

    def evaluate(
        self, compiled: CompiledPolicy, fact: dict[str, Any], record: str = ""
    ) -> RuleStates:
        self.load(compiled)
        self._next_sid += 1
        sid = str(self._next_sid)
        budget = self.max_actions or 4 * len(compiled.rules) + 16
        trace = _Trace(compiled, sid, budget=budget)
        self._trace = trace
        try:
            if self.mode == "direct":
                self._run_direct(compiled, dict(fact, t="case", sid=sid))
            else:
                self._run_host(compiled, dict(fact, t="case", sid=sid))
        finally:
            self._trace = None
        if trace.errors:
            raise EngineError("engine-error", "; ".join(trace.errors), Location(record=record))
        return _states(trace)

    def _run_direct(self, compiled: CompiledPolicy, fact: dict[str, Any]) -> None:
        handle = self._handles[compiled.name]
        sid = fact["sid"]
        code, state = dre.assert_fact(handle, orjson.dumps(fact).decode("utf-8"))
        if code == _NOT_HANDLED:
            raise EngineError("engine-error", "the case matched no rule, not even the sentinel")

        def assert_json(text: str) -> None:
            result = dre.assert_fact(handle, text)
            if result[0] == _NOT_HANDLED:
                raise _NotHandled
            if result[0] == _OBSERVED:
                raise _Observed

        try:
            pending = dre.start_action_for_state(handle, state)
            message = pending[1] if pending else None
            while message:
                self._act(message[2 : message.index('"', 2)], assert_json)
                message = dre.complete_and_start_action(handle, state)
        finally:
            if self._trace is not None and self._trace.steps:
                dre.delete_state(handle, sid)

    def _run_host(self, compiled: CompiledPolicy, fact: dict[str, Any]) -> None:
        try:
            state = self._host.assert_fact(compiled.name, fact)
        except durable_engine.MessageNotHandledException:
            raise EngineError("engine-error", "the case matched no rule") from None
        finally:
            if self._trace is not None and self._trace.steps:
                self._host.delete_state(compiled.name, fact["sid"])
        if isinstance(state, dict) and state.get("exception") and self._trace is not None:
            self._trace.errors.append("durable swallowed an exception in an action")

    def _host_action(self, rule_name: str) -> Callable[[Any], None]:
        def action(c: Any) -> None:
            def assert_json(text: str) -> None:
                try:
                    c.assert_fact(json.loads(text))
                except durable_engine.MessageNotHandledException:
                    raise _NotHandled from None
                except durable_engine.MessageObservedException:
                    raise _Observed from None

            self._act(rule_name, assert_json)

        return action

    # -- the action wrapper ----------------------------------------------------------------

    def _act(self, rule_name: str, assert_json: Callable[[str], None]) -> None:
        trace = self._trace
        if trace is None:
            return  # an action outside any evaluation: ignore (cannot happen without threads)
        trace.steps += 1
        if trace.steps > trace.budget:
            if trace.steps == trace.budget + 1:
                trace.errors.append(f"action budget of {trace.budget} exceeded")
            return
        rule = trace.compiled.rules.get(rule_name)
        if rule is None:
            trace.errors.append(f"unknown action {rule_name}")
            return
        trace.fired.append(rule_name)
        if rule.kind != "D" or rule.fact is None:
            return
        if rule.fact in trace.derived:
            before = trace.derived[rule.fact]
            if (type(before), before) != (type(rule.value), rule.value):
                trace.errors.append(
                    f"derive-conflict: two rules give '{rule.fact}' different values"
                )
            return
        trace.derived[rule.fact] = rule.value
        try:
            assert_json(derived_fact_json(rule.fact, rule.value, trace.sid))
        except _NotHandled:
            pass  # no rule reads this fact: nothing to chain
        except _Observed:
            trace.errors.append(f"fact identity collision asserting '{rule.fact}'")
        except Exception as exc:  # record, never swallow
            trace.errors.append(f"{type(exc).__name__} in action {rule_name}")


def _states(trace: _Trace) -> RuleStates:
    fired: set[str] = set()
    unknown: set[str] = set()
    for name in trace.fired:
        rule = trace.compiled.rules[name]
        if rule.kind == "T":
            fired.add(rule.rule_id)
        elif rule.kind == "U":
            unknown.add(rule.rule_id)
    both = fired & unknown
    if both:
        raise EngineError("engine-error", f"rules both true and unknown: {sorted(both)}")
    return RuleStates(frozenset(fired), frozenset(unknown), dict(trace.derived), trace.steps)


_DRY_COMPILE = """
import json, sys
import durable_rules_engine as dre
failures = []
for name, definition in json.load(sys.stdin).items():
    try:
        dre.create_ruleset(name, json.dumps(definition))
    except Exception as exc:
        failures.append([name, str(exc)])
json.dump(failures, sys.stdout)
"""


def dry_compile(rulesets: dict[str, dict[str, Any]], timeout: float = 120.0) -> list[str]:
    """Create every ruleset in a child process; return problems (a hang is one).

    durable_rules never returns from creating a ruleset above its size limits, and reports
    malformed ones only with numeric codes, so ``rules check`` tries them out of process.
    """
    payload = json.dumps(rulesets)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _DRY_COMPILE],
            input=payload,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [f"durable_rules did not finish creating the rulesets within {timeout:.0f}s"]
    if done.returncode != 0:
        return [f"the engine process failed (exit code {done.returncode})"]
    return [f"{name}: {message}" for name, message in json.loads(done.stdout)]
