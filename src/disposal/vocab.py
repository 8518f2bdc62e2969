"""Closed vocabularies shared by case records, policies and decisions (CONTRACT.md).

They are ``StrEnum``s so that values serialise as the contract's strings, and the compiler can
list the legal literals for a field when checking a rule against the case model.
"""

from __future__ import annotations

from enum import StrEnum


class Rank(StrEnum):
    """Police ranks in ascending order of authority; the order is the contract's."""

    CONSTABLE = "constable"
    SERGEANT = "sergeant"
    INSPECTOR = "inspector"
    CHIEF_INSPECTOR = "chief_inspector"
    SUPERINTENDENT = "superintendent"
    CHIEF_SUPERINTENDENT = "chief_superintendent"

    @property
    def level(self) -> int:
        return list(Rank).index(self)

    def at_least(self, other: Rank) -> bool:
        return self.level >= other.level


class Decision(StrEnum):
    PERMITTED = "permitted"
    REQUIRES_AUTHORISATION = "requires_authorisation"
    NOT_PERMITTED = "not_permitted"
    INSUFFICIENT_INFORMATION = "insufficient_information"


class Compliance(StrEnum):
    COMPLIANT = "compliant"
    NON_COMPLIANT = "non_compliant"
    UNVERIFIABLE = "unverifiable"


class EffectKind(StrEnum):
    DENY = "deny"
    REQUIRE_AUTHORITY = "require_authority"
    WARN = "warn"
    SUGGEST = "suggest"
    DERIVE = "derive"


class OffenceFamily(StrEnum):
    THEFT = "theft"
    VIOLENCE = "violence"
    SEXUAL = "sexual"
    WEAPONS = "weapons"
    DRUGS = "drugs"
    PUBLIC_ORDER = "public_order"
    CRIMINAL_DAMAGE = "criminal_damage"
    FRAUD = "fraud"
    OTHER = "other"


class ModeOfTrial(StrEnum):
    SUMMARY = "summary"
    EITHER_WAY = "either_way"
    INDICTABLE_ONLY = "indictable_only"


class Injury(StrEnum):
    NONE = "none"
    MINOR = "minor"
    SERIOUS = "serious"


class Relationship(StrEnum):
    INTIMATE_PARTNER = "intimate_partner"
    FAMILY_MEMBER = "family_member"
    ACQUAINTANCE = "acquaintance"
    STRANGER = "stranger"
    NONE = "none"


class Weapon(StrEnum):
    NONE = "none"
    BLADED_ARTICLE = "bladed_article"
    FIREARM = "firearm"
    OTHER_WEAPON = "other_weapon"


class Admission(StrEnum):
    FULL_ADMISSION = "full_admission"
    ACCEPTS_RESPONSIBILITY = "accepts_responsibility"
    DENIES = "denies"
    NO_COMMENT = "no_comment"


class DisposalType(StrEnum):
    """Kinds of earlier disposal in an offender's history (``recent_disposals[].type``)."""

    COMMUNITY_RESOLUTION = "community_resolution"
    YOUTH_CAUTION = "youth_caution"
    YOUTH_CONDITIONAL_CAUTION = "youth_conditional_caution"
    CAUTION = "caution"
    CONDITIONAL_CAUTION = "conditional_caution"
    PENALTY_NOTICE = "penalty_notice"
    CANNABIS_WARNING = "cannabis_warning"
    OUTCOME_22 = "outcome_22"
    CONVICTION = "conviction"


# Home Office outcome types (DATA_NOTES.md §1.4; 23 per POLICY_RESEARCH §(c)). 8 = CR.
OUTCOME_TYPES: dict[int, str] = {
    1: "Charged/summonsed",
    2: "Caution (youth)",
    3: "Caution (adult)",
    4: "Taken into consideration",
    5: "Offender died",
    6: "Penalty Notice for Disorder",
    7: "Cannabis/khat warning",
    8: "Community resolution",
    9: "Prosecution not in the public interest (CPS)",
    10: "Formal action not in the public interest (police)",
    11: "Prosecution prevented: suspect under age of criminal responsibility",
    12: "Prosecution prevented: suspect too ill",
    13: "Prosecution prevented: victim or key witness dead or too ill",
    14: "Evidential difficulties: suspect not identified; victim does not support action",
    15: "Evidential difficulties: suspect identified; victim supports action",
    16: "Evidential difficulties: suspect identified; victim does not support action",
    17: "Prosecution time limit expired",
    18: "Investigation complete: no suspect identified",
    19: "National Fraud Intelligence Bureau filed",
    20: "Further action by another body or agency",
    21: "Further investigation not in the public interest (police decision)",
    22: "Diversionary, educational or intervention activity",
    23: "Deferred prosecution (children)",
}
COMMUNITY_RESOLUTION_OUTCOME = 8
