"""Safe loading of YAML and JSON files that remembers where every value came from.

Policy owners and officers edit these files by hand, so errors must point at ``file:line:col``.
PyYAML's node tree carries positions; we build plain Python data from it ourselves, which also
lets us be stricter than ``yaml.safe_load``:

* only ``true``/``false`` are booleans (YAML 1.1 would turn ``no``, ``off`` or ``y`` into booleans);
* dates stay strings and are validated by the models (an invalid date is a clear error, not a
  ``ValueError`` escaping from the YAML library);
* duplicate keys, anchors/aliases (a denial-of-service vector) and explicit tags are errors;
* no object-building loader is ever used.

Messages never quote the input text: PyYAML's own error strings include a snippet of the file,
so only its short ``problem`` description and the position are kept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from disposal.errors import DisposalError, InputError, Location, safe_name

PathKey = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader with YAML-1.2-like scalars: no timestamps, no merge keys, strict booleans."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in (_BOOL, "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:merge")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class Document:
    """Plain data loaded from one file plus the position of every mapping key and list item."""

    file: str
    data: Any
    marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: PathKey = (), record: str = "", field_name: str = "") -> Location:
        """The position of ``path``, or of its nearest ancestor that has one."""
        probe = tuple(path)
        while probe and probe not in self.marks:
            probe = probe[:-1]
        line, col = self.marks.get(probe, (0, 0))
        return Location(self.file, line, col, record, field_name)


def _read_text(path: Path, error_cls: type[InputError]) -> str:
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error_cls("file-not-found", "file does not exist", Location(name)) from None
    except IsADirectoryError:
        raise error_cls("unreadable-file", "is a directory", Location(name)) from None
    except OSError as exc:
        raise error_cls(
            "unreadable-file", f"cannot read file ({exc.strerror})", Location(name)
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise error_cls(
            "bad-encoding",
            "file is not valid UTF-8",
            Location(name, line),
            "save the file as UTF-8",
        ) from None


def load_document(path: Path, error_cls: type[InputError] = InputError) -> Document:
    """Load a ``.yaml``/``.yml`` or ``.json`` file into a ``Document``; raise ``error_cls``."""
    text = _read_text(path, error_cls)
    if path.suffix.lower() == ".json":
        return parse_json_text(text, str(path), error_cls)
    return parse_yaml_text(text, str(path), error_cls)


def parse_yaml_text(text: str, file: str, error_cls: type[InputError] = InputError) -> Document:
    if not text.strip():
        raise error_cls("empty-file", "file is empty", Location(file))
    try:
        node = yaml.compose(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, file, error_cls) from None
    except yaml.YAMLError:
        raise error_cls("yaml-syntax", "invalid YAML", Location(file)) from None
    if node is None:
        raise error_cls("empty-file", "file holds no data", Location(file))
    builder = _Builder(file, error_cls, json_scalars=False)
    data = builder.build(node, ())
    return Document(file, data, builder.marks)


def _syntax_error(exc: yaml.MarkedYAMLError, file: str, error_cls: type[InputError]) -> InputError:
    """A located syntax error; an unclosed [ or { is reported where it was opened."""
    problem = exc.problem or exc.context or "invalid YAML"
    mark = exc.problem_mark or exc.context_mark
    context = exc.context or ""
    if exc.context_mark is not None and "while parsing a flow" in context and exc.problem_mark:
        kind = "list" if "sequence" in context else "mapping"
        found = exc.problem_mark.line + 1
        problem = f"this {kind} is not closed ({problem} at line {found})"
        mark = exc.context_mark
    loc = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
    return error_cls("yaml-syntax", problem, loc, "check indentation, brackets and quoting")


def parse_json_text(text: str, file: str, error_cls: type[InputError] = InputError) -> Document:
    if not text.strip():
        raise error_cls("empty-file", "file is empty", Location(file))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise error_cls("json-syntax", exc.msg, Location(file, exc.lineno, exc.colno)) from None
    # JSON is (nearly) a subset of YAML: composing it recovers positions and duplicate keys.
    try:
        node = yaml.compose(text, Loader=_StrictLoader)
    except yaml.YAMLError:
        return Document(file, data, {})
    if node is None:
        return Document(file, data, {})
    builder = _Builder(file, error_cls, json_scalars=True)
    return Document(file, builder.build(node, ()), builder.marks)


class _Builder:
    """Turns a composed YAML node tree into plain data, recording marks and rejecting tricks."""

    def __init__(self, file: str, error_cls: type[InputError], json_scalars: bool) -> None:
        self.file = file
        self.error_cls = error_cls
        self.json_scalars = json_scalars
        self.marks: dict[PathKey, tuple[int, int]] = {}
        self.seen: set[int] = set()
        self.constructor = _StrictLoader("")

    def _loc(self, node: yaml.Node) -> Location:
        return Location(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def fail(self, node: yaml.Node, code: str, message: str, hint: str = "") -> DisposalError:
        return self.error_cls(code, message, self._loc(node), hint)

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        if id(node) in self.seen:
            raise self.fail(node, "yaml-alias", "anchors and aliases are not allowed")
        self.seen.add(id(node))
        self.marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self.fail(node, "yaml-tag", "explicit tags are not allowed")
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[Any, Any]:
        if node.tag != _MAP:
            raise self.fail(node, "yaml-tag", "explicit tags are not allowed")
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "bad-key", "mapping keys must be plain text")
            key = self._scalar(key_node)
            child = (*path, key)
            if key in out:
                # The key itself is not quoted: a value mistakenly written as a mapping makes
                # its text a key, so only the parent mapping and the position are named.
                dotted = ".".join(safe_name(p) for p in path if not isinstance(p, int))
                raise self.error_cls(
                    "duplicate-key",
                    "the key at this position appears more than once in this mapping",
                    Location(
                        self.file,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        field=dotted,
                    ),
                    "remove or rename one of them",
                )
            self.marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = self.build(value_node, child)
        return out

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag not in (_STR, _INT, _FLOAT, _BOOL, _NULL):
            raise self.fail(node, "yaml-tag", "explicit tags are not allowed")
        if self.json_scalars:
            # Quoted JSON scalars are strings; plain ones are numbers, booleans or null.
            quoted = isinstance(node, yaml.ScalarNode) and node.style == '"'
            return node.value if quoted else json.loads(node.value)
        return self.constructor.construct_object(node, deep=True)
