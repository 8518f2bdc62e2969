"""The command line: a thin skin over the library, with one error boundary.

Each command parses its arguments, calls library functions and renders the result. Every
``DisposalError`` is turned into ``error: <file:line:col> ...`` lines on stderr and the contract's
exit code (2 for bad input); nothing else reaches the user as a traceback. Unexpected
exceptions print only their type (their text may hold personal data) unless DISPOSAL_DEBUG=1.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from disposal import __version__
from disposal.audit.cli import audit_app, set_engine_factory
from disposal.audit.config import load_audit_config
from disposal.audit.entries import record_for, replay_engine
from disposal.audit.ledger import LedgerWriter, TornTailWarning
from disposal.audit.record import new_decision_id, utc_now
from disposal.audit.redact import Redactor
from disposal.case import load_cases
from disposal.compiler import compile_policy
from disposal.engine import dry_compile
from disposal.errors import DisposalError, InputError, Location, did_you_mean, raise_all
from disposal.policyset import PolicySet
from disposal.render import render_text, trace_data
from disposal.service import ENGINES, Evaluation, Evaluator
from disposal.training import answers as answer_sheet
from disposal.training import author, quiz
from disposal.training.loader import load_scenarios
from disposal.training.runner import coverage, render_run, run_all
from disposal.training.scenario import ID_PATTERN, LoadedScenario
from disposal.vocab import Compliance

T = TypeVar("T")

app = typer.Typer(
    name="disposal",
    help=(
        "Decision support for police community resolutions (Home Office outcome 8).\n\n"
        "Example: disposal evaluate cases/examples/ --explain"
    ),
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)
rules_app = typer.Typer(
    help="Check and list the policy rules.\n\nExample: disposal rules check rules/",
    no_args_is_help=True,
)
scenarios_app = typer.Typer(
    help=(
        "Training scenarios: test them against the policy, and start new ones.\n\n"
        "Example: disposal scenarios test cases/training/ --profile metropolitan"
    ),
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")
app.add_typer(audit_app, name="audit")
app.add_typer(scenarios_app, name="scenarios")


def default_rules_dir() -> Path:
    """DISPOSAL_RULES, else ./rules, else the rules/ folder next to the source tree."""
    env = os.environ.get("DISPOSAL_RULES")
    if env:
        return Path(env)
    here = Path("rules")
    if (here / "offences.yaml").exists():
        return here
    return Path(__file__).resolve().parents[2] / "rules"


RulesOpt = Annotated[
    Path | None,
    typer.Option("--rules", help="Policy directory (default: $DISPOSAL_RULES or ./rules)."),
]


def run(action: Callable[[], T]) -> T:
    """The one error boundary: project errors become messages and exit codes."""
    try:
        return action()
    except DisposalError as exc:
        typer.echo("\n".join("error: " + line for line in exc.render().splitlines()), err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if os.environ.get("DISPOSAL_DEBUG") == "1":
            raise
        typer.echo(
            f"internal error: {type(exc).__name__} (set DISPOSAL_DEBUG=1 for details)", err=True
        )
        raise typer.Exit(3) from None


def parse_date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            "bad-date", f"{option} must be a date written YYYY-MM-DD", Location(field=option)
        ) from None


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        typer.echo(f"disposal {__version__}")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


Files = Annotated[list[Path], typer.Argument(help="Case files (YAML/JSON) or directories.")]
ForceOpt = Annotated[
    str | None, typer.Option(help="Decide under this force's profile instead of each record's.")
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Policy date (default: each case's decision_date).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="One contract JSON object per line.")]
ExplainOpt = Annotated[bool, typer.Option(help="Show how each condition of each rule evaluated.")]
EngineOpt = Annotated[str, typer.Option(help=f"Evaluator: {', '.join(ENGINES)}.")]
CrossOpt = Annotated[bool, typer.Option(help="Run both evaluators and fail on any difference.")]
FailOpt = Annotated[bool, typer.Option(help="Exit 1 when a CR actually given was non-compliant.")]
LedgerOpt = Annotated[
    Path | None,
    typer.Option(
        "--ledger",
        help="Audit ledger to append to (default: $DISPOSAL_LEDGER or ./disposal-ledger.jsonl).",
    ),
]
NoLedgerOpt = Annotated[
    bool, typer.Option("--no-ledger", help="Do not write audit records (say why you need to).")
]


def default_ledger() -> Path:
    return Path(os.environ.get("DISPOSAL_LEDGER") or "disposal-ledger.jsonl")


Decided = list[tuple[Evaluation, date]]  # each evaluation with the date its policy was chosen for


def append_to_ledger(path: Path, rules_dir: Path, evaluations: Decided) -> None:
    """Append one audit record per evaluation, with the redaction of rules/audit.yaml."""
    redactor = Redactor.from_config(load_audit_config(rules_dir / "audit.yaml"))
    bodies = [
        record_for(ev, redactor, decision_id=new_decision_id(), timestamp=utc_now(), as_of=day)
        for ev, day in evaluations
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TornTailWarning)
        with LedgerWriter(path) as writer:
            head = writer.append_many(bodies)
    for warning in caught:
        typer.echo(f"warning: {warning.message}", err=True)
    typer.echo(f"ledger: {len(bodies)} record(s) appended to {path} (head {head[:16]}…)", err=True)


@app.command()
def evaluate(
    files: Files,
    force: ForceOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    explain: ExplainOpt = False,
    rules: RulesOpt = None,
    engine: EngineOpt = "durable",
    cross_check: CrossOpt = False,
    fail_on_noncompliant: FailOpt = False,
    ledger: LedgerOpt = None,
    no_ledger: NoLedgerOpt = False,
) -> None:
    """Decide whether each case may be closed by a community resolution.

    Every decision is also appended to the tamper-evident audit ledger unless --no-ledger.

    Example: disposal evaluate cases/examples/d26-youth-shoplifting.yaml --explain
    """

    def action() -> int:
        if engine not in ENGINES:
            raise InputError("bad-option", f"--engine must be one of {', '.join(ENGINES)}")
        policy_date = parse_date(as_of, "--as-of")
        rules_dir = rules or default_rules_dir()
        evaluator = Evaluator(rules_dir, engine=engine, cross_check=cross_check)
        refs = evaluator.policy_set.references()
        if force is not None and force not in refs.forces:
            raise InputError(
                "unknown-force",
                "is not a force slug or profile in rules/",
                Location(field="--force"),
                did_you_mean(force, refs.forces),
            )
        cases = load_cases(files, refs)
        evaluations: Decided = []
        for loaded in cases:
            where = Location(loaded.file, loaded.line)
            ev = evaluator.evaluate(loaded.record, policy_date, force, where)
            evaluations.append((ev, policy_date or loaded.record.decision_date))
        if not no_ledger:
            append_to_ledger(ledger or default_ledger(), rules_dir, evaluations)
        noncompliant = 0
        for ev, _ in evaluations:
            noncompliant += ev.decision.compliance is Compliance.NON_COMPLIANT
            if as_json:
                data = ev.decision.to_json_dict()
                if explain:
                    data["trace"] = trace_data(ev)
                typer.echo(json.dumps(data, ensure_ascii=False))
            else:
                typer.echo(render_text(ev, explain) + "\n")
        return 1 if fail_on_noncompliant and noncompliant else 0

    raise typer.Exit(run(action))


@rules_app.command("check")
def rules_check(
    directory: Annotated[Path | None, typer.Argument(help="Policy directory.")] = None,
    engine_check: Annotated[
        bool, typer.Option(help="Also create every compiled ruleset in durable_rules.")
    ] = True,
) -> None:
    """Validate every rule file and every dated version of every profile.

    Reports all problems at once, each as file:line:col, a stable code and a hint.
    Example: disposal rules check rules/
    """

    def action() -> int:
        root = directory or default_rules_dir()
        raise_all(PolicySet.check_directory(root))
        policy = PolicySet.load(root)
        compiled: dict[str, dict[str, Any]] = {}
        versions = 0
        for profile in sorted(policy.profiles):
            for start in policy.version_starts(profile):
                version = policy.resolve(profile, start)
                versions += 1
                compiled[version.name] = compile_policy(version).definition
        problems = dry_compile(compiled) if engine_check else []
        if problems:
            raise InputError("engine-refused", "; ".join(problems))
        rule_count = sum(len(p.rules) for p in policy.profiles.values())
        typer.echo(
            f"ok: {len(policy.profiles)} profiles, {versions} policy versions, "
            f"{rule_count} rule entries, {len(policy.offences.codes)} offence codes"
        )
        return 0

    raise typer.Exit(run(action))


@rules_app.command("list")
def rules_list(
    profile: Annotated[str, typer.Option(help="Profile to list.")] = "national",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date (default: today).")] = None,
    rules: RulesOpt = None,
) -> None:
    """List the rules in force for a profile on a date.

    Example: disposal rules list --profile national --as-of 2015-06-01
    """

    def action() -> int:
        policy = PolicySet.load(rules or default_rules_dir())
        on = parse_date(as_of, "--as-of") or date.today()
        if profile not in policy.profiles:
            raise InputError(
                "unknown-profile",
                "is not a profile under rules/profiles/",
                Location(field="--profile"),
                did_you_mean(profile, policy.profiles) or "see disposal rules check",
            )
        version = policy.resolve(profile, on)
        typer.echo(f"{version.name} ({version.era.title}) sha256 {version.sha256}")
        for d in version.derives:
            typer.echo(f"  {d.id:<26} derive {d.fact:<22} {d.title}")
        for r in version.rules:
            effect = (
                json.dumps(r.effect.to_data())
                if not isinstance(r.effect.to_data(), str)
                else r.effect.to_data()
            )
            typer.echo(f"  {r.id:<26} {effect:<32} {r.title}")
        return 0

    raise typer.Exit(run(action))


# -- training ---------------------------------------------------------------------------------

ScenarioFiles = Annotated[
    list[Path], typer.Argument(help="Scenario files (YAML) or directories such as cases/training/.")
]


def _known_profile(policy: PolicySet, profile: str | None) -> None:
    if profile is not None and profile not in policy.profiles:
        raise InputError(
            "unknown-profile",
            "is not a profile under rules/profiles/",
            Location(field="--profile"),
            did_you_mean(profile, policy.profiles),
        )


def _scenarios(paths: list[Path], policy: PolicySet, profile: str | None) -> list[LoadedScenario]:
    _known_profile(policy, profile)
    loaded = load_scenarios(paths, policy)
    chosen = [s for s in loaded if profile is None or s.scenario.profile == profile]
    if not chosen:
        raise InputError(
            "no-scenarios", "no scenario uses this profile", Location(field="--profile")
        )
    return chosen


@scenarios_app.command("test")
def scenarios_test(
    paths: ScenarioFiles,
    profile: Annotated[
        str | None, typer.Option(help="Only the scenarios of this profile, and its coverage.")
    ] = None,
    rules: RulesOpt = None,
) -> None:
    """Run every scenario against its expectation and report rule coverage.

    Prints PASS or FAIL per scenario (a failure shows expected and actual decision, authority
    and fired rules, and the trace), then each profile's rules with how many scenarios make
    them fire. Exit 1 when any scenario fails. No audit ledger is written.

    Example: disposal scenarios test cases/training/ --profile metropolitan
    """

    def action() -> int:
        rules_dir = rules or default_rules_dir()
        policy = PolicySet.load(rules_dir)
        scenarios = _scenarios(paths, policy, profile)
        results = run_all(scenarios, Evaluator(rules_dir, policy_set=policy))
        typer.echo(render_run(results, coverage(results, profile)))
        return 0 if all(r.passed for r in results) else 1

    raise typer.Exit(run(action))


@scenarios_app.command("new")
def scenarios_new(
    case_file: Annotated[
        Path,
        typer.Option("--from", help="A case file holding one case record.", show_default=False),
    ],
    profile: Annotated[
        str | None, typer.Option(help="Profile to decide under (default: the case's force's).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the skeleton here (never overwrites); default stdout."),
    ] = None,
    scenario_id: Annotated[
        str | None,
        typer.Option("--id", help="Scenario id (default: the next free in cases/training)."),
    ] = None,
    rules: RulesOpt = None,
) -> None:
    """Write a scenario skeleton from a case, with the engine's current answer to confirm.

    Example: disposal scenarios new --from cases/examples/d19-suspect-denies.yaml
    """

    def action() -> int:
        rules_dir = rules or default_rules_dir()
        policy = PolicySet.load(rules_dir)
        if scenario_id is not None and not re.match(ID_PATTERN, scenario_id):
            raise InputError("bad-value", "must look like TRN-001", Location(field="--id"))
        raw = author.read_single_case(case_file, policy)
        chosen = author.choose_profile(raw, profile, policy)
        new_id = scenario_id or author.next_id(Path("cases") / "training")
        text = author.skeleton(raw, new_id, chosen, Evaluator(rules_dir, policy_set=policy))
        if out is None:
            typer.echo(text, nl=False)
        else:
            author.write_new(text, out)
            typer.echo(f"wrote {out}: confirm its expectation against the policy text", err=True)
        return 0

    raise typer.Exit(run(action))


@app.command()
def train(
    paths: ScenarioFiles,
    trainee: Annotated[str, typer.Option(help="Trainee name for the results file.")] = "",
    count: Annotated[int | None, typer.Option(min=1, help="Ask at most this many.")] = None,
    shuffle: Annotated[bool, typer.Option(help="Ask in random order.")] = False,
    seed: Annotated[int | None, typer.Option(help="Seed for --shuffle and the choices.")] = None,
    results: Annotated[
        Path | None, typer.Option(help="CSV to append one row per answer to (header once).")
    ] = None,
    answers: Annotated[
        Path | None, typer.Option(help="Mark this answer sheet (YAML or CSV) instead of asking.")
    ] = None,
    rules: RulesOpt = None,
) -> None:
    """Quiz on training scenarios: decision, rank and main reason, marked and explained.

    Interactive by default; Ctrl-D ends the quiz (exit 0) and Ctrl-C interrupts it (exit 130),
    both after printing the summary, with every answer so far already in --results.
    --answers marks a prepared sheet instead (see docs/TRAINING.md).

    \b
    Example: disposal train cases/training --answers docs/examples/quiz-answers.yaml
    """

    def action() -> int:
        policy = PolicySet.load(rules or default_rules_dir())
        scenarios = _scenarios(paths, policy, None)
        if answers is not None:
            return _mark_sheet(answers, scenarios, trainee, results, seed)
        questions = quiz.select_questions(scenarios, count, shuffle, seed)
        titles = {name: p.meta.item.title for name, p in policy.profiles.items()}
        if results is None:
            typer.echo("Results are not saved (give --results FILE to keep them).")
        with quiz.ResultsSheet(results) as sheet:
            summary = quiz.run_quiz(quiz.StdConsole(), questions, sheet, trainee, titles)
        return 130 if summary.ended == "interrupted" else 0

    raise typer.Exit(run(action))


def _mark_sheet(
    path: Path,
    scenarios: list[LoadedScenario],
    trainee: str,
    results: Path | None,
    seed: int | None,
) -> int:
    sheet = answer_sheet.load_sheet(path)
    questions = {q.id: q for q in quiz.select_questions(scenarios, seed=seed)}
    marks = answer_sheet.mark_sheet(answer_sheet.answers_for(sheet, questions))
    with quiz.ResultsSheet(results) as out:
        for m in marks:
            out.append(trainee or sheet.trainee, m)
    unanswered = len(questions) - len(marks)
    typer.echo("\n".join(answer_sheet.render_marked(marks, unanswered)))
    return 0


def main() -> None:
    set_engine_factory(lambda: replay_engine(default_rules_dir()))
    app(prog_name="disposal")


if __name__ == "__main__":  # pragma: no cover
    main()
