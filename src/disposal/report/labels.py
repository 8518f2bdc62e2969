"""How the report writes the vocabularies, numbers, percentages and dates, in one place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from disposal.vocab import Compliance, Decision, OffenceFamily, Rank

NOT_RECORDED = "Not recorded"

DECISION_LABELS: dict[str, str] = {
    Decision.PERMITTED: "Permitted",
    Decision.REQUIRES_AUTHORISATION: "Requires authorisation (not held)",
    Decision.NOT_PERMITTED: "Not permitted",
    Decision.INSUFFICIENT_INFORMATION: "Insufficient information",
}
COMPLIANCE_LABELS: dict[str, str] = {
    Compliance.COMPLIANT: "Compliant",
    Compliance.NON_COMPLIANT: "Non-compliant",
    Compliance.UNVERIFIABLE: "Unverifiable",
}
FAMILY_LABELS: dict[str, str] = {
    OffenceFamily.THEFT: "Theft",
    OffenceFamily.VIOLENCE: "Violence against the person",
    OffenceFamily.SEXUAL: "Sexual offences",
    OffenceFamily.WEAPONS: "Possession of weapons",
    OffenceFamily.DRUGS: "Drug offences",
    OffenceFamily.PUBLIC_ORDER: "Public order offences",
    OffenceFamily.CRIMINAL_DAMAGE: "Criminal damage",
    OffenceFamily.FRAUD: "Fraud",
    OffenceFamily.OTHER: "Other offences",
}
RANK_LABELS: dict[str, str] = {rank: rank.value.replace("_", " ").capitalize() for rank in Rank}
_SMALL_WORDS = frozenset({"and", "of", "the"})
_MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)


def force_label(slug: str, names: Mapping[str, str] | None = None) -> str:
    """The force's name from ``names`` (e.g. rules/forces.yaml), else its slug in title case."""
    if names and slug in names:
        return names[slug]
    words = slug.split("-")
    return " ".join(w if i and w in _SMALL_WORDS else w.capitalize() for i, w in enumerate(words))


def family_label(family: str | None) -> str:
    return FAMILY_LABELS.get(family, family) if family is not None else NOT_RECORDED


def year_label(year: str | None) -> str:
    return year if year is not None else NOT_RECORDED


def rank_label(rank: str | None) -> str:
    return RANK_LABELS.get(rank, rank) if rank else ""


def number(value: int) -> str:
    return f"{value:,}"


def percent(part: int, whole: int) -> str:
    """``part`` as a percentage of ``whole`` to one decimal place; an en dash when undefined."""
    return f"{100 * part / whole:.1f}%" if whole else "–"


def long_date(iso: str | None) -> str:
    """``2024-05-14`` as ``14 May 2024`` (month names in English whatever the locale)."""
    if not iso:
        return NOT_RECORDED
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
