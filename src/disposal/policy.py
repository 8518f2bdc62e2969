"""The policy file format: profiles, dated rules, dated parameters and overlay withdrawals.

A profile is a directory ``rules/profiles/<id>/`` holding ``profile.yaml`` (who the profile is
for, which profile it ``extends``, its dated versions with sources) and any number of further
YAML files with ``parameters``, ``rules`` and (overlays only) ``withdrawals``. Every rule and
every parameter value carries ``effective_from``/``effective_to`` and a ``source``; evaluation
always happens *as at* a date, so historic cases are judged under the policy of their day.

This module only defines and loads the format; dated resolution is ``resolve``, and checking
rules against the fact schema is ``typecheck``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from disposal.case import IsoDate
from disposal.errors import DisposalError, Location, RuleFileError, did_you_mean
from disposal.source import Document, PathKey, load_document
from disposal.validation import errors_from_validation
from disposal.vocab import OUTCOME_TYPES, EffectKind, Rank

RULE_ID = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"
SLUG = r"^[a-z][a-z0-9-]*$"
NAME = r"^[a-z][a-z0-9_]*$"
Scalar = bool | int | float | str
T = TypeVar("T")


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Source(_Strict):
    """Where a rule or value comes from; keys refer to POLICY_RESEARCH.md's register (S01..)."""

    citation: Annotated[str, Field(min_length=3)]
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    keys: list[Annotated[str, Field(pattern=r"^S\d{2}$")]] = []
    strength: Annotated[str, Field(pattern=r"^(STAT|STAT-P|NAT|NAT-2|FORCE|SEC|PROJECT)$")] = "NAT"


class Dated(_Strict):
    effective_from: IsoDate
    effective_to: IsoDate | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Dated:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(
                "dates-out-of-order[effective_to]: effective_to is before effective_from"
            )
        return self

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def overlaps(self, other: Dated) -> bool:
        end_a = self.effective_to or date.max
        end_b = other.effective_to or date.max
        return self.effective_from <= end_b and other.effective_from <= end_a


class ProfileVersion(Dated):
    id: Annotated[str, Field(pattern=SLUG)]
    title: str
    summary: str | None = None
    source: Source


class ProfileMeta(_Strict):
    id: Annotated[str, Field(pattern=SLUG)]
    title: str
    description: str
    extends: Annotated[str, Field(pattern=SLUG)] | None = None
    forces: list[Annotated[str, Field(pattern=SLUG)]] = []
    owner: str | None = None
    versions: Annotated[list[ProfileVersion], Field(min_length=1)]


class ParamValue(Dated):
    value: Scalar | list[Scalar]
    source: Source
    notes: str | None = None


class Parameter(_Strict):
    name: Annotated[str, Field(pattern=NAME)]
    description: str | None = None
    values: Annotated[list[ParamValue], Field(min_length=1)]


@dataclass(frozen=True)
class Effect:
    kind: EffectKind
    rank: Rank | None = None
    outcome: int | None = None
    fact: str | None = None

    def to_data(self) -> str | dict[str, Any]:
        if self.kind is EffectKind.REQUIRE_AUTHORITY:
            return {"require_authority": self.rank.value if self.rank else None}
        if self.kind is EffectKind.SUGGEST:
            return {"suggest": self.outcome}
        if self.kind is EffectKind.DERIVE:
            return {"derive": self.fact}
        return self.kind.value


def parse_effect(raw: Any) -> Any:
    """Parse ``deny``, ``warn``, ``{require_authority: r}``, ``{suggest: n}``, ``{derive: x}``."""
    if isinstance(raw, Effect):
        return raw
    if raw in ("deny", "warn"):
        return Effect(EffectKind(raw))
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ValueError(
            "bad-effect: effect is deny, warn, {require_authority: rank}, {suggest: outcome} "
            "or {derive: fact_name}"
        )
    ((kind, arg),) = raw.items()
    if kind == "require_authority":
        if arg not in {r.value for r in Rank}:
            hint = did_you_mean(str(arg), [r.value for r in Rank])
            raise ValueError(
                f"unknown-rank: '{arg}' is not a rank [hint: {hint or 'see the rank list'}]"
            )
        return Effect(EffectKind.REQUIRE_AUTHORITY, rank=Rank(arg))
    if kind == "suggest":
        if not isinstance(arg, int) or isinstance(arg, bool) or arg not in OUTCOME_TYPES:
            raise ValueError("bad-outcome: suggest takes a Home Office outcome type number")
        return Effect(EffectKind.SUGGEST, outcome=arg)
    if kind == "derive":
        if not isinstance(arg, str) or not re.match(NAME, arg):
            raise ValueError("bad-effect: derive takes a fact name in snake_case")
        return Effect(EffectKind.DERIVE, fact=arg)
    hint = did_you_mean(str(kind), ["require_authority", "suggest", "derive"])
    raise ValueError(f"bad-effect: unknown effect '{kind}' [hint: {hint or 'see the effect list'}]")


class DeriveCase(_Strict):
    when: dict[str, Any]
    value: Scalar


class TableDerive(_Strict):
    """Derive a fact from a small table of key values (e.g. gravity × adjustment)."""

    keys: Annotated[list[str], Field(min_length=1)]
    rows: Annotated[list[list[Scalar]], Field(min_length=1)]


CATEGORIES = (
    "derived",
    "evidence",
    "admission",
    "agreement",
    "age",
    "victim",
    "seriousness",
    "gravity",
    "exclusion",
    "sexual",
    "weapons",
    "hate",
    "history",
    "authorisation",
    "recording",
)


class Rule(Dated):
    id: Annotated[str, Field(pattern=RULE_ID)]
    title: Annotated[str, Field(min_length=3)]
    category: Annotated[str, Field(pattern="^(" + "|".join(CATEGORIES) + ")$")]
    effect: Annotated[Effect, BeforeValidator(parse_effect)]
    when: dict[str, Any] | None = None
    cases: list[DeriveCase] | None = None
    otherwise: Scalar | None = None
    coalesce: Annotated[list[str], Field(min_length=1)] | None = None
    table: TableDerive | None = None
    message: str | None = None
    source: Source
    notes: str | None = None

    model_config = ConfigDict(
        strict=True, extra="forbid", frozen=True, arbitrary_types_allowed=True
    )

    @model_validator(mode="after")
    def _shape(self) -> Rule:
        derive_forms = [f for f in ("cases", "coalesce", "table") if getattr(self, f) is not None]
        if self.effect.kind is EffectKind.DERIVE:
            if len(derive_forms) + (self.when is not None) != 1:
                raise ValueError(
                    "bad-derive: a derive rule has exactly one of when, cases, coalesce or table"
                )
        else:
            if derive_forms or self.otherwise is not None:
                raise ValueError(
                    "bad-rule: cases/coalesce/table/otherwise are only for derive rules"
                )
            if self.when is None:
                raise ValueError("missing-when: this rule needs a 'when' condition")
            if not self.message:
                raise ValueError("missing-message: this rule needs a 'message' for officers")
        return self


class Withdrawal(Dated):
    rule: Annotated[str, Field(pattern=RULE_ID)]
    reason: str | None = None
    source: Source | None = None


class RuleFile(_Strict):
    profile: ProfileMeta | None = None
    parameters: list[Parameter] = []
    rules: list[Rule] = []
    withdrawals: list[Withdrawal] = []

    @field_validator("parameters", "rules", "withdrawals", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value


# -- loading ------------------------------------------------------------------------------------


@dataclass
class Located(Generic[T]):
    """A model item plus the document and path it came from, for located errors."""

    item: T
    doc: Document
    path: PathKey

    def at(self, *sub: str | int, field_name: str = "") -> Location:
        return self.doc.locate((*self.path, *sub), field_name=field_name)


@dataclass
class Profile:
    meta: Located[ProfileMeta]
    directory: Path
    rules: list[Located[Rule]] = field(default_factory=list)
    parameters: list[Located[Parameter]] = field(default_factory=list)
    withdrawals: list[Located[Withdrawal]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def _load_file(path: Path, errors: list[DisposalError]) -> tuple[RuleFile, Document] | None:
    try:
        doc = load_document(path, RuleFileError)
    except DisposalError as exc:
        errors.append(exc)
        return None
    if not isinstance(doc.data, dict):
        errors.append(RuleFileError("bad-rule-file", "a rule file is a mapping", doc.locate(())))
        return None
    try:
        return RuleFile.model_validate(doc.data), doc
    except ValidationError as exc:
        errors.extend(errors_from_validation(exc, doc.data, doc, (), RuleFile, RuleFileError))
        return None


def load_profile(directory: Path, errors: list[DisposalError]) -> Profile | None:
    """Load one profile directory; append every problem to ``errors``."""
    files = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))
    meta_file = directory / "profile.yaml"
    if meta_file not in files:
        errors.append(
            RuleFileError(
                "missing-profile", "profile directory has no profile.yaml", Location(str(directory))
            )
        )
        return None
    loaded = [
        (p, _load_file(p, errors)) for p in [meta_file] + [f for f in files if f != meta_file]
    ]
    first = loaded[0][1]
    if first is None:
        return None
    meta_model, meta_doc = first
    if meta_model.profile is None:
        errors.append(
            RuleFileError(
                "missing-profile", "profile.yaml needs a 'profile' block", meta_doc.locate(())
            )
        )
        return None
    if meta_model.profile.id != directory.name:
        errors.append(
            RuleFileError(
                "profile-id-mismatch",
                f"profile id must match its directory name '{directory.name}'",
                meta_doc.locate(("profile", "id")),
            )
        )
    profile = Profile(Located(meta_model.profile, meta_doc, ("profile",)), directory, files=files)
    for path, item in loaded:
        if item is None:
            continue
        model, doc = item
        if model.profile is not None and path != meta_file:
            errors.append(
                RuleFileError(
                    "misplaced-profile",
                    "only profile.yaml may hold a 'profile' block",
                    doc.locate(("profile",)),
                )
            )
        profile.rules += [Located(r, doc, ("rules", i)) for i, r in enumerate(model.rules)]
        profile.parameters += [
            Located(p, doc, ("parameters", i)) for i, p in enumerate(model.parameters)
        ]
        profile.withdrawals += [
            Located(w, doc, ("withdrawals", i)) for i, w in enumerate(model.withdrawals)
        ]
    return profile
