"""What police.uk's categories can and cannot say about a case record (docs/POLICE_UK.md).

police.uk publishes a crime type (14 categories) and an outcome category per crime, never the
Home Office offence code or outcome type. These tables map them only where the correspondence is
safe, and say why; everything else stays "not recorded" rather than guessed.
"""

from __future__ import annotations

from typing import NamedTuple

from disposal.vocab import OffenceFamily


class CrimeType(NamedTuple):
    family: OffenceFamily | None
    ho_groups: tuple[str, ...]  # the HO offence groups police.uk draws the category from
    note: str


ASB = "Anti-social behaviour"

# Never an HO code: even where one code is the obvious default (Shoplifting -> 46, Bicycle
# theft -> 44, Theft from the person -> 39), setting it would assert a mode of trial, a gravity
# and flags (e.g. the low-value shoplifting flag) that police.uk does not publish. The family
# alone is what the data supports, and rules that need more report the HO code as missing.
CRIME_TYPES: dict[str, CrimeType] = {
    ASB: CrimeType(None, (), "not a notifiable crime; rows have no Crime ID and are skipped"),
    "Bicycle theft": CrimeType(OffenceFamily.THEFT, ("Theft offences",), "pedal cycle theft"),
    "Burglary": CrimeType(OffenceFamily.THEFT, ("Theft offences",), "burglary codes 28-31"),
    "Criminal damage and arson": CrimeType(
        OffenceFamily.CRIMINAL_DAMAGE, ("Criminal damage and arson",), "codes 56 and 58"
    ),
    "Drugs": CrimeType(OffenceFamily.DRUGS, ("Drug offences",), "codes 92A-92E"),
    "Other crime": CrimeType(
        None,
        ("Miscellaneous crimes against society",),
        "mixed families: mostly 'other', but indecent images of children (86) and exploitation "
        "of prostitution (24) are 'sexual' and handling stolen goods (54) is 'theft'",
    ),
    "Other theft": CrimeType(OffenceFamily.THEFT, ("Theft offences",), "other theft codes"),
    "Possession of weapons": CrimeType(
        OffenceFamily.WEAPONS, ("Possession of weapons offences",), "codes 10A-10D, 81, 90"
    ),
    "Public order": CrimeType(
        OffenceFamily.PUBLIC_ORDER, ("Public order offences",), "codes 9A, 9B, 62A, 66"
    ),
    "Robbery": CrimeType(
        OffenceFamily.VIOLENCE, ("Robbery",), "codes 34A, 34B: family violence in the table"
    ),
    "Shoplifting": CrimeType(OffenceFamily.THEFT, ("Theft offences",), "code 46"),
    "Theft from the person": CrimeType(OffenceFamily.THEFT, ("Theft offences",), "code 39"),
    "Vehicle crime": CrimeType(OffenceFamily.THEFT, ("Theft offences",), "codes 37.2, 45, 48, 126"),
    "Violence and sexual offences": CrimeType(
        None,
        ("Violence against the person", "Sexual offences"),
        "police.uk does not separate sexual offences from violence, so the family is unknown",
    ),
}


class Outcome(NamedTuple):
    ho_type: int | None
    basis: str


_COURT = "a court result follows a charge or summons (HO outcome 1)"
_LR = "police.uk's label for community resolutions (DATA_NOTES §2.3; police-uk README)"
_WORDING = "the label matches the HO outcome's wording; inferred, not published (DATA_NOTES §2.3)"

# In priority order: when one Crime ID has several outcomes in its latest month (typically one
# per suspect), the first of them in this table is used. A Local resolution comes first so that
# a review never misses a community resolution given to one of several suspects; then other
# out-of-court disposals, charges and court results, police closures, and open statuses last.
OUTCOMES: dict[str, Outcome] = {
    "Local resolution": Outcome(8, _LR),
    "Offender given a caution": Outcome(None, "youth caution (2) or adult caution (3): unknown"),
    "Offender given a drugs possession warning": Outcome(7, "cannabis/khat warning (7)"),
    "Offender given penalty notice": Outcome(6, "penalty notice for disorder (6)"),
    "Offender given a penalty notice": Outcome(6, "penalty notice for disorder (6)"),
    "Suspect charged": Outcome(1, "charged/summonsed (1)"),
    "Awaiting court outcome": Outcome(1, _COURT),
    "Court result unavailable": Outcome(1, _COURT),
    "Court case unable to proceed": Outcome(1, _COURT),
    "Defendant found not guilty": Outcome(1, _COURT),
    "Defendant sent to Crown Court": Outcome(1, _COURT),
    "Offender fined": Outcome(1, _COURT),
    "Offender sent to prison": Outcome(1, _COURT),
    "Offender imprisoned": Outcome(1, _COURT + "; label used before 2014"),
    "Offender given suspended prison sentence": Outcome(1, _COURT),
    "Offender given community sentence": Outcome(1, _COURT),
    "Offender given conditional discharge": Outcome(1, _COURT),
    "Offender given absolute discharge": Outcome(1, _COURT),
    "Offender ordered to pay compensation": Outcome(1, _COURT),
    "Offender deprived of property": Outcome(1, _COURT),
    "Offender otherwise dealt with": Outcome(1, _COURT),
    "Suspect charged as part of another case": Outcome(
        None, "taken into consideration (4) is plausible but not confirmed"
    ),
    "Further action is not in the public interest": Outcome(22, _WORDING),
    "Further investigation is not in the public interest": Outcome(21, _WORDING),
    "Formal action is not in the public interest": Outcome(
        None, "CPS (9) or police (10) decision: unknown"
    ),
    "Unable to prosecute suspect": Outcome(None, "evidential difficulties 14, 15 or 16: unknown"),
    "Action to be taken by another organisation": Outcome(20, _WORDING),
    "Investigation complete; no suspect identified": Outcome(18, _WORDING),
    "No further action": Outcome(18, "label used before 2014 for outcome 18 (DATA_NOTES §2.3)"),
    "Under investigation": Outcome(None, "no outcome yet"),
    "Status update unavailable": Outcome(None, "no outcome published"),
}
LOCAL_RESOLUTION = "Local resolution"
# Priority of an outcome string (higher wins); unknown strings rank above "no outcome" only.
PRIORITY: dict[str, int] = {label: len(OUTCOMES) - i for i, label in enumerate(OUTCOMES)}
UNKNOWN_OUTCOME_PRIORITY = 0
NO_OUTCOME_PRIORITY = -1


def priority(outcome: str) -> int:
    if not outcome:
        return NO_OUTCOME_PRIORITY
    return PRIORITY.get(outcome, UNKNOWN_OUTCOME_PRIORITY)
