"""Answer sheets for assessments: ``disposal train --answers FILE`` marks them non-interactively.

A sheet is YAML or CSV. YAML::

    trainee: PC 4471              # optional; --trainee overrides it
    answers:
      - {scenario: TRN-001, decision: permitted, reason: none}
      - {scenario: TRN-009, decision: requires_authorisation, rank: inspector, reason: NAT-SEX-02}

CSV: a header ``scenario,decision,rank,reason`` and one row per answer. ``decision`` is a
contract value (or its words); ``rank`` a rank; ``reason`` a rule id, a rule's title, or
``none`` ("no rule bars or restricts it"). An unknown scenario id, decision, rank or rule id is
a located input error with a did-you-mean; a reason in words that matches no rule title is
simply marked wrong.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from disposal.errors import DisposalError, Location, did_you_mean, raise_all
from disposal.source import load_document
from disposal.training.marking import (
    NO_RULE,
    Answer,
    Mark,
    Question,
    expected_answer,
    given_answer,
    mark,
    parse_decision,
    parse_rank,
    title_of,
)
from disposal.training.scenario import ScenarioError

_RULE_ID = re.compile(r"^[A-Z]+(-[A-Z0-9]+)+$")
_FIELDS = ("scenario", "decision", "rank", "reason")


@dataclass(frozen=True)
class SheetRow:
    scenario: str
    decision: str
    rank: str
    reason: str
    where: Location


@dataclass(frozen=True)
class Sheet:
    trainee: str
    rows: tuple[SheetRow, ...]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _row(item: Mapping[str, Any], where: Location) -> SheetRow:
    scenario, decision, rank, reason = (_text(item.get(f)) for f in _FIELDS)
    return SheetRow(scenario, decision, rank, reason, where)


def load_sheet(path: Path) -> Sheet:
    if path.suffix.lower() == ".csv":
        return _load_csv(path)
    doc = load_document(path, ScenarioError)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("answers"), list):
        raise ScenarioError(
            "bad-answer-sheet",
            "an answer sheet is a mapping with an 'answers' list",
            doc.locate(),
            "see docs/TRAINING.md for the format",
        )
    errors: list[DisposalError] = []
    unknown = set(data) - {"trainee", "answers"}
    errors += [
        ScenarioError("unknown-field", "is not a recognised field here", doc.locate((k,)), "")
        for k in sorted(map(str, unknown))
    ]
    rows: list[SheetRow] = []
    for i, item in enumerate(data["answers"]):
        where = doc.locate(("answers", i), field_name=f"answers[{i}]")
        if not isinstance(item, dict) or set(map(str, item)) - set(_FIELDS):
            errors.append(
                ScenarioError(
                    "bad-answer",
                    "each answer is a mapping of scenario, decision, rank and reason",
                    where,
                )
            )
            continue
        rows.append(_row(item, where))
    raise_all(errors)
    return Sheet(_text(data.get("trainee")), tuple(rows))


def _load_csv(path: Path) -> Sheet:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ScenarioError("file-not-found", "file does not exist", Location(str(path))) from None
    except OSError as exc:
        raise ScenarioError(
            "unreadable-file", f"cannot read file ({exc.strerror})", Location(str(path))
        ) from None
    except UnicodeDecodeError:
        raise ScenarioError(
            "bad-encoding", "file is not valid UTF-8", Location(str(path))
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if "scenario" not in header or "decision" not in header:
        raise ScenarioError(
            "bad-answer-sheet",
            "the CSV header must name at least the columns scenario and decision",
            Location(str(path), 1),
            "columns: scenario,decision,rank,reason",
        )
    rows = [_row(row, Location(str(path), reader.line_num, field="scenario")) for row in reader]
    return Sheet("", tuple(rows))


def answers_for(sheet: Sheet, questions: Mapping[str, Question]) -> list[tuple[Question, Answer]]:
    """Check every row against the scenarios given; collect all problems, then raise."""
    errors: list[DisposalError] = []
    out: list[tuple[Question, Answer]] = []
    seen: set[str] = set()
    for row in sheet.rows:
        q = questions.get(row.scenario)
        if q is None:
            errors.append(
                ScenarioError(
                    "unknown-scenario",
                    "is not the id of a scenario in the files given",
                    _at(row, "scenario"),
                    did_you_mean(row.scenario, questions),
                )
            )
            continue
        if row.scenario in seen:
            errors.append(
                ScenarioError("duplicate-answer", "this scenario is answered twice", row.where)
            )
        seen.add(row.scenario)
        answer = _answer(row, q, errors)
        if answer is not None:
            out.append((q, answer))
    raise_all(errors)
    return out


def _at(row: SheetRow, field: str) -> Location:
    w = row.where
    return Location(w.file, w.line, w.col, row.scenario, field)


def _answer(row: SheetRow, q: Question, errors: list[DisposalError]) -> Answer | None:
    decision = parse_decision(row.decision) if row.decision else None
    if decision is None:
        errors.append(
            ScenarioError(
                "bad-value",
                "must be permitted, requires_authorisation, not_permitted or"
                " insufficient_information",
                _at(row, "decision"),
            )
        )
    rank = parse_rank(row.rank) if row.rank else None
    if row.rank and rank is None:
        ranks = ["sergeant", "inspector", "chief_inspector", "superintendent"]
        errors.append(
            ScenarioError(
                "unknown-rank",
                "is not a police rank",
                _at(row, "rank"),
                did_you_mean(row.rank.lower(), ranks),
            )
        )
    reason = _reason(row, q, errors)
    return Answer(decision, rank, reason) if decision is not None else None


def _reason(row: SheetRow, q: Question, errors: list[DisposalError]) -> str | None:
    text = row.reason
    if not text:
        return None
    if text.lower() == NO_RULE:
        return NO_RULE
    ids = [r.id for r in q.loaded.policy.rules]
    if _RULE_ID.match(text):
        if text not in ids:
            errors.append(
                ScenarioError(
                    "unknown-rule",
                    f"is not a rule of {q.loaded.policy.name}",
                    _at(row, "reason"),
                    did_you_mean(text, ids),
                )
            )
        return text
    by_title = {r.title.lower(): r.id for r in q.loaded.policy.rules}
    return by_title.get(text.lower(), text)


def mark_sheet(pairs: Sequence[tuple[Question, Answer]]) -> list[Mark]:
    return [mark(q, a) for q, a in pairs]


def render_marked(marks: Sequence[Mark], unanswered: int = 0) -> list[str]:
    """The marked sheet: each answer with its marks and the expected answer, then the score."""
    lines = ["Marked answer sheet"]
    for m in marks:
        loaded = m.question.loaded
        tick = "✔" if m.correct else "✘"
        lines.append(f"{tick} {loaded.id} {loaded.scenario.title}")
        lines.append(f"    answer:   {given_answer(m.answer, loaded)}")
        if not m.correct:
            lines.append(f"    expected: {expected_answer(m.question)}")
            lines.append(f"    reason:   {title_of(loaded, m.question.main_reason)}")
            lines.append(
                f"    decision {'right' if m.decision_correct else 'wrong'}, "
                f"main reason {'right' if m.reason_correct else 'wrong'}"
            )
    correct = sum(m.correct for m in marks)
    decisions = sum(m.decision_correct for m in marks)
    lines.append(f"Score: {correct} of {len(marks)} fully correct (decision right in {decisions}).")
    wrong = sorted(
        {t.value for m in marks if not m.correct for t in m.question.loaded.scenario.topics}
    )
    lines.append("Topics to revisit: " + (", ".join(t.replace("_", " ") for t in wrong) or "none"))
    if unanswered:
        lines.append(f"{unanswered} scenario(s) in the files given are not on the sheet.")
    return lines
