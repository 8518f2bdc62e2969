"""Every stable error code the source can emit is listed in docs/ERRORS.md, and nothing else is.

Why: codes are the tool's contract (tests assert codes, not prose; scripts read the ``code`` of
rejects files), and docs/ERRORS.md is where users look one up. A code added, renamed or removed
in the source without the reference following is caught here, both ways.

How codes are found: by parsing (``ast``, no imports of the package, so this test is fast and
runs without the engine) every ``src/disposal/**/*.py`` file and taking string literals from
four kinds of place:

1. *constructors*: the first positional argument of a call whose callee is named ``...Error``
   (``InputError("bad-date", ...)``, ``RuleFileError``, ``AuditError`` ...) or ``error_cls``
   (the error class passed in as a parameter: ``source.py``, ``validation.py``);
2. *helpers*: functions with a parameter named ``code`` that they pass on as the first argument
   of such a constructor (``TypeChecker._err``, ``ConditionParser._err``, ``_Builder.fail``,
   ``RecordReader._error`` ...); every call of a function of that name contributes the literal
   at that parameter's position (or its ``code=`` keyword);
3. *validator messages*: ``raise ValueError("code[field]: message [hint: ...]")`` inside pydantic
   validators, which ``validation.parse_structured`` turns into the code;
4. *code tables*: the named dicts, functions and enums in ``_TABLES`` below, where codes are
   computed rather than passed literally (pydantic error types in ``validation.classify``, the
   flat form's cell codes, the police.uk skip reasons, the ledger's break kinds ...).

Codes are lower-case words joined by hyphens (``[a-z][a-z0-9]*(-[a-z0-9]+)+``); in code tables
that are documented as whole (dict keys and values, enum values) single words count too. In
docs/ERRORS.md a code is the first cell of a table row, in backticks.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "disposal"
DOC = ROOT / "docs" / "ERRORS.md"

CODE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+")
TABLE_WORD = re.compile(r"[a-z][a-z0-9_]*(?:-[a-z0-9]+)*")
STRUCTURED = re.compile(r"^([a-z][a-z0-9]*(?:-[a-z0-9]+)+)(?:\[[a-z_]+\])?: ")
DOC_ROW = re.compile(r"^\|\s*`([a-z][a-z0-9_]*(?:-[a-z0-9]+)*)`\s*\|(.*)\|\s*$", re.M)

# Where codes are computed, not passed as a literal argument: file -> {name: what to take}.
# "keys"/"values": of the dict literal assigned to that name; "enum": the string values
# assigned in that class; "body": every hyphenated literal in that function or method.
_TABLES: dict[str, dict[str, str]] = {
    "validation.py": {"classify": "body"},  # pydantic error type -> code
    "flat.py": {"_HINTS": "keys"},  # _parse returns these; row_to_record looks up the hint
    "typecheck.py": {"_UNKNOWN_CODES": "values", "field_type": "body"},
    "report/model.py": {"check_record": "body", "_check_year": "body"},  # (field, code, ...)
    "report/columns.py": {"convert_row": "body"},
    "report/reading.py": {"_validation_errors": "body"},
    "policeuk/importer.py": {  # skip reasons (rejects file) and notes (summary)
        "REASONS": "keys",
        "record": "body",
        "_warn_outcomes": "body",
        "finish": "body",
    },
    "audit/verify.py": {"BreakKind": "enum"},  # kinds of chain break that verify reports
}


@dataclass
class Found:
    """Codes by how they were found, and where each was first seen (for failure messages)."""

    by_rule: dict[str, set[str]] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)
    tables_seen: set[tuple[str, str]] = field(default_factory=set)

    def add(self, rule: str, code: str, path: Path, line: int) -> None:
        self.by_rule.setdefault(rule, set()).add(code)
        self.where.setdefault(code, f"{path.relative_to(ROOT)}:{line}")

    @property
    def codes(self) -> set[str]:
        return set().union(*self.by_rule.values())


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _is_constructor(node: ast.Call) -> bool:
    name = _callee(node)
    return name.endswith("Error") or name == "error_cls"


def _text(node: ast.AST | None) -> str | None:
    """A string literal's value, or the literal head of an f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        return _text(node.values[0])
    return None


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


@cache
def _trees() -> tuple[tuple[Path, ast.Module], ...]:
    paths = sorted(SRC.rglob("*.py"))
    return tuple((path, ast.parse(path.read_text(encoding="utf-8"))) for path in paths)


def _helpers() -> dict[str, set[int]]:
    """Function name -> call positions of its ``code`` parameter (helpers that raise with it)."""
    found: dict[str, set[int]] = {}
    for _, tree in _trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            names = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
            if "code" not in names:
                continue
            passes_code = any(
                _is_constructor(call)
                and call.args
                and isinstance(call.args[0], ast.Name)
                and call.args[0].id == "code"
                for call in _calls(node)
            )
            if passes_code:
                bound = 1 if names[0] in ("self", "cls") else 0
                found.setdefault(node.name, set()).add(names.index("code") - bound)
    return found


def _table_codes(node: ast.AST, take: str) -> Iterator[tuple[str, int]]:
    if take in ("keys", "values") and isinstance(node, ast.Assign | ast.AnnAssign):
        value = node.value
        if isinstance(value, ast.Dict):
            items = value.keys if take == "keys" else value.values
            for item in items:
                text = _text(item)
                if text is not None and TABLE_WORD.fullmatch(text):
                    yield text, item.lineno if item else node.lineno
    elif take == "enum" and isinstance(node, ast.ClassDef):
        for stmt in node.body:
            text = _text(stmt.value) if isinstance(stmt, ast.Assign) else None
            if text is not None and TABLE_WORD.fullmatch(text):
                yield text, stmt.lineno
    elif take == "body" and isinstance(node, ast.FunctionDef):
        for sub in ast.walk(node):
            text = _text(sub) if isinstance(sub, ast.Constant) else None
            if text is not None and CODE.fullmatch(text):
                yield text, getattr(sub, "lineno", node.lineno)


def _table_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        return target.id if isinstance(target, ast.Name) else None
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    return None


@cache
def collect() -> Found:
    found = Found()
    helpers = _helpers()
    for path, tree in _trees():
        tables = _TABLES.get(path.relative_to(SRC).as_posix(), {})
        for node in ast.walk(tree):
            name = _table_name(node)
            if name in tables:
                found.tables_seen.add((path.relative_to(SRC).as_posix(), name))
                for code, line in _table_codes(node, tables[name]):
                    found.add("tables", code, path, line)
            if not isinstance(node, ast.Call):
                continue
            callee = _callee(node)
            candidates: list[ast.AST] = []
            rule = ""
            if callee == "ValueError":
                match = STRUCTURED.match(_text(node.args[0]) or "" if node.args else "")
                if match:
                    found.add("validators", match[1], path, node.lineno)
                continue
            if _is_constructor(node) and node.args:
                candidates, rule = [node.args[0]], "constructors"
            elif callee in helpers:
                candidates = [node.args[i] for i in helpers[callee] if i < len(node.args)]
                candidates += [k.value for k in node.keywords if k.arg == "code"]
                rule = "helpers"
            # walk the argument: a code may sit in a conditional ("a" if x else "b")
            for sub in (s for arg in candidates for s in ast.walk(arg)):
                text = _text(sub) if isinstance(sub, ast.Constant) else None
                if text is not None and CODE.fullmatch(text):
                    found.add(rule, text, path, node.lineno)
    return found


def documented() -> dict[str, list[str]]:
    """Code -> the other cells of each row documenting it in docs/ERRORS.md."""
    rows: dict[str, list[str]] = {}
    for match in DOC_ROW.finditer(DOC.read_text(encoding="utf-8")):
        rows.setdefault(match[1], []).append(match[2])
    return rows


def test_collector_finds_codes_by_every_route() -> None:
    found = collect()
    sizes = {rule: len(codes) for rule, codes in found.by_rule.items()}
    # Somewhat below today's counts (99, 29, 13 and 45): a route that breaks fails loudly.
    minimum = {"constructors": 85, "helpers": 22, "validators": 10, "tables": 35}
    for rule, least in minimum.items():
        assert sizes.get(rule, 0) > least, f"{rule}: {sizes.get(rule, 0)} codes found"
    assert len(found.codes) > 145, len(found.codes)
    missing_tables = {
        (file, name) for file, names in _TABLES.items() for name in names
    } - found.tables_seen
    assert not missing_tables, f"code tables renamed or moved: {sorted(missing_tables)}"


def test_every_code_is_documented() -> None:
    found = collect()
    missing = sorted(found.codes - set(documented()))
    assert not missing, "add to docs/ERRORS.md: " + ", ".join(
        f"{code} ({found.where[code]})" for code in missing
    )


def test_no_stale_codes_in_the_reference() -> None:
    stale = sorted(set(documented()) - collect().codes)
    assert not stale, f"docs/ERRORS.md lists codes the source no longer has: {stale}"


def test_every_row_says_what_it_means_what_to_do_and_the_exit_code() -> None:
    rows = documented()
    assert len(rows) > 145, len(rows)
    for code, cells in rows.items():
        for row in cells:
            parts = [c.strip() for c in row.split("|")]
            assert len(parts) == 3, f"{code}: expected 4 cells (no '|' inside a cell): {row}"
            meaning, action, exit_code = parts
            assert meaning, f"{code}: no meaning"
            assert action, f"{code}: nothing to do"
            assert re.match(r"[0-3]\b", exit_code), f"{code}: exit code {exit_code!r}"
