"""Every decision rule of the national profile, shown firing and shown not firing.

Each row of ``RULE_CASES`` starts from ``complete_case()`` (a fully recorded adult shoplifting
case that is permitted at officer level) and changes as little as possible. The expected
decision and ``required_authority`` are worked out from the rule text in
``rules/profiles/national/*.yaml`` and the precedence of CONTRACT.md §2 (a bar beats everything;
then missing facts; then the highest rank any fired rule requires). The comment beside each row
names the rule and the research criterion (POLICY_RESEARCH §(a)) that justify it.

``required_authority`` is ``None`` for ``not_permitted`` and ``insufficient_information``: the
contract is silent there, and ``decision.py`` documents that choice (no rank may authorise a
barred case; an undecided case has no settled rank).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from disposal.policyset import PolicySet
from disposal.service import Evaluation, Evaluator
from disposal.vocab import EffectKind
from tests.conftest import RULES, record

P, RA, NP, II = "permitted", "requires_authorisation", "not_permitted", "insufficient_information"
CON, SGT, INSP = "constable", "sergeant", "inspector"

ACPO = "2015-06-01"  # a decision date in the acpo-2012 era (2012-01-01 .. 2021-12-31)
HOUSE = "Content with an apology and the goods returned"


def history(cons: int = 0, cautions: int = 0, crs: int = 0) -> dict[str, int]:
    """A fully recorded history block (``complete_case`` merges one level deep only)."""
    return {
        "previous_convictions": cons,
        "previous_cautions": cautions,
        "previous_community_resolutions": crs,
    }


CHILD_15 = {"age": 15, "appropriate_adult_present": True}
PEER_OK = {
    "consensual_in_fact": True,
    "coercion_or_exploitation": False,
    "safeguarding_concerns": False,
    "families_support": True,
}
# D-10: a 13-year-old boy and a 12-year-old girl; recorded as rape of a female child under 13.
PEER_D10: dict[str, Any] = {
    "offence": {"ho_code": "19E"},
    "offender": {"age": 13, "appropriate_adult_present": True},
    "victim": {"age": 12},
    "peer_sexual_activity": PEER_OK,
}
# Consensual image sharing between two 15-year-olds (HO 86/02).
SEXTING: dict[str, Any] = {
    "offence": {"ho_code": "86/02"},
    "offender": CHILD_15,
    "victim": {"age": 15},
    "peer_sexual_activity": PEER_OK,
}


def peer(**changes: Any) -> dict[str, Any]:
    """The D-10 peer case with the ``peer_sexual_activity`` block changed."""
    return {**PEER_D10, "peer_sexual_activity": {**PEER_OK, **changes}}


@dataclass(frozen=True)
class Row:
    rule: str
    fires: bool
    what: str
    overrides: dict[str, Any]
    decision: str
    authority: str | None
    suggested: tuple[int, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.rule}-{'fires' if self.fires else 'quiet'}-{self.what}"


def fires(rule: str, what: str, ov: dict[str, Any], dec: str, auth: str | None, *sug: int) -> Row:
    return Row(rule, True, what, ov, dec, auth, sug)


def quiet(rule: str, what: str, ov: dict[str, Any], dec: str, auth: str | None, *sug: int) -> Row:
    return Row(rule, False, what, ov, dec, auth, sug)


RULE_CASES: list[Row] = [
    # -- evidence -------------------------------------------------------------------------------
    # CR-B1: insufficient evidence is a bar.
    fires("NAT-EVID-01", "no-evidence", {"offence": {"evidence_sufficient": False}}, NP, None),
    # CR-B1: evidence recorded as sufficient, the base case.
    quiet("NAT-EVID-01", "evidence", {"offence": {"evidence_sufficient": True}}, P, CON),
    # -- admission ------------------------------------------------------------------------------
    # CR-C1/C3: a denial is a bar; Outcome 22 is suggested (NAT-ADM-02, from 2019-04-01).
    fires("NAT-ADM-01", "denies", {"offender": {"admission": "denies"}}, NP, None, 22),
    # CR-C3: no comment is no admission either.
    fires("NAT-ADM-01", "no-comment", {"offender": {"admission": "no_comment"}}, NP, None, 22),
    # CR-C1 / E-2, ACPO 2012: the offender must admit; acceptance alone is not enough then.
    fires(
        "NAT-ADM-01",
        "accepts-acpo",
        {"decision_date": ACPO, "offender": {"admission": "accepts_responsibility"}},
        NP,
        None,
    ),
    # CR-C1 / E-2, NPCC 2022: accepting responsibility is enough.
    quiet(
        "NAT-ADM-01", "accepts-2024", {"offender": {"admission": "accepts_responsibility"}}, P, CON
    ),
    # CR-C3: Outcome 22 for no admission (the bar is NAT-ADM-01).
    fires("NAT-ADM-02", "denies", {"offender": {"admission": "denies"}}, NP, None, 22),
    # CR-C3: nothing to suggest when the offender admits.
    quiet("NAT-ADM-02", "admits", {"offender": {"admission": "full_admission"}}, P, CON),
    # CR-C3: Outcome 22 exists only from 1 April 2019, so a 2015 denial suggests nothing.
    quiet(
        "NAT-ADM-02",
        "denies-2015",
        {"decision_date": ACPO, "offender": {"admission": "denies"}},
        NP,
        None,
    ),
    # -- agreement ------------------------------------------------------------------------------
    # CR-C4: the offender must agree to take part.
    fires("NAT-AGREE-01", "refuses", {"offender": {"agrees_to_resolution": False}}, NP, None),
    quiet("NAT-AGREE-01", "agrees", {"offender": {"agrees_to_resolution": True}}, P, CON),
    # -- age ------------------------------------------------------------------------------------
    # CR-I6: under 10 no criminal outcome; Outcome 11 is suggested (NAT-AGE-02).
    fires(
        "NAT-AGE-01",
        "age-9",
        {"offender": {"age": 9, "appropriate_adult_present": True}},
        NP,
        None,
        11,
    ),
    # CR-I6: 10 is the age of criminal responsibility, so a 10-year-old may receive a CR.
    quiet(
        "NAT-AGE-01", "age-10", {"offender": {"age": 10, "appropriate_adult_present": True}}, P, CON
    ),
    # CR-I6: Outcome 11 for a suspect under 10.
    fires(
        "NAT-AGE-02",
        "age-9",
        {"offender": {"age": 9, "appropriate_adult_present": True}},
        NP,
        None,
        11,
    ),
    quiet(
        "NAT-AGE-02", "age-10", {"offender": {"age": 10, "appropriate_adult_present": True}}, P, CON
    ),
    # CR-C5: a child's acceptance without an appropriate adult is invalid.
    fires(
        "NAT-AA-01",
        "child-no-aa",
        {"offender": {"age": 15, "appropriate_adult_present": False}},
        NP,
        None,
    ),
    # CR-C5: with an appropriate adult present the acceptance stands (D-26).
    quiet("NAT-AA-01", "child-with-aa", {"offender": CHILD_15}, P, CON),
    # CR-C5: at 18 the offender is an adult (child_age_limit 18); no appropriate adult needed.
    quiet(
        "NAT-AA-01",
        "adult-18",
        {"offender": {"age": 18, "appropriate_adult_present": False}},
        P,
        CON,
    ),
    # -- domestic abuse -------------------------------------------------------------------------
    # CR-F1 / D-13: intimate-partner domestic abuse is barred; no rank lifts it.
    fires(
        "NAT-DA-01",
        "intimate-partner",
        {"offence": {"domestic_abuse": True, "relationship_to_victim": "intimate_partner"}},
        NP,
        None,
    ),
    # CR-F1: a partner as victim but no domestic abuse flagged: the bar needs both.
    quiet(
        "NAT-DA-01",
        "partner-not-da",
        {"offence": {"domestic_abuse": False, "relationship_to_victim": "intimate_partner"}},
        P,
        CON,
    ),
    # CR-F1: family-member domestic abuse needs an Inspector (NAT-DA-02), not a bar.
    quiet(
        "NAT-DA-01",
        "family-da",
        {"offence": {"domestic_abuse": True, "relationship_to_victim": "family_member"}},
        RA,
        INSP,
    ),
    # CR-F1: family-member domestic abuse: OVERRIDE(INSP).
    fires(
        "NAT-DA-02",
        "family-da",
        {"offence": {"domestic_abuse": True, "relationship_to_victim": "family_member"}},
        RA,
        INSP,
    ),
    # CR-F1: a family member as victim, no domestic abuse flagged.
    quiet(
        "NAT-DA-02",
        "family-not-da",
        {"offence": {"domestic_abuse": False, "relationship_to_victim": "family_member"}},
        P,
        CON,
    ),
    # -- sexual offences ------------------------------------------------------------------------
    # CR-F3: exposure (88E) by an adult is a sexual offence outside the peer path.
    fires("NAT-SEX-01", "adult-exposure", {"offence": {"ho_code": "88E"}}, NP, None),
    # CR-F3: an adult's sexual assault on a child under 13 (20B) is never on the peer path.
    fires(
        "NAT-SEX-01", "adult-20B", {"offence": {"ho_code": "20B"}, "victim": {"age": 11}}, NP, None
    ),
    # CR-F3: D-10 is on the peer path; Inspector (NAT-SEX-02, NAT-SER-01).
    quiet("NAT-SEX-01", "peer-d10", PEER_D10, RA, INSP),
    # CR-F3 / D-10: peer sexual activity between children needs an Inspector.
    fires("NAT-SEX-02", "peer-d10", PEER_D10, RA, INSP),
    # CR-F3: age gap of 3 is above peer_age_gap_max (2): off the path, so barred (NAT-SEX-01).
    quiet(
        "NAT-SEX-02",
        "gap-3",
        {**PEER_D10, "offender": {"age": 15, "appropriate_adult_present": True}},
        NP,
        None,
    ),
    # CR-F3: coercion or exploitation takes the case off the peer path.
    quiet("NAT-SEX-02", "coercion", peer(coercion_or_exploitation=True), NP, None),
    # CR-F3: a safeguarding concern takes the case off the peer path.
    quiet("NAT-SEX-02", "safeguarding", peer(safeguarding_concerns=True), NP, None),
    # CR-F3: families must support the outcome.
    quiet("NAT-SEX-02", "no-family-support", peer(families_support=False), NP, None),
    # CR-K3 / CR-F3: a peer-path CR is referred to the scrutiny panel (warning).
    fires("NAT-SEX-03", "peer-d10", PEER_D10, RA, INSP),
    # CR-K3: no referral warning when the case is barred instead.
    quiet("NAT-SEX-03", "adult-exposure", {"offence": {"ho_code": "88E"}}, NP, None),
    # CR-F6: consensual youth-produced imagery: suggest Outcome 21; the peer path needs an
    # Inspector (NAT-SEX-02).
    fires("NAT-IMG-01", "sexting-15", SEXTING, RA, INSP, 21),
    # CR-F6: an adult offender is neither on the imagery nor the peer path: barred.
    quiet(
        "NAT-IMG-01",
        "adult-images",
        {**SEXTING, "offender": {"age": 19, "appropriate_adult_present": False}},
        NP,
        None,
    ),
    # CR-F6 / CR-F3: not consensual in fact: no Outcome 21, off the peer path, barred.
    quiet(
        "NAT-IMG-01",
        "not-consensual",
        {**SEXTING, "peer_sexual_activity": {**PEER_OK, "consensual_in_fact": False}},
        NP,
        None,
    ),
    # -- hate crime -----------------------------------------------------------------------------
    # CR-F5: hate crime needs a Sergeant and adds 1 to gravity: shoplifting 2 -> 3, which is
    # caution level and needs an Inspector (NAT-GRAV-02, CR-I1), the higher rank.
    fires("NAT-HATE-01", "flagged-46", {"offence": {"hate_crime": True}}, RA, INSP),
    # CR-F5 with a mitigating factor: +1 and -1 cancel (gravity 2), so only the Sergeant.
    fires(
        "NAT-HATE-01",
        "flagged-mitigated",
        {"offence": {"hate_crime": True, "mitigating_factors": ["Immediate apology"]}},
        RA,
        SGT,
    ),
    # CR-F5: a racially aggravated code (105B) is hate crime without the flag; its table gravity
    # (3) already includes the hate element, so Inspector through NAT-GRAV-02.
    fires(
        "NAT-HATE-01", "code-105B", {"offence": {"ho_code": "105B", "hate_crime": False}}, RA, INSP
    ),
    quiet("NAT-HATE-01", "not-hate", {"offence": {"hate_crime": False}}, P, CON),
    # -- history --------------------------------------------------------------------------------
    # CR-G2: offending history needs a Sergeant's guidance.
    fires("NAT-HIST-01", "one-caution", {"offender": {"history": history(cautions=1)}}, RA, SGT),
    # CR-G2: a count above 0 settles it even when the other counts are not recorded.
    fires(
        "NAT-HIST-01",
        "two-crs-rest-unknown",
        {"offender": {"history": {"previous_community_resolutions": 2}}},
        RA,
        SGT,
    ),
    # CR-G1: a first-time offender (all counts 0).
    quiet("NAT-HIST-01", "first-time", {"offender": {"history": history()}}, P, CON),
    # CR-G2: a child with history: consult the YOS (warning) and a Sergeant (NAT-HIST-01).
    fires(
        "NAT-HIST-02",
        "child-history",
        {"offender": {**CHILD_15, "history": history(crs=1)}},
        RA,
        SGT,
    ),
    # CR-G2: the YOS warning is for children only.
    quiet("NAT-HIST-02", "adult-history", {"offender": {"history": history(crs=1)}}, RA, SGT),
    # CR-G3: prolific or priority offender: OVERRIDE(INSP).
    fires(
        "NAT-HIST-03", "prolific", {"offender": {"prolific_or_priority_offender": True}}, RA, INSP
    ),
    quiet(
        "NAT-HIST-03",
        "not-prolific",
        {"offender": {"prolific_or_priority_offender": False}},
        P,
        CON,
    ),
    # -- seriousness ----------------------------------------------------------------------------
    # CR-E5 / CR-J3: indictable-only (the officer's recorded mode of trial) needs an Inspector.
    fires("NAT-SER-01", "recorded-io", {"offence": {"mode_of_trial": "indictable_only"}}, RA, INSP),
    # CR-E5: 61A is indictable-only in the table (and gravity 3: NAT-GRAV-02, also Inspector).
    fires("NAT-SER-01", "code-61A", {"offence": {"ho_code": "61A"}}, RA, INSP),
    # CR-E4: a summary offence is lower-level crime.
    quiet("NAT-SER-01", "summary", {"offence": {"mode_of_trial": "summary"}}, P, CON),
    # CR-E5 warning: exceptional only.
    fires("NAT-SER-02", "recorded-io", {"offence": {"mode_of_trial": "indictable_only"}}, RA, INSP),
    quiet("NAT-SER-02", "either-way", {"offence": {"mode_of_trial": "either_way"}}, P, CON),
    # CR-I1: gravity 4 (conditional caution level) is a bar.
    fires("NAT-GRAV-01", "score-4", {"offence": {"gravity_score": 4}}, NP, None),
    # CR-I1 + S42: assault with injury (8N, 3) with an aggravating factor is 4: barred.
    fires(
        "NAT-GRAV-01",
        "8N-aggravated",
        {
            "offence": {
                "ho_code": "8N",
                "injury": "minor",
                "aggravating_factors": ["Victim targeted at work"],
            }
        },
        NP,
        None,
    ),
    # CR-I1: gravity 3 is caution level: Inspector, not a bar.
    quiet("NAT-GRAV-01", "score-3", {"offence": {"gravity_score": 3}}, RA, INSP),
    # CR-I1: gravity 3: CR only with an Inspector's override.
    fires("NAT-GRAV-02", "score-3", {"offence": {"gravity_score": 3}}, RA, INSP),
    # CR-I1 + S42: shoplifting (2) with an aggravating factor is 3: Inspector.
    fires(
        "NAT-GRAV-02",
        "46-aggravated",
        {"offence": {"aggravating_factors": ["Threatened the shop worker"]}},
        RA,
        INSP,
    ),
    # CR-I1: gravity 2 is the informal-outcome level.
    quiet("NAT-GRAV-02", "score-2", {"offence": {"gravity_score": 2}}, P, CON),
    # CR-I1: gravity 4 is past the Inspector band; it is barred (NAT-GRAV-01).
    quiet("NAT-GRAV-02", "score-4", {"offence": {"gravity_score": 4}}, NP, None),
    # CR-I1 + S42: 8N (3) with a mitigating factor is 2: officer level.
    quiet(
        "NAT-GRAV-02",
        "8N-mitigated",
        {"offence": {"ho_code": "8N", "injury": "minor", "mitigating_factors": ["Provoked"]}},
        P,
        CON,
    ),
    # CR-I1: gravity 1: consider NFA (warning only).
    fires("NAT-GRAV-03", "score-1", {"offence": {"gravity_score": 1}}, P, CON),
    # CR-I1 + S42: shoplifting (2) with a mitigating factor is 1.
    fires(
        "NAT-GRAV-03",
        "46-mitigated",
        {"offence": {"mitigating_factors": ["Goods returned"]}},
        P,
        CON,
    ),
    quiet("NAT-GRAV-03", "score-2", {"offence": {"gravity_score": 2}}, P, CON),
    # CR-E1 (safer reading): serious injury needs an Inspector.
    fires("NAT-INJ-01", "serious", {"offence": {"injury": "serious"}}, RA, INSP),
    quiet("NAT-INJ-01", "minor", {"offence": {"injury": "minor"}}, P, CON),
    # -- weapons --------------------------------------------------------------------------------
    # CR-F4: knife possession (90, other knives offences) without exceptional circumstances.
    fires(
        "NAT-WPN-01",
        "90-not-exceptional",
        {"offence": {"ho_code": "90", "exceptional_circumstances": False}},
        NP,
        None,
    ),
    # CR-F4: 10D (article with blade or point) without exceptional circumstances (also gravity 4).
    fires(
        "NAT-WPN-01",
        "10D-not-exceptional",
        {"offence": {"ho_code": "10D", "exceptional_circumstances": False}},
        NP,
        None,
    ),
    # CR-F4 exemption: exceptional circumstances recorded: Inspector (NAT-WPN-02, NAT-GRAV-02).
    quiet(
        "NAT-WPN-01",
        "90-exceptional",
        {"offence": {"ho_code": "90", "exceptional_circumstances": True}},
        RA,
        INSP,
    ),
    # CR-F4 exemption: OVERRIDE(INSP) with exceptional circumstances recorded.
    fires(
        "NAT-WPN-02",
        "90-exceptional",
        {"offence": {"ho_code": "90", "exceptional_circumstances": True}},
        RA,
        INSP,
    ),
    # CR-F4: exceptional circumstances matter only for weapons offences.
    quiet("NAT-WPN-02", "46-exceptional", {"offence": {"exceptional_circumstances": True}}, P, CON),
    # CR-F2 / CR-F4: a firearm involved is a bar.
    fires("NAT-WPN-03", "firearm", {"offence": {"weapon": "firearm"}}, NP, None),
    quiet("NAT-WPN-03", "no-weapon", {"offence": {"weapon": "none"}}, P, CON),
    quiet("NAT-WPN-03", "bladed", {"offence": {"weapon": "bladed_article"}}, RA, INSP),
    # CR-F2 / CR-F4 (safer reading): a bladed article or other weapon used: Inspector.
    fires("NAT-WPN-04", "bladed", {"offence": {"weapon": "bladed_article"}}, RA, INSP),
    fires("NAT-WPN-04", "other-weapon", {"offence": {"weapon": "other_weapon"}}, RA, INSP),
    quiet("NAT-WPN-04", "no-weapon", {"offence": {"weapon": "none"}}, P, CON),
    # A firearm is barred by NAT-WPN-03, not graded by NAT-WPN-04.
    quiet("NAT-WPN-04", "firearm", {"offence": {"weapon": "firearm"}}, NP, None),
    # -- victim ---------------------------------------------------------------------------------
    # CR-D1: an identified victim not consulted: Sergeant.
    fires("NAT-VIC-01", "not-consulted", {"victim": {"consulted": False}}, RA, SGT),
    # Open question 12 / CR-D1: no identified victim, nobody to consult.
    quiet(
        "NAT-VIC-01",
        "victimless",
        {"victim": {"identified": False, "consulted": False, "consents": None, "views": None}},
        P,
        CON,
    ),
    quiet("NAT-VIC-01", "consulted", {"victim": {"consulted": True}}, P, CON),
    # CR-K2: views not recorded after consulting: warning only.
    fires("NAT-VIC-02", "no-views", {"victim": {"views": None}}, P, CON),
    quiet("NAT-VIC-02", "views", {"victim": {"views": HOUSE}}, P, CON),
    # CR-K2: not consulted: nothing to record (NAT-VIC-01 gives the Sergeant instead).
    quiet("NAT-VIC-02", "not-consulted", {"victim": {"consulted": False, "views": None}}, RA, SGT),
    # CR-D1 / D-17 (NPCC 2022): victim refuses; views need not be followed: warning.
    fires("NAT-VIC-03", "refuses-2024", {"victim": {"consents": False}}, P, CON),
    # CR-D2 (ACPO 2012): the same refusal needs a Sergeant instead (NAT-VIC-04).
    quiet(
        "NAT-VIC-03",
        "refuses-2015",
        {"decision_date": ACPO, "victim": {"consents": False}},
        RA,
        SGT,
    ),
    quiet("NAT-VIC-03", "consents-2024", {"victim": {"consents": True}}, P, CON),
    # CR-D2 (ACPO 2012): no victim consent; a supervisor may authorise.
    fires(
        "NAT-VIC-04",
        "refuses-2015",
        {"decision_date": ACPO, "victim": {"consents": False}},
        RA,
        SGT,
    ),
    # CR-D1 (NPCC 2022): no Sergeant for a refusal since 2022 (NAT-VIC-03 warns).
    quiet("NAT-VIC-04", "refuses-2024", {"victim": {"consents": False}}, P, CON),
    quiet(
        "NAT-VIC-04", "consents-2015", {"decision_date": ACPO, "victim": {"consents": True}}, P, CON
    ),
    # CR-D4 is a force position (A&S 2016); national never selects 'deny' (see the overlay test).
    quiet(
        "NAT-VIC-05",
        "refuses-2015",
        {"decision_date": ACPO, "victim": {"consents": False}},
        RA,
        SGT,
    ),
    quiet("NAT-VIC-05", "refuses-2024", {"victim": {"consents": False}}, P, CON),
    # CR-F7 (baseline suggestion): vulnerable victim: Inspector.
    fires("NAT-VUL-01", "vulnerable", {"victim": {"vulnerable": True}}, RA, INSP),
    quiet("NAT-VUL-01", "not-vulnerable", {"victim": {"vulnerable": False}}, P, CON),
]


def _evaluate(evaluator: Evaluator, overrides: dict[str, Any], **kw: Any) -> Evaluation:
    return evaluator.evaluate(record(**overrides), **kw)


@pytest.mark.parametrize("row", RULE_CASES, ids=lambda r: r.id)
def test_rule_fires_or_not(evaluator: Evaluator, row: Row) -> None:
    ev = _evaluate(evaluator, row.overrides)
    d = ev.decision
    assert (row.rule in ev.states.fired) is row.fires, sorted(ev.states.fired)
    assert (d.decision, d.required_authority) == (row.decision, row.authority), d.reasons
    assert d.suggested_outcomes == list(row.suggested)
    assert d.missing == []
    reasons = {r.rule for r in d.reasons}
    # Contract §2: every fired rule that shaped the result is a reason; for not_permitted the
    # authority rules are overridden by the bar (decision.py). A rule not in force never fires.
    authority = {r.id for r in ev.policy.rules if r.effect.kind is EffectKind.REQUIRE_AUTHORITY}
    shaping = row.fires and not (row.rule in authority and d.decision == NP)
    assert (row.rule in reasons) is shaping


def _decision_rule_ids(policy_set: PolicySet) -> set[str]:
    """Every deny / require_authority / warn / suggest rule of every national version."""
    ids: set[str] = set()
    for start in policy_set.version_starts("national"):
        ids |= {r.id for r in policy_set.resolve("national", start).rules}
    return ids


def test_every_national_rule_has_a_firing_and_a_quiet_row(policy_set: PolicySet) -> None:
    rules = _decision_rule_ids(policy_set)
    assert len(rules) >= 30
    firing = {r.rule for r in RULE_CASES if r.fires}
    quiet_ = {r.rule for r in RULE_CASES if not r.fires}
    # NAT-VIC-05 never fires under national parameters: test_vic05_fires_in_a_consent_profile.
    assert rules - firing == {"NAT-VIC-05"}
    assert rules == quiet_
    assert firing | quiet_ <= rules  # no row names a rule that does not exist


# -- derived facts ------------------------------------------------------------------------------

NO_HISTORY = {"history": None}
DERIVED_CASES = [
    # NAT-DER-FAMILY: from the HO code; from offence.family when no code; else unknown.
    ("offence_family", {}, "theft"),
    ("offence_family", {"offence": {"ho_code": None, "family": "violence"}}, "violence"),
    ("offence_family", {"offence": {"ho_code": None}}, None),
    # NAT-DER-MODE: the officer's record wins over the table; table; neither.
    ("mode_of_trial", {}, "either_way"),
    ("mode_of_trial", {"offence": {"mode_of_trial": "summary"}}, "summary"),
    ("mode_of_trial", {"offence": {"ho_code": None, "family": "theft"}}, None),
    # NAT-DER-CHILD: under 18 (child_age_limit).
    ("offender_is_child", {"offender": {"age": 17}}, True),
    ("offender_is_child", {"offender": {"age": 18}}, False),
    ("offender_is_child", {"offender": {"age": None}}, None),
    # NAT-DER-VICTIM-CHILD
    ("victim_is_child", {"victim": {"age": 12}}, True),
    ("victim_is_child", {"victim": {"age": 45}}, False),
    ("victim_is_child", {"victim": {"age": None}}, None),
    # NAT-DER-HISTORY: true when any count > 0; false only when all three are 0.
    ("has_previous_disposal", {"offender": {"history": history(cons=1)}}, True),
    ("has_previous_disposal", {"offender": {"history": {"previous_cautions": 3}}}, True),
    ("has_previous_disposal", {"offender": {"history": history()}}, False),
    ("has_previous_disposal", {"offender": {"history": {"previous_convictions": 0}}}, None),
    ("has_previous_disposal", {"offender": NO_HISTORY}, None),
    # NAT-DER-HATE: officer's flag, or a racially/religiously aggravated code.
    ("hate_crime", {"offence": {"hate_crime": True}}, True),
    ("hate_crime", {"offence": {"ho_code": "9B", "hate_crime": None}}, True),
    ("hate_crime", {"offence": {"hate_crime": False}}, False),
    ("hate_crime", {"offence": {"hate_crime": None}}, None),
    # NAT-DER-PEER: every CR-F3 condition positively recorded.
    ("peer_child_path", PEER_D10, True),
    ("peer_child_path", peer(families_support=None), None),
    ("peer_child_path", {**PEER_D10, "victim": {"age": None}}, None),
    ("peer_child_path", {**PEER_D10, "offender": {"age": 19}}, False),
    ("peer_child_path", {}, False),
    # NAT-DER-BASE-GRAVITY: the officer's score, else the table default.
    ("base_gravity", {}, 2),
    ("base_gravity", {"offence": {"gravity_score": 4}}, 4),
    ("base_gravity", {"offence": {"ho_code": "8N"}}, 3),
    ("base_gravity", {"offence": {"ho_code": None, "family": "theft"}}, None),
    # NAT-DER-AGGRAVATED: factors listed; a hate flag on a code without the hate element.
    ("aggravated", {"offence": {"aggravating_factors": ["Planned"]}}, True),
    ("aggravated", {"offence": {"hate_crime": True}}, True),
    ("aggravated", {"offence": {"ho_code": "105B", "hate_crime": True}}, False),
    ("aggravated", {}, False),
    ("aggravated", {"offence": {"aggravating_factors": None}}, None),
    # NAT-DER-MITIGATED
    ("mitigated", {"offence": {"mitigating_factors": ["Remorse"]}}, True),
    ("mitigated", {}, False),
    ("mitigated", {"offence": {"mitigating_factors": None}}, None),
    # NAT-DER-GRAVITY-ADJUST: +1, -1, cancel, none.
    ("gravity_adjustment", {"offence": {"aggravating_factors": ["Planned"]}}, 1),
    ("gravity_adjustment", {"offence": {"mitigating_factors": ["Remorse"]}}, -1),
    (
        "gravity_adjustment",
        {"offence": {"aggravating_factors": ["Planned"], "mitigating_factors": ["Remorse"]}},
        0,
    ),
    ("gravity_adjustment", {}, 0),
    # NAT-DER-EFFECTIVE-GRAVITY: clamped to 1..5.
    ("effective_gravity", {"offence": {"gravity_score": 5, "aggravating_factors": ["x"]}}, 5),
    ("effective_gravity", {"offence": {"gravity_score": 1, "mitigating_factors": ["x"]}}, 1),
    ("effective_gravity", {"offence": {"gravity_score": 3, "aggravating_factors": ["x"]}}, 4),
    ("effective_gravity", {"offence": {"aggravating_factors": None}}, None),
]


@pytest.mark.parametrize(
    ("fact", "overrides", "expected"),
    DERIVED_CASES,
    ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(DERIVED_CASES)],
)
def test_derived_fact(
    evaluator: Evaluator, fact: str, overrides: dict[str, Any], expected: Any
) -> None:
    value = _evaluate(evaluator, overrides).states.derived[fact]
    assert value == expected
    assert type(value) is type(expected)  # True is not 1


def test_every_derived_fact_is_tested(policy_set: PolicySet) -> None:
    facts = {d.fact for d in policy_set.resolve("national", date(2024, 6, 1)).derives}
    for fact in facts:
        values = {repr(v) for f, _, v in DERIVED_CASES if f == fact}
        assert "None" in values or fact == "gravity_adjustment", fact
        assert len(values) >= 2, fact


# -- three-valued behaviour ---------------------------------------------------------------------


def test_a_bar_that_holds_wins_over_missing_facts(evaluator: Evaluator) -> None:
    """Contract §2: an absolute bar on the recorded facts gives not_permitted regardless."""
    ev = _evaluate(
        evaluator,
        {
            "offender": {"admission": "denies", "age": None},
            "offence": {"evidence_sufficient": None},
        },
    )
    assert {"NAT-AGE-01", "NAT-EVID-01"} <= ev.states.unknown
    assert ev.decision.decision == NP
    assert ev.decision.missing == []


MISSING_CASES = [
    # NAT-AGE-01 and NAT-AA-01 both need the age (the base records no appropriate adult).
    ("age", {"offender": {"age": None}}, ["offender.age"]),
    # NAT-AA-01 for a 17-year-old.
    (
        "appropriate-adult",
        {"offender": {"age": 17, "appropriate_adult_present": None}},
        ["offender.appropriate_adult_present"],
    ),
    # NAT-EVID-01.
    ("evidence", {"offence": {"evidence_sufficient": None}}, ["offence.evidence_sufficient"]),
    # NAT-ADM-01.
    ("admission", {"offender": {"admission": None}}, ["offender.admission"]),
    # NAT-DA-01: an intimate partner, domestic abuse not recorded.
    (
        "domestic-abuse",
        {"offence": {"domestic_abuse": None, "relationship_to_victim": "intimate_partner"}},
        ["offence.domestic_abuse"],
    ),
    # NAT-HIST-01 through has_previous_disposal: every unrecorded count.
    (
        "history",
        {"offender": NO_HISTORY},
        [
            "offender.history.previous_cautions",
            "offender.history.previous_community_resolutions",
            "offender.history.previous_convictions",
        ],
    ),
    # NAT-VIC-01.
    ("consulted", {"victim": {"consulted": None}}, ["victim.consulted"]),
    # NAT-VUL-01.
    ("vulnerable", {"victim": {"vulnerable": None}}, ["victim.vulnerable"]),
    # NAT-HATE-01 and the gravity rules (+1 for hate).
    ("hate", {"offence": {"hate_crime": None}}, ["offence.hate_crime"]),
    # NAT-GRAV-01/02 through aggravated: shoplifting 2 could become 3 (Inspector).
    ("aggravating", {"offence": {"aggravating_factors": None}}, ["offence.aggravating_factors"]),
    # NAT-WPN-01/02: knife possession, exceptional circumstances not recorded.
    (
        "exceptional",
        {"offence": {"ho_code": "90"}},
        ["offence.exceptional_circumstances"],
    ),
    # NAT-SEX-01/02 and NAT-GRAV-01 through peer_child_path: the D-10 record without its block.
    (
        "peer-block",
        {**PEER_D10, "peer_sexual_activity": None},
        [
            "peer_sexual_activity.coercion_or_exploitation",
            "peer_sexual_activity.consensual_in_fact",
            "peer_sexual_activity.families_support",
            "peer_sexual_activity.safeguarding_concerns",
        ],
    ),
    # NAT-VIC-04 (ACPO 2012): whether the victim consents decides the Sergeant.
    ("consents-2015", {"decision_date": ACPO, "victim": {"consents": None}}, ["victim.consents"]),
]


@pytest.mark.parametrize(
    ("name", "overrides", "missing"), MISSING_CASES, ids=[c[0] for c in MISSING_CASES]
)
def test_missing_fact_gives_insufficient_information(
    evaluator: Evaluator, name: str, overrides: dict[str, Any], missing: list[str]
) -> None:
    d = _evaluate(evaluator, overrides).decision
    assert d.decision == II
    assert d.required_authority is None
    assert d.missing == missing


SETTLED_CASES = [
    # NAT-DA-01/02 need domestic abuse AND a partner/family relationship: a stranger settles them.
    ("da-unknown-stranger", {"offence": {"domestic_abuse": None}}, P, CON),
    # NAT-VIC-03 (2022) is a warning: an unrecorded consent cannot change the decision.
    ("consents-2024", {"victim": {"consents": None}}, P, CON),
    # NAT-VIC-02 reads views only for presence, never unknown.
    ("views", {"victim": {"views": None}}, P, CON),
    # NAT-VIC-01: no identified victim.
    ("victimless", {"victim": {"identified": False, "consulted": None, "consents": None}}, P, CON),
    # Unknown NAT-VIC-01 (Sergeant) is below NAT-HIST-03's Inspector: it cannot change the rank.
    (
        "sergeant-below-inspector",
        {"offender": {"prolific_or_priority_offender": True}, "victim": {"consulted": None}},
        RA,
        INSP,
    ),
    # Unknown NAT-HIST-01 (Sergeant) below NAT-VUL-01's Inspector.
    (
        "history-below-inspector",
        {"offender": NO_HISTORY, "victim": {"vulnerable": True}},
        RA,
        INSP,
    ),
    # Unknown NAT-VIC-01 (Sergeant) when a Sergeant is already required (equal rank).
    (
        "sergeant-equal",
        {"offender": {"history": history(cautions=1)}, "victim": {"consulted": None}},
        RA,
        SGT,
    ),
]


@pytest.mark.parametrize(
    ("name", "overrides", "decision", "authority"), SETTLED_CASES, ids=[c[0] for c in SETTLED_CASES]
)
def test_unknown_rule_that_cannot_change_the_decision(
    evaluator: Evaluator, name: str, overrides: dict[str, Any], decision: str, authority: str
) -> None:
    d = _evaluate(evaluator, overrides).decision
    assert (d.decision, d.required_authority, d.missing) == (decision, authority, [])


def test_unknown_rule_above_the_required_rank_is_insufficient(evaluator: Evaluator) -> None:
    """A Sergeant is required (history); an unknown Inspector rule (NAT-VUL-01) could raise it."""
    d = _evaluate(
        evaluator, {"offender": {"history": history(cautions=1)}, "victim": {"vulnerable": None}}
    ).decision
    assert (d.decision, d.missing) == (II, ["victim.vulnerable"])


def test_unrecorded_mitigation_cannot_change_a_gravity_2_case(evaluator: Evaluator) -> None:
    d = _evaluate(evaluator, {"offence": {"mitigating_factors": None}}).decision
    assert (d.decision, d.required_authority) == (P, CON)


# -- authorisation ------------------------------------------------------------------------------

PROLIFIC = {"offender": {"prolific_or_priority_offender": True}}  # NAT-HIST-03: Inspector
WHY = "Single low-value theft; engaging with the drugs service; store content with an apology."
AUTH_CASES = [
    # Contract §2: rank >= required AND a non-empty rationale.
    ("inspector", PROLIFIC, {"rank": "inspector", "rationale": WHY}, P, INSP, True),
    ("superintendent", PROLIFIC, {"rank": "superintendent", "rationale": WHY}, P, INSP, True),
    ("too-low", PROLIFIC, {"rank": "sergeant", "rationale": WHY}, RA, INSP, False),
    ("blank-rationale", PROLIFIC, {"rank": "inspector", "rationale": "   "}, RA, INSP, False),
    ("empty-rationale", PROLIFIC, {"rank": "inspector", "rationale": ""}, RA, INSP, False),
    ("no-rationale", PROLIFIC, {"rank": "inspector", "officer_id": "4471"}, RA, INSP, False),
    ("no-rank", PROLIFIC, {"rationale": WHY}, RA, INSP, False),
    # A Sergeant suffices where only a Sergeant is required (NAT-HIST-01).
    (
        "sergeant-for-history",
        {"offender": {"history": history(crs=1)}},
        {"rank": "sergeant", "rationale": WHY},
        P,
        SGT,
        True,
    ),
    # No rank lifts a bar (NAT-DA-01, CR-F1).
    (
        "bar",
        {"offence": {"domestic_abuse": True, "relationship_to_victim": "intimate_partner"}},
        {"rank": "chief_superintendent", "rationale": WHY},
        NP,
        None,
        False,
    ),
    # Officer level: an authorisation is not needed; any rank with a rationale suffices.
    ("officer-level", {}, {"rank": "sergeant", "rationale": WHY}, P, CON, True),
    ("officer-level-none", {}, None, P, CON, False),
]


@pytest.mark.parametrize(
    ("name", "overrides", "auth", "decision", "authority", "authorised"),
    AUTH_CASES,
    ids=[c[0] for c in AUTH_CASES],
)
def test_authorisation(
    evaluator: Evaluator,
    name: str,
    overrides: dict[str, Any],
    auth: dict[str, Any] | None,
    decision: str,
    authority: str | None,
    authorised: bool,
) -> None:
    d = _evaluate(evaluator, {**overrides, "authorisation": auth}).decision
    assert (d.decision, d.required_authority, d.authorised) == (decision, authority, authorised)


# -- the policy in force on the decision date ---------------------------------------------------

REFUSES = {"victim": {"consents": False}}


@pytest.mark.parametrize(
    ("day", "era", "fired", "decision", "authority"),
    [
        ("2021-12-31", "acpo-2012", "NAT-VIC-04", RA, SGT),  # CR-D2: supervisor may authorise
        ("2022-01-01", "npcc-2022", "NAT-VIC-03", P, CON),  # CR-D1: views need not be followed
    ],
)
def test_victim_refusal_across_the_2022_boundary(
    evaluator: Evaluator, day: str, era: str, fired: str, decision: str, authority: str
) -> None:
    ev = _evaluate(evaluator, {**REFUSES, "decision_date": day})
    assert ev.decision.policy.era == era
    assert {"NAT-VIC-03", "NAT-VIC-04"} & ev.states.fired == {fired}
    assert (ev.decision.decision, ev.decision.required_authority) == (decision, authority)


def test_as_of_overrides_the_decision_date(evaluator: Evaluator) -> None:
    """A 2024 case re-decided as at 2015 is judged under the ACPO guidance (NAT-VIC-04)."""
    ev = _evaluate(evaluator, REFUSES, as_of=date(2015, 6, 1))
    assert ev.decision.policy.era == "acpo-2012"
    assert "NAT-VIC-04" in ev.states.fired
    assert ev.decision.required_authority == SGT


@pytest.mark.parametrize(
    ("day", "decision"),
    [("2015-06-01", NP), ("2021-12-31", NP), ("2022-01-01", P), ("2024-05-14", P)],
)
def test_accepts_responsibility_across_eras(evaluator: Evaluator, day: str, decision: str) -> None:
    """accepted_admissions: full admission only under ACPO 2012 (S17); acceptance too from 2022."""
    ev = _evaluate(
        evaluator, {"decision_date": day, "offender": {"admission": "accepts_responsibility"}}
    )
    assert ev.decision.decision == decision
    assert ("NAT-ADM-01" in ev.states.fired) is (decision == NP)


@pytest.mark.parametrize(("day", "suggested"), [("2019-03-31", []), ("2019-04-01", [22])])
def test_outcome_22_from_april_2019(evaluator: Evaluator, day: str, suggested: list[int]) -> None:
    d = _evaluate(evaluator, {"decision_date": day, "offender": {"admission": "denies"}}).decision
    assert (d.decision, d.suggested_outcomes) == (NP, suggested)


# -- NAT-VIC-05 in a profile that requires victim consent ---------------------------------------

CONSENT_SOURCE = {
    "citation": "Avon and Somerset FOI answers (2016-17): informed victim consent required (CR-D4)",
    "url": "https://www.avonandsomerset.police.uk/about-us/freedom-of-information/"
    "previous-foi-requests/community-safety/use-of-community-resolution-orders/",
    "keys": ["S10"],
    "strength": "FORCE",
}
CONSENT_PROFILE = {
    "profile": {
        "id": "test-consent",
        "title": "Test profile: victim consent required",
        "description": "Extends national; a victim's refusal is a bar (victim_no_consent_effect).",
        "extends": "national",
        "forces": [],
        "versions": [
            {
                "id": "consent-2022",
                "title": "Consent required",
                "effective_from": "2022-01-01",
                "source": CONSENT_SOURCE,
            }
        ],
    }
}
CONSENT_PARAMETERS = {
    "parameters": [
        {
            "name": "victim_no_consent_effect",
            "values": [{"value": "deny", "effective_from": "2022-01-01", "source": CONSENT_SOURCE}],
        }
    ]
}


@pytest.fixture(scope="module")
def consent_rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import json  # JSON is valid YAML: the files are written without a YAML dumper's choices

    rules = tmp_path_factory.mktemp("consent") / "rules"
    shutil.copytree(RULES, rules)
    profile = rules / "profiles" / "test-consent"
    profile.mkdir()
    (profile / "profile.yaml").write_text(json.dumps(CONSENT_PROFILE, indent=2), encoding="utf-8")
    (profile / "parameters.yaml").write_text(json.dumps(CONSENT_PARAMETERS, indent=2), "utf-8")
    return rules


@pytest.mark.parametrize(("consents", "decision"), [(False, NP), (True, P)])
def test_vic05_fires_in_a_consent_profile(
    consent_rules: Path, consents: bool, decision: str
) -> None:
    evaluator = Evaluator(consent_rules, cross_check=True)
    ev = evaluator.evaluate(record(victim={"consents": consents}), force="test-consent")
    assert ev.decision.policy.profile == "test-consent"
    assert ("NAT-VIC-05" in ev.states.fired) is (not consents)
    assert "NAT-VIC-03" not in ev.states.fired
    assert ev.decision.decision == decision


# -- weapons: the CR-F4 exemption for the commonest knife code -----------------------------------


def test_knife_possession_with_exceptional_circumstances_needs_an_inspector(
    evaluator: Evaluator,
) -> None:
    ev = _evaluate(evaluator, {"offence": {"ho_code": "10D", "exceptional_circumstances": True}})
    assert "NAT-WPN-02" in ev.states.fired
    assert (ev.decision.decision, ev.decision.required_authority) == (RA, INSP)


# -- gravity bar for offences between children that are not sexual -----------------------------

# A 15-year-old robs a 14-year-old of his phone (HO 34B: indictable-only, gravity 4).
CHILD_ROBBERY: dict[str, Any] = {
    "offence": {"ho_code": "34B"},
    "offender": CHILD_15,
    "victim": {"age": 14},
}


@pytest.mark.parametrize("block", [None, PEER_OK], ids=["no-peer-block", "peer-block"])
def test_gravity_bar_applies_to_a_robbery_between_children(
    evaluator: Evaluator, block: dict[str, bool] | None
) -> None:
    ev = _evaluate(evaluator, {**CHILD_ROBBERY, "peer_sexual_activity": block})
    assert "NAT-GRAV-01" in ev.states.fired
    assert (ev.decision.decision, ev.decision.missing) == (NP, [])


def test_gravity_bar_for_the_same_robbery_of_an_adult(evaluator: Evaluator) -> None:
    """The control case: the victim is an adult, so no peer path can be in question."""
    ev = _evaluate(evaluator, {**CHILD_ROBBERY, "victim": {"age": 40}})
    assert "NAT-GRAV-01" in ev.states.fired
    assert (ev.decision.decision, ev.decision.missing) == (NP, [])


# -- compliance (historic review) ---------------------------------------------------------------

COMPLIANCE_CASES = [
    # Contract §2: actual_outcome 8 -> compliant / non_compliant / unverifiable by decision.
    ("permitted", {}, 8, P, "compliant"),
    (
        "authorised",
        {**PROLIFIC, "authorisation": {"rank": "inspector", "rationale": WHY}},
        8,
        P,
        "compliant",
    ),
    ("needs-authorisation", PROLIFIC, 8, RA, "non_compliant"),
    ("barred", {"offender": {"admission": "denies"}}, 8, NP, "non_compliant"),
    ("insufficient", {"victim": {"consulted": None}}, 8, II, "unverifiable"),
    # Other outcomes, or none recorded: no compliance verdict.
    ("outcome-22", {"offender": {"admission": "denies"}}, 22, NP, None),
    ("outcome-1", {}, 1, P, None),
    ("not-recorded", {}, None, P, None),
]


@pytest.mark.parametrize(
    ("name", "overrides", "outcome", "decision", "compliance"),
    COMPLIANCE_CASES,
    ids=[c[0] for c in COMPLIANCE_CASES],
)
def test_compliance(
    evaluator: Evaluator,
    name: str,
    overrides: dict[str, Any],
    outcome: int | None,
    decision: str,
    compliance: str | None,
) -> None:
    d = _evaluate(evaluator, {**overrides, "actual_outcome": outcome}).decision
    assert (d.decision, d.compliance) == (decision, compliance)
