"""The durable_rules adapter's guard rails, and the compiler's limits measured on the engine.

These tests pin the behaviour DURABLE_RULES_NOTES.md describes (and that we measured again),
so that an upgrade of durable_rules or a change to the compiler that breaks one is caught.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from disposal.compiler import (
    MAX_NESTED_GROUPS,
    SENTINEL,
    CompiledPolicy,
    CompiledRule,
    check_engine_safe,
    compile_policy,
    nested_groups,
)
from disposal.engine import DurableEngine, dry_compile
from disposal.errors import EngineError
from disposal.facts import case_facts, engine_fact
from disposal.policyset import PolicySet
from disposal.reference import evaluate_reference
from tests.conftest import ROOT, record

GOLDEN = ROOT / "tests" / "golden" / "compiled-national-2022-01-01.json"


def _nested(depth: int) -> dict[str, Any]:
    """A pattern with ``depth`` or-pairs nested under the top-level and."""
    return {"$and": [{"t": "case"}] + [{"$or": [{f"a{k}": 1}, {f"b{k}": 2}]} for k in range(depth)]}


def test_nested_group_limit_matches_the_engine() -> None:
    """MAX_NESTED_GROUPS compiles; one more fails with durable's error 113."""
    ok = {"ok": {"r": {"all": [{"m": _nested(MAX_NESTED_GROUPS)}]}}}
    too_many = {"bad": {"r": {"all": [{"m": _nested(MAX_NESTED_GROUPS + 1)}]}}}
    assert nested_groups(_nested(MAX_NESTED_GROUPS)) == MAX_NESTED_GROUPS
    assert dry_compile(ok) == []
    problems = dry_compile(too_many)
    assert len(problems) == 1
    assert "113" in problems[0]


def test_every_compiled_pattern_is_typed_and_within_limits(policy_set: PolicySet) -> None:
    for profile in policy_set.profiles:
        for start in policy_set.version_starts(profile):
            compiled = compile_policy(policy_set.resolve(profile, start))
            check_engine_safe(compiled)  # raises on a pattern without t: case / t: d
            for rule in compiled.definition.values():
                for pattern in rule["all"]:
                    ((_, expr),) = pattern.items()
                    assert nested_groups(expr) <= MAX_NESTED_GROUPS
                    assert "$not" not in json.dumps(pattern)


def test_compiled_ruleset_matches_the_golden_file(policy_set: PolicySet) -> None:
    """A reviewer reads the diff of the compiled ruleset; regenerate with UPDATE_GOLDEN=1."""
    compiled = compile_policy(policy_set.resolve("national", date(2024, 6, 1)))
    text = json.dumps(compiled.definition, indent=1, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.read_text(encoding="utf-8") == text


def test_all_national_versions_create_in_durable(policy_set: PolicySet) -> None:
    rulesets = {
        f"v{i}": compile_policy(policy_set.resolve("national", start)).definition
        for i, start in enumerate(policy_set.version_starts("national"))
    }
    assert dry_compile(rulesets) == []


# -- the adapter -------------------------------------------------------------------------------


def _compiled(policy_set: PolicySet) -> tuple[Any, CompiledPolicy]:
    policy = policy_set.resolve("national", date(2024, 6, 1))
    return policy, compile_policy(policy)


@pytest.mark.parametrize("mode", ["direct", "host"])
def test_sessions_are_deleted_and_memory_stays_bounded(policy_set: PolicySet, mode: str) -> None:
    """Far more evaluations than durable's 1,024 live sessions: each session is deleted."""
    _, compiled = _compiled(policy_set)
    engine = DurableEngine(mode)
    facts = engine_fact(case_facts(record(), policy_set.offences))
    for _ in range(1_500):
        states = engine.evaluate(compiled, facts)
    assert states.fired == frozenset()
    assert states.actions > 0  # the sentinel (and derivations) ran in every session


def test_sentinel_runs_even_when_no_rule_matches(policy_set: PolicySet) -> None:
    """An empty case matches no policy rule; the sentinel still runs so delete_state is safe."""
    _, compiled = _compiled(policy_set)
    engine = DurableEngine("direct")
    for _ in range(50):
        engine.evaluate(compiled, {})  # would segfault without the sentinel


def _chain(length: int) -> CompiledPolicy:
    """Derive rules each asserting a fact the next one matches: a long chain of actions."""
    compiled = CompiledPolicy(name=f"test:chain{length}", sha256="0" * 64)
    compiled.definition[SENTINEL] = {"all": [{"m": {"t": "case"}}]}
    compiled.rules[SENTINEL] = CompiledRule(SENTINEL, SENTINEL, "S")
    for i in range(length):
        name = f"X{i}#C0.0"
        trigger = {"t": "case"} if i == 0 else {"$and": [{"t": "d"}, {"n": f"f{i - 1}"}]}
        compiled.definition[name] = {"all": [{"m": trigger}]}
        compiled.rules[name] = CompiledRule(name, f"X{i}", "D", fact=f"f{i}", value=True)
    return compiled


def test_chaining_runs_to_the_end_within_the_budget() -> None:
    states = DurableEngine("direct").evaluate(_chain(200), {})
    assert states.derived["f199"] is True
    assert states.actions == 201  # the sentinel and every link


@pytest.mark.parametrize("mode", ["direct", "host"])
def test_action_budget_stops_runaway_chaining(mode: str) -> None:
    with pytest.raises(EngineError, match="action budget of 50 exceeded"):
        DurableEngine(mode, max_actions=50).evaluate(_chain(200), {})


def test_conflicting_derivations_are_an_error_not_a_guess(policy_set: PolicySet) -> None:
    """Two rules deriving different values for one fact: both evaluators refuse the case."""
    compiled = CompiledPolicy(name="test:conflict", sha256="1" * 64)
    compiled.definition[SENTINEL] = {"all": [{"m": {"t": "case"}}]}
    compiled.rules[SENTINEL] = CompiledRule(SENTINEL, SENTINEL, "S")
    for value in (True, False):
        name = f"C#C{int(value)}.0"
        compiled.definition[name] = {"all": [{"m": {"t": "case"}}]}
        compiled.rules[name] = CompiledRule(name, "C", "D", fact="f", value=value)
    with pytest.raises(EngineError, match="derive-conflict"):
        DurableEngine("direct").evaluate(compiled, {})


def test_host_mode_has_no_timer_threads() -> None:
    """The stock Host starts two timer threads; ours must start none."""
    code = (
        "import threading; from disposal.engine import DurableEngine; "
        "DurableEngine('host'); print(threading.active_count())"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "1"


def test_both_modes_and_the_reference_agree_on_an_example(policy_set: PolicySet) -> None:
    policy, compiled = _compiled(policy_set)
    facts = case_facts(record(offence={"ho_code": "8P"}), policy_set.offences)
    reference = evaluate_reference(policy, facts)
    for mode in ("direct", "host"):
        assert DurableEngine(mode).evaluate(compiled, engine_fact(facts)).same_as(reference)
    assert "NAT-HATE-01" in reference.fired


def test_only_the_adapter_imports_durable() -> None:
    """STYLE: only one module talks to durable_rules."""
    importers = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "src").rglob("*.py")
        if "import durable" in p.read_text(encoding="utf-8")
        or "from durable" in p.read_text(encoding="utf-8")
    ]
    assert importers == ["src/disposal/engine.py"]


def test_path_of_golden_file_is_inside_tests() -> None:
    assert Path(GOLDEN).is_relative_to(ROOT / "tests")


def test_sample_ledger_is_intact_and_replays_identically() -> None:
    """docs/examples/ledger-sample.jsonl is regenerated by 'make examples' when rules change."""
    from disposal.audit.entries import replay_engine
    from disposal.audit.ledger import verify
    from disposal.audit.replay import replay

    sample = ROOT / "docs" / "examples" / "ledger-sample.jsonl"
    assert verify(sample).ok
    evaluate, current = replay_engine(ROOT / "rules")
    report = replay(sample, evaluate, current)
    statuses = {item.status.value for item in report.items}
    assert statuses == {"same"}, "stale sample ledger: run 'make examples'"
