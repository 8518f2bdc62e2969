"""One line of a results file: the contract decision (CONTRACT.md §2) plus a ``case`` block.

``disposal review`` writes one such object per case. The report reads tens of millions of them,
so validation is a pydantic model parsed straight from JSON bytes (the fast path) followed by a
few cross-field checks in Python. Unknown keys are ignored: the contract lets fields be added,
and a report built by an older tool must still read a newer results file. Everything the report
counts is checked, and the checks that tie fields together follow the contract:

* ``compliance`` follows from ``decision`` and ``case.actual_outcome`` (8 = community
  resolution): compliant / non_compliant / unverifiable, and null for any other outcome or none;
* ``required_authority`` is present whenever the decision is ``permitted`` or
  ``requires_authorisation``, and ``authorised`` does not contradict the decision (it is not
  true for ``requires_authorisation``, nor false for ``permitted`` above constable level);
* ``case.financial_year`` (April to March, written ``2024/25``) agrees with
  ``case.decision_date`` when both are recorded.

Error messages name fields and expectations, never the values found (STYLE.md §11).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from disposal.errors import InputError
from disposal.vocab import (
    COMMUNITY_RESOLUTION_OUTCOME,
    OUTCOME_TYPES,
    Compliance,
    Decision,
    OffenceFamily,
    Rank,
)


class ReportError(InputError):
    """The report cannot be made from what it was given (exit code 2)."""

    phase = "report"


class ResultsFileError(ReportError):
    """A results file (JSON Lines or CSV) is unreadable or holds an invalid line."""

    phase = "results"


_Lax = Field(strict=False)  # enums arrive as strings from JSON and CSV alike


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class Reason(_Model):
    rule: Annotated[str, Field(min_length=1, max_length=200)]
    effect: str | None = None
    authority: Annotated[Rank | None, _Lax] = None
    message: str = ""
    source: str | None = None


class Policy(_Model):
    profile: Annotated[str, Field(min_length=1, max_length=100)]
    version: Annotated[str, Field(min_length=1, max_length=100)]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class CaseFacts(_Model):
    force: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
    decision_date: Annotated[str | None, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None
    financial_year: Annotated[str | None, Field(pattern=r"^\d{4}/\d{2}$")] = None
    offence_family: Annotated[OffenceFamily | None, _Lax] = None
    ho_code: Annotated[str | None, Field(min_length=1, max_length=16)] = None
    actual_outcome: int | None = None


class ResultRecord(_Model):
    """One decision as the review wrote it; ``compliance`` and ``case`` must be present."""

    case_id: Annotated[str, Field(min_length=1, max_length=200)]
    decision: Annotated[Decision, _Lax]
    required_authority: Annotated[Rank | None, _Lax] = None
    authorised: bool | None = None
    # Tuples: immutable defaults that pydantic need not copy for every line.
    reasons: tuple[Reason, ...] = ()
    missing: tuple[str, ...] = ()
    suggested_outcomes: tuple[int, ...] = ()
    policy: Policy | None = None
    compliance: Annotated[Compliance | None, _Lax]
    case: CaseFacts


# The effects that make a decision what it is; warnings, suggestions and derived facts do not.
SHAPING_EFFECTS = frozenset({"deny", "require_authority"})

_COMPLIANCE_OF = {
    Decision.PERMITTED: Compliance.COMPLIANT,
    Decision.REQUIRES_AUTHORISATION: Compliance.NON_COMPLIANT,
    Decision.NOT_PERMITTED: Compliance.NON_COMPLIANT,
    Decision.INSUFFICIENT_INFORMATION: Compliance.UNVERIFIABLE,
}
_FY = re.compile(r"^(\d{4})/(\d{2})$")


def expected_compliance(decision: Decision, actual_outcome: int | None) -> Compliance | None:
    """CONTRACT §2: compliance is defined only for a community resolution actually given."""
    if actual_outcome != COMMUNITY_RESOLUTION_OUTCOME:
        return None
    return _COMPLIANCE_OF[decision]


def financial_year_of(day: dt.date) -> str:
    """The April-to-March financial year holding ``day``, written ``2024/25``."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def shaping_reasons(record: ResultRecord) -> list[Reason]:
    """The reasons that made the decision: deny/require_authority, or of unknown effect."""
    return [r for r in record.reasons if r.effect is None or r.effect in SHAPING_EFFECTS]


Problem = tuple[str, str, str, str]  # (field, code, message, hint)


def check_record(record: ResultRecord) -> tuple[str | None, list[Problem]]:
    """Cross-field checks: the financial year (recorded or derived) and any problems."""
    problems: list[Problem] = []
    case = record.case
    year = _check_year(case, problems)
    if case.actual_outcome is not None and case.actual_outcome not in OUTCOME_TYPES:
        problems.append(
            ("case.actual_outcome", "bad-value", "is not a Home Office outcome type (1-23)", "")
        )
    elif record.compliance != expected_compliance(record.decision, case.actual_outcome):
        problems.append(
            (
                "compliance",
                "inconsistent-compliance",
                "does not follow from decision and case.actual_outcome (CONTRACT.md §2)",
                "compliance is null unless actual_outcome is 8",
            )
        )
    needs_rank = record.decision in (Decision.PERMITTED, Decision.REQUIRES_AUTHORISATION)
    if needs_rank and record.required_authority is None:
        problems.append(
            ("required_authority", "missing-field", "is required for this decision", "")
        )
    if _authorisation_contradicts(record):
        problems.append(
            (
                "authorised",
                "inconsistent-authorisation",
                "contradicts the decision (CONTRACT.md §2)",
                "requires_authorisation means a sufficient authorisation is not held",
            )
        )
    return year, problems


def _authorisation_contradicts(record: ResultRecord) -> bool:
    """Only definite contradictions: an unknown ``authorised`` (null) is let through."""
    if record.decision is Decision.REQUIRES_AUTHORISATION:
        return record.authorised is True
    above_constable = record.required_authority not in (None, Rank.CONSTABLE)
    return record.decision is Decision.PERMITTED and above_constable and record.authorised is False


@lru_cache(maxsize=16_384)
def _year_of_date(iso: str) -> str | None:
    """The financial year of a YYYY-MM-DD date, or None if it is not a real date (cached)."""
    try:
        return financial_year_of(dt.date.fromisoformat(iso))
    except ValueError:
        return None


def _check_year(case: CaseFacts, problems: list[Problem]) -> str | None:
    derived = None
    if case.decision_date is not None:
        derived = _year_of_date(case.decision_date)
        if derived is None:
            problems.append(
                ("case.decision_date", "bad-date", "not a real calendar date", "YYYY-MM-DD")
            )
    recorded = case.financial_year
    if recorded is None:
        return derived
    match = _FY.match(recorded)
    if match is None or (int(match[1]) + 1) % 100 != int(match[2]):
        problems.append(
            ("case.financial_year", "bad-value", "is not a financial year", "write e.g. 2024/25")
        )
        return derived
    if derived is not None and derived != recorded:
        problems.append(
            (
                "case.financial_year",
                "inconsistent-financial-year",
                "disagrees with case.decision_date (years run April to March)",
                "",
            )
        )
    return recorded
