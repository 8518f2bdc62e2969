"""Single-case evaluation through durable_rules on generated cases, with memory.

Reproduce:  make bench   (or: .venv/bin/python benchmarks/bench_engine.py --n 100000)

What it measures, all in one run so ratios are meaningful on a noisy machine:

* ``durable (direct)``: the production path's engine step: one session per case, the
  sentinel, derived facts asserted back, delete_state; on prepared engine facts (projected
  to the facts the policy version reads, as ``Evaluator.states`` does);
* ``durable (host)``: the same rulesets through durable's stock Python Host layer (timer
  threads off), the baseline the adapter's direct loop is compared with;
* ``reference``: the plain-Python evaluator of the same conditions;
* ``pipeline``: what ``disposal evaluate`` does per case after loading: validate the record,
  compute its facts, run durable (direct), decide (on the first ``--pipeline-n`` cases);

and the resident memory after every 10% of the durable run, to show it stays flat.
Cases come from ``disposal.generate`` (deterministic for a seed), decided under their own
force profile and date, so every policy version of every profile takes part.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from disposal.case import CaseRecord
from disposal.compiler import CompiledPolicy
from disposal.decision import decide
from disposal.engine import DurableEngine
from disposal.facts import case_facts, engine_fact
from disposal.generate import generate_cases
from disposal.projection import project, read_keys
from disposal.reference import evaluate_reference
from disposal.service import Evaluator
from machine import describe  # benchmarks/machine.py: run as scripts from this folder

ROOT = Path(__file__).resolve().parents[1]


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def timed(label: str, count: int, work: Callable[[], Any]) -> float:
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    rate = count / seconds
    print(f"  {label:<22} {count:>8,} cases in {seconds:7.2f} s  = {rate:>9,.0f} cases/s")
    return rate


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--host-n", type=int, default=20_000, help="cases for the host baseline")
    parser.add_argument("--pipeline-n", type=int, default=20_000, help="cases for the pipeline")
    parser.add_argument("--json", type=Path, help="also write the results here")
    return parser.parse_args()


def main() -> None:
    args = arguments()

    print(f"machine: {describe()}")
    evaluator = Evaluator(ROOT / "rules", engine="durable")
    ps = evaluator.policy_set
    start = time.perf_counter()
    raw: list[dict[str, Any]] = []  # kept only for the pipeline run, to keep memory honest
    prepared: list[tuple[Any, CompiledPolicy, dict[str, Any], dict[str, Any]]] = []
    for item in generate_cases(args.n, args.seed):
        if len(raw) < args.pipeline_n:
            raw.append(item)
        case = CaseRecord.model_validate(item)
        policy = ps.for_case(case.force, case.decision_date).policy
        facts = project(case_facts(case, ps.offences), read_keys(policy))
        prepared.append((policy, evaluator.compiled(policy), facts, engine_fact(facts)))
    versions = {p.name for p, *_ in prepared}
    print(
        f"prepared {len(prepared):,} cases in {time.perf_counter() - start:.1f} s "
        f"({len(versions)} policy versions; largest ruleset "
        f"{max(len(c.definition) for _, c, _, _ in prepared)} durable rules)"
    )

    direct = DurableEngine("direct")
    for _, compiled, _, fact in prepared[:50]:  # register every ruleset before timing
        direct.evaluate(compiled, fact)
    for _, compiled, _, fact in {id(c): (None, c, None, f) for _, c, _, f in prepared}.values():
        direct.evaluate(compiled, fact)
    memory: list[tuple[int, float]] = [(0, rss_mb())]

    def run_direct() -> None:
        step = max(1, len(prepared) // 10)
        for i, (_, compiled, _, fact) in enumerate(prepared, 1):
            direct.evaluate(compiled, fact)
            if i % step == 0:
                memory.append((i, rss_mb()))

    print("single-case evaluation (one session per case):")
    results = {"machine": describe(), "n": len(prepared), "seed": args.seed}
    results["durable_direct"] = timed("durable (direct)", len(prepared), run_direct)
    host = DurableEngine("host")
    subset = prepared[: args.host_n]
    results["durable_host"] = timed(
        "durable (host)", len(subset), lambda: [host.evaluate(c, f) for _, c, _, f in subset]
    )
    results["reference"] = timed(
        "reference", len(prepared), lambda: [evaluate_reference(p, f) for p, _, f, _ in prepared]
    )

    def pipeline() -> None:
        for item in raw:
            case = CaseRecord.model_validate(item)
            policy = ps.for_case(case.force, case.decision_date).policy
            facts = case_facts(case, ps.offences)
            fact = engine_fact(project(facts, read_keys(policy)))
            states = direct.evaluate(evaluator.compiled(policy), fact)
            decide(policy, states, facts, case)

    results["pipeline"] = timed("pipeline (direct)", len(raw), pipeline)
    print(
        f"  direct / host = {results['durable_direct'] / results['durable_host']:.2f}x; "
        f"direct / reference = {results['durable_direct'] / results['reference']:.2f}x"
    )
    print("resident memory during the durable (direct) run:")
    print("  " + ", ".join(f"{n:,}: {mb:.1f} MB" for n, mb in memory))
    results["rss_mb"] = memory
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
