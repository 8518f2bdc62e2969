"""Training scenarios: a case as an officer meets it, with the answer the policy text gives.

A scenario file (``cases/training/trn-001-<slug>.yaml``) holds one scenario: an id, a title,
a narrative, the profile and date it is decided under, a full case record (CONTRACT.md §1),
the expected decision, authority and the exact set of rules that fire, learning points with
their sources, a difficulty and topics. This module is the model; ``loader`` reads files into
it and checks them against the policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from disposal.case import CaseRecord, IsoDate, RankT
from disposal.errors import InputError, Location
from disposal.resolve import PolicyVersion
from disposal.source import Document
from disposal.vocab import Decision, Rank

ID_PATTERN = r"^TRN-\d{3}$"


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
        if (
            self.decision is not Decision.INSUFFICIENT_INFORMATION
            and self.main_reason
            and self.main_reason not in self.fires
        ):
            raise ValueError("bad-value[main_reason]: must be one of the rules expected to fire")
        if len(set(self.fires)) != len(self.fires):
            raise ValueError("bad-value[fires]: a rule is listed twice")
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
