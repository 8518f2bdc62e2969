"""The scenario library's spread and rule coverage, and the scenario runner's reports.

The library must teach every decision, every offence family, every bundled profile (both eras
where a profile has two), children and adults, all three difficulty levels, every published
worked example of POLICY_RESEARCH §(d), and the hard cases from the press reports behind the
project; and between them the scenarios must make every national decision rule fire.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from disposal.policyset import NATIONAL
from disposal.training.loader import load_scenario, load_scenarios
from disposal.training.runner import (
    ScenarioResult,
    coverage,
    failure_report,
    render_run,
    run_all,
    run_scenario,
)
from disposal.training.scenario import LoadedScenario
from disposal.vocab import Decision, OffenceFamily
from tests.training.conftest import library_evaluator, library_paths, library_policy
from tests.training.helpers import scenario_data, write

PUBLISHED = ["D-01", "D-02", "D-03", "D-04", "D-05", "D-06", "D-07", "D-08", "D-10", "D-13",
             "D-17", "D-19", "D-26"]  # fmt: skip


@pytest.fixture(scope="module")
def library() -> list[LoadedScenario]:
    return load_scenarios(library_paths(), library_policy())


@pytest.fixture(scope="module")
def results(library: list[LoadedScenario]) -> list[ScenarioResult]:
    return run_all(library, library_evaluator())


def family(s: LoadedScenario) -> str:
    return str(library_policy().offences.family_of()[s.case.offence.ho_code or ""])


def test_at_least_forty_scenarios(library: list[LoadedScenario]) -> None:
    assert len(library) >= 40


def test_every_decision_family_profile_and_difficulty(library: list[LoadedScenario]) -> None:
    assert {s.scenario.expect.decision for s in library} == set(Decision)
    assert {family(s) for s in library} == {f.value for f in OffenceFamily}
    assert {s.scenario.profile for s in library} == set(library_policy().profiles)
    assert {s.scenario.difficulty.value for s in library} == {
        "foundation",
        "intermediate",
        "advanced",
    }


def test_children_and_adults(library: list[LoadedScenario]) -> None:
    ages = [s.case.offender.age for s in library if s.case.offender.age is not None]
    assert sum(age < 18 for age in ages) >= 10
    assert sum(age >= 18 for age in ages) >= 10


def test_both_eras_of_national_guidance_and_of_avon_and_somerset(
    library: list[LoadedScenario],
) -> None:
    eras = {(s.policy.profile, s.policy.era.id) for s in library}
    assert {("national", "acpo-2012"), ("national", "npcc-2022")} <= eras
    assert {("avon-and-somerset", "as-2016"), ("avon-and-somerset", "as-current")} <= eras


def test_every_published_worked_example_is_taught(library: list[LoadedScenario]) -> None:
    bases = " ".join(s.scenario.basis for s in library)
    assert [d for d in PUBLISHED if d not in bases] == []


def test_the_hard_cases_from_the_press_reports(library: list[LoadedScenario]) -> None:
    """POLICY_RESEARCH §(a) N and 0.4: the cases the project exists to get right."""

    def any_of(pred: object) -> bool:
        return any(pred(s) for s in library)  # type: ignore[operator]

    def child(age: int | None) -> bool:
        return age is not None and age < 18

    assert any_of(
        lambda s: (
            family(s) == "sexual"
            and child(s.case.offender.age)
            and child(s.case.victim.age)
            and s.case.peer_sexual_activity is not None
        )
    ), "peer sexual activity between children"
    assert any_of(
        lambda s: (
            family(s) == "sexual"
            and not child(s.case.offender.age)
            and (s.case.victim.age or 99) < 13
        )
    ), "an adult offender against a child under 13"
    assert any_of(lambda s: s.case.offence.ho_code == "88E"), "exposure"
    assert any_of(
        lambda s: (
            s.case.offence.domestic_abuse is True
            and s.case.offence.relationship_to_victim == "intimate_partner"
            and "prosecut" in (s.case.victim.views or "")
        )
    ), "domestic abuse where the victim wants no action"
    assert any_of(
        lambda s: (
            s.case.offence.ho_code == "46"
            and (s.case.offender.history is not None)
            and (s.case.offender.history.previous_community_resolutions or 0) > 0
        )
    ), "repeat shop theft"


def test_no_national_rule_is_left_unexercised(results: list[ScenarioResult]) -> None:
    """A national rule counts when it fires under any profile (NAT-VIC-05 only fires where a
    force's parameter selects it: Avon and Somerset 2016)."""
    national, *overlays = coverage(results)
    assert national.profile == NATIONAL
    assert national.unexercised == []
    assert {r.rule for r in national.rows} >= {"NAT-VIC-05", "NAT-ADM-02", "NAT-IMG-01"}
    for table in overlays:
        assert table.unexercised == [], table.profile


def test_coverage_counts_national_rules_across_profiles(results: list[ScenarioResult]) -> None:
    national = coverage(results)[0]
    vic05 = next(r for r in national.rows if r.rule == "NAT-VIC-05")
    assert vic05.count >= 1
    assert all(
        res.loaded.scenario.profile == "avon-and-somerset"
        for res in results
        if "NAT-VIC-05" in res.evaluation.states.fired
    )


def test_an_overlay_table_lists_every_rule_in_force_but_judges_only_its_own(
    results: list[ScenarioResult],
) -> None:
    (_national, kent) = coverage(results, profile="kent")
    assert kent.profile == "kent"
    assert kent.scenarios == sum(r.loaded.scenario.profile == "kent" for r in results)
    ids = [r.rule for r in kent.rows]
    assert "KNT-AGG-01" in ids
    assert "NAT-DA-01" in ids  # every rule in force is listed ...
    assert all(rule.startswith("KNT-") for rule in kent.unexercised)  # ... own ones judged


def test_the_run_report_ends_with_the_coverage_bottom_line(results: list[ScenarioResult]) -> None:
    text = render_run(results, coverage(results))
    assert "rules no scenario makes fire: none" in text
    assert text.splitlines()[-1].endswith(f"{len(results)} scenario(s)")


# -- a failing scenario reports, never raises ------------------------------------------------


def failing(tmp_path: Path, **expect: object) -> ScenarioResult:
    data = scenario_data()
    data["expect"].update(expect)
    loaded = load_scenario(write(tmp_path, data, "trn-900-test.yaml"), library_policy())
    return run_scenario(loaded, library_evaluator())


def test_a_passing_scenario(tmp_path: Path) -> None:
    assert failing(tmp_path).passed


def test_a_wrong_decision_is_reported_with_expected_actual_and_trace(tmp_path: Path) -> None:
    result = failing(
        tmp_path, decision="not_permitted", required_authority=None, fires=["NAT-VIC-05"]
    )
    assert not result.passed
    report = failure_report(result)
    assert report.startswith("FAIL TRN-900")
    assert "expected: not_permitted, authority -; fires NAT-VIC-05" in report
    assert "actual:   permitted, authority constable; fires NAT-VIC-03" in report
    assert "expected to fire but did not: NAT-VIC-05" in report
    assert "fired but not expected: NAT-VIC-03" in report
    assert "Trace of the rules that differ or decide:" in report
    assert "✘ NAT-VIC-05" in report
    assert "✔ NAT-VIC-03" in report
    assert "Traceback" not in report


def test_not_fires_and_missing_are_checked(tmp_path: Path) -> None:
    result = failing(tmp_path, not_fires=["NAT-VIC-04"], missing=["victim.age"])
    assert result.problems == ("expected among the missing facts but not: victim.age",)
    result = failing(tmp_path, fires=[], not_fires=["NAT-VIC-03"])
    assert "must not fire but did: NAT-VIC-03" in result.problems


def test_library_scenarios_match_their_files(library: list[LoadedScenario]) -> None:
    for s in library:
        assert Path(s.file).name.startswith(s.id.lower() + "-")
        assert s.case.case_id == s.id
