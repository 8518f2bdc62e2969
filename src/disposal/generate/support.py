"""Precomputed lookups for the sampler: weighted choices, days, offence facts, outcome tables.

Everything here is built once per ``CaseSampler`` so that drawing a case is only ``random()``
calls, bisections and dict literals. Only ``Random.random()`` is used by callers (no
``choices``/``randrange``): its sequence for a seed is the same on every Python version.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import cache
from typing import Any, Generic, TypeVar

from disposal.generate import tables as T
from disposal.offences import OffenceFlag, OffenceTable
from disposal.vocab import OffenceFamily

K = TypeVar("K")
N = TypeVar("N", int, float)
_DAY0 = date(2008, 1, 1)
ADMISSIONS = ("full_admission", "accepts_responsibility", "denies", "no_comment")
_DA_FAMILIES = frozenset({OffenceFamily.VIOLENCE, OffenceFamily.CRIMINAL_DAMAGE})
_VALUE_FAMILIES = frozenset({OffenceFamily.THEFT, OffenceFamily.CRIMINAL_DAMAGE})


class Weighted(Generic[K]):
    """A weighted choice: ``table.pick(u)`` for ``u`` uniform in [0, 1)."""

    __slots__ = ("cum", "total", "values")

    def __init__(self, items: Iterable[tuple[K, float]]) -> None:
        pairs = [(k, float(w)) for k, w in items if w > 0]
        if not pairs:
            raise ValueError("a weighted table needs a positive weight")
        self.values: list[K] = [k for k, _ in pairs]
        self.cum: list[float] = []
        total = 0.0
        for _, weight in pairs:
            total += weight
            self.cum.append(total)
        self.total = total
        # The last bound is infinite so that rounding in ``u * total`` can never run past it.
        self.cum[-1] = float("inf")

    def pick(self, u: float) -> K:
        return self.values[bisect_right(self.cum, u * self.total)]


@cache
def day_strings() -> tuple[str, ...]:
    """ISO strings of every day from 2008-01-01 to 2027-12-31 (index = days since 2008-01-01)."""
    days = (date(2028, 1, 1) - _DAY0).days
    return tuple((_DAY0 + timedelta(days=d)).isoformat() for d in range(days))


def fy_bounds(year: int) -> tuple[int, int]:
    """(first day index, number of days) of financial year ``year``/``year + 1``."""
    first = (date(year, 4, 1) - _DAY0).days
    return first, (date(year + 1, 4, 1) - _DAY0).days - first


def bands(rows: Sequence[tuple[N, N, float]]) -> Weighted[tuple[N, N]]:
    """A choice of (low, high) ranges from rows of (low, high, weight)."""
    return Weighted(((lo, hi), w) for lo, hi, w in rows)


def outcomes(year: int, with_cr: bool) -> Weighted[int]:
    counts = T.NATIONAL_YEARS[year]
    named = dict(zip(T.NATIONAL_OUTCOMES, counts[:7], strict=True))
    rest = counts[7] - sum(named.values())
    scale = rest / sum(T.OTHER_OUTCOMES.values())
    items = [(o, float(c)) for o, c in named.items() if with_cr or o != 8]
    items += [(o, w * scale) for o, w in T.OTHER_OUTCOMES.items()]
    return Weighted(items)


class CodeFacts:
    """What the sampler needs to know about one HO code, looked up once."""

    __slots__ = (
        "business",
        "code",
        "da",
        "family",
        "gravity",
        "indictable",
        "injury",
        "label",
        "rra",
        "sexual",
        "value",
        "victim_age",
        "victimless",
        "weapon",
        "weapons",
    )

    def __init__(self, code: str, table: OffenceTable) -> None:
        entry = table.by_code[code]
        flags = set(entry.flags)
        self.code = code
        self.label = "Synthetic case: " + entry.label
        self.family = entry.family
        self.gravity = entry.gravity
        self.indictable = entry.mode_of_trial.value == "indictable_only"
        self.sexual = entry.family is OffenceFamily.SEXUAL
        self.weapons = entry.family is OffenceFamily.WEAPONS
        self.rra = OffenceFlag.RACIALLY_OR_RELIGIOUSLY_AGGRAVATED in flags
        self.victimless = code in T.VICTIMLESS
        self.business = code in T.BUSINESS_VICTIM
        self.da = (entry.family in _DA_FAMILIES and code not in ("34A", "34B")) or code == "9A"
        self.value = entry.family in _VALUE_FAMILIES
        self.weapon = (
            "firearm"
            if OffenceFlag.FIREARM in flags
            else "bladed_article"
            if OffenceFlag.BLADED_ARTICLE in flags
            else "other_weapon"
            if OffenceFlag.OFFENSIVE_WEAPON in flags or code == "10C"
            else "none"
        )
        self.injury = {"8N": 1, "8P": 1, "8S": 1, "5D": 2, "5E": 2, "2": 2, "34B": 1}.get(code, 0)
        self.victim_age = (
            (4, 12)
            if OffenceFlag.CHILD_VICTIM_UNDER_13 in flags
            else (11, 15)
            if OffenceFlag.CHILD_VICTIM_UNDER_16 in flags
            else None
        )


def mix_codes() -> set[str]:
    """Every HO code any offence mix of the generator can draw."""
    mixes = (
        T.OFFENCES,
        T.PENALTY_NOTICE_OFFENCES,
        T.CANNABIS_WARNING_OFFENCES,
        T.OUTCOME_21_OFFENCES,
    )
    return {code for mix in mixes for code in mix}


def offence_tables(
    table: OffenceTable,
) -> tuple[dict[str, CodeFacts], dict[str, Weighted[str]]]:
    """Facts per code and the offence mix for each kind of outcome."""
    mixes = {
        "oocd": Weighted((c, w[0]) for c, w in T.OFFENCES.items()),
        "other": Weighted((c, w[1]) for c, w in T.OFFENCES.items()),
        "pnd": Weighted(T.PENALTY_NOTICE_OFFENCES.items()),
        "cannabis": Weighted(T.CANNABIS_WARNING_OFFENCES.items()),
        "imagery": Weighted(T.OUTCOME_21_OFFENCES.items()),
    }
    codes = {c for mix in mixes.values() for c in mix.values}
    return {c: CodeFacts(c, table) for c in sorted(codes)}, mixes


MIX_OF_OUTCOME = {
    2: "oocd",
    3: "oocd",
    8: "oocd",
    22: "oocd",
    6: "pnd",
    7: "cannabis",
    21: "imagery",
}


def ages_for(outcome: int) -> Weighted[tuple[int, int]]:
    if outcome in {8, 22}:
        return bands(T.CR_AGES)
    if outcome == 2:
        return bands([b for b in T.CR_AGES if 10 <= b[0] < 18])
    if outcome in (3, 6, 7):
        return bands([b for b in T.OTHER_AGES if b[0] >= 18])
    if outcome == 11:
        return bands([(7, 9, 1.0)])
    if outcome == 21:
        return bands([(13, 17, 1.0)])
    return bands(T.OTHER_AGES)


def admission_key(outcome: int, year: int) -> str:
    if outcome == 8:
        return "cr_before_2022" if year < 2022 else "cr_from_2022"
    if outcome in (2, 3, 6, 7):
        return "admitted"
    if outcome == 22:
        return "outcome_22"
    return "charged" if outcome in (1, 4) else "other"


def history_tables(cr: bool) -> tuple[Weighted[int], ...]:
    rows = T.CR_HISTORY if cr else T.OTHER_HISTORY
    return tuple(Weighted(enumerate(row)) for row in rows)


def drop_facts(record: dict[str, Any], paths: Sequence[tuple[str, ...]]) -> None:
    for block, name in paths:
        node = record.get(block)
        if isinstance(node, dict):
            node.pop(name, None)
