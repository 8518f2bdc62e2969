"""``disposal scenarios test|new`` and ``disposal train``: the training commands.

Mounted by the main CLI. Scenarios are evaluated with the library ``Evaluator`` (no audit
ledger is written for training). See docs/TRAINING.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from disposal.clikit import RulesOpt, run
from disposal.errors import InputError, Location, did_you_mean
from disposal.policyset import PolicySet, default_rules_dir
from disposal.service import Evaluator
from disposal.training import answers as answer_sheet
from disposal.training import author, quiz
from disposal.training.loader import load_scenarios
from disposal.training.runner import coverage, render_run, run_all
from disposal.training.scenario import ID_PATTERN, LoadedScenario

scenarios_app = typer.Typer(
    help=(
        "Training scenarios: test them against the policy, and start new ones.\n\n"
        "Example: disposal scenarios test cases/training/"
    ),
    no_args_is_help=True,
)

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
