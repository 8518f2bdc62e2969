"""The one table of words for facts and parameters, used by ``plain`` (policy book, diff).

Every case field rules may read (``facts.CASE_FIELDS``), every ``computed.*`` and ``table.*``
fact and every derived fact of the national profile has a label here; a test keeps it complete.
A label says what the fact is called (``name``, for tables and headings), the noun phrase
sentences start with (``noun``), and, by kind: for yes/no facts the sentence when true and when
false; for closed lists of values the words for each value, and optionally a verb phrase per
value with its ``subject`` ("the offender" + "denies the offence"); for ages, ``subject`` reads
"the offender is under 10".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from disposal.offences import OffenceFlag


@dataclass(frozen=True)
class Label:
    name: str
    noun: str
    kind: str = "value"  # bool, enum, int, number, date, code, text
    yes: str = ""
    no: str = ""
    values: Mapping[str, str] = field(default_factory=dict)
    says: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    subject: str = ""
    age: bool = False
    plural: bool = False


def flag(name: str, yes: str, no: str) -> Label:
    return Label(name, f"whether {yes}", "bool", yes, no)


def number(name: str, noun: str, kind: str = "int") -> Label:
    return Label(name, noun, kind)


def enum(
    name: str,
    noun: str,
    values: Mapping[str, str],
    subject: str = "",
    says: Mapping[str, tuple[str, str]] | None = None,
) -> Label:
    return Label(name, noun, "enum", values=values, subject=subject, says=says or {})


def age(person: str) -> Label:
    return Label(
        f"{person.removeprefix('the ')}'s age", f"{person}'s age", "int", subject=person, age=True
    )


_FAMILY_NAMES = {
    "theft": "theft",
    "violence": "violence",
    "sexual": "sexual",
    "weapons": "weapons possession",
    "drugs": "drugs",
    "public_order": "public order",
    "criminal_damage": "criminal damage",
    "fraud": "fraud",
    "other": "other",
}
_FAMILY = {
    "theft": "a theft offence",
    "violence": "a violence offence",
    "sexual": "a sexual offence",
    "weapons": "a weapons possession offence",
    "drugs": "a drugs offence",
    "public_order": "a public order offence",
    "criminal_damage": "a criminal damage offence",
    "fraud": "a fraud offence",
    "other": "an offence of another kind",
}
_MODE_NAMES = {
    "summary": "summary only",
    "either_way": "either way",
    "indictable_only": "indictable only",
}
_MODE = {
    "summary": "summary-only",
    "either_way": "triable either way",
    "indictable_only": "indictable-only",
}
_ADMISSION = {
    "full_admission": "full admission",
    "accepts_responsibility": "acceptance of responsibility",
    "denies": "denial",
    "no_comment": "no comment",
}
_ADMISSION_SAYS = {
    "full_admission": ("admits the offence in full", "does not admit the offence in full"),
    "accepts_responsibility": ("accepts responsibility", "does not accept responsibility"),
    "denies": ("denies the offence", "does not deny the offence"),
    "no_comment": ("makes no comment", "does not answer 'no comment'"),
}
_RELATIONSHIP = {
    "intimate_partner": "intimate partner",
    "family_member": "family member",
    "acquaintance": "acquaintance",
    "stranger": "stranger",
    "none": "none",
}
_RELATIONSHIP_SAYS = {
    "intimate_partner": (
        "is the victim's intimate partner",
        "is not the victim's intimate partner",
    ),
    "family_member": (
        "is a member of the victim's family",
        "is not a member of the victim's family",
    ),
    "acquaintance": ("is an acquaintance of the victim", "is not an acquaintance of the victim"),
    "stranger": ("is a stranger to the victim", "is not a stranger to the victim"),
}
_WEAPON = {
    "none": "none",
    "bladed_article": "a bladed article",
    "firearm": "a firearm",
    "other_weapon": "another weapon",
}
_FLAG_WORDS = {
    OffenceFlag.RACIALLY_OR_RELIGIOUSLY_AGGRAVATED: "racially or religiously aggravated",
    OffenceFlag.CHILD_VICTIM_UNDER_16: "an offence against a child under 16",
    OffenceFlag.CHILD_VICTIM_UNDER_13: "an offence against a child under 13",
    OffenceFlag.RAPE: "a rape offence",
    OffenceFlag.INDECENT_IMAGES_OF_CHILDREN: "an indecent images of children offence",
    OffenceFlag.FIREARM: "a firearms offence",
    OffenceFlag.BLADED_ARTICLE: "a bladed article offence",
    OffenceFlag.OFFENSIVE_WEAPON: "an offensive weapon offence",
    OffenceFlag.ASSAULT_ON_EMERGENCY_WORKER: "an assault on an emergency worker",
    OffenceFlag.LOW_VALUE_SHOPLIFTING: "low-value shoplifting",
    OffenceFlag.CRIMINAL_DAMAGE_VALUE_THRESHOLD: "criminal damage tried by value",
    OffenceFlag.SPECIFIED_EITHER_WAY: "a specified either-way offence",
    OffenceFlag.FATAL: "an offence causing death",
}

_CASE: dict[str, Label] = {
    "decision_date": number("decision date", "the decision date", "date"),
    "offence.ho_code": number("offence code", "the Home Office offence code", "code"),
    "offence.family": enum(
        "recorded offence family", "the offence family the officer recorded", _FAMILY_NAMES
    ),
    "offence.description": number("offence description", "the offence description", "text"),
    "offence.date": number("offence date", "the date of the offence", "date"),
    "offence.mode_of_trial": enum(
        "recorded mode of trial", "the mode of trial the officer recorded", _MODE_NAMES
    ),
    "offence.gravity_score": number(
        "assessed gravity score", "the gravity score the officer assessed"
    ),
    "offence.value_gbp": number("value in pounds", "the value involved, in pounds", "number"),
    "offence.injury": enum(
        "injury", "the victim's injury", {"none": "none", "minor": "minor", "serious": "serious"}
    ),
    "offence.domestic_abuse": flag(
        "domestic abuse",
        "the offence involves domestic abuse",
        "the offence does not involve domestic abuse",
    ),
    "offence.relationship_to_victim": enum(
        "relationship to the victim",
        "the offender's relationship to the victim",
        _RELATIONSHIP,
        "the offender",
        _RELATIONSHIP_SAYS,
    ),
    "offence.hate_crime": flag(
        "hate crime flag",
        "the officer has flagged the offence as a hate crime",
        "the officer has not flagged the offence as a hate crime",
    ),
    "offence.weapon": enum("weapon", "the weapon involved", _WEAPON),
    "offence.evidence_sufficient": flag(
        "sufficient evidence",
        "there is sufficient evidence that an offence occurred",
        "there is not sufficient evidence that an offence occurred",
    ),
    "offence.exceptional_circumstances": flag(
        "exceptional circumstances",
        "exceptional circumstances are recorded",
        "no exceptional circumstances are recorded",
    ),
    "offender.age": age("the offender"),
    "offender.admission": enum(
        "admission", "the offender's admission", _ADMISSION, "the offender", _ADMISSION_SAYS
    ),
    "offender.agrees_to_resolution": flag(
        "offender agrees",
        "the offender agrees to the community resolution",
        "the offender does not agree to the community resolution",
    ),
    "offender.appropriate_adult_present": flag(
        "appropriate adult present",
        "an appropriate adult is present",
        "no appropriate adult is present",
    ),
    "offender.prolific_or_priority_offender": flag(
        "prolific or priority offender",
        "the offender is a prolific or priority offender",
        "the offender is not a prolific or priority offender",
    ),
    "offender.history.previous_convictions": number(
        "previous convictions", "the offender's number of previous convictions"
    ),
    "offender.history.previous_cautions": number(
        "previous cautions", "the offender's number of previous cautions"
    ),
    "offender.history.previous_community_resolutions": number(
        "previous community resolutions", "the offender's number of previous community resolutions"
    ),
    "victim.identified": flag(
        "victim identified", "a victim has been identified", "no victim has been identified"
    ),
    "victim.age": age("the victim"),
    "victim.vulnerable": flag(
        "vulnerable victim", "the victim is vulnerable", "the victim is not vulnerable"
    ),
    "victim.consulted": flag(
        "victim consulted", "the victim has been consulted", "the victim has not been consulted"
    ),
    "victim.consents": flag(
        "victim agrees",
        "the victim agrees to a community resolution",
        "the victim does not agree to a community resolution",
    ),
    "victim.views": Label("victim's views", "the victim's views", "text", plural=True),
    "peer_sexual_activity.consensual_in_fact": flag(
        "consensual in fact",
        "the activity was consensual in fact",
        "the activity was not consensual in fact",
    ),
    "peer_sexual_activity.coercion_or_exploitation": flag(
        "coercion or exploitation",
        "there was coercion or exploitation",
        "there was no coercion or exploitation",
    ),
    "peer_sexual_activity.safeguarding_concerns": flag(
        "safeguarding concerns",
        "there are safeguarding concerns",
        "there are no safeguarding concerns",
    ),
    "peer_sexual_activity.families_support": flag(
        "families support",
        "the families support a community resolution",
        "the families do not support a community resolution",
    ),
}

_SINCE = "the number of whole months since the offender's last"
_COMPUTED: dict[str, Label] = {
    "computed.age_gap": number(
        "age gap", "the age gap in years between the offender and the victim"
    ),
    "computed.aggravating_count": number(
        "aggravating factors", "the number of aggravating factors recorded"
    ),
    "computed.mitigating_count": number(
        "mitigating factors", "the number of mitigating factors recorded"
    ),
    "computed.months_since_last_cr": number(
        "months since the last CR", f"{_SINCE} community resolution"
    ),
    "computed.months_since_last_caution": number(
        "months since the last caution", f"{_SINCE} caution"
    ),
    "computed.months_since_last_conviction": number(
        "months since the last conviction", f"{_SINCE} conviction"
    ),
    "computed.months_since_last_any": number(
        "months since the last disposal", f"{_SINCE} disposal of any kind"
    ),
    "computed.months_since_last_similar": number(
        "months since the last similar disposal",
        f"{_SINCE} disposal for the same offence code or family",
    ),
}

_TABLE: dict[str, Label] = {
    "table.family": enum(
        "offence family (offence table)",
        "the offence table's family for the offence code",
        _FAMILY_NAMES,
    ),
    "table.mode_of_trial": enum(
        "mode of trial (offence table)",
        "the offence table's mode of trial for the offence code",
        _MODE_NAMES,
    ),
    "table.gravity": number(
        "default gravity (offence table)",
        "the offence table's default gravity score for the offence code",
    ),
    **{
        f"table.{f.value}": flag(
            words, f"the offence code is {words}", f"the offence code is not {words}"
        )
        for f, words in _FLAG_WORDS.items()
    },
}

_DERIVED: dict[str, Label] = {
    "derived.offence_family": enum("offence family", "the offence", _FAMILY),
    "derived.mode_of_trial": enum("mode of trial", "the offence", _MODE),
    "derived.offender_is_child": flag(
        "offender is a child", "the offender is a child", "the offender is not a child"
    ),
    "derived.victim_is_child": flag(
        "victim is a child", "the victim is a child", "the victim is not a child"
    ),
    "derived.has_previous_disposal": flag(
        "previous disposal",
        "the offender has a previous conviction, caution or community resolution",
        "the offender has no previous conviction, caution or community resolution",
    ),
    "derived.hate_crime": flag(
        "hate crime", "the offence is a hate crime", "the offence is not a hate crime"
    ),
    "derived.peer_child_path": flag(
        "peer path between children",
        "the case is on the narrow peer path for sexual activity between children",
        "the case is not on the narrow peer path for sexual activity between children",
    ),
    "derived.base_gravity": number("base gravity score", "the base gravity score"),
    "derived.aggravated": flag(
        "aggravated", "aggravating factors are present", "no aggravating factors are present"
    ),
    "derived.mitigated": flag(
        "mitigated", "mitigating factors are present", "no mitigating factors are present"
    ),
    "derived.gravity_adjustment": number("gravity adjustment", "the gravity adjustment"),
    "derived.effective_gravity": number("effective gravity score", "the effective gravity score"),
}

LABELS: dict[str, Label] = {**_CASE, **_COMPUTED, **_TABLE, **_DERIVED}

# What each parameter is, as a noun phrase (a parameter without one falls back to "the value
# set by the policy", always followed by its name).
PARAM_LABELS: dict[str, str] = {
    "accepted_admissions": "the admission standards accepted",
    "minimum_age": "the age of criminal responsibility",
    "child_age_limit": "the age of adulthood",
    "victim_no_consent_effect": "the response to an identified victim who does not agree",
    "peer_age_gap_max": "the largest age gap on the peer path",
    "gravity_inspector_from": "the score from which an Inspector is needed",
    "gravity_deny_from": "the score from which a CR is barred",
    # force parameters (Northumbria)
    "cr_record_months": "the number of months a community resolution stays on record",
}
