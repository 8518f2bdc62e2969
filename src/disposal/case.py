"""The case record of CONTRACT.md §1 as strict pydantic models, and loading it from files.

Strictness is the point: an unknown key is a typo that would otherwise silently make a fact
"not recorded"; a string where a number belongs would be compared as a string by the engine.
A missing field and an explicit ``null`` both mean "not recorded", which is never treated as
``false`` downstream.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from disposal.errors import (
    CaseRecordError,
    DisposalError,
    Location,
    as_exception,
    did_you_mean,
    raise_all,
    safe_name,
)
from disposal.source import Document, PathKey, load_document
from disposal.validation import errors_from_validation
from disposal.vocab import (
    Admission,
    DisposalType,
    Injury,
    ModeOfTrial,
    OffenceFamily,
    Rank,
    Relationship,
    Weapon,
)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_iso_date(value: Any) -> Any:
    """Accept ``YYYY-MM-DD`` strings and ``date`` objects only: no other formats are guessed."""
    if isinstance(value, str):
        if not _ISO_DATE.match(value):
            raise ValueError("bad-date: expected a date [hint: write dates as YYYY-MM-DD]")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(
                "bad-date: not a real calendar date [hint: write dates as YYYY-MM-DD]"
            ) from None
    return value


IsoDate = Annotated[date, BeforeValidator(_parse_iso_date)]
Count = Annotated[int, Field(ge=0, le=100_000)]
Age = Annotated[int, Field(ge=0, le=130)]
FreeText = Annotated[str, Field(max_length=20_000)]
ShortText = Annotated[str, Field(max_length=200)]
HoCode = Annotated[str, Field(min_length=1, max_length=16)]
# Enums accept their string values (strict mode alone would demand enum instances).
AdmissionT = Annotated[Admission, Field(strict=False)]
DisposalTypeT = Annotated[DisposalType, Field(strict=False)]
InjuryT = Annotated[Injury, Field(strict=False)]
ModeOfTrialT = Annotated[ModeOfTrial, Field(strict=False)]
FamilyT = Annotated[OffenceFamily, Field(strict=False)]
RankT = Annotated[Rank, Field(strict=False)]
RelationshipT = Annotated[Relationship, Field(strict=False)]
WeaponT = Annotated[Weapon, Field(strict=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class RecentDisposal(_Strict):
    type: DisposalTypeT
    date: IsoDate
    ho_code: HoCode | None = None


class History(_Strict):
    previous_convictions: Count | None = None
    previous_cautions: Count | None = None
    previous_community_resolutions: Count | None = None
    recent_disposals: list[RecentDisposal] | None = None


class Offence(_Strict):
    ho_code: HoCode | None = None
    # Added field (contract allows additions): the offence family when no HO code is recorded,
    # e.g. a police.uk import. When both are recorded they must agree with the offence table.
    family: FamilyT | None = None
    description: FreeText | None = None
    date: IsoDate | None = None
    mode_of_trial: ModeOfTrialT | None = None
    gravity_score: Annotated[int, Field(ge=1, le=5)] | None = None
    value_gbp: Annotated[float, Field(ge=0, le=1e12)] | None = None
    injury: InjuryT | None = None
    aggravating_factors: list[ShortText] | None = None
    mitigating_factors: list[ShortText] | None = None
    domestic_abuse: bool | None = None
    relationship_to_victim: RelationshipT | None = None
    hate_crime: bool | None = None
    weapon: WeaponT | None = None
    evidence_sufficient: bool | None = None
    # Added field: exceptional circumstances recorded by the officer (knife/weapon guidance).
    exceptional_circumstances: bool | None = None


class Offender(_Strict):
    age: Age | None = None
    admission: AdmissionT | None = None
    agrees_to_resolution: bool | None = None
    appropriate_adult_present: bool | None = None
    prolific_or_priority_offender: bool | None = None
    history: History | None = None


class Victim(_Strict):
    identified: bool | None = None
    age: Age | None = None
    vulnerable: bool | None = None
    consulted: bool | None = None
    consents: bool | None = None
    views: FreeText | None = None


class PeerSexualActivity(_Strict):
    consensual_in_fact: bool | None = None
    coercion_or_exploitation: bool | None = None
    safeguarding_concerns: bool | None = None
    families_support: bool | None = None


class Authorisation(_Strict):
    rank: RankT | None = None
    officer_id: ShortText | None = None
    rationale: FreeText | None = None
    date: IsoDate | None = None


class CaseRecord(_Strict):
    case_id: Annotated[str, Field(min_length=1, max_length=200)]
    force: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=60)]
    decision_date: IsoDate
    offence: Offence = Offence()
    offender: Offender = Offender()
    victim: Victim = Victim()
    peer_sexual_activity: PeerSexualActivity | None = None
    authorisation: Authorisation | None = None
    actual_outcome: Annotated[int, Field(ge=1, le=23)] | None = None


@dataclass(frozen=True)
class LoadedCase:
    """A valid record and where it came from (for error messages and audit)."""

    record: CaseRecord
    file: str
    index: int
    line: int


def record_name(raw: Any, index: int) -> str:
    """How errors name a record: its case_id when it has a usable one, else its position."""
    if isinstance(raw, dict) and isinstance(raw.get("case_id"), str) and raw["case_id"]:
        name: str = raw["case_id"]
        if safe_name(name) == name:  # an id, not text that may be personal data
            return name
    return f"#{index + 1}"


def parse_case(raw: Any, doc: Document, prefix: PathKey = (), index: int = 0) -> CaseRecord:
    """Validate one raw record; raise ``CaseRecordError``/``ErrorGroup`` naming each field."""
    name = record_name(raw, index)
    if not isinstance(raw, dict):
        raise CaseRecordError(
            "not-a-record", "a case record must be a mapping", doc.locate(prefix, name)
        )
    try:
        return CaseRecord.model_validate(raw)
    except ValidationError as exc:
        errors = errors_from_validation(exc, raw, doc, prefix, CaseRecord, CaseRecordError, name)
        raise as_exception(errors) from None


@dataclass(frozen=True)
class References:
    """What a case may refer to: HO codes (with their families) and force slugs.

    Empty collections switch a check off (e.g. in unit tests of the model alone).
    """

    ho_codes: Collection[str] = ()
    family_of: dict[str, str] | None = None
    forces: Collection[str] = ()


def _raw_codes(raw: Any) -> list[tuple[PathKey, str]]:
    """Every HO code string in a raw record, with its path (valid or not otherwise)."""
    if not isinstance(raw, dict):
        return []
    out: list[tuple[PathKey, str]] = []
    offence = raw.get("offence")
    if isinstance(offence, dict) and isinstance(offence.get("ho_code"), str):
        out.append((("offence", "ho_code"), offence["ho_code"]))
    history = (raw.get("offender") or {}) if isinstance(raw.get("offender"), dict) else {}
    history = history.get("history") if isinstance(history.get("history"), dict) else {}
    recent = history.get("recent_disposals") if isinstance(history, dict) else None
    for i, item in enumerate(recent if isinstance(recent, list) else []):
        if isinstance(item, dict) and isinstance(item.get("ho_code"), str):
            out.append((("offender", "history", "recent_disposals", i, "ho_code"), item["ho_code"]))
    return out


def check_references(
    raw: Any,
    record: CaseRecord | None,
    doc: Document,
    prefix: PathKey,
    index: int,
    refs: References,
) -> list[DisposalError]:
    """Checks against the offence table and force list; work on the raw record so that they
    are reported together with any schema errors of the same record."""
    errors: list[DisposalError] = []
    name = record_name(raw, index)
    for path, code in _raw_codes(raw) if refs.ho_codes else []:
        if code not in refs.ho_codes:
            field = ".".join(str(p) for p in path)
            errors.append(
                CaseRecordError(
                    "unknown-ho-code",
                    "is not a Home Office offence code in rules/offences.yaml",
                    doc.locate((*prefix, *path), name, field),
                    did_you_mean(code, refs.ho_codes) or "see rules/offences.yaml for the codes",
                )
            )
    force = raw.get("force") if isinstance(raw, dict) else None
    if refs.forces and isinstance(force, str) and force not in refs.forces:
        errors.append(
            CaseRecordError(
                "unknown-force",
                "is not a force slug listed in rules/forces.yaml",
                doc.locate((*prefix, "force"), name, "force"),
                did_you_mean(force, refs.forces) or "see rules/forces.yaml for the slugs",
            )
        )
    family_of = refs.family_of
    if record is not None and family_of is not None:
        offence = record.offence
        if (
            offence.ho_code in family_of
            and offence.family is not None
            and family_of[offence.ho_code] != offence.family
        ):
            errors.append(
                CaseRecordError(
                    "family-conflict",
                    "disagrees with the offence family of offence.ho_code in the offence table",
                    doc.locate((*prefix, "offence", "family"), name, "offence.family"),
                    "omit offence.family when offence.ho_code is recorded",
                )
            )
    return errors


def iter_raw_records(doc: Document) -> Iterator[tuple[Any, PathKey, int]]:
    """The records of a file holding one record (a mapping) or a list of records."""
    if isinstance(doc.data, list):
        for i, raw in enumerate(doc.data):
            yield raw, (i,), i
    else:
        yield doc.data, (), 0


def case_files(paths: Sequence[Path]) -> list[Path]:
    """Expand directories to their ``.yaml``/``.yml``/``.json`` files, in a stable order."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(p for p in path.rglob("*") if p.suffix.lower() in (".yaml", ".yml", ".json"))
            )
        else:
            out.append(path)
    return out


def load_cases(paths: Sequence[Path], refs: References | None = None) -> list[LoadedCase]:
    """Load every record of every file; collect all errors and raise them together."""
    refs = refs or References()
    loaded: list[LoadedCase] = []
    errors: list[DisposalError] = []
    seen: dict[str, Location] = {}
    files = case_files(paths)
    if not files:
        raise CaseRecordError(
            "no-input", "no case files found", Location(", ".join(map(str, paths)))
        )
    for path in files:
        try:
            doc = load_document(path, CaseRecordError)
        except DisposalError as exc:
            errors.append(exc)
            continue
        for raw, prefix, index in iter_raw_records(doc):
            record: CaseRecord | None = None
            try:
                record = parse_case(raw, doc, prefix, index)
            except DisposalError as exc:
                errors.extend(getattr(exc, "errors", [exc]))
            errors.extend(check_references(raw, record, doc, prefix, index, refs))
            if record is None:
                continue
            here = doc.locate(prefix, record.case_id)
            if record.case_id in seen:
                errors.append(
                    CaseRecordError(
                        "duplicate-case-id",
                        f"case_id is also used at {seen[record.case_id]}",
                        doc.locate((*prefix, "case_id"), record.case_id, "case_id"),
                    )
                )
            seen.setdefault(record.case_id, here)
            loaded.append(LoadedCase(record, str(path), index, here.line))
    raise_all(errors)
    return loaded
