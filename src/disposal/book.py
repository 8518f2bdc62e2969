"""The policy book: every profile's rules in plain English, for policy owners who do not read YAML.

``build_book`` returns file name -> content for ``docs/policy/``: ``index.md``/``index.html``
(the profiles, their versions with sources, the SHA-256 of every policy version) and, per
profile, ``<profile>.md``/``<profile>.html``. A profile's file has, for each declared version
(era) in date order: its dates, summary and source; the policy versions inside it with their
SHA-256; the parameters in force with their dated values and sources; the derived facts; and
the rules in force during the era grouped by category, each with its effect in words, its
condition in plain English (``plain``), the officer message, its source and how strong it is,
its dates and notes. An overlay's file starts with what it changes from the profile it extends.

The output depends on the rule files alone (no timestamps), so the committed book is compared
byte for byte with a fresh one by ``tests/test_book.py``. Regenerate it with ``BOOK_COMMAND``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from disposal.bookindex import index_markdown
from disposal.bookmd import profile_markdown
from disposal.bookview import ProfileView
from disposal.errors import InputError, Location, did_you_mean
from disposal.mdhtml import to_html
from disposal.policyset import NATIONAL, PolicySet

BOOK_COMMAND = "disposal rules docs --out docs/policy"


def select(
    policy_set: PolicySet, profile: str | None = None, as_of: date | None = None
) -> list[ProfileView]:
    """The profiles (base profiles first) and versions a book shows; bad choices are errors."""
    if profile is not None and profile not in policy_set.profiles:
        raise InputError(
            "unknown-profile",
            "is not a profile under rules/profiles/",
            Location(field="--profile"),
            did_you_mean(profile, policy_set.profiles) or "see disposal rules check",
        )
    ids = [profile] if profile else sorted(policy_set.profiles, key=_profile_order(policy_set))
    views = [ProfileView(policy_set, p, as_of) for p in ids]
    views = [v for v in views if v.eras]
    if not views:
        day = as_of.isoformat() if as_of else "any date"
        raise InputError(
            "no-policy-in-force",
            f"no profile chosen has a version in force on {day}",
            Location(field="--as-of"),
            "check the date against the profile's versions (disposal rules list)",
        )
    return views


def _profile_order(policy_set: PolicySet) -> Any:
    def key(profile_id: str) -> tuple[int, int, str]:
        depth = len(policy_set.chain(profile_id))
        return (depth, 0 if profile_id == NATIONAL else 1, profile_id)

    return key


def build_book(
    policy_set: PolicySet, profile: str | None = None, as_of: date | None = None
) -> dict[str, str]:
    """Every file of the book: ``index`` and one per profile, as ``.md`` and ``.html``."""
    views = select(policy_set, profile, as_of)
    files: dict[str, str] = {}
    for ext in ("md", "html"):
        pages = {"index": (index_markdown(views, as_of, ext), "Community resolution policy book")}
        for view in views:
            pages[view.id] = (profile_markdown(view, ext), f"{view.meta.title}: policy book")
        for stem, (text, title) in pages.items():
            files[f"{stem}.{ext}"] = text if ext == "md" else to_html(text, title)
    return dict(sorted(files.items()))


def write_book(files: Mapping[str, str], out: Path) -> list[Path]:
    """Write the book into ``out`` (created if missing); returns the files written."""
    if out.exists() and not out.is_dir():
        raise InputError(
            "bad-output", "--out must be a directory", Location(str(out), field="--out")
        )
    written: list[Path] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            path = out / name
            path.write_text(text, encoding="utf-8", newline="\n")
            written.append(path)
    except OSError as exc:
        raise InputError(
            "cannot-write", f"cannot write the book ({type(exc).__name__})", Location(str(out))
        ) from None
    return written
