"""Drawing one synthetic case record from the tables in ``tables.py``.

Speed matters (benchmarks want millions of cases), so ``support`` precomputes every table once;
a draw is then a few dozen ``random()`` calls, bisections and dict literals. Outcome first, then
year, date, force, offence, offender, victim, the peer-path block, the authorisation, and last
the facts a sparse record leaves out. The order of draws is part of the output: changing it
changes every record of a seed (acceptable, but say so in the commit).
"""

from __future__ import annotations

from collections.abc import Sequence
from random import Random
from typing import Any

from disposal.generate import tables as T
from disposal.generate.authority import authorisation, needed_rank
from disposal.generate.support import (
    ADMISSIONS,
    MIX_OF_OUTCOME,
    CodeFacts,
    Weighted,
    admission_key,
    ages_for,
    bands,
    day_strings,
    drop_facts,
    fy_bounds,
    history_tables,
    offence_tables,
    outcomes,
)
from disposal.offences import OffenceTable
from disposal.vocab import OffenceFamily

_NO_SUSPECT = frozenset({14, 18})  # no suspect identified: nothing known about an offender
_ADMITTED = frozenset({1, 2, 3, 4, 6, 7, 22})  # evidence was sufficient
Shares = dict[str, float]


class CaseSampler:
    """Draws case records one at a time; the same seed gives the same sequence of records."""

    def __init__(
        self,
        seed: int,
        years: Sequence[int],
        forces: Sequence[str],
        cr_share: float | None,
        sparse_share: float,
        table: OffenceTable,
        width: int,
    ) -> None:
        self.random = Random(seed).random
        self.days = day_strings()
        self.cr_share = cr_share
        self.sparse_share = sparse_share
        self.width = width
        ny = T.NATIONAL_YEARS
        self.year_all = Weighted((y, ny[y][7]) for y in years)
        self.year_cr = Weighted((y, ny[y][5]) for y in years)
        self.year_other = Weighted((y, ny[y][7] - ny[y][5]) for y in years)
        self.outcomes = {y: outcomes(y, cr_share is None) for y in years}
        self.fy = {y: fy_bounds(y) for y in years}
        self.forces = Weighted((s, T.FORCES[s][1]) for s in forces)
        self.force_code = {s: T.FORCES[s][0] for s in forces}
        self.codes, self.mixes = offence_tables(table)
        kinds = {8, *T.NATIONAL_OUTCOMES, *T.OTHER_OUTCOMES}
        self.ages = {o: ages_for(o) for o in kinds}
        self.mix_of = {o: self.mixes[MIX_OF_OUTCOME.get(o, "other")] for o in kinds}
        self.admissions = {
            k: Weighted(zip(ADMISSIONS, w, strict=True)) for k, w in T.ADMISSIONS.items()
        }
        self.history = {True: history_tables(True), False: history_tables(False)}
        self.value_bands = bands(T.VALUE_BANDS + T.VALUE_TAIL)
        self.lags = bands(T.OFFENCE_TO_DECISION_DAYS)
        self.relationships = Weighted(T.RELATIONSHIPS)
        self.shares = {
            cr: {k: v[0 if cr else 1] for k, v in T.FACT_SHARES.items()} for cr in (True, False)
        }

    def draw(self, index: int) -> dict[str, Any]:
        r = self.random
        if self.cr_share is None:
            year = self.year_all.pick(r())
            outcome = self.outcomes[year].pick(r())
        elif r() < self.cr_share:
            year, outcome = self.year_cr.pick(r()), 8
        else:
            year = self.year_other.pick(r())
            outcome = self.outcomes[year].pick(r())
        cr = outcome == 8
        p = self.shares[cr]
        first, length = self.fy[year]
        day = first + int(r() * length)
        on = self.days[day]
        force = self.forces.pick(r())
        facts = self.codes[self.mix_of[outcome].pick(r())]
        offender = {} if outcome in _NO_SUSPECT else self._offender(outcome, year, p, cr, day)
        age = offender.get("age", 99)
        victim = self._victim(facts, p, cr, age)
        record: dict[str, Any] = {
            "case_id": f"SYN-{self.force_code[force]}-{on[:4]}-{str(index + 1).zfill(self.width)}",
            "force": force,
            "decision_date": on,
            "offence": self._offence(facts, p, cr, outcome, day),
            "offender": offender,
            "victim": victim,
        }
        if facts.sexual and age < 18 and victim.get("age", 99) < 18:
            peer = T.PEER_PATH["outcome_21" if outcome == 21 else "cr" if cr else "other"]
            record["peer_sexual_activity"] = {
                "consensual_in_fact": r() < peer[0],
                "coercion_or_exploitation": r() < peer[1],
                "safeguarding_concerns": r() < peer[2],
                "families_support": r() < peer[3],
            }
        if cr:
            block = authorisation(r, needed_rank(record, facts, year), on)
            if block is not None:
                record["authorisation"] = block
        record["actual_outcome"] = outcome
        if r() < self.sparse_share:
            n = len(T.SPARSE_FACTS)
            drop_facts(record, [T.SPARSE_FACTS[int(r() * n)] for _ in range(1 + int(r() * 3))])
        return record

    def _offence(self, f: CodeFacts, p: Shares, cr: bool, outcome: int, day: int) -> dict[str, Any]:
        r = self.random
        lo, hi = self.lags.pick(r())
        off: dict[str, Any] = {
            "ho_code": f.code,
            "description": f.label,
            "date": self.days[day - lo - int(r() * (hi - lo + 1))],
        }
        if r() < p["gravity_score_recorded"]:
            off["gravity_score"] = min(5, max(1, f.gravity + int(r() * 3) - 1))
        if f.value:
            vlo, vhi = self.value_bands.pick(r())
            off["value_gbp"] = round(vlo + r() * (vhi - vlo), 2)
        off["injury"] = self._injury(f.injury, p)
        off["aggravating_factors"] = self._factors(
            T.AGGRAVATING, p["one_aggravating_factor"], p["two_aggravating_factors"]
        )
        off["mitigating_factors"] = self._factors(
            T.MITIGATING, p["one_mitigating_factor"], p["two_mitigating_factors"]
        )
        if f.victimless or f.business:
            off["domestic_abuse"] = False
            off["relationship_to_victim"] = "none" if f.victimless else "stranger"
        elif f.da and r() < p["domestic_abuse"]:
            off["domestic_abuse"] = True
            partner = r() < p["intimate_partner"]
            off["relationship_to_victim"] = "intimate_partner" if partner else "family_member"
        else:
            off["domestic_abuse"] = False
            off["relationship_to_victim"] = self.relationships.pick(r())
        off["hate_crime"] = f.rra or r() < p["hate_crime"]
        weapon = f.weapon
        if weapon == "none" and f.family is OffenceFamily.VIOLENCE and r() < p["weapon_used"]:
            weapon = "bladed_article" if r() < 0.5 else "other_weapon"
        off["weapon"] = weapon
        evidence = self._evidence(p, cr, outcome)
        if evidence is not None:
            off["evidence_sufficient"] = evidence
        if f.weapons:
            u = r()
            if u < p["exceptional_circumstances"]:
                off["exceptional_circumstances"] = True
            elif u < 0.8:
                off["exceptional_circumstances"] = False
        return off

    def _injury(self, kind: int, p: Shares) -> str:
        if kind != 1:
            return ("none", "minor", "serious")[kind]
        u = self.random()
        return "minor" if u < 0.92 else "serious" if u < 0.92 + p["serious_injury"] else "none"

    def _factors(self, pool: Sequence[str], one: float, two: float) -> list[str]:
        r = self.random
        u = r()
        if u >= one + two:
            return []
        i = int(r() * len(pool))
        if u < two:
            return [pool[i], pool[(i + 1 + int(r() * (len(pool) - 1))) % len(pool)]]
        return [pool[i]]

    def _evidence(self, p: Shares, cr: bool, outcome: int) -> bool | None:
        u = self.random()
        if outcome in _ADMITTED:
            return True
        if outcome in _NO_SUSPECT:
            return None
        return u >= (0.7 if outcome in (15, 16) else p["evidence_insufficient"])

    def _offender(self, outcome: int, year: int, p: Shares, cr: bool, day: int) -> dict[str, Any]:
        r = self.random
        lo, hi = self.ages[outcome].pick(r())
        age = lo + int(r() * (hi - lo + 1))
        who: dict[str, Any] = {
            "age": age,
            "admission": self.admissions[admission_key(outcome, year)].pick(r()),
        }
        u = r()
        agrees = p["offender_agrees"]
        if outcome in _ADMITTED and not cr:
            who["agrees_to_resolution"] = u < 0.9
        elif u < agrees:
            who["agrees_to_resolution"] = True
        elif u < (0.99 if cr else 0.5):
            who["agrees_to_resolution"] = False
        if age >= 18:
            who["appropriate_adult_present"] = False
        else:
            u = r()
            if u < p["appropriate_adult"]:
                who["appropriate_adult_present"] = True
            elif cr and u < 0.98:
                who["appropriate_adult_present"] = False
        who["prolific_or_priority_offender"] = r() < p["prolific_or_priority"]
        who["history"] = self._history(cr, age, day)
        return who

    def _history(self, cr: bool, age: int, day: int) -> dict[str, Any]:
        r = self.random
        t_crs, t_cautions, t_convictions = self.history[cr]
        crs, cautions = t_crs.pick(r()), t_cautions.pick(r())
        convictions = t_convictions.pick(r())
        history: dict[str, Any] = {
            "previous_convictions": convictions,
            "previous_cautions": cautions,
            "previous_community_resolutions": crs,
        }
        if crs + cautions + convictions == 0:
            if r() < T.EMPTY_RECENT_LISTED:
                history["recent_disposals"] = []
        elif r() < T.RECENT_LISTED:
            caution = "youth_caution" if age < 18 else "caution"
            kinds = ["community_resolution"] * crs + [caution] * cautions
            kinds += ["conviction"] * convictions
            oocd = self.mixes["oocd"]
            history["recent_disposals"] = [
                {
                    "type": kind,
                    "date": self.days[day - 30 - int(r() * 1800)],
                    "ho_code": oocd.pick(r()),
                }
                for kind in kinds[:3]
            ]
        return history

    def _victim(self, f: CodeFacts, p: Shares, cr: bool, offender_age: int) -> dict[str, Any]:
        r = self.random
        if f.victimless:
            return {"identified": False}
        vic: dict[str, Any] = {"identified": True}
        if not f.business:
            vic["age"] = self._victim_age(f, offender_age)
        vic["vulnerable"] = not f.business and r() < p["victim_vulnerable"]
        consulted = r() < p["victim_consulted"]
        vic["consulted"] = consulted
        if consulted:
            u = r()
            consents = True if u < p["victim_consents"] else None if cr and u >= 0.98 else False
            if consents is not None:
                vic["consents"] = consents
            if r() >= p["views_missing"]:
                pool = T.VIEWS_REFUSE if consents is False else T.VIEWS_CONSENT
                vic["views"] = pool[int(r() * len(pool))]
        return vic

    def _victim_age(self, f: CodeFacts, offender_age: int) -> int:
        r = self.random
        if offender_age < 18 and (f.sexual or f.victim_age or r() < 0.5):
            lo, hi = f.victim_age or (5, 17)
            return max(lo, min(hi, offender_age + int(r() * 5) - 2))
        if f.victim_age:
            lo, hi = f.victim_age
            return lo + int(r() * (hi - lo + 1))
        return 18 + int(r() * 62)
