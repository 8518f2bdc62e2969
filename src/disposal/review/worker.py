"""Deciding one chunk of a review: parse, validate, key, decide, and format every record.

A review of millions of records is fast without changing a byte of its output because the
decision depends only on how the policy version *distinguishes* a case's facts (``keys``):

* **rule states** are cached by that key: each kind of case runs through durable_rules once
  per policy version, checked against the reference evaluator at the same time unless
  ``--no-cross-check`` (a disagreement is an error, never resolved silently);
* **decisions** are cached by the key plus what the decision adds from the record itself
  (the authorisation's rank and whether it has a rationale, the actual outcome, the fallback
  note), with the shared parts of their audit records.

``--no-cache`` turns both off (every record through durable_rules); a test shows the output is
byte-identical either way. Nothing is lost: every record is decided or rejected with a reason.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from disposal import __version__
from disposal.audit.config import load_audit_config
from disposal.audit.prepared import Shared, body_bytes, compose, shared_parts
from disposal.audit.record import build_record
from disposal.audit.redact import Redactor
from disposal.case import CaseRecord, check_references, parse_case
from disposal.decision import decide
from disposal.errors import (
    CaseRecordError,
    DisposalError,
    InputError,
    Location,
    as_exception,
    safe_name,
)
from disposal.facts import Facts, case_facts
from disposal.flat import check_columns, row_to_record
from disposal.render import summary_trace
from disposal.report.columns import RESULT_CSV_COLUMNS, flatten_result
from disposal.resolve import PolicyVersion
from disposal.review.keys import key_plan
from disposal.review.sources import Chunk, Unit
from disposal.service import Evaluator
from disposal.source import Document
from disposal.states import RuleStates

CACHE_LIMIT = 8_000  # per cache and worker: ~5 KB an entry (measured), so ~80 MB a worker at most


@dataclass(frozen=True)
class WorkerConfig:
    rules_dir: Path
    run_id: str
    timestamp: str
    as_of: date | None = None
    ledger: bool = True
    cache: bool = True
    cross_check: bool = True
    output: str = "jsonl"


@dataclass
class Stats:
    """Counts of a chunk or a run; ``cells`` counts decisions by force, family and compliance."""

    read: int = 0
    decided: int = 0
    rejected: int = 0
    engine_runs: int = 0  # decisions that ran durable_rules (the rest reused a cached one)
    cells: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)

    def add(self, other: Stats) -> None:
        for name in ("read", "decided", "rejected", "engine_runs"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.cells.update(other.cells)


@dataclass
class ChunkOut:
    results: list[bytes]
    rejects: list[bytes]
    ledger: list[bytes]
    stats: Stats


@dataclass
class Template:
    """What every record of one kind of case shares: its decision and audit parts.

    Kept compact because a worker holds up to ``CACHE_LIMIT`` of them: the decision as the
    JSON bytes of its members after ``case_id`` (spliced into each result line), the dict
    itself only for CSV output, the audit parts as bytes only when there is a ledger.
    """

    members: bytes  # the decision's JSON members after case_id, CONTRACT §2 order, no braces
    decision: str
    compliance: str | None
    family: str | None
    rest: dict[str, Any] | None  # the decision without case_id, for CSV output
    shared: Shared | None


def financial_year(day: str) -> str:
    year, month = int(day[:4]), int(day[5:7])
    start = year if month >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d}"


class Worker:
    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self.evaluator = Evaluator(config.rules_dir, cross_check=config.cross_check)
        self.policy_set = self.evaluator.policy_set
        self.refs = self.policy_set.references()
        self.redactor = (
            Redactor.from_config(load_audit_config(config.rules_dir / "audit.yaml"))
            if config.ledger
            else None
        )
        self.states: dict[Any, RuleStates] = {}
        self.decisions: dict[Any, Template] = {}
        self.pool: dict[Any, Any] = {}  # one copy of each distinct states and template
        self.header: tuple[str, ...] = ()
        self.engine_runs = 0
        self.current: tuple[PolicyVersion, Facts] | None = None

    # -- a chunk ---------------------------------------------------------------------------

    def run(self, chunk: Chunk) -> ChunkOut:
        out = ChunkOut([], [], [], Stats())
        if chunk.header is not None and chunk.header != self.header:
            self._set_header(chunk.header)
        runs = self.engine_runs
        for offset, unit in enumerate(chunk.units):
            out.stats.read += 1
            self._one(chunk, unit, chunk.first_index + offset, out)
        out.stats.engine_runs = self.engine_runs - runs
        return out

    def _set_header(self, header: tuple[str, ...]) -> None:
        check_columns(list(header), Location(line=1))
        self.header = header

    def _one(self, chunk: Chunk, unit: Unit, index: int, out: ChunkOut) -> None:
        where = Location(chunk.file, unit.line)
        try:
            if unit.problem is not None:
                raise unit.problem
            if chunk.kind == "csv":
                self._csv(chunk, unit, index, out, where)
            else:
                if chunk.kind == "jsonl":
                    unit.raw = _json_line(unit, where)
                self._full(unit.raw, index, out, where)
        except InputError as exc:  # the record's fault; anything else stops the review
            self._reject(exc, chunk, unit.line, index, unit, out)

    # -- CSV rows --------------------------------------------------------------------------

    def _csv(self, chunk: Chunk, unit: Unit, index: int, out: ChunkOut, where: Location) -> None:
        cells = _cells(unit, len(self.header), where)
        row: dict[str | None, Any] = dict(zip(self.header, cells, strict=True))
        raw = row_to_record(row, location=where, checked=True)
        self._full(raw, index, out, where)

    # -- the full path ---------------------------------------------------------------------

    def _full(self, raw: Any, index: int, out: ChunkOut, where: Location) -> None:
        doc = Document(where.file, raw, {(): (where.line, 1)})
        errors: list[DisposalError] = []
        record: CaseRecord | None = None
        try:
            record = parse_case(raw, doc, (), index)
        except DisposalError as exc:
            errors.extend(getattr(exc, "errors", [exc]))
        errors.extend(check_references(raw, record, doc, (), index, self.refs))
        if errors or record is None:
            raise as_exception(errors)
        template = self._decide(record, where)
        self._emit(template, record, index, out)

    def _decide(self, record: CaseRecord, where: Location) -> Template:
        ev = self.evaluator
        resolution = ev.resolve(record, self.config.as_of, where=where)
        policy = resolution.policy
        facts = case_facts(record, self.policy_set.offences)
        self.current = (policy, facts)  # for the ledger's exact path
        cache = self.config.cache
        skey = key_plan(policy).key(facts) if cache else None
        auth = record.authorisation
        dkey = (
            skey,
            resolution.fallback,
            auth.rank if auth else None,
            bool((auth.rationale or "").strip()) if auth else False,
            record.actual_outcome,
        )
        found = self.decisions.get(dkey) if cache else None
        if found is not None:
            return found
        states = self.states.get(skey) if cache else None
        if states is None:
            self.engine_runs += 1
            states = ev.states(policy, facts, record.case_id)
            if cache and len(self.states) < CACHE_LIMIT:
                # many kinds of case end in the same rule states: keep one copy of each
                self.states[skey] = self.pool.setdefault(states.key(), states)
        decision = decide(policy, states, facts, record, resolution.fallback).to_json_dict()
        rest = {k: v for k, v in decision.items() if k != "case_id"}
        trace = summary_trace(policy, states) if self.redactor else None
        template = Template(
            members=orjson.dumps(rest)[1:-1],
            decision=decision["decision"],
            compliance=decision["compliance"],
            family=states.derived.get("offence_family"),
            rest=rest if self.config.output == "csv" else None,
            shared=shared_parts(decision, trace) if trace is not None else None,
        )
        if cache and len(self.decisions) < CACHE_LIMIT:
            content = (template.members, template.shared.trace if template.shared else b"")
            self.decisions[dkey] = self.pool.setdefault(content, template)
        return template

    # -- output ----------------------------------------------------------------------------

    def _emit(self, template: Template, record: CaseRecord, index: int, out: ChunkOut) -> None:
        day = record.decision_date.isoformat()
        case = {
            "force": record.force,
            "decision_date": day,
            "financial_year": financial_year(day),
            "offence_family": template.family,
            "ho_code": record.offence.ho_code,
            "actual_outcome": record.actual_outcome,
        }
        if template.rest is not None:  # CSV output
            data = {"case_id": record.case_id, **template.rest, "case": case}
            row = flatten_result(data)
            out.results.append(_csv_line([row.get(c, "") for c in RESULT_CSV_COLUMNS]))
        else:  # the bytes orjson.dumps({"case_id": ..., **rest, "case": ...}) would give
            out.results.append(
                b'{"case_id":%b,%b,"case":%b}\n'
                % (orjson.dumps(record.case_id), template.members, orjson.dumps(case))
            )
        out.stats.decided += 1
        cell = (
            record.force,
            template.family or "unknown",
            template.decision,
            str(template.compliance),
        )
        out.stats.cells[cell] += 1
        if self.redactor is not None:
            case_input = record.model_dump(mode="json", exclude_none=True)
            out.ledger.append(self._ledger(template, record.case_id, case_input, index, out))

    def _ledger(
        self,
        template: Template,
        case_id: str,
        case_input: dict[str, Any],
        index: int,
        out: ChunkOut,
    ) -> bytes:
        assert self.redactor is not None
        assert template.shared is not None
        as_of = self.config.as_of.isoformat() if self.config.as_of else case_input["decision_date"]
        decision_id = f"{self.config.run_id}-{index + 1:010d}"
        body = compose(
            self.redactor,
            template.shared,
            decision_id=decision_id,
            timestamp=self.config.timestamp,
            tool_version=__version__,
            as_of=as_of,
            case_input=case_input,
        )
        if body is not None:
            return body
        # the exact path (rare: redaction would change shared text): rebuild the trace, which
        # templates do not keep, to save memory
        assert self.current is not None
        policy, facts = self.current
        trace = summary_trace(policy, self.evaluator.states(policy, facts, case_id))
        decision = {"case_id": case_id, **orjson.loads(b"{%b}" % template.members)}
        return body_bytes(
            build_record(
                decision_id=decision_id,
                timestamp=self.config.timestamp,
                tool_version=__version__,
                policy=decision["policy"],
                as_of=as_of,
                case_input=case_input,
                decision=decision,
                trace=trace,
                redactor=self.redactor,
            )
        )

    def _reject(
        self,
        exc: DisposalError,
        chunk: Chunk,
        line: int,
        index: int,
        unit: Unit,
        out: ChunkOut,
    ) -> None:
        file, file_kind = chunk.file, chunk.kind
        errors = getattr(exc, "errors", None) or [exc]
        record = _record_name(unit, index, self.header if file_kind == "csv" else ())
        out.rejects.append(
            orjson.dumps(
                {
                    "file": file,
                    "line": line,
                    "record": record,
                    "errors": [
                        {
                            "code": e.code,
                            "field": e.location.field or None,
                            "message": e.message,
                            "hint": e.hint or None,
                        }
                        for e in errors
                    ],
                }
            )
            + b"\n"
        )
        out.stats.rejected += 1


def _cells(unit: Unit, width: int, where: Location) -> list[str]:
    try:
        text = unit.text.decode("utf-8")
    except UnicodeDecodeError:
        raise CaseRecordError("bad-encoding", "the row is not valid UTF-8", where) from None
    try:
        rows = list(csv.reader([text.rstrip("\r\n")], strict=True))
    except csv.Error:
        raise CaseRecordError(
            "broken-quoting",
            "the row's quotes do not balance",
            where,
            "check the quotes in this row",
        ) from None
    cells = rows[0] if rows else []
    if len(cells) != width:
        raise CaseRecordError(
            "malformed-row",
            f"has {len(cells)} cells; the header has {width}",
            where,
            "every row needs one cell per column",
        )
    return cells


def _json_line(unit: Unit, where: Location) -> Any:
    try:
        return orjson.loads(unit.text)
    except orjson.JSONDecodeError:
        try:
            unit.text.decode("utf-8")
        except UnicodeDecodeError:
            raise CaseRecordError("bad-encoding", "the line is not valid UTF-8", where) from None
        raise CaseRecordError("json-syntax", "the line is not valid JSON", where) from None


def _record_name(unit: Unit, index: int, header: tuple[str, ...]) -> str:
    """The record's case_id when it can be read safely, else its position in the run (#n)."""
    name = ""
    raw = unit.raw
    if isinstance(raw, dict) and isinstance(raw.get("case_id"), str):
        name = raw["case_id"]
    elif header[:1] == ("case_id",) and unit.problem is None:
        name = unit.text.split(b",", 1)[0].decode("utf-8", errors="replace").strip()
    safe = safe_name(name) if name else ""
    return safe if safe and safe == name else f"#{index + 1}"


def _csv_line(cells: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue().encode("utf-8")
