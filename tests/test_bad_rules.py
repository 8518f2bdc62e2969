"""One small bad rule file per failure mode, applied to a copy of the real policy.

Each fixture under ``tests/fixtures/bad_rules/`` is a patch: it is written into a copy of
``rules/`` in a temporary directory, either as a new file of the national profile
(``profiles/national/<fixture>``) or, for ``overlay_*`` fixtures, as the ``profile.yaml`` of a
new overlay profile ``testforce`` extending national. The policy is then checked through the
library (``PolicySet.load`` + ``check()``) and the CLI (``disposal rules check DIR``); both must
report the row's stable code at ``<file>:<line>`` of the offending entry.

Each fixture must raise its own code and nothing else (``also`` lists companion codes that the
same mistake legitimately raises), which keeps the fixtures small and honest.

``gaps`` documents known shortfalls of the program, keyed by the check they break
(``library``, ``cli``, ``line``, ``hint``): only those checks are ``xfail(strict=True)``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from disposal import policyset
from disposal.cli import app
from disposal.errors import DisposalError, RuleFileError
from disposal.offences import OffenceTable, OffenceTableModel
from disposal.policyset import PolicySet

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
FIXTURES = ROOT / "tests" / "fixtures" / "bad_rules"
NATIONAL = "profiles/national"
OVERLAY = "profiles/testforce/profile.yaml"


@dataclass(frozen=True)
class BadRule:
    fixture: str
    code: str
    line: int
    hint: str = ""
    also: tuple[str, ...] = ()
    gaps: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def suffix(self) -> str:
        """Where the fixture lands in the policy copy, and so the file errors must name."""
        if self.fixture.startswith("overlay_"):
            return OVERLAY
        return f"{NATIONAL}/{self.fixture}"

    def __str__(self) -> str:
        return self.fixture


TABLE = [
    BadRule("unknown_field.yaml", "unknown-field", 7, "did you mean 'offence.value_gbp'?"),
    BadRule("type_mismatch.yaml", "type-mismatch", 7),
    BadRule("bad_literal.yaml", "bad-literal", 7, "one of: none, minor, serious"),
    BadRule("enum_ordering.yaml", "type-mismatch", 7),
    BadRule("free_text_compare.yaml", "free-text-compare", 7),
    BadRule("unknown_operator.yaml", "unknown-operator", 10, "did you mean 'ne'?"),
    BadRule("unknown_parameter.yaml", "unknown-parameter", 7, "did you mean 'minimum_age'?"),
    BadRule(
        "unknown_derived.yaml", "unknown-derived", 7, "did you mean 'derived.offender_is_child'?"
    ),
    BadRule("unused_parameter.yaml", "unused-parameter", 3),
    BadRule("overlapping_rule_dates.yaml", "overlapping-dates", 18),
    BadRule("overlapping_national_rule.yaml", "overlapping-dates", 10),
    BadRule("overlapping_parameter_dates.yaml", "overlapping-dates", 10),
    BadRule("duplicate_key.yaml", "duplicate-key", 8),
    BadRule("malformed_yaml.yaml", "yaml-syntax", 7),
    BadRule("unknown_rank.yaml", "unknown-rank", 6, "did you mean 'inspector'?"),
    BadRule("unknown_rule_key.yaml", "unknown-field", 8, "did you mean 'notes'?"),
    BadRule("effective_to_before_from.yaml", "dates-out-of-order", 10),
    BadRule("bad_date.yaml", "bad-date", 9, "YYYY-MM-DD"),
    BadRule("derive_cycle.yaml", "derive-cycle", 3),
    BadRule("duplicate_derivation.yaml", "duplicate-derivation", 3),
    BadRule("missing_message.yaml", "missing-message", 3),
    BadRule("bad_outcome.yaml", "bad-outcome", 6),
    BadRule("bad_effect.yaml", "bad-effect", 6),
    BadRule("rule_too_complex.yaml", "rule-too-complex", 3),
    BadRule(
        "overlay_withdraw_without_reason.yaml",
        "withdraw-without-reason",
        13,
        "reason",
        also=("withdraw-without-source",),
    ),
    BadRule("overlay_withdraw_unknown_rule.yaml", "unknown-rule", 13, "did you mean 'NAT-VIC-0"),
    BadRule("overlay_unknown_profile.yaml", "unknown-profile", 6, "did you mean 'national'?"),
    BadRule("overlay_profile_id_mismatch.yaml", "profile-id-mismatch", 3),
]


def test_every_fixture_is_in_the_table() -> None:
    assert {p.name for p in FIXTURES.iterdir()} == {row.fixture for row in TABLE}


# -- applying fixtures and running the checks (once per fixture) -------------------------------


def apply(fixtures: list[str], dest: Path) -> Path:
    """A copy of the real rules/ with each fixture written into its place."""
    root = dest / "rules"
    shutil.copytree(RULES, root)
    for name in fixtures:
        row = next(r for r in TABLE if r.fixture == name)
        target = root / row.suffix
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / name, target)
    return root


def policy_errors(root: Path) -> list[DisposalError]:
    """Everything the library's full check reports, as ``disposal rules check`` does."""
    return PolicySet.check_directory(root)


@dataclass(frozen=True)
class CliRun:
    exit_code: int
    stdout: str
    stderr: str


def cli_check(root: Path) -> CliRun:
    result = CliRunner().invoke(app, ["rules", "check", str(root)])
    return CliRun(result.exit_code, result.stdout, result.stderr)


class Runs:
    """Per-fixture results, computed once for the library and once for the CLI."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self.factory = factory
        self.roots: dict[str, Path] = {}
        self.lib: dict[str, list[DisposalError] | Exception] = {}
        self.cli: dict[str, CliRun] = {}

    def root(self, row: BadRule) -> Path:
        if row.fixture not in self.roots:
            self.roots[row.fixture] = apply([row.fixture], self.factory.mktemp("policy"))
        return self.roots[row.fixture]

    def library(self, row: BadRule) -> list[DisposalError]:
        if row.fixture not in self.lib:
            try:
                self.lib[row.fixture] = policy_errors(self.root(row))
            except Exception as exc:  # a crash is a finding: re-raised by every check
                self.lib[row.fixture] = exc
        result = self.lib[row.fixture]
        if isinstance(result, Exception):
            raise result
        return result

    def command(self, row: BadRule) -> CliRun:
        if row.fixture not in self.cli:
            self.cli[row.fixture] = cli_check(self.root(row))
        return self.cli[row.fixture]


@pytest.fixture(scope="module", autouse=True)
def parse_the_offence_table_once() -> Iterator[None]:
    """Speed only: every policy copy holds the same 138-code offences.yaml, whose pure-Python
    YAML parse dominates each load. In this process, a table with the same bytes is parsed
    once and re-wrapped with the copy's path; every rule file is still loaded for real, and
    the entry-point test below runs unpatched in a child process."""
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
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    return Runs(tmp_path_factory)


def gap(request: pytest.FixtureRequest, row: BadRule, *checks: str) -> None:
    reasons = [row.gaps[c] for c in checks if c in row.gaps]
    if reasons:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reasons[0]))


def with_code(errors: list[DisposalError], code: str) -> list[DisposalError]:
    found = [e for e in errors if e.code == code]
    assert found, f"no {code!r} among {[e.render() for e in errors]}"
    return found


# -- the table, through the library ------------------------------------------------------------


@pytest.mark.parametrize("row", TABLE, ids=str)
def test_library_reports_exactly_the_code(
    row: BadRule, runs: Runs, request: pytest.FixtureRequest
) -> None:
    gap(request, row, "library")
    errors = runs.library(row)
    with_code(errors, row.code)
    assert {e.code for e in errors} == {row.code, *row.also}
    assert all(isinstance(e, RuleFileError) and e.exit_code == 2 for e in errors)


@pytest.mark.parametrize("row", TABLE, ids=str)
def test_library_names_file_and_line(
    row: BadRule, runs: Runs, request: pytest.FixtureRequest
) -> None:
    gap(request, row, "library", "line")
    found = with_code(runs.library(row), row.code)
    places = {(e.location.file, e.location.line) for e in found}
    assert (str(runs.root(row) / row.suffix), row.line) in places


@pytest.mark.parametrize("row", [r for r in TABLE if r.hint], ids=str)
def test_library_gives_the_hint(row: BadRule, runs: Runs, request: pytest.FixtureRequest) -> None:
    gap(request, row, "library", "hint")
    found = with_code(runs.library(row), row.code)
    assert any(row.hint in e.hint for e in found), [e.render() for e in found]


# -- the table, through the CLI ----------------------------------------------------------------


@pytest.mark.parametrize("row", TABLE, ids=str)
def test_cli_exits_2_with_the_code(
    row: BadRule, runs: Runs, request: pytest.FixtureRequest
) -> None:
    gap(request, row, "cli")
    run = runs.command(row)
    assert run.exit_code == 2, run.stderr
    assert run.stdout == ""
    assert f": {row.code}: " in run.stderr
    assert "Traceback" not in run.stderr
    assert all(ln.startswith("error: ") for ln in run.stderr.splitlines())


@pytest.mark.parametrize("row", TABLE, ids=str)
def test_cli_names_file_and_line(row: BadRule, runs: Runs, request: pytest.FixtureRequest) -> None:
    gap(request, row, "cli", "line")
    run = runs.command(row)
    place = f"error: {runs.root(row) / row.suffix}:{row.line}:"
    assert any(
        ln.startswith(place) and f": {row.code}: " in ln for ln in run.stderr.splitlines()
    ), run.stderr


# -- the real policy, and several problems at once ---------------------------------------------


def test_real_rules_check_ok_on_the_entry_point() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("DISPOSAL_RULES", None)
    done = subprocess.run(
        [sys.executable, "-m", "disposal", "rules", "check", "rules"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: ")
    assert done.stderr == ""


def test_real_rules_library_check_is_clean(policy_set: PolicySet) -> None:
    assert policy_set.check() == []


def located(errors: list[DisposalError], root: Path) -> list[tuple[str, int, str]]:
    return [(str(Path(e.location.file).relative_to(root)), e.location.line, e.code) for e in errors]


def test_type_errors_in_several_files_are_all_reported_sorted(tmp_path: Path) -> None:
    names = [
        "unknown_parameter.yaml",
        "unknown_field.yaml",
        "free_text_compare.yaml",
        "type_mismatch.yaml",
    ]
    root = apply(names, tmp_path)
    expected = [
        (f"{NATIONAL}/free_text_compare.yaml", 7, "free-text-compare"),
        (f"{NATIONAL}/type_mismatch.yaml", 7, "type-mismatch"),
        (f"{NATIONAL}/unknown_field.yaml", 7, "unknown-field"),
        (f"{NATIONAL}/unknown_parameter.yaml", 7, "unknown-parameter"),
    ]
    errors = policy_errors(root)
    assert sorted(located(errors, root)) == expected
    run = cli_check(root)
    assert run.exit_code == 2
    reported = [ln.split(": ")[2] for ln in run.stderr.splitlines()]
    assert reported == [code for _, _, code in expected]


def test_file_errors_in_several_files_are_all_reported_sorted(tmp_path: Path) -> None:
    names = ["unknown_rule_key.yaml", "malformed_yaml.yaml", "bad_date.yaml", "duplicate_key.yaml"]
    root = apply(names, tmp_path)
    errors = policy_errors(root)
    assert [(f, c) for f, _, c in located(errors, root)] == [
        (f"{NATIONAL}/bad_date.yaml", "bad-date"),
        (f"{NATIONAL}/duplicate_key.yaml", "duplicate-key"),
        (f"{NATIONAL}/malformed_yaml.yaml", "yaml-syntax"),
        (f"{NATIONAL}/unknown_rule_key.yaml", "unknown-field"),
    ]
    run = cli_check(root)
    assert run.exit_code == 2
    assert len(run.stderr.splitlines()) == 4


def test_problems_of_different_kinds_in_several_files_are_all_reported(tmp_path: Path) -> None:
    root = apply(["unknown_operator.yaml", "unused_parameter.yaml", "unknown_field.yaml"], tmp_path)
    codes = {c for _, _, c in located(policy_errors(root), root)}
    assert codes == {"unknown-operator", "unused-parameter", "unknown-field"}


def test_an_overlap_across_files_is_reported_once(runs: Runs) -> None:
    row = next(r for r in TABLE if r.fixture == "overlapping_national_rule.yaml")
    assert len(runs.library(row)) == 1
