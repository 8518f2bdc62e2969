"""Rendering a policy diff and its flipped cases: text for people, JSON for tools.

Both read the records of ``policydiff``. Cases are named by their ``case_id`` and place in the
input (file and line) only; no value from a case record is printed.
"""

from __future__ import annotations

from typing import Any

from disposal.plain import dates_text
from disposal.policydiff import (
    Affected,
    FlipReport,
    ParamChange,
    PolicyDiff,
    RuleChange,
    RuleInfo,
    VersionInfo,
)


def _version_line(label: str, info: VersionInfo) -> str:
    v = info.version
    return (
        f"  {label:<5} {info.on.isoformat()}: {v.name} ({v.era.id}: {v.era.title}), "
        f"in force {dates_text(v.starts, v.ends)}, sha256 {v.sha256[:16]}…"
    )


def _rule_line(info: RuleInfo) -> str:
    line = f"  {info.id}: {info.title} [{info.effect_text}]"
    return line + (f"\n    {info.note}" if info.note else "")


def _affected_line(item: Affected) -> str:
    state = {True: "in effect", False: "switched off"}
    change = ""
    if item.on_before != item.on_after:
        change = f": {state[item.on_before]} -> {state[item.on_after]}"
    return f"  {item.id}: {item.title} (reads {', '.join(item.params)}){change}"


def _section(title: str, count: int, lines: list[str]) -> list[str]:
    return [f"{title} ({count}):" if count else f"{title}: none", *lines]


def render_text(diff: PolicyDiff, report: FlipReport | None = None) -> str:
    lines = [
        f"{diff.profile}: the policy as at {diff.before.on.isoformat()} "
        f"compared with {diff.after.on.isoformat()}",
        _version_line("from", diff.before),
        _version_line("to", diff.after),
        "",
    ]
    if diff.same:
        lines += [f"No change: both dates fall in policy version {diff.after.version.name}.", ""]
    else:
        params = []
        for p in diff.parameters:
            params.append(f"  {p.name}: {p.before_text} -> {p.after_text}")
            if p.source is not None:
                params.append(f"    source: {p.source.citation} <{p.source.url}>")
        changed = []
        for change in diff.changed:
            changed.append(f"  {change.id}: {change.title}")
            for f in change.fields:
                changed += [f"    {f.field} before: {f.before}", f"    {f.field} after:  {f.after}"]
        sections: list[tuple[str, int, list[str]]] = [
            ("Parameters changed", len(diff.parameters), params),
            ("Rules added", len(diff.added), [_rule_line(r) for r in diff.added]),
            ("Rules removed", len(diff.removed), [_rule_line(r) for r in diff.removed]),
            ("Rules changed", len(diff.changed), changed),
            (
                "Unchanged rules reading a changed parameter",
                len(diff.affected),
                [_affected_line(a) for a in diff.affected],
            ),
        ]
        for title, count, body in sections:
            lines += [*_section(title, count, body), ""]
    if report is not None:
        lines += _cases_text(report)
    return "\n".join(lines).rstrip() + "\n"


def _cases_text(report: FlipReport) -> list[str]:
    lines = [
        f"Cases: {report.evaluated} evaluated, {len(report.flips)} with a different decision"
        + (":" if report.flips else ".")
    ]
    for flip in report.flips:
        lines.append(
            f"  {flip.case_id} ({flip.file}:{flip.line}): "
            f"{flip.before.text()} -> {flip.after.text()}"
        )
        lines += [f"    no longer fires: {r.id} [{r.effect_text}] {r.title}" for r in flip.stopped]
        lines += [f"    now fires: {r.id} [{r.effect_text}] {r.title}" for r in flip.started]
        for when, outcome in (("before", flip.before), ("after", flip.after)):
            if outcome.missing:
                lines.append(f"    facts to record ({when}): {', '.join(outcome.missing)}")
    return lines


def to_data(diff: PolicyDiff, report: FlipReport | None = None) -> dict[str, Any]:
    """The diff (and flipped cases, or ``null``) as one JSON-able object."""
    return {
        "profile": diff.profile,
        "from": diff.before.to_data(),
        "to": diff.after.to_data(),
        "same": diff.same,
        "parameters": [_param_data(p) for p in diff.parameters],
        "rules": {
            "added": [r.to_data() for r in diff.added],
            "removed": [r.to_data() for r in diff.removed],
            "changed": [_change_data(c) for c in diff.changed],
        },
        "affected": [_affected_data(a) for a in diff.affected],
        "cases": None if report is None else _cases_data(report),
    }


def _param_data(p: ParamChange) -> dict[str, Any]:
    source = p.source.model_dump(mode="json") if p.source else None
    return {"name": p.name, "before": p.before, "after": p.after, "source": source}


def _change_data(c: RuleChange) -> dict[str, Any]:
    fields = {f.field: {"before": f.before, "after": f.after} for f in c.fields}
    return {"id": c.id, "title": c.title, "fields": fields}


def _affected_data(a: Affected) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.title,
        "parameters": list(a.params),
        "in_effect_before": a.on_before,
        "in_effect_after": a.on_after,
    }


def _cases_data(report: FlipReport) -> dict[str, Any]:
    flipped = [
        {
            "case_id": f.case_id,
            "file": f.file,
            "line": f.line,
            "before": f.before.to_data(),
            "after": f.after.to_data(),
            "no_longer_fires": [r.id for r in f.stopped],
            "now_fires": [r.id for r in f.started],
        }
        for f in report.flips
    ]
    return {"evaluated": report.evaluated, "flipped": flipped}
