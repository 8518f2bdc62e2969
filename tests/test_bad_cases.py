"""One small bad case file per failure mode, driven by one table (STYLE.md example 15).

Each row names a fixture under ``tests/fixtures/bad_cases/``, the stable error code it must
raise, the 1-based line it must point at and, where it applies, the dotted field and a hint.
Every row is checked twice: through the library (``load_cases``) and through the CLI
(``disposal evaluate FIXTURE``: exit code 2, ``error: <path>:<line>`` and the code on stderr,
nothing on stdout, never a traceback). Free text and identifiers in the fixtures hold the
marker ``ZZ-PRIVATE-MARKER``, which must never be echoed (it stands for personal data).

A row whose ``line_gap`` or ``hint_gap`` is set documents a known shortfall of the program:
only that check is marked ``xfail(strict=True)``, so the gap stays visible and the test starts
failing (as XPASS) the day the program is fixed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from disposal import policyset
from disposal.case import References, load_cases
from disposal.cli import app
from disposal.errors import CaseRecordError, DisposalError
from disposal.offences import OffenceTable, OffenceTableModel
from disposal.policyset import PolicySet

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "bad_cases"
MARKER = "ZZ-PRIVATE-MARKER"


@dataclass(frozen=True)
class Bad:
    fixture: str
    code: str
    line: int | None  # None: the error is about the whole file (no line to name)
    field: str = ""
    hint: str = ""
    line_gap: str = ""  # a known shortfall in the line reported: xfail the line checks
    hint_gap: str = ""  # a known shortfall in the hint: xfail the hint check

    def __str__(self) -> str:
        return self.fixture


TABLE = [
    Bad("unknown_key.yaml", "unknown-field", 9, "offender.agee", "did you mean 'age'?"),
    Bad("age_string.yaml", "wrong-type", 8, "offender.age"),
    Bad("ho_code_number.yaml", "wrong-type", 6, "offence.ho_code", 'ho_code: "46"'),
    Bad("duplicate_key.yaml", "duplicate-key", 10),
    Bad("bad_date_feb30.yaml", "bad-date", 4, "decision_date", "YYYY-MM-DD"),
    Bad("bad_date_dmy.yaml", "bad-date", 7, "offence.date", "YYYY-MM-DD"),
    Bad("unknown_ho_code.yaml", "unknown-ho-code", 6, "offence.ho_code", "did you mean '46'?"),
    Bad("unknown_rank.yaml", "unknown-rank", 8, "authorisation.rank", "did you mean 'inspector'?"),
    Bad("bad_enum.yaml", "bad-value", 8, "offender.admission", "did you mean 'full_admission'?"),
    Bad("missing_case_id.yaml", "missing-field", 2, "case_id"),
    Bad("bad_indentation.yaml", "yaml-syntax", 7),
    Bad("unclosed_bracket.yaml", "yaml-syntax", 7),
    Bad("malformed.json", "json-syntax", 5),
    Bad("wrong_type.json", "wrong-type", 7, "offender.age"),
    Bad("empty.yaml", "empty-file", None),
    Bad("list_with_scalar.yaml", "not-a-record", 6),
    Bad("duplicate_case_id.yaml", "duplicate-case-id", 7, "case_id"),
    Bad("not_utf8.yaml", "bad-encoding", 6, hint="UTF-8"),
    Bad("yaml_alias.yaml", "yaml-alias", 7),
    Bad("yaml_tag.yaml", "yaml-tag", 7),
    Bad(
        "yes_no_boolean.yaml",
        "wrong-type",
        7,
        "offence.domestic_abuse",
        "true",
    ),
    Bad("family_conflict.yaml", "family-conflict", 7, "offence.family"),
    Bad("free_text_wrong_type.yaml", "wrong-type", 8, "victim.views"),
]


def test_every_fixture_is_in_the_table() -> None:
    """A fixture nobody runs proves nothing: each file is a row here or used by name below."""
    used_elsewhere = {
        "several_problems.yaml",
        "leak_duplicate_key_in_free_text.yaml",
        "unknown_force.yaml",  # needs the policy's force list: tests/test_cli.py
    }
    on_disk = {p.name for p in FIXTURES.iterdir()}
    assert on_disk == {row.fixture for row in TABLE} | used_elsewhere


def test_not_utf8_fixture_really_is_not_utf8() -> None:
    raw = (FIXTURES / "not_utf8.yaml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


# -- running the library and the CLI once per fixture ----------------------------------------


@pytest.fixture(scope="module", autouse=True)
def parse_the_offence_table_once() -> Iterator[None]:
    """Speed only: each in-process CLI run loads the real policy, whose 138-code offence
    table dominates the load (pure-Python YAML, for line numbers). Here a table with the same
    bytes is parsed once; the profiles are still loaded per run, and the entry-point tests
    run unpatched in a child process."""
    real = policyset.load_offence_table
    models: dict[bytes, OffenceTableModel] = {}

    def load(path: Path) -> OffenceTable:
        try:
            raw = path.read_bytes()
        except OSError:
            return real(path)
        if raw not in models:
            models[raw] = real(path).model
        return OffenceTable(models[raw], str(path))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(policyset, "load_offence_table", load)
        yield


@pytest.fixture(scope="module")
def offences(policy_set: PolicySet) -> tuple[frozenset[str], dict[str, str]]:
    table = policy_set.offences
    return frozenset(table.codes), table.family_of()


def library_errors(
    paths: list[Path], offences: tuple[frozenset[str], dict[str, str]]
) -> list[DisposalError]:
    codes, family_of = offences
    with pytest.raises(DisposalError) as info:
        load_cases(paths, References(codes, family_of))
    return list(getattr(info.value, "errors", [info.value]))


@dataclass(frozen=True)
class CliRun:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None


@cache
def run_cli(*args: str) -> CliRun:
    """``disposal ARGS`` in-process (cached: each fixture is run once for all its checks)."""
    result = CliRunner().invoke(app, list(args))
    return CliRun(result.exit_code, result.stdout, result.stderr, result.exception)


def run_entry_point(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m disposal ARGS`` in a real process, from the worktree (so ./rules is found)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("DISPOSAL_DEBUG", None)
    env.pop("DISPOSAL_RULES", None)
    return subprocess.run(
        [sys.executable, "-m", "disposal", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def with_code(errors: list[DisposalError], code: str) -> list[DisposalError]:
    found = [e for e in errors if e.code == code]
    assert found, f"no {code!r} among {[e.render() for e in errors]}"
    return found


def gap(request: pytest.FixtureRequest, reason: str) -> None:
    if reason:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


# -- the table, through the library ------------------------------------------------------------


@pytest.mark.parametrize("row", TABLE, ids=str)
def test_library_raises_the_code_for_the_field(row: Bad, offences: tuple) -> None:
    errors = library_errors([FIXTURES / row.fixture], offences)
    found = with_code(errors, row.code)
    assert {e.code for e in errors} == {row.code}  # the fixture shows one failure mode only
    assert all(isinstance(e, CaseRecordError) and e.exit_code == 2 for e in errors)
    assert all(e.location.file == str(FIXTURES / row.fixture) for e in found)
    if row.field:
        assert row.field in {e.location.field for e in found}


@pytest.mark.parametrize("row", TABLE, ids=str)
def test_library_names_the_line(row: Bad, offences: tuple, request: pytest.FixtureRequest) -> None:
    gap(request, row.line_gap)
    found = with_code(library_errors([FIXTURES / row.fixture], offences), row.code)
    assert (row.line or 0) in {e.location.line for e in found}


@pytest.mark.parametrize("row", [r for r in TABLE if r.hint], ids=str)
def test_library_gives_the_hint(row: Bad, offences: tuple, request: pytest.FixtureRequest) -> None:
    gap(request, row.hint_gap)
    found = with_code(library_errors([FIXTURES / row.fixture], offences), row.code)
    assert any(row.hint in e.hint for e in found), [e.render() for e in found]


def test_library_errors_never_echo_values(offences: tuple) -> None:
    for row in TABLE:
        for error in library_errors([FIXTURES / row.fixture], offences):
            assert MARKER not in error.render(), row.fixture


# -- the table, through the CLI ----------------------------------------------------------------


@pytest.mark.parametrize("row", TABLE, ids=str)
def test_cli_exits_2_with_the_code_and_no_traceback(row: Bad) -> None:
    run = run_cli("evaluate", str(FIXTURES / row.fixture))
    assert run.exit_code == 2, run.stderr
    assert run.stdout == ""
    assert f"error: {FIXTURES / row.fixture}" in run.stderr
    assert f": {row.code}: " in run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert isinstance(run.exception, SystemExit)  # typer.Exit(2), not an escaping exception
    assert MARKER not in run.stdout + run.stderr


@pytest.mark.parametrize("row", TABLE, ids=str)
def test_cli_names_file_and_line(row: Bad, request: pytest.FixtureRequest) -> None:
    gap(request, row.line_gap)
    run = run_cli("evaluate", str(FIXTURES / row.fixture))
    place = f"{FIXTURES / row.fixture}:{row.line}:" if row.line else f"{FIXTURES / row.fixture}: "
    lines = [ln for ln in run.stderr.splitlines() if f": {row.code}: " in ln]
    assert any(ln.startswith(f"error: {place}") for ln in lines), run.stderr


# The real entry point, in a real process: the no-traceback claim holds for `python -m disposal`,
# not only for typer's test runner.
ENTRY_POINT_ROWS = [
    r
    for r in TABLE
    if r.fixture
    in {"yaml_tag.yaml", "not_utf8.yaml", "malformed.json", "unknown_key.yaml", "empty.yaml"}
]


@pytest.mark.parametrize("row", ENTRY_POINT_ROWS, ids=str)
def test_entry_point_exits_2_without_traceback(row: Bad) -> None:
    rel = f"tests/fixtures/bad_cases/{row.fixture}"
    done = run_entry_point("evaluate", rel)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    place = f"error: {rel}:{row.line}:" if row.line else f"error: {rel}: "
    assert done.stderr.startswith(place), done.stderr
    assert f": {row.code}: " in done.stderr
    assert "Traceback" not in done.stderr
    assert MARKER not in done.stdout + done.stderr


# -- all problems in one run -------------------------------------------------------------------

SEVERAL = FIXTURES / "several_problems.yaml"
SEVERAL_EXPECTED = [
    (4, "bad-date"),
    (6, "unknown-ho-code"),
    (7, "bad-value"),
    (9, "unknown-field"),
    (10, "wrong-type"),
]


def test_several_problems_in_one_file_are_all_reported_sorted_by_line(offences: tuple) -> None:
    errors = library_errors([SEVERAL], offences)
    assert [(e.location.line, e.code) for e in errors] == SEVERAL_EXPECTED
    run = run_cli("evaluate", str(SEVERAL))
    assert run.exit_code == 2
    reported = [ln for ln in run.stderr.splitlines() if ln.startswith("error: ")]
    assert [(int(ln.split(":")[2]), ln.split(": ")[2]) for ln in reported] == SEVERAL_EXPECTED
    assert MARKER not in run.stdout + run.stderr


def test_unknown_ho_code_is_reported_with_the_schema_errors(offences: tuple) -> None:
    errors = library_errors([SEVERAL], offences)
    assert (6, "unknown-ho-code") in [(e.location.line, e.code) for e in errors]


def test_problems_in_several_files_are_all_reported_in_one_run(offences: tuple) -> None:
    names = ["unknown_key.yaml", "malformed.json", "duplicate_key.yaml", "not_utf8.yaml"]
    paths = [FIXTURES / n for n in names]
    errors = library_errors(paths, offences)
    assert [(Path(e.location.file).name, e.code) for e in errors] == [
        ("duplicate_key.yaml", "duplicate-key"),
        ("malformed.json", "json-syntax"),
        ("not_utf8.yaml", "bad-encoding"),
        ("unknown_key.yaml", "unknown-field"),
    ]
    run = run_cli("evaluate", *map(str, paths))
    assert run.exit_code == 2
    assert run.stdout == ""
    assert len([ln for ln in run.stderr.splitlines() if ln.startswith("error: ")]) == 4


def test_a_directory_of_bad_files_reports_every_file(offences: tuple) -> None:
    errors = library_errors([FIXTURES], offences)
    files_with_errors = {Path(e.location.file).name for e in errors}
    # unknown_force.yaml is a valid record as far as loading goes (the force is checked
    # against the policy when the case is decided).
    assert files_with_errors == {p.name for p in FIXTURES.iterdir()} - {"unknown_force.yaml"}


# -- personal data -----------------------------------------------------------------------------


def test_fixtures_carry_the_marker() -> None:
    """The leak checks only mean something if the fixtures hold the marker in free text."""
    holders = [p for p in FIXTURES.iterdir() if MARKER.encode() in p.read_bytes()]
    assert len(holders) >= 20


def test_free_text_of_the_wrong_type_is_not_echoed(offences: tuple) -> None:
    path = FIXTURES / "free_text_wrong_type.yaml"
    (error,) = library_errors([path], offences)
    assert error.code == "wrong-type"
    assert MARKER not in error.render()
    done = run_entry_point("evaluate", str(path.relative_to(ROOT)))
    assert done.returncode == 2
    assert MARKER not in done.stdout + done.stderr


def test_wrong_type_hint_fits_the_field(offences: tuple) -> None:
    (error,) = library_errors([FIXTURES / "free_text_wrong_type.yaml"], offences)
    assert "ho_code" not in error.hint


def test_duplicate_key_inside_free_text_is_not_echoed(offences: tuple) -> None:
    path = FIXTURES / "leak_duplicate_key_in_free_text.yaml"
    errors = library_errors([path], offences)
    assert [e.code for e in errors] == ["duplicate-key"]
    run = run_cli("evaluate", str(path))
    assert run.exit_code == 2
    assert MARKER not in run.stderr
