"""``disposal review``: the auditor's batch command (``disposal report`` is in report.cli).

Mounted by the main CLI; runs inside the shared error boundary (``clikit.run``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from disposal.clikit import RulesOpt, parse_date, run
from disposal.policyset import default_rules_dir
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
