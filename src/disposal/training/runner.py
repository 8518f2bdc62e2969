"""Scenario tests: run each scenario, compare with its expectation, and count rule coverage.

Used by ``disposal scenarios test`` and by the pytest collector in ``tests/training``: both
print the same failure report (the scenario, the expected and actual decision, authority and
fired rules, the decision text and the traces of the rules that differ), never a traceback.

Coverage counts *decision* rules (deny, require_authority, warn, suggest): they are what
officers are taught. Derived facts are not counted; they are exercised through the decision
rules that read them. A rule "fires" in a scenario when it is in ``states.fired``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from disposal.policyset import NATIONAL
from disposal.render import render_text, trace_data
from disposal.resolve import DecisionRule
from disposal.service import Evaluation, Evaluator
from disposal.training.scenario import LoadedScenario
from disposal.vocab import Decision

_MARK = {"true": "✔", "false": "✘", "unknown": "?"}


@dataclass(frozen=True)
class ScenarioResult:
    loaded: LoadedScenario
    evaluation: Evaluation
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def evaluate(loaded: LoadedScenario, evaluator: Evaluator) -> Evaluation:
    """Decide the scenario's case under its own profile and date (no audit ledger is written)."""
    s = loaded.scenario
    return evaluator.evaluate(loaded.case, s.date, s.profile, loaded.locate("case"))


def compare(loaded: LoadedScenario, ev: Evaluation) -> list[str]:
    """Every way the evaluation differs from the scenario's expectation (empty: it passes)."""
    want, got = loaded.scenario.expect, ev.decision
    problems: list[str] = []
    if got.decision != want.decision or got.required_authority != want.required_authority:
        problems.append("decision or required authority differs")
    fired = set(ev.states.fired)
    if missed := [r for r in want.fires if r not in fired]:
        problems.append("expected to fire but did not: " + ", ".join(missed))
    if extra := sorted(fired - set(want.fires)):
        problems.append("fired but not expected: " + ", ".join(extra))
    if wrong := [r for r in want.not_fires if r in fired]:
        problems.append("must not fire but did: " + ", ".join(wrong))
    if absent := [m for m in want.missing if m not in got.missing]:
        problems.append("expected among the missing facts but not: " + ", ".join(absent))
    if want.decision is Decision.INSUFFICIENT_INFORMATION and want.main_reason:
        undecided = {u.rule for u in got.unresolved}
        if got.decision is Decision.INSUFFICIENT_INFORMATION and want.main_reason not in undecided:
            problems.append(f"{want.main_reason} is not among the undecided rules")
    return problems


def run_scenario(loaded: LoadedScenario, evaluator: Evaluator) -> ScenarioResult:
    ev = evaluate(loaded, evaluator)
    return ScenarioResult(loaded, ev, tuple(compare(loaded, ev)))


def run_all(scenarios: Iterable[LoadedScenario], evaluator: Evaluator) -> list[ScenarioResult]:
    return [run_scenario(s, evaluator) for s in scenarios]


# -- reports ------------------------------------------------------------------------------------


def _answer(decision: str, authority: str | None, fires: Iterable[str]) -> str:
    rank = authority or "-"
    listed = ", ".join(fires) or "none"
    return f"{decision}, authority {rank}; fires {listed}"


def headline(loaded: LoadedScenario) -> str:
    s = loaded.scenario
    return f"{s.id} {s.title} ({s.profile}, {s.date.isoformat()}; {loaded.file})"


def failure_report(result: ScenarioResult) -> str:
    """What a failing scenario prints: expected vs actual, the decision text and the traces."""
    loaded, ev = result.loaded, result.evaluation
    want, got = loaded.scenario.expect, ev.decision
    fired = [r.id for r in ev.policy.rules if r.id in ev.states.fired]
    lines = [
        f"FAIL {headline(loaded)}",
        "  expected: "
        + _answer(
            want.decision.value,
            want.required_authority.value if want.required_authority else None,
            want.fires,
        ),
        "  actual:   "
        + _answer(
            got.decision.value,
            got.required_authority.value if got.required_authority else None,
            fired,
        ),
    ]
    lines += [f"  - {p}" for p in result.problems]
    lines += ["", *("  " + line for line in render_text(ev, explain=False).splitlines())]
    relevant = _relevant_rules(result)
    if relevant:
        lines += ["", "  Trace of the rules that differ or decide:"]
        lines += _trace_lines(ev, relevant)
    return "\n".join(lines)


def _relevant_rules(result: ScenarioResult) -> set[str]:
    ev, want = result.evaluation, result.loaded.scenario.expect
    fired = set(ev.states.fired)
    relevant = fired ^ set(want.fires)
    relevant |= {r.rule for r in ev.decision.reasons if r.effect in ("deny", "require_authority")}
    relevant |= {u.rule for u in ev.decision.unresolved}
    relevant |= set(want.not_fires) & fired
    return relevant


def _trace_lines(ev: Evaluation, rule_ids: set[str]) -> list[str]:
    lines: list[str] = []
    for item in trace_data(ev)["rules"]:
        if item["rule"] in rule_ids:
            effect = item["effect"]
            if isinstance(effect, dict):
                effect = ", ".join(f"{k} {v}" for k, v in effect.items())
            lines.append(f"    {_MARK[item['state']]} {item['rule']} ({effect})")
            lines += _node_lines(item, "        ")
    return lines


def _node_lines(node: dict[str, Any], indent: str) -> list[str]:
    fact = f"  [{node['fact']}]" if "fact" in node else ""
    lines = [f"{indent}{_MARK[node['value']]} {node['condition']}{fact}"]
    for child in node.get("children", []):
        lines += _node_lines(child, indent + "  ")
    return lines


# -- coverage -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleCount:
    rule: str
    title: str
    effect: str
    origin: str
    count: int


@dataclass(frozen=True)
class ProfileCoverage:
    """The rules of one profile with how many scenarios make each fire.

    For ``national`` the rules are the national ones in every version the run touches and the
    counts are over all scenarios, whatever their profile (a national rule such as NAT-VIC-05
    only fires where a force's parameter selects it). For an overlay, every rule of its
    versions is listed with counts over its own scenarios, and ``unexercised`` names only the
    overlay's own rules: national rules are judged in the national table.
    """

    profile: str
    versions: tuple[str, ...]
    scenarios: int
    rows: tuple[RuleCount, ...]

    @property
    def unexercised(self) -> list[str]:
        return [r.rule for r in self.rows if r.count == 0 and r.origin == self.profile]


def _effect(rule: DecisionRule) -> str:
    data = rule.effect.to_data()
    if isinstance(data, str):
        return data
    key, value = next(iter(data.items()))
    return str(value) if key == "require_authority" else f"{key} {value}"


def _rows(
    rules: Iterable[DecisionRule], results: Sequence[ScenarioResult]
) -> tuple[RuleCount, ...]:
    return tuple(
        RuleCount(
            r.id,
            r.title,
            _effect(r),
            r.origin,
            sum(r.id in res.evaluation.states.fired for res in results),
        )
        for r in rules
    )


def _unique_rules(results: Sequence[ScenarioResult]) -> list[DecisionRule]:
    """The decision rules of every version the results were decided under: the newest
    version's rules in policy order, then any rule only older versions have."""
    versions = {res.evaluation.policy.name: res.evaluation.policy for res in results}
    newest_first = sorted(versions.values(), key=lambda v: v.starts, reverse=True)
    seen: dict[str, DecisionRule] = {}
    for version in newest_first:
        for rule in version.rules:
            seen.setdefault(rule.id, rule)
    return list(seen.values())


def coverage(
    results: Sequence[ScenarioResult], profile: str | None = None
) -> list[ProfileCoverage]:
    """National coverage over all results, then one table per profile present (or ``profile``)."""
    national_rules = [r for r in _unique_rules(results) if r.origin == NATIONAL]
    tables = [
        ProfileCoverage(
            NATIONAL,
            _versions(results),
            len(results),
            _rows(national_rules, results),
        )
    ]
    profiles = sorted({res.evaluation.policy.profile for res in results} - {NATIONAL})
    for name in [profile] if profile and profile != NATIONAL else profiles:
        own = [res for res in results if res.evaluation.policy.profile == name]
        tables.append(
            ProfileCoverage(name, _versions(own), len(own), _rows(_unique_rules(own), own))
        )
    return tables


def _versions(results: Sequence[ScenarioResult]) -> tuple[str, ...]:
    return tuple(sorted({res.evaluation.policy.name for res in results}))


def render_coverage(tables: Sequence[ProfileCoverage]) -> list[str]:
    lines = ["Rule coverage (decision rules; derived facts are not counted)"]
    for table in tables:
        if table.profile == NATIONAL:
            scope = (
                f"national rules, counted over all {table.scenarios} scenario(s) whatever"
                " their profile"
            )
        else:
            scope = f"every rule in force, counted over its {table.scenarios} scenario(s)"
        lines += ["", f"{table.profile}: {scope}", "  versions: " + ", ".join(table.versions)]
        width = max((len(r.rule) for r in table.rows), default=10)
        for row in table.rows:
            lines.append(f"  {row.rule:<{width}}  {row.effect:<14} {row.count:>3}  {row.title}")
        own = "rules" if table.profile == NATIONAL else f"{table.profile}'s own rules"
        lines.append(f"  {own} no scenario makes fire: " + (", ".join(table.unexercised) or "none"))
    return lines


def render_run(results: Sequence[ScenarioResult], tables: Sequence[ProfileCoverage]) -> str:
    lines: list[str] = []
    for res in results:
        lines.append(f"PASS {headline(res.loaded)}" if res.passed else failure_report(res))
    failed = sum(not r.passed for r in results)
    lines += ["", *render_coverage(tables), ""]
    lines.append(f"{len(results) - failed} passed, {failed} failed, {len(results)} scenario(s)")
    return "\n".join(lines)
