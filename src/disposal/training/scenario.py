"""Training scenarios: a case as an officer meets it, with the answer the policy text gives.

A scenario file (``cases/training/TRN-001-<slug>.yaml``) holds one scenario: an id, a title,
a narrative, the profile and date it is decided under, a full case record (CONTRACT.md §1),
the expected decision, authority and the exact set of rules that fire, learning points with
their sources, a difficulty and topics. Loading is strict (unknown keys, wrong types and
unknown rule ids are located errors) and collects every problem before raising.

Choices (docs/TRAINING.md): ``date`` must equal ``case.decision_date`` (the record stays a
valid stand-alone case that ``disposal evaluate`` decides the same way); ``case.force`` must
select ``profile``; the profile must have a version of its own in force on ``date``;
``expect.fires`` is the complete set of decision rules that fire, not a subset.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from disposal.case import CaseRecord, IsoDate, RankT, check_references, parse_case
from disposal.errors import (
    DisposalError,
    InputError,
    Location,
    as_exception,
    did_you_mean,
    raise_all,
)
from disposal.policyset import PolicySet
from disposal.resolve import PolicyVersion
from disposal.source import Document, load_document
from disposal.validation import errors_from_validation
from disposal.vocab import Decision, Rank

ID_PATTERN = r"^TRN-\d{3}$"
_TODO = re.compile(r"^\s*TODO\b", re.I)


class ScenarioError(InputError):
    """A scenario file (or an answer sheet that refers to scenarios) is invalid."""

    phase = "scenario"


class Difficulty(StrEnum):
    FOUNDATION = "foundation"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Topic(StrEnum):
    """What a scenario teaches; the quiz lists the topics of wrong answers to revisit."""

    ADMISSION = "admission"
    AGREEMENT = "agreement"
    AGE = "age"
    APPROPRIATE_ADULT = "appropriate_adult"
    AUTHORISATION = "authorisation"
    CHILDREN = "children"
    CRIMINAL_DAMAGE = "criminal_damage"
    DOMESTIC_ABUSE = "domestic_abuse"
    DRUGS = "drugs"
    ERA = "era"
    EVIDENCE = "evidence"
    FORCE_POLICY = "force_policy"
    FRAUD = "fraud"
    GRAVITY = "gravity"
    HATE_CRIME = "hate_crime"
    HISTORY = "history"
    PUBLIC_ORDER = "public_order"
    RECORDING = "recording"
    SERIOUSNESS = "seriousness"
    SEXUAL = "sexual"
    THEFT = "theft"
    VICTIM = "victim"
    VIOLENCE = "violence"
    VULNERABILITY = "vulnerability"
    WEAPONS = "weapons"


DecisionT = Annotated[Decision, Field(strict=False)]
DifficultyT = Annotated[Difficulty, Field(strict=False)]
TopicT = Annotated[Topic, Field(strict=False)]
RuleId = Annotated[str, Field(pattern=r"^[A-Z]+(-[A-Z0-9]+)+$", max_length=40)]
Text = Annotated[str, Field(min_length=1, max_length=5000)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class SourceRef(_Strict):
    citation: Annotated[str, Field(min_length=1, max_length=500)]
    url: Annotated[str, Field(pattern=r"^https?://", max_length=500)]
    keys: list[Annotated[str, Field(pattern=r"^S\d{2}$")]] = []


class LearningPoint(_Strict):
    """A point to teach, backed by a policy source or by a rule (whose source it then shows)."""

    text: Text
    source: SourceRef | None = None
    rule: RuleId | None = None

    @model_validator(mode="after")
    def _one_backing(self) -> LearningPoint:
        if (self.source is None) == (self.rule is None):
            raise ValueError(
                "missing-source: give exactly one of 'source' or 'rule'"
                " [hint: every learning point names its policy source]"
            )
        return self


class Expect(_Strict):
    decision: DecisionT
    required_authority: RankT | None
    fires: list[RuleId]
    not_fires: list[RuleId] = []
    missing: list[Annotated[str, Field(max_length=80)]] = []
    main_reason: RuleId | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Expect:
        settled = self.decision in (Decision.PERMITTED, Decision.REQUIRES_AUTHORISATION)
        if settled and self.required_authority is None:
            raise ValueError("bad-value[required_authority]: give the rank for this decision")
        if not settled and self.required_authority is not None:
            raise ValueError(
                "bad-value[required_authority]: must be null when no rank can authorise or"
                " the decision is not settled"
            )
        if self.decision is Decision.REQUIRES_AUTHORISATION and (
            self.required_authority is Rank.CONSTABLE
        ):
            raise ValueError("bad-value[required_authority]: authorisation means above constable")
        if self.decision is Decision.INSUFFICIENT_INFORMATION and not self.main_reason:
            raise ValueError(
                "missing-field[main_reason]: name the rule the missing facts leave undecided"
            )
        if set(self.fires) & set(self.not_fires):
            raise ValueError("bad-value[not_fires]: a rule cannot both fire and not fire")
        return self


class Scenario(_Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    title: Annotated[str, Field(min_length=1, max_length=120)]
    difficulty: DifficultyT
    topics: Annotated[list[TopicT], Field(min_length=1)]
    profile: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=60)]
    date: IsoDate
    basis: Text
    narrative: Text
    case: dict[str, Any]
    expect: Expect
    learning_points: Annotated[list[LearningPoint], Field(min_length=1)]


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    case: CaseRecord
    policy: PolicyVersion
    file: str
    line: int
    doc: Document

    @property
    def id(self) -> str:
        return self.scenario.id

    def locate(self, *path: str | int) -> Location:
        return self.doc.locate(path, self.scenario.id, ".".join(map(str, path)))


def scenario_files(paths: Sequence[Path]) -> list[Path]:
    """Expand directories to their ``.yaml``/``.yml`` files, in a stable order."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in (".yaml", ".yml")))
        else:
            out.append(path)
    return out


def load_scenarios(paths: Sequence[Path], policy_set: PolicySet) -> list[LoadedScenario]:
    """Load every scenario file; collect all problems and raise them together."""
    files = scenario_files(paths)
    if not files:
        shown = ", ".join(map(str, paths))
        raise ScenarioError("no-input", "no scenario files found", Location(shown))
    loaded: list[LoadedScenario] = []
    errors: list[DisposalError] = []
    seen: dict[str, Location] = {}
    for path in files:
        try:
            item = load_scenario(path, policy_set)
        except DisposalError as exc:
            errors.extend(getattr(exc, "errors", [exc]))
            continue
        if item.id in seen:
            errors.append(
                ScenarioError(
                    "duplicate-scenario-id",
                    f"scenario id is also used at {seen[item.id]}",
                    item.locate("id"),
                )
            )
        seen.setdefault(item.id, item.locate())
        loaded.append(item)
    raise_all(errors)
    return loaded


def load_scenario(path: Path, policy_set: PolicySet) -> LoadedScenario:
    doc = load_document(path, ScenarioError)
    raw = doc.data
    name = str(raw.get("id"))[:20] if isinstance(raw, dict) else ""
    if not isinstance(raw, dict):
        raise ScenarioError("not-a-scenario", "a scenario file holds one mapping", doc.locate())
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        found = errors_from_validation(exc, raw, doc, (), Scenario, ScenarioError, name)
        raise as_exception(found) from None
    errors: list[DisposalError] = []
    case: CaseRecord | None = None
    try:
        case = parse_case(scenario.case, doc, ("case",))
    except DisposalError as exc:
        errors.extend(getattr(exc, "errors", [exc]))
    errors.extend(check_references(scenario.case, case, doc, ("case",), 0, policy_set.references()))
    errors.extend(_check_file_name(path, scenario, doc))
    errors.extend(_check_unfinished(scenario, doc))
    policy = _policy_for(scenario, case, doc, policy_set, errors)
    if policy is not None:
        errors.extend(_check_rule_ids(scenario, policy, doc))
    raise_all(errors)
    assert case is not None
    assert policy is not None
    return LoadedScenario(scenario, case, policy, str(path), doc.locate().line, doc)


def _err(
    doc: Document,
    scenario: Scenario,
    path: tuple[str | int, ...],
    code: str,
    msg: str,
    hint: str = "",
) -> ScenarioError:
    loc = doc.locate(path, scenario.id, ".".join(map(str, path)))
    return ScenarioError(code, msg, loc, hint)


def _check_file_name(path: Path, scenario: Scenario, doc: Document) -> list[DisposalError]:
    if path.stem.lower().startswith(scenario.id.lower() + "-"):
        return []
    return [
        _err(
            doc,
            scenario,
            ("id",),
            "file-name",
            "the file name must start with the scenario id and a slug",
            f"rename the file {scenario.id.lower()}-<short-title>.yaml",
        )
    ]


def _check_unfinished(scenario: Scenario, doc: Document) -> list[DisposalError]:
    """Skeletons from ``disposal scenarios new`` carry TODO text until an author finishes them."""
    texts: list[tuple[tuple[str | int, ...], str]] = [
        (("title",), scenario.title),
        (("narrative",), scenario.narrative),
        (("basis",), scenario.basis),
    ]
    texts += [
        (("learning_points", i, "text"), p.text) for i, p in enumerate(scenario.learning_points)
    ]
    return [
        _err(doc, scenario, path, "unfinished-scenario", "still holds TODO placeholder text")
        for path, text in texts
        if _TODO.match(text)
    ]


def _policy_for(
    scenario: Scenario,
    case: CaseRecord | None,
    doc: Document,
    policy_set: PolicySet,
    errors: list[DisposalError],
) -> PolicyVersion | None:
    if scenario.profile not in policy_set.profiles:
        hint = did_you_mean(scenario.profile, policy_set.profiles)
        errors.append(
            _err(doc, scenario, ("profile",), "unknown-profile", "is not a profile in rules/", hint)
        )
        return None
    if policy_set.resolver(scenario.profile).era(scenario.date) is None:
        errors.append(
            _err(
                doc,
                scenario,
                ("date",),
                "profile-not-in-force",
                f"profile '{scenario.profile}' has no version in force on this date",
                "see the profile's versions in rules/profiles/<profile>/profile.yaml",
            )
        )
        return None
    if case is not None:
        if case.decision_date != scenario.date:
            errors.append(
                _err(
                    doc,
                    scenario,
                    ("case", "decision_date"),
                    "date-mismatch",
                    "must equal the scenario's date",
                )
            )
        if policy_set.known_force(case.force) and (
            policy_set.profile_for(case.force) != scenario.profile
        ):
            errors.append(
                _err(
                    doc,
                    scenario,
                    ("case", "force"),
                    "profile-mismatch",
                    f"this force's cases are not decided under profile '{scenario.profile}'",
                    "use the profile's own force slug (or 'national')",
                )
            )
    return policy_set.resolve(scenario.profile, scenario.date)


def _check_rule_ids(
    scenario: Scenario, policy: PolicyVersion, doc: Document
) -> list[DisposalError]:
    decision_ids = [r.id for r in policy.rules]
    all_ids = decision_ids + [d.id for d in policy.derives]
    refs: list[tuple[tuple[str | int, ...], str, list[str]]] = []
    expect = scenario.expect
    for key in ("fires", "not_fires"):
        refs += [
            (("expect", key, i), rid, decision_ids) for i, rid in enumerate(getattr(expect, key))
        ]
    if expect.main_reason:
        refs.append((("expect", "main_reason"), expect.main_reason, decision_ids))
    for i, point in enumerate(scenario.learning_points):
        if point.rule:
            refs.append((("learning_points", i, "rule"), point.rule, all_ids))
    return [
        _err(
            doc,
            scenario,
            path,
            "unknown-rule",
            f"is not a rule of {policy.name}",
            did_you_mean(rule_id, known),
        )
        for path, rule_id, known in refs
        if rule_id not in known
    ]
