"""Which CRs carry an authorisation: the generator's rough reading of the national policy.

The review's real decision comes from the rules; this only decides, per synthetic CR, whether
its record holds a sufficient authorisation, none, or an insufficient one (tables.AUTH_*), so
that a review finds compliant, non-compliant and unverifiable CRs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from disposal.generate import tables as T
from disposal.generate.support import CodeFacts

RANKS = ("constable", "sergeant", "inspector", "chief_inspector")
_COUNTS = ("previous_community_resolutions", "previous_cautions", "previous_convictions")


def needed_rank(f: Mapping[str, Any], facts: CodeFacts, year: int) -> int:
    """The generator's rough reading of the national policy: -1 barred, else a rank index.

    Only used to decide which CRs carry a sufficient authorisation; the review's real
    decision comes from the rules, and sparse records may still leave it undecided.
    """
    off, who, vic = f["offence"], f["offender"], f["victim"]
    child = who.get("age", 99) < 18
    admission = who.get("admission")
    grav = off.get("gravity_score", facts.gravity)
    aggravated = bool(off["aggravating_factors"]) or (off["hate_crime"] and not facts.rra)
    grav += aggravated - bool(off["mitigating_factors"])
    peer = "peer_sexual_activity" in f and _peer_ok(f["peer_sexual_activity"])
    exceptional = off.get("exceptional_circumstances") is True
    da_partner = off["domestic_abuse"] and off["relationship_to_victim"] == "intimate_partner"
    if (
        who.get("age", 99) < 10
        or admission in ("denies", "no_comment")
        or (admission == "accepts_responsibility" and year < 2022)
        or off["evidence_sufficient"] is False
        or who.get("agrees_to_resolution") is False
        or (child and who.get("appropriate_adult_present") is False)
        or da_partner
        or (facts.sexual and not peer)
        or (facts.weapons and not exceptional)
        or off["weapon"] == "firearm"
        or (grav >= 4 and not peer and not (facts.weapons and exceptional))
    ):
        return -1
    if (
        grav == 3
        or facts.indictable
        or peer
        or exceptional
        or off["injury"] == "serious"
        or off["weapon"] in ("bladed_article", "other_weapon")
        or (off["domestic_abuse"] and off["relationship_to_victim"] == "family_member")
        or vic.get("vulnerable") is True
        or who.get("prolific_or_priority_offender") is True
    ):
        return 2
    history = who.get("history", {})
    if (
        any(history.get(k, 0) for k in _COUNTS)
        or off["hate_crime"]
        or (vic.get("identified") and vic.get("consulted") is False)
        or (year < 2022 and vic.get("identified") and vic.get("consents") is False)
    ):
        return 1
    return 0


def _peer_ok(peer: Mapping[str, bool]) -> bool:
    return (
        peer["consensual_in_fact"]
        and not peer["coercion_or_exploitation"]
        and not peer["safeguarding_concerns"]
        and peer["families_support"]
    )


def authorisation(r: Callable[[], float], needed: int, day: str) -> dict[str, Any] | None:
    """An authorisation block for a CR whose policy needs rank ``needed`` (-1 = barred)."""
    if needed == -1:
        rank, rationale = (2, True) if r() < T.AUTH_WHEN_BARRED else (-1, False)
    elif needed == 0:
        rank, rationale = (1, True) if r() < T.AUTH_WHEN_NOT_NEEDED else (-1, False)
    else:
        sufficient, nothing, _ = T.AUTH_WHEN_NEEDED
        u = r() * sum(T.AUTH_WHEN_NEEDED)
        if u < sufficient:
            rank, rationale = needed + (r() < 0.1), True
        elif u < sufficient + nothing:
            rank, rationale = -1, False
        elif r() < 2 / 3:
            rank, rationale = needed - 1, True
        else:
            rank, rationale = needed, False
    if rank < 0:
        return None
    block: dict[str, Any] = {"rank": RANKS[rank], "officer_id": f"SYN{1000 + int(r() * 9000)}"}
    if rationale:
        block["rationale"] = T.RATIONALES[int(r() * len(T.RATIONALES))]
    block["date"] = day
    return block


# Probabilities of single facts (ASSUMPTION unless said otherwise): (for CRs, for others).
