"""The offence table (``rules/offences.yaml``): Home Office code → the facts policy rules read.

Rules never test raw HO codes one by one; they read the offence family, the mode of trial,
flags and a default gravity score that the table attaches to each code. The compiler turns the
table into derive rules, so a change to the table is a change to the policy's content hash.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from disposal.errors import DisposalError, Location, RuleFileError, as_exception, raise_all
from disposal.source import Document, load_document
from disposal.validation import errors_from_validation
from disposal.vocab import ModeOfTrial, OffenceFamily


class OffenceFlag(StrEnum):
    """Facts about an offence code that rules may test (closed list, checked at load)."""

    RACIALLY_OR_RELIGIOUSLY_AGGRAVATED = "racially_or_religiously_aggravated"
    CHILD_VICTIM_UNDER_16 = "child_victim_under_16"
    CHILD_VICTIM_UNDER_13 = "child_victim_under_13"
    RAPE = "rape"
    INDECENT_IMAGES_OF_CHILDREN = "indecent_images_of_children"
    FIREARM = "firearm"
    BLADED_ARTICLE = "bladed_article"
    OFFENSIVE_WEAPON = "offensive_weapon"
    ASSAULT_ON_EMERGENCY_WORKER = "assault_on_emergency_worker"
    LOW_VALUE_SHOPLIFTING = "low_value_shoplifting"
    CRIMINAL_DAMAGE_VALUE_THRESHOLD = "criminal_damage_value_threshold"
    SPECIFIED_EITHER_WAY = "specified_either_way"
    FATAL = "fatal"


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class OffenceEntry(_Strict):
    ho_code: Annotated[str, Field(min_length=1, max_length=16)]
    label: str
    ho_group: str
    ho_subgroup: str | None = None
    family: Annotated[OffenceFamily, Field(strict=False)]
    mode_of_trial: Annotated[ModeOfTrial, Field(strict=False)]
    mode_of_trial_note: str | None = None
    gravity: Annotated[int, Field(ge=1, le=5)]
    gravity_source: str
    flags: list[Annotated[OffenceFlag, Field(strict=False)]] = []
    outcomes_only: bool = False
    sources: list[str] = []
    notes: str | None = None


class TableInfo(_Strict):
    title: str
    version: str
    provenance: str
    gravity_scale: str
    mode_of_trial_provenance: str


class OffenceTableModel(_Strict):
    table: TableInfo
    offences: list[OffenceEntry]

    @field_validator("offences")
    @classmethod
    def _not_empty(cls, value: list[OffenceEntry]) -> list[OffenceEntry]:
        if not value:
            raise ValueError("empty-table: the offence table lists no offences")
        return value


class OffenceTable:
    """Read-only view of the validated table, indexed by HO code."""

    def __init__(self, model: OffenceTableModel, file: str) -> None:
        self.model = model
        self.file = file
        self.by_code: dict[str, OffenceEntry] = {e.ho_code: e for e in model.offences}
        self._family_of = {code: e.family.value for code, e in self.by_code.items()}
        self._table_facts = {code: _table_facts(e) for code, e in self.by_code.items()}

    @property
    def codes(self) -> list[str]:
        return list(self.by_code)

    def family_of(self) -> dict[str, str]:
        return self._family_of

    def table_facts(self, code: str | None) -> dict[str, object]:
        """The ``table.*`` facts of an HO code (empty when it is not recorded)."""
        return self._table_facts.get(code or "", {})

    def content(self) -> list[dict[str, object]]:
        """The table as plain data, in file order, for hashing and compiling."""
        return [e.model_dump(mode="json") for e in self.model.offences]


def _table_facts(entry: OffenceEntry) -> dict[str, object]:
    flags = {f.value for f in entry.flags}
    facts: dict[str, object] = {
        "table.family": entry.family.value,
        "table.mode_of_trial": entry.mode_of_trial.value,
        "table.gravity": entry.gravity,
    }
    facts.update({f"table.{flag.value}": flag.value in flags for flag in OffenceFlag})
    return facts


def load_offence_table(path: Path) -> OffenceTable:
    doc = load_document(path, RuleFileError)
    try:
        model = OffenceTableModel.model_validate(doc.data)
    except ValidationError as exc:
        errors = errors_from_validation(exc, doc.data, doc, (), OffenceTableModel, RuleFileError)
        raise as_exception(errors) from None
    raise_all(_duplicates(model, doc))
    return OffenceTable(model, str(path))


def _duplicates(model: OffenceTableModel, doc: Document) -> list[DisposalError]:
    seen: dict[str, Location] = {}
    errors: list[DisposalError] = []
    for i, entry in enumerate(model.offences):
        here = doc.locate(("offences", i, "ho_code"), field_name="ho_code")
        if entry.ho_code in seen:
            errors.append(
                RuleFileError(
                    "duplicate-ho-code",
                    f"HO code is listed twice (first at line {seen[entry.ho_code].line})",
                    here,
                )
            )
        seen.setdefault(entry.ho_code, here)
    return errors
