"""The index page of the policy book: the profiles, their versions and sources, the SHA-256 of
every policy version, and how to read the book (see ``book``)."""

from __future__ import annotations

from datetime import date

from disposal.bookmd import BOOK_TITLE, source_md, used_for
from disposal.bookview import ProfileView
from disposal.mdhtml import Markdown, code, link, md
from disposal.plain import STRENGTHS, dates_text


def index_markdown(views: list[ProfileView], as_of: date | None, ext: str) -> str:
    doc = Markdown()
    doc.heading(1, BOOK_TITLE)
    doc.para(
        "This book sets out, in plain English, the policy the disposal tool applies when it "
        "advises whether a case may be closed by a community resolution (Home Office outcome "
        "8): every rule with its effect, its conditions, the message officers see, its source "
        "and its dates, for each profile and each version of it."
    )
    doc.para(
        f"It is generated from the rule files under {code('rules/')} by "
        f"{code('disposal rules docs --out docs/policy')} ({code('make policy-book')}); do not "
        "edit it by hand. A test fails when it no longer matches the rule files."
    )
    if as_of is not None:
        doc.para(
            f"**This book shows only the policy in force on {as_of.isoformat()}**; profiles "
            "with no version in force that day are left out."
        )
    _profiles(doc, views, ext)
    doc.heading(2, "Versions, sources and policy versions")
    for view in views:
        _versions(doc, view)
    _how_to_read(doc)
    return doc.text()


def _profiles(doc: Markdown, views: list[ProfileView], ext: str) -> None:
    doc.heading(2, "Profiles")
    rows = []
    for view in views:
        base = view.policy_set.profiles[view.base].meta.item.title if view.base else "none"
        versions = "; ".join(
            f"{e.era.id}: {dates_text(e.era.effective_from, e.era.effective_to)}" for e in view.eras
        )
        title = link(view.meta.title, f"{view.id}.{ext}") + f" ({code(view.id)})"
        rows.append([title, md(base), md(used_for(view)), md(versions)])
    doc.table(["Profile", "Extends", "Used for", "Versions"], rows)


def _versions(doc: Markdown, view: ProfileView) -> None:
    doc.heading(3, view.meta.title)
    eras = [
        [
            f"{md(e.era.id)}: {md(e.era.title)}",
            dates_text(e.era.effective_from, e.era.effective_to),
            source_md(e.era.source),
        ]
        for e in view.eras
    ]
    doc.table(["Version", "In force", "Source"], eras)
    versions = [
        [v.version, md(e.era.id), dates_text(v.starts, v.ends), code(v.sha256)]
        for e in view.eras
        for v in e.versions
    ]
    doc.table(["Policy version", "Version", "In force", "SHA-256"], versions)


def _how_to_read(doc: Markdown) -> None:
    doc.heading(2, "How to read this book")
    doc.bullets(
        [
            "**Profiles.** The national profile is the baseline. A force profile extends it: it "
            "may give a parameter its own value, add rules, or withdraw a national rule, always "
            "with a reason and a source. Its page starts with what it changes.",
            "**Versions.** Each profile has dated versions (periods of guidance). Rules and "
            "parameter values carry their own dates too. A case is decided under the policy in "
            "force on its decision date.",
            "**Policy versions.** A policy version is a period in which nothing changes. Its "
            "SHA-256 is a fingerprint of its exact content, recorded with every decision.",
            "**Effects.** A rule that *bars a community resolution* cannot be overridden by any "
            "rank. A rule that *needs an officer's authorisation* requires that rank or above, "
            "with a recorded rationale; the highest rank any rule needs applies. A *warning* and "
            "a *suggested outcome* are advice and do not change the decision.",
            "**Facts not recorded.** A condition about a fact that is not recorded is neither met "
            "nor failed. If it could bar a community resolution or raise the rank needed, the "
            "decision is *insufficient information* and names the facts to record.",
            "**Parameters.** Conditions name the parameters they read, with the value in force, "
            "e.g. (parameter minimum_age: 10).",
        ]
    )
    doc.heading(3, "How strong each source is")
    doc.table(["Mark", "Meaning"], [[code(k), md(v)] for k, v in STRENGTHS.items()])
