"""Static checks across policy files that no single file's schema can express.

Overlapping effective dates (two versions of a rule or a parameter in force on the same day),
overlays that withdraw a rule without a reason or a source, parameters no rule reads, profiles
extending unknown profiles: each is reported with the ``file:line`` of the offending entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from disposal.errors import DisposalError, RuleFileError, did_you_mean
from disposal.policy import Dated, Located

if TYPE_CHECKING:
    from disposal.policyset import PolicySet


def static_checks(policy: PolicySet) -> list[DisposalError]:
    errors: list[DisposalError] = []
    errors += _profile_links(policy)
    if errors:
        return errors
    read = params_read(policy)
    for profile_id, profile in policy.profiles.items():
        chain = policy.chain(profile_id)
        base_rules = [r for p in chain[:-1] for r in p.rules]
        errors += _overlaps(
            "rule", [(r.item.id, r) for r in [*base_rules, *profile.rules]], profile.rules
        )
        versions = _versions(profile)
        errors += _overlaps("version", [("version", v) for v in versions], versions)
        errors += _parameters(policy, profile_id)
        errors += _withdrawals(profile.withdrawals, base_rules)
        # A parameter counts as read when a rule of this profile, of a profile it extends, or
        # of a profile extending it reads it (an overlay may re-value a national parameter).
        related = {*_ids(policy, profile_id)}
        related |= {p for p in policy.profiles if profile_id in _ids(policy, p)}
        readers = {name for p in related for name in read[p]}
        for param in profile.parameters:
            if param.item.name not in readers:
                errors.append(
                    RuleFileError(
                        "unused-parameter",
                        f"parameter '{param.item.name}' is read by no rule of this profile "
                        "or of a profile extending it",
                        param.at("name"),
                        "remove it, or reference it with {param: name}",
                    )
                )
    return errors


def _ids(policy: PolicySet, profile_id: str) -> list[str]:
    return [p.meta.item.id for p in policy.chain(profile_id)]


def _versions(profile: Any) -> list[Located[Any]]:
    meta = profile.meta
    return [
        Located(v, meta.doc, (*meta.path, "versions", i)) for i, v in enumerate(meta.item.versions)
    ]


def _profile_links(policy: PolicySet) -> list[DisposalError]:
    errors: list[DisposalError] = []
    for profile in policy.profiles.values():
        meta = profile.meta
        seen = {meta.item.id}
        parent = meta.item.extends
        while parent is not None:
            if parent not in policy.profiles:
                errors.append(
                    RuleFileError(
                        "unknown-profile",
                        f"extends unknown profile '{parent}'",
                        meta.at("extends"),
                        did_you_mean(parent, policy.profiles),
                    )
                )
                break
            if parent in seen:
                errors.append(
                    RuleFileError(
                        "extends-cycle", "profiles extend each other in a cycle", meta.at("extends")
                    )
                )
                break
            seen.add(parent)
            parent = policy.profiles[parent].meta.item.extends
        for i, force in enumerate(meta.item.forces):
            if force not in policy.forces:
                errors.append(
                    RuleFileError(
                        "unknown-force",
                        f"'{force}' is not in rules/forces.yaml",
                        meta.at("forces", i),
                        did_you_mean(force, policy.forces),
                    )
                )
    return errors


def _overlaps(
    kind: str, candidates: Iterable[tuple[str, Located[Any]]], own: Iterable[Located[Any]]
) -> list[DisposalError]:
    """Each of ``own`` that shares a key with another candidate and overlaps its dates."""
    errors: list[DisposalError] = []
    items = list(candidates)
    own_items = list(own)
    for located in own_items:
        key = next(k for k, x in items if x is located)
        for other_key, other in items:
            if other is located or other_key != key or not _dated(located).overlaps(_dated(other)):
                continue
            both_own = any(other is x for x in own_items)
            first = min(
                located,
                other,
                key=lambda x: (_dated(x).effective_from, x.doc.file, x.at().line),
            )
            if both_own and first is located:
                continue  # report each pair once, at its later entry
            errors.append(
                RuleFileError(
                    "overlapping-dates",
                    f"{kind} '{key}' overlaps the dates of the entry at "
                    f"{other.doc.file}:{other.at().line}",
                    located.at("effective_from"),
                    "make effective_to of the earlier entry end the day before the later starts",
                )
            )
    return errors


def _dated(located: Located[Any]) -> Dated:
    item = located.item
    assert isinstance(item, Dated)
    return item


def _parameters(policy: PolicySet, profile_id: str) -> list[DisposalError]:
    errors: list[DisposalError] = []
    chain = policy.chain(profile_id)
    profile = chain[-1]
    base_names = {p.item.name for base in chain[:-1] for p in base.parameters}
    names: dict[str, Located[Any]] = {}
    for param in profile.parameters:
        name = param.item.name
        if name in names:
            errors.append(
                RuleFileError(
                    "duplicate-parameter", f"parameter '{name}' is declared twice", param.at("name")
                )
            )
            continue
        names[name] = param
        if name not in base_names and not param.item.description:
            errors.append(
                RuleFileError(
                    "missing-description",
                    f"new parameter '{name}' needs a description",
                    param.at("name"),
                )
            )
        values = [
            Located(v, param.doc, (*param.path, "values", i))
            for i, v in enumerate(param.item.values)
        ]
        errors += _overlaps("parameter", [(name, v) for v in values], values)
    return errors


def _withdrawals(
    withdrawals: list[Located[Any]], base_rules: list[Located[Any]]
) -> list[DisposalError]:
    errors: list[DisposalError] = []
    base_ids = {r.item.id for r in base_rules}
    for located in withdrawals:
        item = located.item
        if not item.reason or len(item.reason.strip()) < 10:
            errors.append(
                RuleFileError(
                    "withdraw-without-reason",
                    f"withdrawing {item.rule} needs a stated reason",
                    located.at("rule"),
                    "add 'reason:' and 'source:'",
                )
            )
        if item.source is None:
            errors.append(
                RuleFileError(
                    "withdraw-without-source",
                    f"withdrawing {item.rule} needs a source",
                    located.at("rule"),
                )
            )
        if item.rule not in base_ids:
            errors.append(
                RuleFileError(
                    "unknown-rule",
                    f"'{item.rule}' is not a rule of the base profile",
                    located.at("rule"),
                    did_you_mean(item.rule, base_ids),
                )
            )
    return errors


def params_read(policy: PolicySet) -> dict[str, set[str]]:
    """For each profile, the parameters its rules name, read from the raw rule data.

    Reading the raw data (not the parsed conditions) keeps this check honest when another
    file failed to parse: a parameter read only by a broken rule is not reported unused.
    """
    return {
        profile_id: {
            name
            for located in profile.rules
            for name in _raw_params(located.item.model_dump(include={"when", "cases"}))
        }
        for profile_id, profile in policy.profiles.items()
    }


def _raw_params(data: Any) -> Iterable[str]:
    if isinstance(data, dict):
        if set(data) == {"param"} and isinstance(data["param"], str):
            yield data["param"]
        for value in data.values():
            yield from _raw_params(value)
    elif isinstance(data, list):
        for value in data:
            yield from _raw_params(value)
