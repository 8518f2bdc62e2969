"""``disposal review`` and ``disposal report``: the auditor's commands.

Mounted by the main CLI; both run inside the shared error boundary (``clikit.run``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from disposal.clikit import RulesOpt, parse_date, run
from disposal.policyset import PolicySet, default_rules_dir
from disposal.report.render import noncompliant_path, write_report
from disposal.review.run import ReviewOptions, review
from disposal.review.summary import print_summary
from disposal.vocab import Compliance

_H0 = "Case records: .csv (flat form), .jsonl, .json or .yaml files."
_H1 = "Rejected records (default: RESULTS.rejects.jsonl)."
_H2 = "Worker processes (default 0: all cores)."
_H3 = "Audit ledger (default: $DISPOSAL_LEDGER or ./disposal-ledger.jsonl)."
_H4 = "Decide every case as at this date (default: each case's decision_date)."
_H5 = "Continue an interrupted review of the same inputs."
_H6 = "Discard an interrupted review and start again."
_H7 = "Run every record through the engine (slower; same output)."
_H8 = "Exit 1 when any CR actually given was non-compliant."
_H9 = "Results of 'disposal review': .jsonl or .csv."
_H10 = "Report to write: .html (one offline page), .md or .csv."
_H11 = "Non-compliant cases listed in HTML/Markdown."
_H12 = "Generation date to print, YYYY-MM-DD (default: today)."
Inputs = Annotated[list[Path], typer.Argument(help=_H0)]
OutOpt = Annotated[Path, typer.Option("--out", help="Results file: .jsonl or .csv.")]


def default_ledger() -> Path:
    return Path(os.environ.get("DISPOSAL_LEDGER") or "disposal-ledger.jsonl")


def review_command(
    inputs: Inputs,
    out: OutOpt,
    rejects: Annotated[Path | None, typer.Option(help=_H1)] = None,
    workers: Annotated[int, typer.Option(help=_H2)] = 0,
    ledger: Annotated[
        Path | None,
        typer.Option(help=_H3),
    ] = None,
    no_ledger: Annotated[bool, typer.Option("--no-ledger", help="Write no audit records.")] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help=_H4,
        ),
    ] = None,
    resume: Annotated[bool, typer.Option(help=_H5)] = False,
    restart: Annotated[bool, typer.Option(help=_H6)] = False,
    no_cache: Annotated[
        bool,
        typer.Option("--no-cache", help=_H7),
    ] = False,
    cross_check: Annotated[
        bool, typer.Option(help="Check every distinct case against the reference evaluator.")
    ] = True,
    fail_on_noncompliant: Annotated[bool, typer.Option(help=_H8)] = False,
    rules: RulesOpt = None,
) -> None:
    """Decide historic cases in bulk and mark each CR actually given compliant or not.

    One result per input record, in input order; records that cannot be read go to the rejects
    file with their file, line and reason (never their values). Prints read = decided +
    rejected, which must hold (exit 3 if not). Interrupted runs continue with --resume.

    \b
    Example: disposal review cases/historic/sample.csv --out out/results.jsonl --no-ledger
    """

    def action() -> int:
        options = ReviewOptions(
            inputs=inputs,
            out=out,
            rules_dir=rules or default_rules_dir(),
            rejects=rejects,
            workers=workers,
            ledger=None if no_ledger else (ledger or default_ledger()),
            as_of=parse_date(as_of, "--as-of"),
            resume=resume,
            restart=restart,
            cache=not no_cache,
            cross_check=cross_check,
        )
        report = review(options)
        print_summary(report.stats)
        typer.echo(f"results: {out}; rejects: {options.rejects_path}", err=True)
        if report.ledger_head:
            typer.echo(f"ledger: {options.ledger} (head {report.ledger_head[:16]}…)", err=True)
        if not report.reconciles:
            typer.echo("error: read != decided + rejected: records were lost", err=True)
            return 3
        noncompliant = sum(
            n for key, n in report.stats.cells.items() if key[3] == Compliance.NON_COMPLIANT.value
        )
        return 1 if fail_on_noncompliant and noncompliant else 0

    raise typer.Exit(run(action))


def report_command(
    results: Annotated[list[Path], typer.Argument(help=_H9)],
    out: Annotated[Path, typer.Option("--out", help=_H10)],
    max_listed: Annotated[
        int,
        typer.Option("--max-listed", min=0, help=_H11),
    ] = 500,
    generated: Annotated[str | None, typer.Option(help=_H12)] = None,
    rules: RulesOpt = None,
) -> None:
    """Write the compliance audit report for the results of a review.

    Counts CRs by decision and compliance per force, offence family and financial year, lists
    the non-compliant cases with their reasons, and draws the charts, in one streaming pass.

    \b
    Example: disposal report docs/examples/results-sample.jsonl --out out/report.html
    """

    def action() -> int:
        names = PolicySet.load(rules or default_rules_dir()).forces
        out.parent.mkdir(parents=True, exist_ok=True)
        written = write_report(results, out, generated, max_listed, force_names=names)
        typer.echo(f"wrote {written}", err=True)
        if written.suffix.lower() == ".csv":
            typer.echo(f"wrote {noncompliant_path(written)}", err=True)
        return 0

    raise typer.Exit(run(action))
