"""Force profiles reproduce the force-specific answers of POLICY_RESEARCH.md.

Every row starts from the fully recorded permitted adult shoplifting case of ``conftest`` and
changes only what the scenario needs. The expected decision comes from the research (worked
example D-17 "a key configurability test", D-10, and the criteria named per row), not from the
program's output.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from disposal.errors import CaseRecordError, DisposalError
from disposal.service import Evaluator
from tests.conftest import record

P, RA, NP, II = "permitted", "requires_authorisation", "not_permitted", "insufficient_information"
CON, SGT, INSP, SUPT = "constable", "sergeant", "inspector", "superintendent"

# D-17: low-value shop theft, first-time adult, the store insists on prosecution.
REFUSES: dict[str, Any] = {"victim": {"consents": False}}
# D-10: 12- and 13-year-old, consensual in fact, families support, classified as 19E.
PEER: dict[str, Any] = {
    "offence": {"ho_code": "19E", "relationship_to_victim": "acquaintance"},
    "offender": {"age": 13, "appropriate_adult_present": True},
    "victim": {"age": 12},
    "peer_sexual_activity": {
        "consensual_in_fact": True,
        "coercion_or_exploitation": False,
        "safeguarding_concerns": False,
        "families_support": True,
    },
}
FAMILY_DA: dict[str, Any] = {
    "offence": {
        "ho_code": "105A",
        "domestic_abuse": True,
        "relationship_to_victim": "family_member",
    }
}


def with_cr(months_ago: int, day: str = "2024-06-15") -> dict[str, Any]:
    """An offender with one previous community resolution ``months_ago`` before ``day``."""
    y, m, d = (int(x) for x in day.split("-"))
    total = y * 12 + (m - 1) - months_ago
    when = date(total // 12, total % 12 + 1, d).isoformat()
    return {
        "decision_date": day,
        "offender": {
            "history": {
                "previous_convictions": 0,
                "previous_cautions": 0,
                "previous_community_resolutions": 1,
                "recent_disposals": [
                    {"type": "community_resolution", "date": when, "ho_code": "46"}
                ],
            }
        },
    }


SCENARIOS = [
    # name, force, decision date, overrides, decision, authority, rules that must fire
    # -- D-17 across packs (POLICY_RESEARCH §(d) D-17, §(e) E-1) --
    ("d17-national-2024", "national", "2024-07-16", REFUSES, P, CON, {"NAT-VIC-03"}),
    ("d17-acpo-2016", "national", "2016-07-19", REFUSES, RA, SGT, {"NAT-VIC-04"}),
    ("d17-northumbria", "northumbria", "2024-07-16", REFUSES, P, CON, {"NAT-VIC-03"}),
    ("d17-northumbria-2016", "northumbria", "2016-07-19", REFUSES, P, CON, {"NAT-VIC-03"}),
    ("d17-lancashire", "lancashire", "2024-07-16", REFUSES, RA, SGT, {"NAT-VIC-04", "LAN-VIC-01"}),
    ("d17-as-2016", "avon-and-somerset", "2016-07-19", REFUSES, NP, None, {"NAT-VIC-05"}),
    ("d17-as-current", "avon-and-somerset", "2024-07-16", REFUSES, P, CON, {"NAT-VIC-03"}),
    # -- Avon and Somerset 2016: Inspector for every CR (CR-J4); admission only (CR-D4) --
    ("as-2016-every-cr-inspector", "avon-and-somerset", "2016-07-19", {}, RA, INSP, {"AS-AUTH-01"}),
    (
        "as-2016-acceptance-not-enough",
        "avon-and-somerset",
        "2016-07-19",
        {"offender": {"admission": "accepts_responsibility"}},
        NP,
        None,
        {"NAT-ADM-01"},
    ),
    # -- Northumbria (CR-D3, CR-F7, CR-G3, CR-A8) --
    (
        "nth-vulnerable",
        "northumbria",
        "2024-06-15",
        {"victim": {"vulnerable": True}},
        NP,
        None,
        {"NTH-VUL-01"},
    ),
    (
        "nat-vulnerable",
        "national",
        "2024-06-15",
        {"victim": {"vulnerable": True}},
        RA,
        INSP,
        {"NAT-VUL-01"},
    ),
    (
        "nth-not-contacted",
        "northumbria",
        "2024-06-15",
        {"victim": {"consulted": False}},
        NP,
        None,
        {"NTH-VIC-01"},
    ),
    (
        "nat-not-consulted",
        "national",
        "2024-06-15",
        {"victim": {"consulted": False}},
        RA,
        SGT,
        {"NAT-VIC-01"},
    ),
    (
        "nth-prolific",
        "northumbria",
        "2024-06-15",
        {"offender": {"prolific_or_priority_offender": True}},
        NP,
        None,
        {"NTH-HIST-01"},
    ),
    ("nth-cr-20-months-ago", "northumbria", "2024-06-15", with_cr(20), NP, None, {"NTH-HIST-02"}),
    ("nth-cr-40-months-ago", "northumbria", "2024-06-15", with_cr(40), RA, SGT, {"NAT-HIST-01"}),
    ("nat-cr-20-months-ago", "national", "2024-06-15", with_cr(20), RA, SGT, {"NAT-HIST-01"}),
    # -- Metropolitan exclusion list, senior officer (CR-F2, CR-J5; D-10 Met pack) --
    (
        "met-family-da",
        "metropolitan",
        "2024-06-15",
        FAMILY_DA,
        RA,
        SUPT,
        {"MET-EXC-DA", "NAT-DA-02"},
    ),
    ("nat-family-da", "national", "2024-06-15", FAMILY_DA, RA, INSP, {"NAT-DA-02"}),
    ("met-d10-peer", "metropolitan", "2024-06-15", PEER, RA, SUPT, {"MET-EXC-SEX", "NAT-SEX-02"}),
    ("nat-d10-peer", "national", "2024-06-15", PEER, RA, INSP, {"NAT-SEX-02"}),
    (
        "met-hate",
        "metropolitan",
        "2024-06-15",
        {"offence": {"ho_code": "105B", "mitigating_factors": ["remorse"]}},
        RA,
        SUPT,
        {"MET-EXC-HATE"},
    ),
    (
        "met-bladed-article",
        "metropolitan",
        "2024-06-15",
        {"offence": {"ho_code": "105A", "weapon": "bladed_article"}},
        RA,
        SUPT,
        {"MET-EXC-WEAPON", "NAT-WPN-04"},
    ),
    # -- Kent: no aggravating factors (CR-E6) from the July 2023 SOP --
    (
        "kent-aggravated-2024",
        "kent",
        "2024-06-15",
        {"offence": {"aggravating_factors": ["planned"]}},
        NP,
        None,
        {"KNT-AGG-01"},
    ),
    (
        "kent-aggravated-2023-06",
        "kent",
        "2023-06-15",
        {"offence": {"aggravating_factors": ["planned"]}},
        RA,
        INSP,
        {"NAT-GRAV-02"},
    ),
]


@pytest.fixture(scope="module")
def evaluator() -> Evaluator:
    return Evaluator(cross_check=True)


@pytest.mark.parametrize(
    ("name", "force", "day", "overrides", "decision", "authority", "fired"),
    SCENARIOS,
    ids=[s[0] for s in SCENARIOS],
)
def test_profile_scenario(
    evaluator: Evaluator,
    name: str,
    force: str,
    day: str,
    overrides: dict[str, Any],
    decision: str,
    authority: str | None,
    fired: set[str],
) -> None:
    ev = evaluator.evaluate(record(**{**overrides, "decision_date": day, "force": force}))
    assert ev.decision.policy.profile == force
    assert ev.decision.policy.fallback is None
    assert (ev.decision.decision, ev.decision.required_authority) == (decision, authority)
    assert fired <= ev.states.fired


def test_a_previous_cr_without_its_date_leaves_northumbria_undecided(evaluator: Evaluator) -> None:
    """The count says there was a CR, but not when: NTH-HIST-02 needs recent_disposals."""
    history = {
        "previous_convictions": 0,
        "previous_cautions": 0,
        "previous_community_resolutions": 1,
    }
    ev = evaluator.evaluate(record(force="northumbria", offender={"history": history}))
    assert ev.decision.decision == II
    assert "offender.history.recent_disposals" in ev.decision.missing


@pytest.mark.parametrize(
    ("day", "decision", "era"),
    [("2021-12-31", RA, "as-2016"), ("2022-01-01", P, "as-current")],
)
def test_avon_and_somerset_either_side_of_its_version_boundary(
    evaluator: Evaluator, day: str, decision: str, era: str
) -> None:
    ev = evaluator.evaluate(record(force="avon-and-somerset", decision_date=day))
    assert (ev.decision.decision, ev.decision.policy.era) == (decision, era)


@pytest.mark.parametrize(
    ("force", "day"),
    [("kent", "2020-10-31"), ("metropolitan", "2023-07-31"), ("cheshire", "2024-06-15")],
)
def test_no_profile_in_force_falls_back_to_national_and_says_so(
    evaluator: Evaluator, force: str, day: str
) -> None:
    ev = evaluator.evaluate(record(force=force, decision_date=day))
    assert ev.decision.policy.profile == "national"
    assert ev.decision.policy.fallback
    assert force in ev.decision.policy.fallback


def test_kent_october_2024_is_its_own_policy_version(evaluator: Evaluator) -> None:
    """CONTRACT.md's example: a Kent case decided under version 2024-10-01."""
    ev = evaluator.evaluate(record(force="kent", decision_date="2024-10-14"))
    assert (ev.decision.policy.profile, ev.decision.policy.version) == ("kent", "2024-10-01")
    assert ev.decision.policy.era == "kent-2024"


def test_versions_have_different_hashes_and_one_version_one_hash(evaluator: Evaluator) -> None:
    ps = evaluator.policy_set
    a = ps.resolve("kent", date(2024, 10, 1))
    b = ps.resolve("kent", date(2024, 10, 30))
    c = ps.resolve("kent", date(2024, 9, 30))
    assert a.sha256 == b.sha256
    assert a.sha256 != c.sha256


def test_a_case_before_any_national_version_is_an_error_not_a_guess(evaluator: Evaluator) -> None:
    with pytest.raises(CaseRecordError) as caught:
        evaluator.evaluate(record(decision_date="2011-12-31"))
    assert caught.value.code == "no-policy-in-force"
    assert caught.value.location.field == "decision_date"


def test_unknown_force_gets_a_did_you_mean(evaluator: Evaluator) -> None:
    with pytest.raises(DisposalError) as caught:
        evaluator.evaluate(record(force="northumberland"))
    assert caught.value.code == "unknown-force"
    assert "northumbria" in caught.value.hint
