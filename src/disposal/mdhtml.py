"""Writing Markdown safely, and turning it into one self-contained HTML page.

``Markdown`` builds a document line by line: every piece of text goes through ``md`` (so a rule's
message or citation can never become markup), links are checked to be ``http(s)`` or local, and
headings get the same anchors GitHub gives them, so a table of contents works both on GitHub
and in the HTML. ``to_html`` renders with markdown-it-py with raw HTML switched off and wraps the
result in a jinja2 template with inline CSS: no scripts, fonts, images or links to fetch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import jinja2
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

_ESCAPE = str.maketrans({c: "\\" + c for c in "\\`*[]<>|#~"})
# ``_`` inside a word and ``&`` outside an entity are literal: left alone so the file reads well.
_LONE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_BLOCK_START = re.compile(r"^(\d+)([.)])|^([-+=])")
_URL_UNSAFE = {"(": "%28", ")": "%29", " ": "%20", "<": "%3C", ">": "%3E", "\\": "%5C"}


def md(text: object) -> str:
    """Text that Markdown shows literally, on one line (intra-word ``_`` stays readable)."""
    flat = " ".join(str(text).split()).translate(_ESCAPE)
    return _ENTITY.sub(r"\\&", _LONE_UNDERSCORE.sub(r"\\_", flat))


def block_safe(text: str) -> str:
    """Escaped text placed at the start of a line or list item: it must not start a block."""
    return _BLOCK_START.sub(_escape_block_start, text)


def _escape_block_start(match: re.Match[str]) -> str:
    """A leading ``-``, ``+``, ``=`` or ``1.`` would start a list or underline a heading."""
    if match.group(3):
        return "\\" + match.group(3)
    return match.group(1) + "\\" + match.group(2)


def url(target: str) -> str:
    return "".join(_URL_UNSAFE.get(c, c) for c in target)


def link(text: str, target: str) -> str:
    return f"[{md(text)}]({url(target)})"


def code(text: str) -> str:
    return f"`{text}`" if "`" not in text else md(text)


def slug(text: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    lowered = " ".join(text.split()).lower()
    return re.sub(r"[^\w\- ]", "", lowered).replace(" ", "-")


class Slugger:
    """Unique anchors in document order: repeats get ``-1``, ``-2``… as on GitHub."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, text: str) -> str:
        base = slug(text)
        count = self.seen.get(base, 0)
        self.seen[base] = count + 1
        return base if count == 0 else f"{base}-{count}"


class Markdown:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.slugger = Slugger()

    def text(self) -> str:
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        return "\n".join(self.lines) + "\n"

    def heading(self, level: int, text: str) -> str:
        """Add a heading; returns its anchor."""
        self.lines += ["#" * level + " " + md(text), ""]
        return self.slugger(text)

    def para(self, *parts: str) -> None:
        """A paragraph of already escaped parts."""
        self.lines += [block_safe(" ".join(p for p in parts if p)), ""]

    def bullets(self, items: Sequence[str | tuple[str, Sequence[object]]], indent: int = 0) -> None:
        """A list of already escaped items; a ``(text, sub_items)`` pair nests a list."""
        for item in items:
            if isinstance(item, tuple):
                head, sub = item
                self.lines.append(" " * indent + "- " + block_safe(head))
                self.bullets([s for s in sub if isinstance(s, str | tuple)], indent + 2)
            else:
                self.lines.append(" " * indent + "- " + block_safe(item))
        if indent == 0:
            self.lines.append("")

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        """A GFM table of already escaped cells."""
        self.lines.append("| " + " | ".join(header) + " |")
        self.lines.append("|" + "|".join("---" for _ in header) + "|")
        self.lines += ["| " + " | ".join(row) + " |" for row in rows]
        self.lines.append("")


# -- HTML ---------------------------------------------------------------------------------------


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("disposal", "templates"),
        autoescape=True,
        keep_trailing_newline=True,
    )
    return env.get_template("book.html.j2")


@cache
def _css() -> str:
    loader = jinja2.PackageLoader("disposal", "templates")
    source, _, _ = loader.get_source(jinja2.Environment(), "book.css")
    return source


def _inline_text(token: Token) -> str:
    return "".join(
        child.content for child in token.children or [] if child.type in ("text", "code_inline")
    )


def to_html(markdown: str, title: str) -> str:
    """One self-contained HTML page of ``markdown``; headings carry their GitHub anchors."""
    parser = _parser()
    tokens = parser.parse(markdown)
    slugger = Slugger()
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            token.attrSet("id", slugger(_inline_text(tokens[i + 1])))
    body = parser.renderer.render(tokens, parser.options, {})
    return _template().render(title=title, css=Markup(_css()), body=Markup(body))
