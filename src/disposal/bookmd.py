"""The policy book in Markdown: the index page and one page per profile (see ``book``).

Every piece of text from the rule files goes through ``mdhtml.md``; conditions, effects and
derived facts are put into words by ``plain``. ``ext`` is the extension links between pages use
(``md`` for the Markdown book, ``html`` for the HTML one), so both books link within themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from disposal.bookview import Entry, Era, ProfileView, by_category
from disposal.mdhtml import Markdown, code, link, md
from disposal.plain import (
    Phrase,
    dates_text,
    derive_summary,
    effect_text,
    never_holds,
    phrase,
    strength_text,
    value_text,
)
from disposal.policy import Located, Rule, Source
from disposal.policyset import NATIONAL
from disposal.vocab import EffectKind

CATEGORY_TITLES = {
    "derived": "Derived facts",
    "evidence": "Evidence",
    "admission": "Admission",
    "agreement": "Agreement",
    "age": "Age and appropriate adult",
    "victim": "The victim",
    "seriousness": "Seriousness",
    "gravity": "Gravity",
    "exclusion": "Excluded offences",
    "sexual": "Sexual offences",
    "weapons": "Weapons",
    "hate": "Hate crime",
    "history": "Offending history",
    "authorisation": "Authorisation",
    "recording": "Recording",
}
BOOK_TITLE = "Community resolution policy book"


def source_md(source: Source) -> str:
    strength = f"{md(strength_text(source.strength))} ({source.strength})"
    text = f"{link(source.citation, source.url)}: {strength}"
    if source.keys:
        text += f"; research register {', '.join(source.keys)}"
    return text


def _ranges(days: Sequence[tuple[date, date | None]]) -> list[tuple[date, date | None]]:
    """Merge consecutive (start, end) periods."""
    merged: list[tuple[date, date | None]] = []
    for start, end in days:
        last = merged[-1] if merged else None
        if last is not None and last[1] is not None and last[1] + timedelta(days=1) == start:
            merged[-1] = (last[0], end)
        else:
            merged.append((start, end))
    return merged


def phrase_items(said: Phrase) -> list[str | tuple[str, Sequence[object]]]:
    """The sub-phrases of a list phrase as nested Markdown list items."""
    out: list[str | tuple[str, Sequence[object]]] = []
    for item in said.items:
        out.append((md(item.text) + ":", phrase_items(item)) if item.items else md(item.text))
    return out


def phrase_item(
    heading: str, said: Phrase, bold: bool = True
) -> str | tuple[str, Sequence[object]]:
    """``heading: sentence``, or ``heading all of:`` with the parts as a nested list."""
    mark = "**" if bold else ""
    if said.items:
        return (f"{mark}{heading}{mark} {md(said.text)}:", phrase_items(said))
    return f"{mark}{heading}:{mark} {md(said.text)}"


# -- profile page -------------------------------------------------------------------------------


def profile_markdown(view: ProfileView, ext: str) -> str:
    doc = Markdown()
    meta = view.meta
    doc.heading(1, meta.title)
    base = view.policy_set.profiles[view.base].meta.item.title if view.base else None
    facts = [f"Profile {code(meta.id)}", f"extends {md(base)}" if base else "the national baseline"]
    if meta.owner:
        facts.append(f"owner: {md(meta.owner)}")
    doc.para(" · ".join(facts))
    doc.para(md(meta.description))
    doc.para(f"**Used for:** {md(used_for(view))}")
    how_to_read = f"index.{ext}#how-to-read-this-book"
    doc.para(
        f"Part of the {link(BOOK_TITLE, 'index.' + ext)}, generated from "
        f"{code('rules/profiles/' + meta.id + '/')} by {code('disposal rules docs')}; "
        f"do not edit by hand. See {link('how to read this book', how_to_read)}."
    )
    doc.heading(2, "Contents")
    body = Markdown()
    body.slugger = doc.slugger
    toc: list[str] = []
    if view.base:
        title = f"What this profile changes from {base}"
        toc.append(f"[{md(title)}](#{body.heading(2, title)})")
        _changes(body, view, base or "", ext)
    for era in view.eras:
        title = f"Version {era.era.id}: {era.era.title}"
        toc.append(f"[{md(title)}](#{body.heading(2, title)})")
        _era(body, view, era)
    doc.bullets(toc)
    doc.lines += body.lines
    return doc.text()


def used_for(view: ProfileView) -> str:
    if view.id == NATIONAL:
        return (
            "every force without a profile of its own, and any case decided under national guidance"
        )
    forces = [view.policy_set.forces.get(f, f) for f in (view.meta.forces or [view.id])]
    return ", ".join(forces)


def _era(doc: Markdown, view: ProfileView, era: Era) -> None:
    end = era.era.effective_to
    doc.para(f"**In force:** {dates_text(era.era.effective_from, end)}.")
    if era.era.summary:
        doc.para(md(era.era.summary))
    doc.para(f"**Source:** {source_md(era.era.source)}.")
    doc.heading(3, "Policy versions")
    doc.para(
        "A policy version is a period in which nothing in this profile's policy changes. Every "
        "decision records the SHA-256 of the policy version it was made under."
    )
    doc.table(
        ["Policy version", "In force", "SHA-256"],
        [[v.version, dates_text(v.starts, v.ends), code(v.sha256)] for v in era.versions],
    )
    _parameters(doc, view, era)
    params = view.params(era)
    entries = view.entries(era)
    for category, group in by_category(entries):
        doc.heading(3, CATEGORY_TITLES.get(category, category.capitalize()))
        if category == "derived":
            doc.para(
                "Facts worked out from the case record, which the rules below read. A derived "
                "fact is not known when the facts it is worked out from are not recorded."
            )
        for entry in group:
            _rule(doc, view, era, entry, params)
    _withdrawn_in_era(doc, view, era)


def _parameters(doc: Markdown, view: ProfileView, era: Era) -> None:
    entries = view.param_entries(era)
    if not entries:
        return
    doc.heading(3, "Parameters")
    doc.para("Named values the rules read; a force profile may set its own.")
    labels = view.param_labels()
    items: list[str | tuple[str, Sequence[object]]] = []
    for entry in entries:
        for value, origin in entry.values:
            sub: list[object] = []
            if entry.description:
                sub.append(md(entry.description))
            sub.append(f"Dates: {dates_text(value.effective_from, value.effective_to)}")
            sub.append(f"Source: {source_md(value.source)}")
            if view.base:
                sub.append(f"Set by: {_origin(view, origin)}")
            if value.notes:
                sub.append(f"Notes: {md(value.notes)}")
            text = md(value_text(value.value, labels.get(entry.name)))
            items.append((f"**{md(entry.name)}**: {text}", sub))
    doc.bullets(items)


def _origin(view: ProfileView, origin: str) -> str:
    return "this profile" if origin == view.id else f"{md(origin)} (inherited)"


def _rule(doc: Markdown, view: ProfileView, era: Era, entry: Entry, params: dict[str, Any]) -> None:
    rule = entry.rule
    doc.heading(4, f"{rule.id}: {rule.title}")
    parsed = view.policy_set.parsed.get(id(entry.located))
    effect = f"**Effect:** {md(effect_text(rule.effect))}"
    if rule.effect.kind is EffectKind.DERIVE:
        effect += f", read by other rules as {code('derived.' + (rule.effect.fact or ''))}"
    items: list[str | tuple[str, Sequence[object]]] = [effect]
    if rule.effect.kind is EffectKind.DERIVE:
        items.append(_derivation(rule, parsed, params))
    elif parsed is not None:
        items.append(phrase_item("Applies when", phrase(parsed, params)))
    if rule.message:
        items.append(f"**Message to the officer:** {md(rule.message)}")
    items.append(f"**Source:** {source_md(rule.source)}")
    items.append(f"**Dates:** {_rule_dates(era, entry)}")
    if view.base:
        items.append(f"**Set by:** {_origin(view, entry.origin)}")
    off = _switched_off(entry)
    if off:
        items.append(f"**Not in effect:** {md(off)}")
    if rule.notes:
        items.append(f"**Notes:** {md(rule.notes)}")
    doc.bullets(items)
    if rule.table is not None and parsed is not None:
        table = derive_summary(rule, parsed, params).table
        doc.table([md(h) for h in table[0]], [[md(c) for c in row] for row in table[1:]])


def _derivation(
    rule: Rule, parsed: Any, params: dict[str, Any]
) -> str | tuple[str, Sequence[object]]:
    summary = derive_summary(rule, parsed, params)
    if summary.sources:
        return (f"**Worked out as** {md(summary.lead)}:", [md(s) for s in summary.sources])
    if summary.table:
        return f"**Worked out as:** {md(summary.lead)} (below)."
    cases: list[object] = [phrase_item(f"{value} when", said) for value, said in summary.cases]
    cases.append(f"**otherwise:** {md(summary.otherwise or 'not known')}")
    return ("**Worked out as:**", cases)


def _rule_dates(era: Era, entry: Entry) -> str:
    rule = entry.rule
    text = dates_text(rule.effective_from, rule.effective_to)
    shown = _ranges([(v.starts, v.ends) for v in entry.versions])
    start = max(rule.effective_from, era.start)
    ends = [d for d in (rule.effective_to, era.end) if d is not None]
    expected = [(start, min(ends) if ends else None)]
    if shown != expected:
        text += " (in force in this version: " + ", ".join(dates_text(a, b) for a, b in shown) + ")"
    return text


def _switched_off(entry: Entry) -> str:
    if entry.rule.effect.kind is EffectKind.DERIVE:
        return ""
    off = []
    for version in entry.versions:
        bound = version.rule(entry.rule.id)
        if not hasattr(bound, "cond") or not never_holds(bound.cond):
            continue
        off.append((version.starts, version.ends))
    if not off:
        return ""
    reason = "switched off by a parameter: with the values in force its condition can never hold"
    if len(off) == len(entry.versions):
        return f"{reason} in this version."
    periods = ", ".join(dates_text(a, b) for a, b in _ranges(off))
    return f"{reason} {periods}."


def _withdrawn_in_era(doc: Markdown, view: ProfileView, era: Era) -> None:
    withdrawn = view.withdrawals_in(era)
    if not withdrawn:
        return
    doc.heading(3, "Rules withdrawn")
    titles = view.base_rule_titles()
    doc.bullets([_withdrawal(w, titles) for w in withdrawn])


def _withdrawal(item: Any, titles: dict[str, str]) -> tuple[str, Sequence[object]]:
    title = titles.get(item.rule, "")
    sub: list[object] = [f"Dates: {dates_text(item.effective_from, item.effective_to)}"]
    sub.append(f"Reason: {md(item.reason or 'none given')}")
    if item.source is not None:
        sub.append(f"Source: {source_md(item.source)}")
    return (f"**{md(item.rule)}**: {md(title)}", sub)


# -- what an overlay changes --------------------------------------------------------------------


def _changes(doc: Markdown, view: ProfileView, base: str, ext: str) -> None:
    doc.para(
        f"This profile extends {link(base, f'{view.base}.{ext}')}: everything there applies "
        "except as listed here. The version sections below show the result in full."
    )
    _revalued(doc, view, base)
    doc.heading(3, "Rules added")
    added = [_added(view, located) for located in view.profile.rules]
    _list_or_none(doc, added)
    doc.heading(3, "Rules withdrawn")
    titles = view.base_rule_titles()
    withdrawn = [_withdrawal(w.item, titles) for w in view.profile.withdrawals]
    _list_or_none(doc, withdrawn)


def _list_or_none(doc: Markdown, items: Sequence[str | tuple[str, Sequence[object]]]) -> None:
    if items:
        doc.bullets(items)
    else:
        doc.para("None.")


def _revalued(doc: Markdown, view: ProfileView, base: str) -> None:
    """Parameters the profile re-values (a table against the base), then those it adds."""
    labels = view.param_labels()
    rows = []
    added: list[str | tuple[str, Sequence[object]]] = []
    for name, value, base_values in view.revalued():
        label = labels.get(name)
        mine = md(value_text(value.value, label))
        when = dates_text(value.effective_from, value.effective_to)
        if not base_values:
            added.append(f"**{md(name)}**: {mine} ({when}); source: {source_md(value.source)}")
            continue
        theirs = "; ".join(
            f"{md(value_text(b.value, label))} ({dates_text(b.effective_from, b.effective_to)})"
            for b in base_values
        )
        rows.append([code(name), theirs, mine, when, source_md(value.source)])
    doc.heading(3, "Parameters re-valued")
    header = ["Parameter", f"Value in {md(base)}", "Value in this profile", "Dates", "Source"]
    if rows:
        doc.table(header, rows)
    else:
        doc.para("None.")
    if added:
        doc.heading(3, "Parameters added")
        doc.bullets(added)


def _added(view: ProfileView, located: Located[Rule]) -> tuple[str, Sequence[object]]:
    """A rule the profile adds, in short (parameter values as when it starts)."""
    rule = located.item
    sub: list[object] = [f"Effect: {md(effect_text(rule.effect))}"]
    parsed = view.policy_set.parsed.get(id(located))
    if parsed is not None and rule.effect.kind is not EffectKind.DERIVE:
        said = phrase(parsed, view.first_params(located))
        sub.append(phrase_item("Applies when", said, bold=False))
    sub.append(f"Dates: {dates_text(rule.effective_from, rule.effective_to)}")
    sub.append(f"Source: {source_md(rule.source)}")
    return (f"**{md(rule.id)}**: {md(rule.title)}", sub)
