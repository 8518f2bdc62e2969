"""The results file formats, defined once for the writer (``disposal review``) and the reader.

A results file is JSON Lines (``.jsonl``/``.ndjson``: one decision object per line, the
contract's decision plus a ``case`` block) or CSV (``.csv``: one row per case, columns
``RESULT_CSV_COLUMNS``). The review writer should build CSV rows with ``flatten_result`` so both
sides agree on every cell:

* empty cell = null / not recorded; booleans are ``true``/``false`` (on reading, the contract's
  flat-form spellings ``yes/no``, ``y/n``, ``1/0`` are accepted too);
* lists (``rule_ids``, ``missing``, ``suggested_outcomes``, ``reasons``, ``reason_effects``) are
  ``;``-separated; inside an item ``\\`` is written ``\\\\`` and ``;`` is written ``\\;``;
* ``reasons`` holds ``RULE: message`` items and ``reason_effects`` the matching effects, item
  for item (``-`` for a reason without one). ``reason_effects`` is an addition to the agreed
  column list and is optional when reading (without it every reason counts as one that shaped
  the decision). The CSV form drops each reason's ``authority`` and ``source``; JSON Lines
  keeps everything;
* ``rule_ids`` must list the same rules as ``reasons``, in the same order.

``read_results`` reads either form back into the JSON shape (validated; unknown JSON keys and
unknown CSV columns are ignored). Invalid lines are reported together, up to ``MAX_ERRORS`` per
file, each as a ``ResultsFileError`` naming the file, the line and the field; never the value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from disposal.errors import Location
from disposal.flat import escape_item, split_items
from disposal.report.model import Problem, ResultsFileError
from disposal.report.reading import Checked, RecordReader

RESULT_CSV_COLUMNS: tuple[str, ...] = (
    "case_id",
    "decision",
    "required_authority",
    "authorised",
    "compliance",
    "rule_ids",
    "missing",
    "suggested_outcomes",
    "policy_profile",
    "policy_version",
    "policy_sha256",
    "force",
    "decision_date",
    "financial_year",
    "offence_family",
    "ho_code",
    "actual_outcome",
    "reasons",
    "reason_effects",
)
OPTIONAL_CSV_COLUMNS: frozenset[str] = frozenset({"reason_effects"})
REQUIRED_CSV_COLUMNS: tuple[str, ...] = tuple(
    c for c in RESULT_CSV_COLUMNS if c not in OPTIONAL_CSV_COLUMNS
)
CASE_COLUMNS = ("force", "decision_date", "financial_year", "offence_family", "ho_code")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv",)
MAX_ERRORS = 20

_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


def join_list(items: list[str]) -> str:
    """A ``;``-separated cell, escaping ``\\`` and ``;`` inside items (as the case CSV does)."""
    return ";".join(escape_item(i) for i in items)


def split_list(cell: str) -> list[str]:
    """The items of a ``;``-separated cell (the inverse of ``join_list``); blanks are dropped."""
    return split_items(cell)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def flatten_result(obj: dict[str, Any]) -> dict[str, str]:
    """One JSON results object as a CSV row keyed by ``RESULT_CSV_COLUMNS`` (missing keys → "")."""
    policy = obj.get("policy") or {}
    case = obj.get("case") or {}
    reasons = obj.get("reasons") or []
    row = {name: _cell(obj.get(name)) for name in ("case_id", "decision", "compliance")}
    row.update({name: _cell(case.get(name)) for name in CASE_COLUMNS})
    row |= {
        "required_authority": _cell(obj.get("required_authority")),
        "authorised": _cell(obj.get("authorised")),
        "rule_ids": join_list([str(r.get("rule", "")) for r in reasons]),
        "missing": join_list([str(m) for m in obj.get("missing") or []]),
        "suggested_outcomes": join_list([str(s) for s in obj.get("suggested_outcomes") or []]),
        "policy_profile": _cell(policy.get("profile")),
        "policy_version": _cell(policy.get("version")),
        "policy_sha256": _cell(policy.get("sha256")),
        "actual_outcome": _cell(case.get("actual_outcome")),
        "reasons": join_list([_reason_text(r) for r in reasons]),
        "reason_effects": join_list([_cell(r.get("effect")) or "-" for r in reasons]),
    }
    return {name: row[name] for name in RESULT_CSV_COLUMNS}


def _reason_text(reason: dict[str, Any]) -> str:
    rule, message = str(reason.get("rule", "")), _cell(reason.get("message"))
    return f"{rule}: {message}" if message else rule


def _opt(cell: str) -> str | None:
    return cell.strip() or None


def _int_or_text(cell: str) -> int | str | None:
    """An integer, or the text itself so that validation reports a wrong type (never the value)."""
    text = cell.strip()
    if not text:
        return None
    return int(text) if text.lstrip("-").isdigit() else text


def _bool_or_text(cell: str) -> bool | str | None:
    text = cell.strip().lower()
    if not text:
        return None
    return True if text in _TRUE else False if text in _FALSE else text


def row_to_result(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row (by column name) in the JSON shape, before validation."""
    texts = split_list(row.get("reasons", ""))
    effects = split_list(row["reason_effects"]) if "reason_effects" in row else []
    reasons: list[dict[str, Any]] = []
    for i, text in enumerate(texts):
        rule, _, message = text.partition(":")
        effect = effects[i] if i < len(effects) and effects[i] != "-" else None
        reasons.append({"rule": rule.strip(), "effect": effect, "message": message.strip()})
    profile, version, sha = (_opt(row[f"policy_{k}"]) for k in ("profile", "version", "sha256"))
    has_policy = any(v is not None for v in (profile, version, sha))
    case: dict[str, Any] = {name: _opt(row[name]) for name in CASE_COLUMNS}
    case["force"] = row["force"].strip()
    case["actual_outcome"] = _int_or_text(row["actual_outcome"])
    return {
        "case_id": row["case_id"].strip(),
        "decision": row["decision"].strip(),
        "required_authority": _opt(row["required_authority"]),
        "authorised": _bool_or_text(row["authorised"]),
        "reasons": tuple(reasons),
        "missing": tuple(split_list(row["missing"])),
        "suggested_outcomes": tuple(_int_or_text(s) for s in split_list(row["suggested_outcomes"])),
        "policy": {"profile": profile, "version": version, "sha256": sha} if has_policy else None,
        "compliance": _opt(row["compliance"]),
        "case": case,
    }


def convert_row(row: dict[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """``row_to_result`` plus the check that ``rule_ids`` and ``reasons`` name the same rules."""
    obj = row_to_result(row)
    problems: list[Problem] = []
    if split_list(row["rule_ids"]) != [r["rule"] for r in obj["reasons"]]:
        message = "does not list the rules of the reasons column, in order"
        problems.append(("rule_ids", "inconsistent-reasons", message, ""))
    return obj, problems


@dataclass
class FileStats:
    """What the reader learnt about one file: its name, lines read, records and content hash."""

    path: Path
    records: int = 0
    sha256: str = ""


def iter_records(path: Path, stats: FileStats | None = None) -> Iterator[Checked]:
    """Validated records of one results file, in file order, read in one streaming pass.

    Raises ``ResultsFileError`` (or an ``ErrorGroup`` of them) for an unreadable or empty file
    or, once the file has been read, for its invalid lines; ``stats`` is filled in as it goes.
    """
    stats = stats if stats is not None else FileStats(path)
    reader = RecordReader(path, MAX_ERRORS)
    digest = hashlib.sha256()
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        lines = reader.csv_records(digest, RESULT_CSV_COLUMNS, REQUIRED_CSV_COLUMNS, convert_row)
    elif suffix in JSONL_SUFFIXES:
        lines = reader.jsonl_records(digest)
    else:
        raise reader.unknown_format(JSONL_SUFFIXES + CSV_SUFFIXES)
    for checked in lines:
        stats.records += 1
        yield checked
    reader.finish()
    stats.sha256 = digest.hexdigest()
    if not stats.records:
        raise ResultsFileError(
            "empty-file", "holds no results", Location(str(path)), "check the path"
        )


def read_results(path: Path) -> Iterator[dict[str, Any]]:
    """Each result of a ``.jsonl`` or ``.csv`` results file in the JSON shape, validated."""
    for checked in iter_records(path):
        yield checked.record.model_dump(mode="json")
