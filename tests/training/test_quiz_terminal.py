"""``disposal train`` in a real pseudo-terminal, driven as a trainee would drive it.

Each test starts ``python -m disposal train`` on the slave side of a pty, reads what it prints
and types answers on the master side: an invalid answer (asked again), a wrong answer (marked
and explained), Ctrl-D (end of input: exit 0) and Ctrl-C (SIGINT: exit 130). Every test checks
that the results file holds exactly the questions answered so far. Reads are bounded by
timeouts, so a hung quiz fails the test instead of hanging the suite.
"""

from __future__ import annotations

import csv
import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.training.test_training_cli import copy_scenarios, letter, wrong_letter

TIMEOUT = 30.0

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")


def _terminal_signals() -> None:
    """Give the quiz the signal dispositions of a terminal's foreground job.

    A shell without job control (a CI script, ``make test &``) starts background commands with
    SIGINT ignored, and children inherit that; Python then keeps ignoring it, so Ctrl-C could
    not reach the quiz however the quiz handles it. A trainee's terminal never does this.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """A child process on a pty: ``expect`` text, ``type`` answers."""

    def __init__(self, *args: str) -> None:
        master, slave = pty.openpty()
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONUNBUFFERED": "1"}
        env.pop("DISPOSAL_DEBUG", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "disposal", "train", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=ROOT,
            env=env,
            close_fds=True,
            preexec_fn=_terminal_signals,  # noqa: PLW1509 - only resets a signal
        )
        os.close(slave)
        self.master = master
        self.seen = ""

    def expect(self, text: str, timeout: float = TIMEOUT) -> str:
        """Read until ``text`` has appeared after what earlier calls consumed."""
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {text!r}; got:\n{self.seen[-2000:]}")
            ready, _, _ = select.select([self.master], [], [], min(left, 0.5))
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # the child closed the terminal
                    chunk = b""
                if not chunk:
                    if text not in self.seen:
                        raise AssertionError(f"ended before {text!r}:\n{self.seen[-2000:]}")
                    break
                self.seen += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        before, _, after = self.seen.partition(text)
        self.seen = after
        return before + text

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\n")

    def send(self, raw: bytes) -> None:
        os.write(self.master, raw)

    def interrupt(self) -> None:
        """Ctrl-C at the prompt, as SIGINT to the quiz process.

        CPython notices a signal when the blocking read of ``input()`` is interrupted; one that
        lands between printing the prompt and starting the read is only seen when the read
        returns. A trainee pressing Ctrl-C is never that quick, so wait until the quiz is
        reading, and signal again if it is still running (it ends at the first it notices).
        """
        time.sleep(0.5)
        for _ in range(10):
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=2.0)
                return
            except subprocess.TimeoutExpired:
                continue

    def finish(self, timeout: float = TIMEOUT) -> tuple[int, str]:
        """Wait for the exit and return the exit code and the rest of the output."""
        rest = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                rest.append(chunk.decode("utf-8", "replace"))
            elif self.proc.poll() is not None:
                break
        code = self.proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        return code, self.seen + "".join(rest).replace("\r\n", "\n")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        os.close(self.master)


@pytest.fixture
def quiz(tmp_path: Path) -> Iterator[tuple[Terminal, Path]]:
    library = tmp_path / "scenarios"
    library.mkdir()
    copy_scenarios(library, "TRN-001", "TRN-035")
    results = tmp_path / "results.csv"
    term = Terminal(str(library), "--results", str(results), "--trainee", "PC Pty")
    try:
        yield term, results
    finally:
        term.close()


def rows(results: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(results.open(encoding="utf-8")))


def answer_first_question(term: Terminal) -> None:
    term.expect("Question 1 of 2: TRN-001")
    term.expect("Decision [1-4]: ")
    term.type("9")  # invalid: asked again with a hint
    term.expect("Please answer with a number from 1 to 4.")
    term.expect("Decision [1-4]: ")
    term.type("1")
    term.expect("Main reason [a-d]: ")
    term.type(letter("TRN-001"))
    term.expect("Correct. (decision right, main reason right)")


def test_a_whole_quiz_with_an_invalid_and_a_wrong_answer(quiz: tuple[Terminal, Path]) -> None:
    term, results = quiz
    answer_first_question(term)
    term.expect("Question 2 of 2: TRN-035")
    term.expect("Decision [1-4]: ")
    term.type("2")
    term.expect("Rank [1-5]: ")
    term.type("1")  # sergeant: wrong, an Inspector is needed
    term.expect("Main reason [a-d]: ")
    term.type(wrong_letter("TRN-035"))
    explained = term.expect("Learning points:")
    assert "Not quite. (decision wrong, main reason wrong)" in explained
    assert "The answer: REQUIRES AUTHORISATION: inspector or above" in explained
    assert "Main reason: Prolific or priority offender needs an Inspector" in explained
    assert "Source:" in explained
    code, rest = term.finish()
    assert code == 0, rest
    assert "Score: 1 of 2 answered fully correct (decision right in 1)" in rest
    assert "Topics to revisit: authorisation, history, theft" in rest
    assert "Traceback" not in rest
    got = rows(results)
    assert [(r["scenario"], r["correct"], r["trainee"]) for r in got] == [
        ("TRN-001", "true", "PC Pty"),
        ("TRN-035", "false", "PC Pty"),
    ]


def test_ctrl_d_ends_the_quiz_cleanly_with_the_answers_so_far(
    quiz: tuple[Terminal, Path],
) -> None:
    term, results = quiz
    answer_first_question(term)
    term.expect("Decision [1-4]: ")
    term.send(b"\x04")  # Ctrl-D at an empty prompt: end of input
    code, rest = term.finish()
    assert code == 0, rest
    assert "End of input: the quiz stops here." in rest
    assert "Score: 1 of 1 answered fully correct" in rest
    assert "Traceback" not in rest
    assert [r["scenario"] for r in rows(results)] == ["TRN-001"]


def test_ctrl_c_interrupts_the_quiz_cleanly_with_the_answers_so_far(
    quiz: tuple[Terminal, Path],
) -> None:
    term, results = quiz
    answer_first_question(term)
    term.expect("Decision [1-4]: ")
    term.type("2")
    term.expect("Rank [1-5]: ")
    term.interrupt()
    code, rest = term.finish()
    assert code == 130, rest
    assert "Interrupted: the quiz stops here." in rest
    assert "Score: 1 of 1 answered fully correct" in rest
    assert "Traceback" not in rest
    assert [r["scenario"] for r in rows(results)] == ["TRN-001"]
