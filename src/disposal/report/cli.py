"""``disposal report``: a thin skin over ``render.write_report`` (STYLE.md §12).

The main CLI registers it with ``app.command("report")(report_command)``. Errors are the
project's ``InputError`` subclasses (exit code 2), printed by the shared error boundary
(``clikit.run``) as ``error: …`` on stderr without a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from disposal.clikit import RulesOpt, run
from disposal.policyset import PolicySet, default_rules_dir

_RESULTS_HELP = "Results file(s) written by 'disposal review': .jsonl or .csv, read in order."
_OUT_HELP = (
    "The report to write; the extension picks the format: .html (one self-contained page), "
    ".md (Markdown, figures as sibling .svg files) or .csv (count table, plus every "
    "non-compliant case in <name>.noncompliant.csv)."
)
_MAX_HELP = "List at most this many non-compliant cases in HTML/Markdown (0 lists none)."
_GENERATED_HELP = "Date to print as the generation date, YYYY-MM-DD (default: today)."


def report_command(
    results: Annotated[list[Path], typer.Argument(help=_RESULTS_HELP, show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help=_OUT_HELP, show_default=False)],
    max_listed: Annotated[int, typer.Option("--max-listed", min=0, help=_MAX_HELP)] = 500,
    generated: Annotated[str | None, typer.Option("--generated", help=_GENERATED_HELP)] = None,
    rules: RulesOpt = None,
) -> None:
    """Write the compliance audit report for the results of a review.

    Counts CRs by decision and compliance per force, offence family and financial year, lists
    the non-compliant cases with their reasons, and draws the charts, in one streaming pass
    (tens of millions of lines are fine). Several results files are read in order.

    \b
    Example: disposal report docs/examples/results-sample.jsonl --out out/report.html
    """

    def action() -> int:
        # Imported here, not at the top: matplotlib (through render) cost every command, the
        # quiz and evaluate included, about two seconds of start-up (0.5 s without it).
        from disposal.report.render import noncompliant_path, write_report  # noqa: PLC0415

        names = PolicySet.load(rules or default_rules_dir()).forces  # forces by their names
        out.parent.mkdir(parents=True, exist_ok=True)
        written = write_report(results, out, generated, max_listed, force_names=names)
        typer.echo(f"wrote {written}", err=True)
        if written.suffix.lower() == ".csv":
            typer.echo(f"wrote {noncompliant_path(written)}", err=True)
        return 0

    raise typer.Exit(run(action))
