"""The interactive quiz (``disposal train``) and the results sheet it appends to.

Plain ``input()``/``print`` through a small ``Console`` so the quiz works in a terminal, on a
pipe and under test. Each question shows the title and narrative (never the case file), then
asks for the decision, the rank when authorisation is needed, and the main reason; invalid
input is asked again with a hint. After each answer the correct one is explained.

Ending early: Ctrl-D (end of input) ends the quiz normally (exit 0); Ctrl-C ends it as
interrupted (exit 130, the shell's convention). Either way the summary of the questions
answered so far is printed, and every answered question is already in the results file: a
row is written and flushed as soon as a question is marked.
"""

from __future__ import annotations

import csv
import os
import random
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

from disposal.errors import InputError, Location
from disposal.training.marking import (
    DECISION_LABELS,
    DECISIONS,
    SUPERVISOR_RANKS,
    Answer,
    Mark,
    Question,
    build_question,
    explanation,
    mark,
    parse_decision,
    parse_rank,
    plain,
)
from disposal.training.scenario import LoadedScenario
from disposal.vocab import Decision

RESULT_COLUMNS = (
    "timestamp",
    "trainee",
    "scenario",
    "answer_decision",
    "answer_rank",
    "answer_reason",
    "correct",
    "decision_correct",
    "reason_correct",
    "seconds",
)
_LETTERS = "abcd"


class Console(Protocol):
    def ask(self, prompt: str) -> str: ...  # raises EOFError / KeyboardInterrupt
    def say(self, text: str = "") -> None: ...


@dataclass
class StdConsole:
    """The real terminal (or pipe)."""

    ask_fn: Callable[[str], str] = input
    say_fn: Callable[[str], None] = print

    def ask(self, prompt: str) -> str:
        return self.ask_fn(prompt)

    def say(self, text: str = "") -> None:
        self.say_fn(text)


def _cell(text: str) -> str:
    """Neutralise spreadsheet formulas in free text written to the CSV."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class ResultsSheet:
    """Appends one CSV row per marked answer (header once), flushed to disk straight away."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._file: IO[str] | None = None
        self._writer: Any = None  # a csv writer once the file is open

    def __enter__(self) -> ResultsSheet:
        if self.path is not None:
            new = not self.path.exists() or self.path.stat().st_size == 0
            try:
                self._file = self.path.open("a", encoding="utf-8", newline="")
            except OSError as exc:
                raise InputError(
                    "unwritable-file",
                    f"cannot write the results file ({exc.strerror})",
                    Location(str(self.path), field="--results"),
                ) from None
            self._writer = csv.writer(self._file)
            if new:
                self._write(list(RESULT_COLUMNS))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()

    def _write(self, row: list[str]) -> None:
        assert self._file is not None
        assert self._writer is not None
        self._writer.writerow(row)
        self._file.flush()
        os.fsync(self._file.fileno())

    def append(self, trainee: str, m: Mark) -> None:
        if self._writer is None:
            return
        a = m.answer
        self._write(
            [
                datetime.now(UTC).isoformat(timespec="seconds"),
                _cell(trainee),
                m.question.id,
                a.decision.value if a.decision else "",
                a.rank.value if a.rank else "",
                _cell(a.reason or ""),
                str(m.correct).lower(),
                str(m.decision_correct).lower(),
                str(m.reason_correct).lower(),
                f"{m.seconds:.1f}",
            ]
        )


@dataclass
class QuizSummary:
    total: int
    marks: list[Mark] = field(default_factory=list)
    ended: str = "complete"  # complete | eof | interrupted

    @property
    def correct(self) -> int:
        return sum(m.correct for m in self.marks)

    @property
    def decisions_correct(self) -> int:
        return sum(m.decision_correct for m in self.marks)

    def topics_to_revisit(self) -> list[str]:
        topics = {
            t.value for m in self.marks if not m.correct for t in m.question.loaded.scenario.topics
        }
        return sorted(topics)


def summary_lines(summary: QuizSummary) -> list[str]:
    answered = len(summary.marks)
    lines = [
        f"Score: {summary.correct} of {answered} answered fully correct "
        f"(decision right in {summary.decisions_correct}); {summary.total} question(s) set.",
    ]
    for m in summary.marks:
        tick = "✔" if m.correct else "✘"
        lines.append(f"  {tick} {m.question.id} {m.question.loaded.scenario.title}")
    topics = summary.topics_to_revisit()
    lines.append("Topics to revisit: " + (", ".join(plain(t) for t in topics) or "none"))
    return lines


def _ask_until(console: Console, prompt: str, parse: Callable[[str], object], hint: str) -> object:
    while True:
        value = parse(console.ask(prompt))
        if value is not None:
            return value
        console.say(f"  Please answer {hint}.")


def present(console: Console, number: int, total: int, q: Question, profile_title: str) -> None:
    s = q.loaded.scenario
    console.say("")
    console.say(f"Question {number} of {total}: {s.id} [{s.difficulty.value}] {s.title}")
    console.say(f"Policy: {profile_title}, decision date {s.date.isoformat()}")
    console.say("")
    for para in s.narrative.strip().split("\n\n"):
        console.say(textwrap.fill(" ".join(para.split()), width=88))
        console.say("")


def ask_answer(console: Console, q: Question) -> Answer:
    console.say("What is the decision?")
    for i, d in enumerate(DECISIONS, 1):
        console.say(f"  {i}) {DECISION_LABELS[d]}")
    decision = _ask_until(console, "Decision [1-4]: ", parse_decision, "with a number from 1 to 4")
    assert isinstance(decision, Decision)
    rank = None
    if decision is Decision.REQUIRES_AUTHORISATION:
        console.say("Which rank (at least) must authorise it?")
        for i, r in enumerate(SUPERVISOR_RANKS, 1):
            console.say(f"  {i}) {plain(r.value)}")
        rank = _ask_until(
            console,
            f"Rank [1-{len(SUPERVISOR_RANKS)}]: ",
            lambda t: parse_rank(t, numbered=True),
            f"with a number from 1 to {len(SUPERVISOR_RANKS)} or a rank's name",
        )
    console.say("What is the main reason?")
    letters = _LETTERS[: len(q.choices)]
    for letter, (_, title) in zip(letters, q.choices, strict=False):
        console.say(f"  {letter}) {title}")
    pick = _ask_until(
        console,
        f"Main reason [{letters[0]}-{letters[-1]}]: ",
        lambda t: t.strip().lower() if t.strip().lower() in letters and t.strip() else None,
        f"with one letter from {letters[0]} to {letters[-1]}",
    )
    reason = q.choices[letters.index(str(pick))][0]
    return Answer(decision, rank, reason)  # type: ignore[arg-type]


def run_quiz(
    console: Console,
    questions: Sequence[Question],
    sheet: ResultsSheet,
    trainee: str,
    profile_titles: dict[str, str],
    clock: Callable[[], float] = time.monotonic,
) -> QuizSummary:
    """Ask every question; end cleanly on end of input or Ctrl-C with what was answered."""
    summary = QuizSummary(total=len(questions))
    try:
        for n, q in enumerate(questions, 1):
            title = profile_titles.get(q.loaded.scenario.profile, q.loaded.scenario.profile)
            present(console, n, len(questions), q, title)
            started = clock()
            answer = ask_answer(console, q)
            m = mark(q, answer, clock() - started)
            sheet.append(trainee, m)
            summary.marks.append(m)
            console.say("")
            for line in explanation(m):
                console.say(line)
    except EOFError:
        summary.ended = "eof"
        console.say("")
        console.say("End of input: the quiz stops here.")
    except KeyboardInterrupt:
        summary.ended = "interrupted"
        console.say("")
        console.say("Interrupted: the quiz stops here.")
    console.say("")
    for line in summary_lines(summary):
        console.say(line)
    if sheet.path is not None:
        console.say(f"Results of {len(summary.marks)} answer(s) appended to {sheet.path}")
    return summary


def select_questions(
    scenarios: Sequence[LoadedScenario],
    count: int | None = None,
    shuffle: bool = False,
    seed: int | None = None,
) -> list[Question]:
    """The questions to ask: the scenarios in file order (or shuffled), at most ``count``.

    ``seed`` makes the shuffle repeatable; the reason choices of each question are always
    seeded by the scenario id (and ``seed``, default 0), so a trainer can reproduce them.
    """
    chosen = list(scenarios)
    if shuffle:
        random.Random(seed).shuffle(chosen)
    if count is not None:
        chosen = chosen[:count]
    return [build_question(s, seed or 0) for s in chosen]
