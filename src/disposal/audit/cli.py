"""``disposal audit``: verify, show and replay a ledger. A thin skin over the library.

The main CLI mounts this with ``app.add_typer(audit_app)`` and, once the engine exists, calls
``set_engine_factory`` so that ``replay`` can evaluate. Exit codes follow CONTRACT §3: 0 fine,
1 a broken chain (or, with ``--fail-on-diff``, a replayed decision that differs), 2 bad input.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from disposal.audit.chain import is_hash
from disposal.audit.config import load_audit_config
from disposal.audit.errors import AuditError
from disposal.audit.reader import read_records
from disposal.audit.redact import Redactor
from disposal.audit.replay import Evaluate, PolicySha, ReplayReport, ReplayStatus, replay
from disposal.audit.show import render_json, render_text, select
from disposal.audit.verify import VerifyReport, verify
from disposal.clikit import run
from disposal.errors import Location

EngineFactory = Callable[[], tuple[Evaluate, PolicySha]]
_engine_factory: EngineFactory | None = None

audit_app = typer.Typer(
    name="audit",
    help=(
        "Check and read the tamper-evident audit ledger of decisions.\n\n"
        "Example: disposal audit verify docs/examples/ledger-sample.jsonl"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

LedgerArg = Annotated[
    Path, typer.Argument(help="The ledger file (JSON Lines).", show_default=False)
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def set_engine_factory(factory: EngineFactory | None) -> None:
    """Called by the main CLI: ``factory()`` returns ``(evaluate, current_policy_sha)``."""
    global _engine_factory  # noqa: PLW0603 - the documented injection point
    _engine_factory = factory


@audit_app.command("verify")
def verify_command(
    ledger: LedgerArg,
    expect_head: Annotated[
        str | None,
        typer.Option(
            "--expect-head", help="A head hash kept from earlier; also detects truncation."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check every record's hash and the chain, and print the head hash to keep elsewhere.

    Exit 0 when intact, 1 on any break (the line and kind of each are listed), 2 on bad input.

    Example: disposal audit verify docs/examples/ledger-sample.jsonl
    """

    def action() -> int:
        if expect_head is not None and not is_hash(expect_head):
            raise AuditError(
                "bad-value", "must be 64 lower-case hex digits", Location(field="--expect-head")
            )
        report = verify(ledger, expect_head)
        typer.echo(_verify_json(report) if as_json else _verify_text(report), nl=False)
        return 0 if report.ok else 1

    raise typer.Exit(run(action))


def _verify_text(report: VerifyReport) -> str:
    lines = [f"{report.path}:{b.line}: {b.kind}: {b.detail}" for b in report.breaks]
    if report.unlisted_breaks:
        lines.append(f"... and {report.unlisted_breaks} more break(s)")
    if report.ok:
        lines.append(f"ok: {report.records} record(s), chain intact")
    else:
        first = report.breaks[0]
        lines.append(f"broken: first break at line {first.line} ({first.kind})")
    if report.expected_head_line:
        lines.append(f"expected head found at line {report.expected_head_line}")
    lines.append(f"head: {report.head}")
    return "\n".join(lines) + "\n"


def _verify_json(report: VerifyReport) -> str:
    data = {
        "ledger": report.path,
        "ok": report.ok,
        "records": report.records,
        "lines": report.lines,
        "head": report.head,
        "expected_head_line": report.expected_head_line,
        "breaks": [
            {"line": b.line, "kind": str(b.kind), "detail": b.detail} for b in report.breaks
        ],
        "unlisted_breaks": report.unlisted_breaks,
    }
    return orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE).decode("utf-8")


@audit_app.command("show")
def show_command(
    ledger: LedgerArg,
    case: Annotated[
        list[str] | None,
        typer.Option("--case", help="Only records for this case id (repeatable)."),
    ] = None,
    audit_config: Annotated[
        Path,
        typer.Option(help="Audit configuration naming the key, to find pseudonymised case ids."),
    ] = Path("rules/audit.yaml"),
    as_json: JsonOpt = False,
) -> None:
    """Show records as a scrutiny panel reads them: decision, reasons, authorisation, redactions.

    Example: disposal audit show docs/examples/ledger-sample.jsonl
    """

    def action() -> int:
        entries = read_records(ledger)
        if case:
            entries = select(entries, _case_ids(case, audit_config))
        text = render_json(entries) if as_json else render_text(entries, source=str(ledger))
        typer.echo(text, nl=False)
        return 0

    raise typer.Exit(run(action))


def _case_ids(raw_ids: list[str], config_path: Path) -> set[str]:
    """The ids as given plus their pseudonyms when the audit key is available."""
    ids = set(raw_ids)
    if config_path.exists():
        config = load_audit_config(config_path)
        if "case_id" in config.pseudonymise:
            redactor = Redactor.from_config(config)
            ids |= {redactor.pseudonym(case_id) for case_id in raw_ids}
    return ids


@audit_app.command("replay")
def replay_command(
    ledger: LedgerArg,
    current: Annotated[
        bool,
        typer.Option("--current", help="Also evaluate under the current policy when it changed."),
    ] = False,
    fail_on_diff: Annotated[
        bool, typer.Option(help="Exit 1 if a decision differs under its own policy.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Re-evaluate every recorded input and report decisions that differ.

    Records whose policy files have changed since are reported as such; with --current they are
    evaluated under the current policy to show what the change would have altered.

    Example: disposal audit replay docs/examples/ledger-sample.jsonl
    """

    def action() -> int:
        if _engine_factory is None:
            raise AuditError(
                "engine-not-available",
                "the rules engine is not available, so decisions cannot be replayed",
                Location(str(ledger)),
                "use 'disposal audit replay' from the full disposal command",
            )
        evaluate, policy_sha = _engine_factory()
        report = replay(ledger, evaluate, policy_sha, use_current=current)
        text = _replay_json(report) if as_json else _replay_text(report, str(ledger))
        typer.echo(text, nl=False)
        return 1 if fail_on_diff and report.differs else 0

    raise typer.Exit(run(action))


def _replay_text(report: ReplayReport, source: str) -> str:
    lines = []
    for item in report.items:
        if item.status is ReplayStatus.SAME:
            continue
        text = f"{source}:{item.line}: {item.status}"
        if item.case_id:
            text += f": case {item.case_id}"
        if item.status is ReplayStatus.DIFFERS:
            text += f": {', '.join(item.changes)} changed"
            text += f" (was {_short(item.old)}; now {_short(item.new)})"
        if item.note:
            text += f": {item.note}"
        lines.append(text)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(report.counts.items()))
    lines.append(f"replayed {len(report.items)} line(s): {counts or 'nothing'}")
    return "\n".join(lines) + "\n"


def _short(summary: dict[str, Any] | None) -> str:
    if not summary:
        return "-"
    rules = ",".join(str(reason.get("rule")) for reason in summary.get("reasons") or [])
    return f"{summary.get('decision')} [{rules}]"


def _replay_json(report: ReplayReport) -> str:
    rows = [
        {
            "line": i.line,
            "status": str(i.status),
            "decision_id": i.decision_id,
            "case_id": i.case_id,
            "recorded_sha256": i.recorded_sha,
            "current_sha256": i.current_sha,
            "changes": i.changes,
            "old": i.old,
            "new": i.new,
            "note": i.note,
        }
        for i in report.items
    ]
    return "".join(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE).decode() for row in rows)
