"""Reading scenario files: strict, located errors, every problem of every file at once.

Beyond the model's own checks: the case record is validated as ``disposal evaluate`` would
(HO codes, force slugs), and, as chosen in docs/TRAINING.md, ``date`` must equal
``case.decision_date`` (the record stays a valid stand-alone case), ``case.force`` must select
``profile``, the profile must have a version of its own in force on ``date``, every rule id
must be a rule of that version, the file name must start with the id, and no text may still
be a ``TODO`` placeholder from ``disposal scenarios new``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from disposal.case import CaseRecord, check_references, parse_case
from disposal.errors import DisposalError, Location, as_exception, did_you_mean, raise_all
from disposal.policyset import PolicySet
from disposal.resolve import PolicyVersion
from disposal.source import Document, load_document
from disposal.training.scenario import LoadedScenario, Scenario, ScenarioError
from disposal.validation import errors_from_validation

_TODO = re.compile(r"^\s*TODO\b", re.I)


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
