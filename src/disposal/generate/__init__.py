"""Synthetic historic case records for benchmarks, demos and review tests (``disposal generate``).

``generate_cases(n, seed)`` yields ``n`` contract-shaped plain dicts (JSON-able; dates as ISO
strings), one at a time (constant memory for any ``n``), the same ones for the same seed and
arguments. Every record validates as a ``CaseRecord`` and names only HO codes of the offence
table and force slugs of ``rules/forces.yaml``. Proportions and their sources are in
``disposal.generate.tables``; docs/GENERATE.md explains the choices.

Case ids are ``SYN-<force code>-<calendar year of the decision>-<sequence>``: the sequence is
the record's position (1-based, zero-padded to the width of ``n``, at least 6 digits), so ids are
unique within a run and stable for a seed. All free text starts with "Synthetic".
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

from disposal.errors import InputError, Location, did_you_mean
from disposal.generate.sampler import CaseSampler
from disposal.generate.support import mix_codes
from disposal.generate.tables import FORCES, NATIONAL_YEARS
from disposal.offences import OffenceTable
from disposal.policyset import PolicySet, default_rules_dir

FIRST_YEAR = min(NATIONAL_YEARS)
LAST_YEAR = max(NATIONAL_YEARS)
DEFAULT_CR_SHARE = 0.5
DEFAULT_SPARSE_SHARE = 0.10
MAX_CASES = 10**12

__all__ = [
    "DEFAULT_CR_SHARE",
    "DEFAULT_SPARSE_SHARE",
    "FIRST_YEAR",
    "LAST_YEAR",
    "generate_cases",
]


def generate_cases(
    n: int,
    seed: int,
    *,
    offences: OffenceTable | None = None,
    known_forces: Collection[str] | None = None,
    start_year: int = FIRST_YEAR,
    end_year: int = LAST_YEAR,
    forces: Sequence[str] | None = None,
    cr_share: float | None = DEFAULT_CR_SHARE,
    sparse_share: float = DEFAULT_SPARSE_SHARE,
) -> Iterator[dict[str, Any]]:
    """``n`` synthetic case records, drawn reproducibly from ``seed``.

    ``offences`` and ``known_forces`` come from the rules directory (``$DISPOSAL_RULES``, else
    ``./rules``, else the one next to the source tree) when not given.
    Years are financial-year starts: ``start_year=2014`` is 2014/15 (1 April 2014 to 31 March
    2015). ``forces`` limits the forces drawn (default: all of them, weighted by size).
    ``cr_share`` is the share of community resolutions (outcome 8); ``None`` keeps the national
    share of each year (2-4%). ``sparse_share`` is the share of records with 1-3 facts left
    unrecorded. Arguments are checked at once (``InputError``, before anything is generated).
    """
    if offences is None:
        policy = PolicySet.load(default_rules_dir())
        offences = policy.offences
        known_forces = policy.forces if known_forces is None else known_forces
    known = set(FORCES if known_forces is None else known_forces) & set(FORCES)
    _check(n, start_year, end_year, forces, cr_share, sparse_share, offences, known)
    sampler = CaseSampler(
        seed,
        range(start_year, end_year + 1),
        list(dict.fromkeys(forces)) if forces is not None else sorted(known),
        cr_share,
        sparse_share,
        offences,
        max(6, len(str(n))),
    )
    return map(sampler.draw, range(n))


def _bad(option: str, message: str, hint: str = "") -> InputError:
    return InputError("bad-option", message, Location(field=option), hint)


def _check(
    n: int,
    start_year: int,
    end_year: int,
    forces: Sequence[str] | None,
    cr_share: float | None,
    sparse_share: float,
    offences: OffenceTable,
    known: set[str],
) -> None:
    if not 0 <= n <= MAX_CASES:
        raise _bad("--n", "must be a whole number from 0", f"at most {MAX_CASES}")
    for option, year in (("--start-year", start_year), ("--end-year", end_year)):
        if year not in NATIONAL_YEARS:
            raise _bad(option, "is not a financial year with national data", _years_hint())
    if start_year > end_year:
        raise _bad("--start-year", "is after --end-year")
    if cr_share is not None and not 0.0 <= cr_share <= 1.0:
        raise _bad("--cr-share", "must be a share from 0 to 1, or 'natural'")
    if not 0.0 <= sparse_share <= 1.0:
        raise _bad("--sparse", "must be a share from 0 to 1")
    for slug in forces or ():
        if slug not in known:
            raise InputError(
                "unknown-force",
                "is not a force slug listed in rules/forces.yaml",
                Location(field="--forces"),
                did_you_mean(slug, known) or "see rules/forces.yaml for the slugs",
            )
    if (forces is not None and not forces) or not known:
        raise _bad("--forces", "lists no force")
    unknown = sorted(mix_codes() - set(offences.by_code))
    if unknown:
        raise InputError(
            "unknown-ho-code",
            f"the generator's offence mix names {len(unknown)} code(s) not in the offence table",
            Location(offences.file),
        )


def _years_hint() -> str:
    return (
        f"financial years start {FIRST_YEAR} ({FIRST_YEAR}/{(FIRST_YEAR + 1) % 100:02d}) "
        f"to {LAST_YEAR} ({LAST_YEAR}/{(LAST_YEAR + 1) % 100:02d})"
    )
