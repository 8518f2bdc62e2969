"""The audit configuration (``rules/audit.yaml``): what the ledger redacts, and where the key is.

It is policy-independent: one file for every force profile, validated strictly when loaded. Each
path must name a text field of the case record (``disposal.case.CaseRecord``); dropping applies to
text and lists of text, pseudonymising to single text identifiers. The fields that replay needs
to choose the policy or the offence (``force``, ``decision_date``, ``offence.ho_code``) cannot be
redacted at all.

The pseudonymisation key is never in this file or in the ledger: the file names an environment
variable (default ``DISPOSAL_AUDIT_KEY``) and/or a key file; the variable wins when both are set.
"""

from __future__ import annotations

import os
import stat
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from disposal.audit.errors import AuditError
from disposal.case import CaseRecord
from disposal.errors import (
    DisposalError,
    Location,
    RuleFileError,
    as_exception,
    did_you_mean,
    raise_all,
)
from disposal.source import Document, load_document
from disposal.validation import errors_from_validation

DEFAULT_KEY_ENV = "DISPOSAL_AUDIT_KEY"
MIN_KEY_BYTES = 16
NOT_REDACTABLE = frozenset({"force", "decision_date", "offence.ho_code"})

DottedPath = Annotated[str, Field(pattern=r"^[a-z_]+(\.[a-z_]+)*$", max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class KeySource(_Strict):
    """Where the pseudonymisation key comes from: an environment variable and/or a file."""

    env: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] | None = DEFAULT_KEY_ENV
    file: Annotated[str, Field(min_length=1, max_length=4096)] | None = None


class AuditConfig(_Strict):
    """Validated ``rules/audit.yaml``; ``key.file`` is absolute once loaded from a file."""

    version: Literal[1] = 1
    drop: list[DottedPath] = []
    pseudonymise: list[DottedPath] = []
    key: KeySource = KeySource()


def load_audit_config(path: Path) -> AuditConfig:
    """Load and validate an audit configuration; raise ``RuleFileError`` naming file:line."""
    doc = load_document(path, RuleFileError)
    if not isinstance(doc.data, dict):
        raise RuleFileError(
            "not-a-mapping", "the audit configuration must be a mapping", doc.locate()
        )
    try:
        config = AuditConfig.model_validate(doc.data)
    except ValidationError as exc:
        errors = errors_from_validation(exc, doc.data, doc, (), AuditConfig, RuleFileError)
        raise as_exception(errors) from None
    raise_all(_path_errors(config, doc))
    if config.key.file is not None:
        key_file = (path.parent / Path(config.key.file).expanduser()).resolve()
        config = config.model_copy(
            update={"key": KeySource(env=config.key.env, file=str(key_file))}
        )
    return config


def _path_errors(config: AuditConfig, doc: Document) -> list[DisposalError]:
    errors: list[DisposalError] = []
    seen: set[str] = set()
    for section in ("drop", "pseudonymise"):
        for index, dotted in enumerate(getattr(config, section)):
            where = doc.locate((section, index), field_name=f"{section}[{index}]")
            if dotted in seen:
                errors.append(RuleFileError("duplicate-path", f"'{dotted}' is listed twice", where))
                continue
            seen.add(dotted)
            problem = _field_problem(dotted, section, where)
            if problem:
                errors.append(problem)
    return errors


def _field_problem(dotted: str, section: str, where: Location) -> DisposalError | None:
    if dotted in NOT_REDACTABLE:
        return RuleFileError(
            "not-redactable",
            f"'{dotted}' cannot be redacted: replay needs it to choose the policy and offence",
            where,
        )
    leaf = _leaf_annotation(dotted, where)
    if isinstance(leaf, DisposalError):
        return leaf
    kinds = _base_types(leaf)
    if section == "pseudonymise" and kinds != {str}:
        return RuleFileError(
            "not-an-identifier",
            f"'{dotted}' is not a text field, so it cannot be pseudonymised",
            where,
            "pseudonymise identifiers such as authorisation.officer_id or case_id",
        )
    if section == "drop" and kinds not in ({str}, {list, str}):
        return RuleFileError(
            "not-free-text",
            f"'{dotted}' is not a text field; only free text (or lists of text) can be dropped",
            where,
        )
    return None


def _leaf_annotation(dotted: str, where: Location) -> Any:
    """The annotation of the case-record field at ``dotted``, or an ``unknown-field`` error."""
    model: type[BaseModel] | None = CaseRecord
    annotation: Any = None
    for part in dotted.split("."):
        if model is None:
            return RuleFileError(
                "unknown-field", f"'{dotted}' goes inside a field that has no fields", where
            )
        if part not in model.model_fields:
            hint = did_you_mean(part, model.model_fields)
            return RuleFileError(
                "unknown-field", f"'{dotted}' is not a case-record field", where, hint
            )
        annotation = model.model_fields[part].annotation
        model = next((c for c in _classes(annotation) if _is_model(c)), None)
    return annotation


def _classes(annotation: Any) -> list[Any]:
    """The classes inside an annotation (through Optional, unions, list and Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _classes(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list):
        return [c for arg in typing.get_args(annotation) for c in _classes(arg)]
    return [annotation]


def _base_types(annotation: Any) -> set[Any]:
    """``{str}`` for text, ``{list, str}`` for a list of text (None ignored); enums are not text."""
    found: set[Any] = set()
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _base_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found |= _base_types(arg)
        return found
    if origin is list:
        return {list} | _base_types(typing.get_args(annotation)[0])
    return set() if annotation is type(None) else {annotation}


def _is_model(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, BaseModel)


def load_key(config: AuditConfig, environ: Mapping[str, str] | None = None) -> bytes | None:
    """The pseudonymisation key from the configured variable or file; ``None`` when neither is set.

    The key is at least 16 bytes (use ``openssl rand -hex 32``). A key file must not be readable by
    other users. Errors never include key material.
    """
    env = os.environ if environ is None else environ
    name, file = config.key.env, config.key.file
    if name and env.get(name):
        key, source = env[name].encode("utf-8"), f"${name}"
    elif file:
        key, source = _read_key_file(Path(file)), file
    else:
        return None
    if len(key) < MIN_KEY_BYTES:
        raise AuditError(
            "audit-key-too-short",
            f"the audit key must be at least {MIN_KEY_BYTES} bytes",
            Location(source),
            "generate one with: openssl rand -hex 32",
        )
    return key


def _read_key_file(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        data = path.read_bytes().strip()
    except OSError as exc:
        raise AuditError(
            "audit-key-unreadable",
            f"cannot read the key file ({exc.strerror})",
            Location(str(path)),
        ) from None
    if mode & stat.S_IROTH:
        raise AuditError(
            "audit-key-permissions",
            "the key file is readable by every user",
            Location(str(path)),
            f"chmod 600 {path}",
        )
    return data
