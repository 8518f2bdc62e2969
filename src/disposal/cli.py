"""The command line: a thin skin over the library, with one error boundary.

Each command parses its arguments, calls library functions and renders the result. Every
``DisposalError`` is turned into ``error: <file:line:col> ...`` lines on stderr and the contract's
exit code (2 for bad input); nothing else reaches the user as a traceback. Unexpected
exceptions print only their type (their text may hold personal data) unless DISPOSAL_DEBUG=1.
"""

from __future__ import annotations

import csv
import json
import os
import warnings
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
from disposal.book import build_book, write_book
from disposal.case import load_cases
from disposal.clikit import RulesOpt, parse_date, run
from disposal.compiler import compile_policy
from disposal.diffrender import render_text as render_diff
from disposal.diffrender import to_data as diff_data
from disposal.engine import dry_compile
from disposal.errors import InputError, Location, did_you_mean, raise_all
from disposal.generate import (
    DEFAULT_CR_SHARE,
    DEFAULT_SPARSE_SHARE,
    FIRST_YEAR,
    LAST_YEAR,
    generate_cases,
)
from disposal.policeuk import ImportSummary, Reject, import_police_uk
from disposal.policydiff import diff_versions, flips
from disposal.policyset import PolicySet, default_rules_dir
from disposal.render import render_text, trace_data
from disposal.report.cli import report_command
from disposal.review.cli import review_command
from disposal.service import ENGINES, Evaluation, Evaluator
from disposal.training.cli import scenarios_app, train
from disposal.vocab import Compliance
from disposal.writers import check_size, replacing, write_records

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
    help=(
        "Check, list, document and compare the policy rules.\n\n"
        "Example: disposal rules check rules/"
    ),
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")
app.add_typer(audit_app, name="audit")
app.add_typer(scenarios_app, name="scenarios")
app.command("train")(train)
app.command("review")(review_command)
app.command("report")(report_command)
import_app = typer.Typer(
    help=(
        "Turn outside data into case records.\n\n\b\n"
        "Example: disposal import police-uk tests/fixtures/police_uk/city-street.csv --out -"
    ),
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")


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


@rules_app.command("docs")
def rules_docs(
    out: Annotated[
        Path, typer.Option("--out", help="Directory to write the book into (created if missing).")
    ],
    profile: Annotated[
        str | None, typer.Option(help="Only this profile (default: every profile).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Only the policy in force on this date (default: all)."),
    ] = None,
    rules: RulesOpt = None,
) -> None:
    """Write the policy book: every rule in plain English, with its source and dates.

    Per profile one Markdown and one self-contained HTML file, plus index.md/index.html
    listing the profiles, their versions and the SHA-256 of each policy version. The
    committed book is regenerated with 'disposal rules docs --out docs/policy'.

    Example: disposal rules docs --profile national --out out/policy-book
    """

    def action() -> int:
        policy = PolicySet.load(rules or default_rules_dir())
        files = build_book(policy, profile, parse_date(as_of, "--as-of"))
        written = write_book(files, out)
        typer.echo(f"policy book: {len(written)} files written to {out}")
        return 0

    raise typer.Exit(run(action))


@rules_app.command("diff")
def rules_diff(
    profile: Annotated[str, typer.Option(help="Profile to compare (e.g. national).")],
    from_date: Annotated[str, typer.Option("--from", help="The earlier date, YYYY-MM-DD.")],
    to_date: Annotated[str, typer.Option("--to", help="The later date, YYYY-MM-DD.")],
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Case files or directories: list those whose decision changes."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    rules: RulesOpt = None,
) -> None:
    """Show what changed in a profile's policy between two dates, and whose decision flips.

    Lists rules added, removed and changed (condition in plain English, effect, message,
    source, dates) and parameters re-valued. Given case files, decides each case under the
    profile as at both dates (not as at its decision_date; nothing is written to the audit
    ledger) and lists those whose decision or required authority differs, with the rules
    that fired under one version and not the other. A difference is not a failure: exit 0.

    \b
    Example: disposal rules diff --profile national --from 2021-12-31 --to 2022-01-01 cases/examples
    """

    def action() -> int:
        d1 = parse_date(from_date, "--from")
        d2 = parse_date(to_date, "--to")
        assert d1 is not None
        assert d2 is not None
        rules_dir = rules or default_rules_dir()
        policy = PolicySet.load(rules_dir)
        diff = diff_versions(policy, profile, d1, d2)
        report = None
        if files:
            cases = load_cases(files, policy.references())
            report = flips(Evaluator(rules_dir, policy_set=policy), cases, profile, d1, d2)
        if as_json:
            typer.echo(json.dumps(diff_data(diff, report), ensure_ascii=False, indent=2))
        else:
            typer.echo(render_diff(diff, report), nl=False)
        return 0

    raise typer.Exit(run(action))


def parse_share(text: str, option: str) -> float | None:
    """A share from 0 to 1, or None for the word 'natural'."""
    if text.strip().lower() == "natural":
        return None
    try:
        share = float(text)
    except ValueError:
        share = -1.0
    if not 0.0 <= share <= 1.0:
        raise InputError(
            "bad-option", "must be a share from 0 to 1, or 'natural'", Location(field=option)
        )
    return share


@app.command()
def generate(
    n: Annotated[int, typer.Option("--n", help="How many cases to write.")],
    out: Annotated[
        Path,
        typer.Option(help="Output file: .jsonl, .csv, .json or .yaml; - for JSON Lines on stdout."),
    ],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes the same file.")] = 0,
    start_year: Annotated[
        int, typer.Option(help="First financial year (2014 means 2014/15).")
    ] = FIRST_YEAR,
    end_year: Annotated[int, typer.Option(help="Last financial year.")] = LAST_YEAR,
    forces: Annotated[
        str | None, typer.Option(help="Comma-separated force slugs (default: all, by size).")
    ] = None,
    cr_share: Annotated[
        str,
        typer.Option(help="Share of community resolutions (0-1), or 'natural' for 2-4%."),
    ] = str(DEFAULT_CR_SHARE),
    sparse: Annotated[
        float, typer.Option(help="Share of records with 1-3 facts not recorded.")
    ] = DEFAULT_SPARSE_SHARE,
    rules: RulesOpt = None,
) -> None:
    """Write synthetic historic case records for demos, benchmarks and review tests.

    Every record is valid, obviously synthetic (ids SYN-..., free text "Synthetic ...") and
    drawn from the national proportions documented in disposal.generate.tables.
    Example: disposal generate --n 3 --seed 1 --out -
    """

    def action() -> int:
        share = parse_share(cr_share, "--cr-share")
        check_size(out, n)
        policy = PolicySet.load(rules or default_rules_dir())
        slugs = [s.strip() for s in forces.split(",") if s.strip()] if forces is not None else None
        records = generate_cases(
            n,
            seed,
            offences=policy.offences,
            known_forces=policy.forces,
            start_year=start_year,
            end_year=end_year,
            forces=slugs,
            cr_share=share,
            sparse_share=sparse,
        )
        written = write_records(records, out)
        where = "standard output" if out == Path("-") else out
        typer.echo(f"wrote {written} synthetic cases to {where} (seed {seed})", err=True)
        return 0

    raise typer.Exit(run(action))


REJECT_COLUMNS = (
    "file",
    "line",
    "layout",
    "reason",
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Crime type",
    "Last outcome category",
    "Outcome type",
)


@import_app.command("police-uk")
def import_police_uk_command(
    files: Annotated[
        list[Path], typer.Argument(help="police.uk street CSV files and any outcomes CSV files.")
    ],
    out: Annotated[
        Path, typer.Option(help="Output file of partial case records (.jsonl; - for stdout).")
    ],
    rejects: Annotated[
        Path | None,
        typer.Option(help="Also write every row that made no record, with its reason (CSV)."),
    ] = None,
    rules: RulesOpt = None,
) -> None:
    """Turn police.uk street and outcomes rows into partial case records (JSON Lines).

    A summary of rows read, records written and rows skipped (by reason) goes to stderr.
    docs/POLICE_UK.md explains the mapping and what a review of such records can conclude.

    \b
    Example: disposal import police-uk tests/fixtures/police_uk/city-street.csv --out -
    """

    def action() -> int:
        policy = PolicySet.load(rules or default_rules_dir())
        names = {name: slug for slug, name in policy.forces.items()}
        summary = ImportSummary()
        if rejects is None:
            write_records(import_police_uk(files, names, summary), out)
        else:
            with replacing(rejects, binary=False) as handle:
                writer = csv.writer(handle)
                writer.writerow(REJECT_COLUMNS)

                def sink(reject: Reject) -> None:
                    cells = [reject.cells.get(c, "") for c in REJECT_COLUMNS[4:]]
                    writer.writerow(
                        [reject.file, reject.line, reject.layout, reject.reason, *cells]
                    )

                write_records(import_police_uk(files, names, summary, sink), out)
        typer.echo("\n".join(summary.lines()), err=True)
        return 0

    raise typer.Exit(run(action))


def main() -> None:
    set_engine_factory(lambda: replay_engine(default_rules_dir()))
    app(prog_name="disposal")


if __name__ == "__main__":  # pragma: no cover
    main()
