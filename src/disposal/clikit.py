"""Pieces every command shares: the one error boundary, date options and ``--rules``.

Sub-command modules (audit, training) import these instead of the main ``cli`` module, so the
command line stays a thin skin in several small files without import cycles.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from disposal.errors import DisposalError, InputError, Location

T = TypeVar("T")

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
    except BrokenPipeError:
        # The reader went away (e.g. '| head'): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(141) from None
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
