"""``disposal rules diff``: what changed between two policy versions, and whose decision flips.

The national profile changes on 2022-01-01 (ACPO 2012 -> NPCC 2022): ``accepted_admissions``
gains acceptance of responsibility and ``victim_no_consent_effect`` goes from ``sergeant`` to
``warn``, which switches NAT-VIC-04 off and NAT-VIC-03 on. Cases are built from
``complete_case`` with one fact changed. CLI runs that evaluate cases use a real process (as in
``test_cli``), so the durable_rules engine of the CLI stays out of the test process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from disposal.case import load_cases
from disposal.cli import app
from disposal.diffrender import render_text, to_data
from disposal.errors import InputError
from disposal.policydiff import FlipReport, diff_versions, flips
from disposal.policyset import PolicySet
from disposal.service import Evaluator
from tests.conftest import RULES, complete_case

ROOT = Path(__file__).resolve().parents[1]
OVERLAY = ROOT / "tests" / "fixtures" / "book" / "testforce"
ACPO_LAST, NPCC_FIRST = date(2021, 12, 31), date(2022, 1, 1)
CASES = {
    "P-ADMISSION": {"offender": {"admission": "accepts_responsibility"}},
    "P-CONSENT": {"victim": {"consents": False}},
    "P-SAME": {},
    "P-VULNERABLE": {"victim": {"vulnerable": True}},
}


@pytest.fixture(scope="module")
def case_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("diff") / "cases.yaml"
    records = [complete_case(case_id=cid, **over) for cid, over in CASES.items()]
    path.write_text(yaml.safe_dump(records, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def national_flips(evaluator: Evaluator, policy_set: PolicySet, case_file: Path) -> FlipReport:
    cases = load_cases([case_file], policy_set.references())
    return flips(evaluator, cases, "national", ACPO_LAST, NPCC_FIRST)


def copy_rules(root: Path, overlay: bool = False) -> Path:
    target = root / "rules"
    shutil.copytree(RULES, target)
    if overlay:
        shutil.copytree(OVERLAY, target / "profiles" / "testforce")
    return target


# -- diff_versions ------------------------------------------------------------------------------


def test_national_2022_changes_two_parameters(policy_set: PolicySet) -> None:
    diff = diff_versions(policy_set, "national", ACPO_LAST, NPCC_FIRST)
    assert not diff.same
    assert (diff.before.version.version, diff.after.version.version) == ("2019-04-01", "2022-01-01")
    assert (diff.before.version.era.id, diff.after.version.era.id) == ("acpo-2012", "npcc-2022")
    assert [(p.name, p.before, p.after) for p in diff.parameters] == [
        ("accepted_admissions", ["full_admission"], ["full_admission", "accepts_responsibility"]),
        ("victim_no_consent_effect", "sergeant", "warn"),
    ]
    admissions = diff.parameters[0]
    assert admissions.after_text == "full admission, acceptance of responsibility"
    assert admissions.source is not None
    assert admissions.source.url.startswith("https://yjlc.uk/")
    assert (diff.added, diff.removed, diff.changed) == ((), (), ())


def test_rules_reading_a_changed_parameter_are_listed(policy_set: PolicySet) -> None:
    diff = diff_versions(policy_set, "national", ACPO_LAST, NPCC_FIRST)
    affected = {a.id: (a.params, a.on_before, a.on_after) for a in diff.affected}
    assert affected == {
        "NAT-ADM-01": (("accepted_admissions",), True, True),
        "NAT-VIC-03": (("victim_no_consent_effect",), False, True),
        "NAT-VIC-04": (("victim_no_consent_effect",), True, False),
    }  # NAT-VIC-05 (deny) is off under both values, so it is not listed


def test_rules_added_between_versions(policy_set: PolicySet) -> None:
    diff = diff_versions(policy_set, "national", date(2015, 6, 1), date(2019, 7, 1))
    assert [(r.id, r.effect, r.note) for r in diff.added] == [
        ("NAT-ADM-02", {"suggest": 22}, "dates: from 2019-04-01"),
        ("NAT-IMG-01", {"suggest": 21}, "dates: from 2016-01-01"),
    ]
    assert diff.parameters == ()


def test_two_dates_in_one_version_are_the_same(policy_set: PolicySet) -> None:
    diff = diff_versions(policy_set, "national", date(2016, 6, 1), date(2016, 7, 1))
    assert diff.same
    assert "No change: both dates fall in policy version national@2016-01-01." in render_text(diff)


def test_a_rule_changed_field_by_field(tmp_path: Path) -> None:
    """A new dated version of NAT-AGE-01 from 2020: its condition, message and dates differ."""
    rules = copy_rules(tmp_path)
    path = rules / "profiles" / "national" / "eligibility.yaml"
    text = path.read_text(encoding="utf-8")
    old = text[text.index("  - id: NAT-AGE-01") : text.index("  - id: NAT-AGE-02")]
    new = (
        old.replace("effective_from: 2012-01-01", "effective_from: 2020-01-01")
        .replace("{lt: [offender.age, {param: minimum_age}]}", "{le: [offender.age, 10]}")
        .replace("can be given.", "can be given (amended).")
    )
    ended = old.replace(
        "effective_from: 2012-01-01", "effective_from: 2012-01-01\n    effective_to: 2019-12-31"
    )
    path.write_text(text.replace(old, ended + new), encoding="utf-8")
    diff = diff_versions(PolicySet.load(rules), "national", date(2019, 12, 31), date(2020, 1, 1))
    (change,) = diff.changed
    assert change.id == "NAT-AGE-01"
    fields = {f.field: (f.before, f.after) for f in change.fields}
    assert set(fields) == {"condition", "message", "dates"}
    assert fields["condition"] == (
        "the offender is under the age of criminal responsibility (parameter minimum_age: 10)",
        "the offender is 10 or under",
    )
    assert fields["dates"] == ("2012-01-01 to 2019-12-31", "from 2020-01-01")
    assert fields["message"][1].endswith("can be given (amended).")
    text_out = render_text(diff)
    assert (
        "Rules changed (1):\n  NAT-AGE-01: Offender below the age of criminal responsibility\n"
        in text_out
    )
    assert "    condition after:  the offender is 10 or under\n" in text_out


def test_an_overlay_withdrawal_shows_its_reason(tmp_path: Path) -> None:
    policy = PolicySet.load(copy_rules(tmp_path, overlay=True))
    diff = diff_versions(policy, "testforce", date(2018, 5, 31), date(2018, 6, 1))
    assert [(r.id, r.origin) for r in diff.added] == [("TST-VUL-01", "testforce")]
    (removed,) = diff.removed
    assert removed.id == "NAT-VUL-01"
    assert removed.note == (
        "withdrawn by testforce: Replaced by TST-VUL-01, which bars a CR for a vulnerable victim."
    )
    assert diff.parameters == ()


@pytest.mark.parametrize(
    ("profile", "d1", "d2", "code"),
    [
        ("nationall", ACPO_LAST, NPCC_FIRST, "unknown-profile"),
        ("national", date(2011, 12, 31), NPCC_FIRST, "no-policy-in-force"),
    ],
)
def test_bad_choices_are_input_errors(
    policy_set: PolicySet, profile: str, d1: date, d2: date, code: str
) -> None:
    with pytest.raises(InputError) as caught:
        diff_versions(policy_set, profile, d1, d2)
    assert caught.value.code == code


# -- flips --------------------------------------------------------------------------------------


def test_acceptance_of_responsibility_flips_to_permitted(national_flips: FlipReport) -> None:
    flip = next(f for f in national_flips.flips if f.case_id == "P-ADMISSION")
    assert (flip.before.decision, flip.after.decision) == ("not_permitted", "permitted")
    assert (flip.before.authority, flip.after.authority) == (None, "constable")
    assert [r.id for r in flip.stopped] == ["NAT-ADM-01"]
    assert flip.started == ()


def test_a_refusing_victim_no_longer_needs_a_sergeant(national_flips: FlipReport) -> None:
    flip = next(f for f in national_flips.flips if f.case_id == "P-CONSENT")
    assert flip.before.text() == "requires_authorisation (sergeant)"
    assert flip.after.text() == "permitted (constable)"
    assert [r.id for r in flip.stopped] == ["NAT-VIC-04"]
    assert [(r.id, r.effect) for r in flip.started] == [("NAT-VIC-03", "warn")]


def test_unchanged_decisions_are_not_flips(national_flips: FlipReport) -> None:
    assert national_flips.evaluated == len(CASES)
    assert [f.case_id for f in national_flips.flips] == ["P-ADMISSION", "P-CONSENT"]
    assert all(f.line > 0 for f in national_flips.flips)


def test_an_overlay_rule_replacing_a_withdrawn_one_flips_a_case(
    tmp_path: Path, case_file: Path
) -> None:
    rules = copy_rules(tmp_path, overlay=True)
    policy = PolicySet.load(rules)
    evaluator = Evaluator(rules, engine="reference", policy_set=policy)
    cases = load_cases([case_file], policy.references())
    report = flips(evaluator, cases, "testforce", date(2018, 5, 31), date(2018, 6, 1))
    (flip,) = report.flips
    assert flip.case_id == "P-VULNERABLE"
    assert (flip.before.text(), flip.after.text()) == (
        "requires_authorisation (inspector)",
        "not_permitted",
    )
    assert [r.id for r in flip.stopped] == ["NAT-VUL-01"]
    assert [(r.id, r.origin) for r in flip.started] == [("TST-VUL-01", "testforce")]


def test_text_and_json_read_the_same_records(
    policy_set: PolicySet, national_flips: FlipReport
) -> None:
    diff = diff_versions(policy_set, "national", ACPO_LAST, NPCC_FIRST)
    text = render_text(diff, national_flips)
    assert (
        "Parameters changed (2):\n  accepted_admissions: full admission -> full admission, " in text
    )
    assert "  victim_no_consent_effect: sergeant -> warn\n" in text
    assert "switched off -> in effect" in text
    assert "Cases: 4 evaluated, 2 with a different decision:\n" in text
    assert "P-CONSENT (" in text
    assert "    now fires: NAT-VIC-03 [warns the officer (does not change the decision)]" in text
    data = json.loads(json.dumps(to_data(diff, national_flips)))
    assert data["to"]["version"] == "2022-01-01"
    assert [p["name"] for p in data["parameters"]] == [
        "accepted_admissions",
        "victim_no_consent_effect",
    ]
    (consent,) = [f for f in data["cases"]["flipped"] if f["case_id"] == "P-CONSENT"]
    assert consent["before"] == {
        "decision": "requires_authorisation",
        "required_authority": "sergeant",
    }
    assert consent["no_longer_fires"] == ["NAT-VIC-04"]
    assert consent["now_fires"] == ["NAT-VIC-03"]


# -- the command --------------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("DISPOSAL_DEBUG", None)
    env.pop("DISPOSAL_RULES", None)
    return subprocess.run(
        [sys.executable, "-m", "disposal", "rules", "diff", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


DATES = ("--from", "2021-12-31", "--to", "2022-01-01")


def test_cli_diff_with_cases_exits_0(case_file: Path) -> None:
    done = run_cli("--profile", "national", *DATES, str(case_file))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "national: the policy as at 2021-12-31 compared with 2022-01-01\n"
    )
    assert "Cases: 4 evaluated, 2 with a different decision:" in done.stdout
    assert "P-ADMISSION" in done.stdout
    assert "P-SAME" not in done.stdout
    assert "ledger:" not in done.stderr  # a what-if: nothing is written to the audit ledger


def test_cli_diff_json_with_cases(case_file: Path) -> None:
    done = run_cli("--profile", "national", *DATES, "--json", str(case_file))
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    assert data["cases"]["evaluated"] == 4
    assert {f["case_id"] for f in data["cases"]["flipped"]} == {"P-ADMISSION", "P-CONSENT"}


def test_cli_diff_without_cases_runs_in_process() -> None:
    result = CliRunner().invoke(
        app, ["rules", "diff", "--profile", "national", *DATES, "--json"], prog_name="disposal"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["cases"] is None
    assert data["same"] is False


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--profile", "nationl", *DATES), "unknown-profile"),
        (("--profile", "national", "--from", "2021-12-32", "--to", "2022-01-01"), "bad-date"),
        (("--profile", "national", "--from", "2021-12-31", "--to", "1/1/2022"), "bad-date"),
        (
            ("--profile", "national", "--from", "2010-01-01", "--to", "2022-01-01"),
            "no-policy-in-force",
        ),
        (("--profile", "national", *DATES, "missing.yaml"), "file-not-found"),
    ],
)
def test_cli_diff_bad_input_exits_2(args: tuple[str, ...], code: str) -> None:
    result = CliRunner().invoke(app, ["rules", "diff", *args], prog_name="disposal")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f": {code}: " in result.stderr
    assert "Traceback" not in result.stderr
