"""Hypothesis strategies for case records that stress the policy's edges.

Each generated case first draws how sparse it is (from fully recorded to a fifth of facts
missing), then draws each fact: values cluster around the thresholds rules test (ages 9-19,
gravity 1-5, counts 0-2), lean towards an eligible, low-level case so that every decision is
reached, HO codes cover every family and flag, and decision dates span every national policy
version. Both evaluators therefore meet unknowns, bars, authority levels and version edges.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TypeVar

from hypothesis import strategies as st

from disposal.offences import OffenceTable

T = TypeVar("T")
AGES = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 25, 40, 70]


def weighted(*pairs: tuple[int, T]) -> st.SearchStrategy[T]:
    """Choose a value with integer weights (hypothesis has no weighted sampled_from)."""
    table = [value for weight, value in pairs for _ in range(weight)]
    return st.sampled_from(table)


def yes(weight_true: int = 1, weight_false: int = 1) -> st.SearchStrategy[bool]:
    return weighted((weight_true, True), (weight_false, False))


@st.composite
def case_records(draw: st.DrawFn, offences: OffenceTable) -> dict[str, Any]:
    missing_pct = draw(weighted((4, 0), (2, 3), (2, 10), (1, 25)))

    def opt(strategy: st.SearchStrategy[Any]) -> Any:
        return None if draw(st.integers(0, 99)) < missing_pct else draw(strategy)

    decision_date = date(2012, 1, 1) + timedelta(days=draw(st.integers(0, 5418)))
    low = sorted(c for c, e in offences.by_code.items() if e.gravity <= 2)
    code = opt(st.one_of(st.sampled_from(low), st.sampled_from(sorted(offences.codes))))
    families = sorted({e.family.value for e in offences.by_code.values()})
    offence = {
        "ho_code": code,
        "family": None if code else opt(st.sampled_from(families)),
        "mode_of_trial": draw(
            weighted((6, None), (1, "summary"), (1, "either_way"), (1, "indictable_only"))
        ),
        "gravity_score": draw(weighted((6, None), (1, 1), (2, 2), (1, 3), (1, 4), (1, 5))),
        "value_gbp": opt(st.sampled_from([0.5, 12.0, 199.99, 200.0, 5000.0, 12000.0])),
        "injury": opt(weighted((6, "none"), (2, "minor"), (1, "serious"))),
        "aggravating_factors": opt(weighted((5, []), (1, ["group"]), (1, ["planned", "group"]))),
        "mitigating_factors": opt(weighted((5, []), (1, ["remorse"]))),
        "domestic_abuse": opt(yes(1, 6)),
        "relationship_to_victim": opt(
            weighted(
                (1, "intimate_partner"),
                (1, "family_member"),
                (2, "acquaintance"),
                (4, "stranger"),
                (1, "none"),
            )
        ),
        "hate_crime": opt(yes(1, 8)),
        "weapon": opt(
            weighted((8, "none"), (1, "bladed_article"), (1, "firearm"), (1, "other_weapon"))
        ),
        "evidence_sufficient": opt(yes(9, 1)),
        "exceptional_circumstances": draw(weighted((3, None), (1, True), (1, False))),
    }
    counts = st.integers(0, 2).map(lambda n: 0 if n < 2 else 1)
    history = opt(
        st.fixed_dictionaries(
            {
                "previous_convictions": counts,
                "previous_cautions": counts,
                "previous_community_resolutions": counts,
                "recent_disposals": weighted((3, None), (1, "list")),
            }
        )
    )
    if history is not None:
        history = {
            k: v
            for k, v in history.items()
            if opt(st.just(v)) is not None or k == "recent_disposals"
        }
        if history.get("recent_disposals") == "list":
            history["recent_disposals"] = draw(_recent(offences, decision_date))
        else:
            history.pop("recent_disposals", None)
    offender = {
        "age": opt(st.sampled_from(AGES)),
        "admission": opt(
            weighted(
                (6, "full_admission"),
                (3, "accepts_responsibility"),
                (1, "denies"),
                (1, "no_comment"),
            )
        ),
        "agrees_to_resolution": opt(yes(9, 1)),
        "appropriate_adult_present": opt(yes(4, 1)),
        "prolific_or_priority_offender": opt(yes(1, 8)),
        "history": history,
    }
    victim = {
        "identified": opt(yes(4, 1)),
        "age": opt(st.sampled_from(AGES)),
        "vulnerable": opt(yes(1, 8)),
        "consulted": opt(yes(6, 1)),
        "consents": opt(yes(4, 1)),
        "views": opt(weighted((3, "Views recorded"), (1, None))),
    }
    peer = draw(weighted((2, None), (1, "peer")))
    record: dict[str, Any] = {
        "case_id": "H-1",
        "force": "national",
        "decision_date": decision_date.isoformat(),
        "offence": _drop_none(offence),
        "offender": _drop_none(offender),
        "victim": _drop_none(victim),
    }
    if peer is not None:
        record["peer_sexual_activity"] = _drop_none(
            {
                "consensual_in_fact": opt(yes(3, 1)),
                "coercion_or_exploitation": opt(yes(1, 3)),
                "safeguarding_concerns": opt(yes(1, 3)),
                "families_support": opt(yes(3, 1)),
            }
        )
    return record


def _recent(offences: OffenceTable, before: date) -> st.SearchStrategy[list[dict[str, Any]]]:
    item = st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                ["community_resolution", "caution", "conviction", "youth_caution"]
            ),
            "date": st.integers(0, 2000).map(lambda d: (before - timedelta(days=d)).isoformat()),
            "ho_code": st.sampled_from(sorted(offences.codes)),
        }
    )
    return st.lists(item, max_size=3)


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}
