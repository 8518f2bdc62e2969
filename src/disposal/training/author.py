"""Authoring help: ``disposal scenarios new --from CASE.yaml`` writes a scenario skeleton.

The skeleton holds the case, the profile and date, and an ``expect`` block filled with the
*current engine's* answer, under a prominent TODO: an expectation must be worked out from the
policy text, not copied from the program. Narrative, title, basis and learning points are TODO
placeholders, which the scenario loader refuses (``unfinished-scenario``) until an author
replaces them, so an unfinished skeleton cannot join the library by accident.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from disposal.case import CaseRecord, iter_raw_records, load_cases
from disposal.errors import InputError, Location, did_you_mean
from disposal.policyset import NATIONAL, PolicySet
from disposal.service import Evaluation, Evaluator
from disposal.source import load_document
from disposal.training.scenario import Topic
from disposal.vocab import Decision

HEADER = """\
# TODO: confirm against the policy text. The `expect` block below is what the engine CURRENTLY
# decides for this case. Work the answer out from the rules (disposal rules list --profile P
# --as-of DATE, rules/profiles/) and POLICY_RESEARCH.md, correct `expect` where they differ,
# and report any disagreement between the engine and the text. Then write the narrative,
# title, basis, topics and learning points, and remove this comment.
"""
_CATEGORY_TOPICS = {
    "evidence": Topic.EVIDENCE,
    "exclusion": Topic.DOMESTIC_ABUSE,
    "admission": Topic.ADMISSION,
    "agreement": Topic.AGREEMENT,
    "age": Topic.AGE,
    "sexual": Topic.SEXUAL,
    "hate": Topic.HATE_CRIME,
    "history": Topic.HISTORY,
    "seriousness": Topic.SERIOUSNESS,
    "gravity": Topic.GRAVITY,
    "weapons": Topic.WEAPONS,
    "victim": Topic.VICTIM,
    "recording": Topic.RECORDING,
    "authorisation": Topic.AUTHORISATION,
}


def next_id(library: Path) -> str:
    """The first unused ``TRN-nnn`` after the highest id among the library's file names."""
    numbers = [
        int(m.group(1))
        for p in (library.glob("*.y*ml") if library.is_dir() else [])
        if (m := re.match(r"(?i)^trn-(\d{3})-", p.name))
    ]
    return f"TRN-{max(numbers, default=0) + 1:03d}"


def read_single_case(path: Path, policy_set: PolicySet) -> dict[str, Any]:
    """The raw record of a file holding exactly one valid case."""
    loaded = load_cases([path], policy_set.references())
    if len(loaded) != 1:
        raise InputError(
            "one-case-only",
            f"holds {len(loaded)} case records; a scenario is built from one",
            Location(str(path), field="--from"),
        )
    raw, _, _ = next(iter_raw_records(load_document(path)))
    return dict(raw)


def choose_profile(raw: dict[str, Any], profile: str | None, policy_set: PolicySet) -> str:
    chosen = profile or policy_set.profile_for(str(raw["force"]))
    if chosen not in policy_set.profiles:
        raise InputError(
            "unknown-profile",
            "is not a profile under rules/profiles/",
            Location(field="--profile"),
            did_you_mean(chosen, policy_set.profiles),
        )
    return chosen


def _topics(ev: Evaluation, offender_age: Any) -> list[str]:
    topics: list[str] = []
    family = ev.facts.get("table.family") or ev.facts.get("offence.family")
    if family in {t.value for t in Topic}:
        topics.append(str(family))
    if isinstance(offender_age, int) and offender_age < 18:
        topics.append(Topic.CHILDREN.value)
    for rule in ev.policy.rules:
        topic = _CATEGORY_TOPICS.get(rule.category)
        if rule.id in ev.states.fired and topic and topic.value not in topics:
            topics.append(topic.value)
    return topics or ["TODO"]


def skeleton(raw_case: dict[str, Any], scenario_id: str, profile: str, evaluator: Evaluator) -> str:
    """The scenario skeleton's YAML text, with the current engine's answer as ``expect``."""
    ps = evaluator.policy_set
    case = {**raw_case, "case_id": scenario_id}
    if ps.profile_for(str(case["force"])) != profile:
        case["force"] = profile if profile != NATIONAL else NATIONAL
    loaded = CaseRecord.model_validate(case)  # the file was checked; only id/force changed
    day = loaded.decision_date
    if ps.resolver(profile).era(day) is None:
        raise InputError(
            "profile-not-in-force",
            f"profile '{profile}' has no version in force on the case's decision_date",
            Location(field="--profile"),
        )
    ev = evaluator.evaluate(loaded, day, profile)
    d = ev.decision
    expect: dict[str, Any] = {
        "decision": d.decision.value,
        "required_authority": d.required_authority.value if d.required_authority else None,
        "fires": [r.id for r in ev.policy.rules if r.id in ev.states.fired],
    }
    if d.decision is Decision.INSUFFICIENT_INFORMATION:
        expect["missing"] = list(d.missing)
        expect["main_reason"] = d.unresolved[0].rule if d.unresolved else None
    main = next((r.rule for r in d.reasons), None)
    point: dict[str, Any] = {"text": "TODO: what should an officer take away from this case?"}
    if main:
        point["rule"] = main
    else:
        point["source"] = {"citation": "TODO", "url": "https://"}
    data = {
        "id": scenario_id,
        "title": "TODO: a short title",
        "difficulty": "intermediate",
        "topics": _topics(ev, raw_case.get("offender", {}).get("age")),
        "profile": profile,
        "date": day.isoformat(),
        "basis": "TODO: where the expected answer comes from (POLICY_RESEARCH section, criteria)",
        "narrative": "TODO: the case as an officer meets it, in plain words; no real people.",
        "case": case,
        "expect": expect,
        "learning_points": [point],
    }
    offence = case.get("offence")
    if isinstance(offence, dict) and isinstance(offence.get("ho_code"), str):
        offence["ho_code"] = _Quoted(offence["ho_code"])
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=96)
    return HEADER + text


class _Quoted(str):
    """A value written in double quotes (HO codes are always quoted in case files)."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Quoted, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", str(s), style='"')
)


def write_new(text: str, out: Path) -> None:
    """Write the skeleton to ``out``; never overwrite an existing file."""
    try:
        with out.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise InputError(
            "file-exists",
            "already exists; a skeleton never overwrites a file",
            Location(str(out), field="--out"),
            "choose another --out path",
        ) from None
    except OSError as exc:
        raise InputError(
            "unwritable-file", f"cannot write ({exc.strerror})", Location(str(out), field="--out")
        ) from None
