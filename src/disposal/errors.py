"""One exception family for the whole tool, split by the phase that raises it.

Every error carries structured fields (a stable ``code``, a ``Location`` and an optional ``hint``)
so that tests assert on codes rather than prose, and so that the CLI can render them the same
way everywhere. Messages are built from locations, field names and types only: never from the
values in a case record, which may be personal data about victims and children.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """Where an error is: file, 1-based line and column, the record and the dotted field."""

    file: str = ""
    line: int = 0
    col: int = 0
    record: str = ""
    field: str = ""

    def __str__(self) -> str:
        place = self.file or "<input>"
        if self.line:
            place += f":{self.line}"
            if self.col:
                place += f":{self.col}"
        extras = []
        if self.record:
            extras.append(f"record {self.record}")
        if self.field:
            extras.append(f"field '{self.field}'")
        return place + (f" ({', '.join(extras)})" if extras else "")


class DisposalError(Exception):
    """Base of every error this tool raises on purpose."""

    phase = "tool"
    exit_code = 2

    def __init__(
        self, code: str, message: str, location: Location | None = None, hint: str = ""
    ) -> None:
        self.code = code
        self.message = message
        self.location = location or Location()
        self.hint = hint
        super().__init__(self.render())

    def __reduce__(self) -> tuple[object, ...]:
        # picklable, so errors found while reading travel to review worker processes
        return (type(self), (self.code, self.message, self.location, self.hint))

    def render(self) -> str:
        text = f"{self.location}: {self.code}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class InputError(DisposalError):
    """Bad input of any kind: the user can fix it; exit code 2."""

    phase = "input"


class RuleFileError(InputError):
    """A policy, parameter, offence-table or audit configuration file is invalid."""

    phase = "rules"


class CaseRecordError(InputError):
    """A case record (or the file holding it) is invalid."""

    phase = "case"


class EngineError(DisposalError):
    """The rules engine misbehaved on a valid case: a policy conflict or an engine fault.

    Not bad input: exit code 3, and a batch review stops rather than count the case as a
    rejected record (a disagreement between the engines must never pass as a data problem).
    """

    phase = "engine"
    exit_code = 3


class ErrorGroup(InputError):
    """Several errors found in one pass, reported together and sorted by place."""

    def __init__(self, errors: Sequence[DisposalError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.location, e.code))
        first = self.errors[0] if self.errors else None
        super().__init__(
            first.code if first else "errors",
            f"{len(self.errors)} error(s)",
            first.location if first else None,
        )
        self.phase = first.phase if first else "input"

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.errors,))

    def render(self) -> str:
        return "\n".join(e.render() for e in getattr(self, "errors", []))


def as_exception(errors: Sequence[DisposalError]) -> DisposalError:
    """The single error, or a group of several (``errors`` must not be empty)."""
    return errors[0] if len(errors) == 1 else ErrorGroup(errors)


def raise_all(errors: Sequence[DisposalError]) -> None:
    """Raise nothing, the single error, or a group: callers collect first, then call this."""
    if errors:
        raise as_exception(errors)


_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-/]{0,59}$")


def safe_name(name: object) -> str:
    """A key or name from user input, or a placeholder when it does not look like a field name.

    Keys are normally field names, but a value mistakenly written as a mapping makes its text a
    key; echoing that could leak personal data into messages and logs.
    """
    text = str(name)
    return text if _SAFE_NAME.match(text) else "<unrecognised key>"


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A hint naming the closest valid spelling, or an empty string when nothing is close."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
