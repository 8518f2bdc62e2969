"""Compiling a resolved policy version into a durable_rules ruleset (the dict form).

durable_rules only knows "this pattern matched", and a NOT over a fact derived later in the
same evaluation is not withdrawn. Our conditions are three-valued, so each one is compiled into
*positive* formulas that never need NOT:

* ``T(c)``, c is true; ``F(c)``, c is false; and from them ``P(c) = T or U`` ("possibly
  true") and ``M(c) = F or U`` ("possibly false"). ``c`` is unknown exactly when
  ``P(c) and M(c)``. Negation swaps T with F (and P with M), so ``not`` costs nothing.
* A comparison on a case field is true when the field holds a matching value, false when it
  holds another value (durable's ``$neq``/``$gte``... never match a missing field), unknown when
  the field is absent (``$nex``). A comparison on a *derived* fact becomes a constraint on that
  fact's value; derived facts are *total*: exactly one value, possibly ``null`` for unknown, is
  always asserted for each, so "unknown" is a positive match too.

Each formula is put into disjunctive normal form over derived-fact constraints (case-field
parts stay one ``$and``/``$or`` expression), and every disjunct becomes one durable rule: a join
of one case pattern and one pattern per derived fact, each with a positive type discriminator
(``t: case`` / ``t: d``) so the engine's own state document can never match. Per logical rule:

* decision rules (deny / require_authority): ``<id>#T<k>`` and ``<id>#U<k>``;
* warn / suggest rules: ``<id>#T<k>`` only (an unknown warning cannot change a decision);
* derive rules for fact ``X``: ``<id>#C<i>.<k>`` asserts case *i*'s value, ``<id>#O.<k>``
  asserts the ``otherwise`` value when every case is false, ``<id>#N.<k>`` asserts ``null``
  when none is true and some is unknown;

plus one ``__sentinel__`` rule matching every case, so that every session runs an action before
``delete_state`` (deleting a session in which nothing ran segfaults).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from disposal.conditions import (
    NEGATED,
    PY_OPS,
    All,
    AnyOf,
    Cmp,
    Cond,
    Const,
    In,
    Literal,
    Not,
    Present,
    Ref,
)
from disposal.errors import DisposalError, EngineError, Location, RuleFileError, raise_all
from disposal.resolve import DecisionRule, DeriveRule, PolicyVersion
from disposal.vocab import EffectKind

MAX_TERMS_PER_RULE = 48
MAX_DURABLE_RULES = 400  # durable hangs silently above 512 rules (256 two-pattern rules)
MAX_JOIN_RULES = 200
# durable caps a pattern's expression sequence at 32 entries; nested and/or groups use two
# each. Measured: 14 nested groups compile, 15 fail with error 113 (see tests/test_engine.py).
MAX_NESTED_GROUPS = 14
SENTINEL = "__sentinel__"

_DURABLE_OPS = {"lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte", "ne": "$neq"}


# -- positive formulas --------------------------------------------------------------------------


@dataclass(frozen=True)
class PAtom:
    """A durable expression over the case fact."""

    expr: str  # canonical JSON of the expression, so formulas are hashable


@dataclass(frozen=True)
class PDer:
    """Derived fact ``fact`` has one of ``values`` (``None`` standing for unknown)."""

    fact: str
    values: frozenset[Any]


@dataclass(frozen=True)
class PAnd:
    items: tuple[PF, ...]


@dataclass(frozen=True)
class POr:
    items: tuple[PF, ...]


PF = PAtom | PDer | PAnd | POr
TRUE: PF = PAnd(())
FALSE: PF = POr(())


def _atom(expr: dict[str, Any]) -> PAtom:
    return PAtom(json.dumps(expr, sort_keys=True))


class Formulas:
    """T/F/P/M formulas of conditions, given the value domains of derived facts."""

    def __init__(self, domains: dict[str, frozenset[Any]]) -> None:
        self.domains = domains

    def t(self, c: Cond) -> PF:
        return self._pos(c, True)

    def f(self, c: Cond) -> PF:
        return self._pos(c, False)

    def p(self, c: Cond) -> PF:
        """Possibly true: true or unknown."""
        return self._leaf_or_unknown(c, True) if _is_leaf(c) else self._poss(c, True)

    def m(self, c: Cond) -> PF:
        """Possibly false: false or unknown."""
        return self._leaf_or_unknown(c, False) if _is_leaf(c) else self._poss(c, False)

    def _leaf_or_unknown(self, c: Cond, want: bool) -> PF:
        known = self._pos(c, want)
        if isinstance(known, PDer) and isinstance(c, Cmp | In):
            return PDer(known.fact, known.values | {None})  # one pattern, not two
        return POr((known, self._unknown_leaves(c)))

    def _pos(self, c: Cond, want: bool) -> PF:
        if isinstance(c, Const):
            return TRUE if c.value == want else FALSE
        if isinstance(c, Not):
            return self._pos(c.item, not want)
        if isinstance(c, All | AnyOf):
            parts = tuple(self._pos(x, want) for x in c.items)
            conj = isinstance(c, All) == want  # T(all) and F(any) are conjunctions
            return PAnd(parts) if conj else POr(parts)
        return self._leaf(c, want)

    def _poss(self, c: Cond, want: bool) -> PF:
        if isinstance(c, Not):  # P(not x) = M(x); M(not x) = P(x)
            return self.m(c.item) if want else self.p(c.item)
        assert isinstance(c, All | AnyOf)
        parts = tuple(self.p(x) if want else self.m(x) for x in c.items)
        conj = isinstance(c, All) == want  # P(all) = and of P; M(all) = or of M
        return PAnd(parts) if conj else POr(parts)

    def _leaf(self, c: Cond, want: bool) -> PF:
        if isinstance(c, Present):
            exists = want != c.negate
            if c.ref.kind == "derived":
                dom = self.domains[c.ref.name]
                return PDer(c.ref.name, dom if exists else frozenset({None}))
            return _atom({"$ex" if exists else "$nex": {_path(c.ref): 1}})
        assert isinstance(c, Cmp | In)
        assert isinstance(c.right, Literal)
        if c.left.kind == "derived":
            dom = self.domains[c.left.name]
            holds = {v for v in dom if v is not None and _holds(c, v)}
            fails = {v for v in dom if v is not None and not _holds(c, v)}
            return PDer(c.left.name, frozenset(holds if want else fails))
        path = _path(c.left)
        if isinstance(c, In):
            values = list(c.right.value)
            if want:
                return _atom(
                    {"$or": [{path: v} for v in values]} if len(values) > 1 else {path: values[0]}
                )
            return _atom(
                {"$and": [{"$neq": {path: v}} for v in values]}
                if len(values) > 1
                else {"$neq": {path: values[0]}}
            )
        op = c.op if want else NEGATED[c.op]
        if op == "eq":
            return _atom({path: c.right.value})
        return _atom({_DURABLE_OPS[op]: {path: c.right.value}})

    def _unknown_leaves(self, c: Cond) -> PF:
        if isinstance(c, Const | Present):
            return FALSE  # present/absent are never unknown
        assert isinstance(c, Cmp | In)
        if c.left.kind == "derived":
            return PDer(c.left.name, frozenset({None}))
        return _atom({"$nex": {_path(c.left): 1}})


def _is_leaf(c: Cond) -> bool:
    return isinstance(c, Cmp | In | Present | Const)


def _holds(c: Cmp | In, value: Any) -> bool:
    assert isinstance(c.right, Literal)
    if isinstance(c, In):
        return value in c.right.value
    return bool(PY_OPS[c.op](value, c.right.value))


def _path(ref: Ref) -> str:
    return ref.name if ref.kind == "case" else f"{ref.kind}.{ref.name}"


# -- disjunctive normal form --------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    case: tuple[str, ...]  # canonical JSON case expressions, all must hold
    derived: tuple[tuple[str, frozenset[Any]], ...]  # sorted (fact, allowed values)


def dnf(f: PF, domains: dict[str, frozenset[Any]]) -> list[Term]:
    if isinstance(f, PAtom):
        return [Term((f.expr,), ())]
    if isinstance(f, PDer):
        full = domains[f.fact] | {None}
        if not f.values:
            return []
        return [Term((), ())] if f.values >= full else [Term((), ((f.fact, f.values),))]
    if isinstance(f, PAnd):
        terms = [Term((), ())]
        for item in f.items:
            merged = [_merge(a, b) for a in terms for b in dnf(item, domains)]
            terms = _dedupe([t for t in merged if t is not None])
        return terms
    groups: dict[tuple[tuple[str, frozenset[Any]], ...], list[tuple[str, ...]]] = {}
    for item in f.items:
        for term in dnf(item, domains):
            groups.setdefault(term.derived, []).append(term.case)
    out = []
    for derived, cases in groups.items():
        if any(not case for case in cases):
            out.append(Term((), derived))
        elif len(cases) == 1:
            out.append(Term(cases[0], derived))
        else:
            disjunction = {"$or": [_and_expr(case) for case in cases]}
            out.append(Term((json.dumps(disjunction, sort_keys=True),), derived))
    return out


def _merge(a: Term, b: Term) -> Term | None:
    derived = dict(a.derived)
    for fact, values in b.derived:
        derived[fact] = derived[fact] & values if fact in derived else values
        if not derived[fact]:
            return None
    case = tuple(dict.fromkeys(a.case + b.case))
    return Term(case, tuple(sorted(derived.items())))


def _dedupe(terms: list[Term]) -> list[Term]:
    return list(dict.fromkeys(terms))


def _and_expr(case: tuple[str, ...]) -> dict[str, Any]:
    exprs = [json.loads(e) for e in case]
    return exprs[0] if len(exprs) == 1 else {"$and": exprs}


# -- rulesets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledRule:
    """One durable rule and what firing it means."""

    name: str
    rule_id: str
    kind: str  # "T" (true), "U" (unknown), "D" (derive a value)
    fact: str | None = None
    value: Any = None


@dataclass
class CompiledPolicy:
    name: str
    sha256: str
    definition: dict[str, dict[str, Any]] = field(default_factory=dict)
    rules: dict[str, CompiledRule] = field(default_factory=dict)

    def stats(self) -> dict[str, int]:
        joins = sum(1 for d in self.definition.values() if len(d["all"]) > 1)
        return {"durable_rules": len(self.definition), "join_rules": joins}


def compile_policy(policy: PolicyVersion) -> CompiledPolicy:
    """The durable ruleset for ``policy``; raise every rule too big to run, located."""
    domains = {d.fact: frozenset(d.values) for d in policy.derives}
    emitter = _Emitter(Formulas(domains), domains, policy)
    out = emitter.out
    out.definition[SENTINEL] = {"all": [{"m": {"t": "case"}}]}
    out.rules[SENTINEL] = CompiledRule(SENTINEL, SENTINEL, "S")
    for rule in policy.derives:
        emitter.derive(rule)
    for decision in policy.rules:
        emitter.decision(decision)
    stats = out.stats()
    if stats["durable_rules"] > MAX_DURABLE_RULES or stats["join_rules"] > MAX_JOIN_RULES:
        emitter.errors.append(
            RuleFileError(
                "ruleset-too-large",
                f"policy {policy.name} compiles to {stats['durable_rules']} durable rules "
                f"({stats['join_rules']} joins); the engine hangs above 512 (256 joins)",
                policy_loc(policy),
                "split the profile or simplify rules",
            )
        )
    raise_all(emitter.errors)
    return out


def policy_loc(policy: PolicyVersion) -> Location:
    first = next(iter(policy.rules), None)
    return Location(first.loc.file) if first else Location()


class _Emitter:
    """Emits the durable rules of each logical rule, collecting errors instead of stopping."""

    def __init__(
        self, formulas: Formulas, domains: dict[str, frozenset[Any]], policy: PolicyVersion
    ) -> None:
        self.formulas = formulas
        self.domains = domains
        self.out = CompiledPolicy(
            name=f"disposal:{policy.name}:{policy.sha256[:12]}", sha256=policy.sha256
        )
        self.errors: list[DisposalError] = []

    def decision(self, rule: DecisionRule) -> None:
        f = self.formulas
        self.emit(rule, "T", f.t(rule.cond))
        if rule.effect.kind in (EffectKind.DENY, EffectKind.REQUIRE_AUTHORITY):
            self.emit(rule, "U", PAnd((f.p(rule.cond), f.m(rule.cond))))

    def derive(self, rule: DeriveRule) -> None:
        f = self.formulas
        for i, (cond, value) in enumerate(rule.cases):
            self.emit(rule, "D", f.t(cond), tag=f"C{i}", value=value)
        conds = [c for c, _ in rule.cases]
        if not rule.exhaustive:
            all_false = PAnd(tuple(f.f(c) for c in conds))
            self.emit(rule, "D", all_false, tag="O", value=rule.otherwise)
        if rule.unknown_when is not None:
            unknown = f.t(rule.unknown_when)
        else:
            none_true = PAnd(tuple(f.m(c) for c in conds))
            unknown = PAnd((none_true, POr(tuple(f.p(c) for c in conds))))
        self.emit(rule, "D", unknown, tag="N", value=None)

    def emit(
        self,
        rule: DecisionRule | DeriveRule,
        kind: str,
        formula: PF,
        tag: str | None = None,
        value: Any = None,
    ) -> None:
        terms = dnf(formula, self.domains)
        problem = self._too_complex(terms)
        if problem:
            self.errors.append(
                RuleFileError(
                    "rule-too-complex",
                    problem,
                    rule.loc,
                    "split it, or move part of the condition into a derived fact",
                )
            )
            return
        fact = rule.fact if isinstance(rule, DeriveRule) else None
        for k, term in enumerate(terms):
            name = f"{rule.id}#{tag or kind}.{k}"
            self.out.definition[name] = {"all": _patterns(term)}
            self.out.rules[name] = CompiledRule(name, rule.id, kind, fact, value)

    @staticmethod
    def _too_complex(terms: list[Term]) -> str:
        if len(terms) > MAX_TERMS_PER_RULE:
            return f"rule compiles to {len(terms)} engine rules (limit {MAX_TERMS_PER_RULE})"
        for term in terms:
            for pattern in _patterns(term):
                ((_, expr),) = pattern.items()
                groups = nested_groups(expr)
                if groups > MAX_NESTED_GROUPS:
                    return (
                        f"a condition nests {groups} and/or groups on one fact "
                        f"(the engine allows {MAX_NESTED_GROUPS})"
                    )
        return ""


def _patterns(term: Term) -> list[dict[str, Any]]:
    patterns: list[dict[str, Any]] = []
    if term.case or not term.derived:
        exprs = [{"t": "case"}, *(json.loads(e) for e in term.case)]
        patterns.append({"c": exprs[0] if len(exprs) == 1 else {"$and": exprs}})
    for i, (fact, values) in enumerate(term.derived):
        ordered = sorted(values, key=lambda v: (v is None, str(v)))
        vexpr = {"v": ordered[0]} if len(ordered) == 1 else {"$or": [{"v": v} for v in ordered]}
        patterns.append({f"d{i}": {"$and": [{"t": "d"}, {"n": fact}, vexpr]}})
    return patterns


def nested_groups(expr: Any, top: bool = True) -> int:
    """How many ``$and``/``$or`` groups sit below the top level of a pattern expression."""
    if not isinstance(expr, dict) or len(expr) != 1:
        return 0
    ((key, value),) = expr.items()
    if key in ("$and", "$or") and isinstance(value, list):
        inner = sum(nested_groups(item, top=False) for item in value)
        return inner + (0 if top else 1)
    return 0


@functools.lru_cache(maxsize=4096)
def _derived_prefix(fact: str, value: Any, kind: str) -> str:
    # ``kind`` keeps True and 1 apart: they are equal as cache keys but not as JSON
    return json.dumps({"t": "d", "n": fact, "v": value})[:-1] + ', "sid": '


def derived_fact_json(fact: str, value: Any, sid: str) -> str:
    """The JSON of a derived fact for session ``sid`` (hot: one per derivation per case)."""
    return _derived_prefix(fact, value, type(value).__name__) + json.dumps(sid) + "}"


def check_engine_safe(compiled: CompiledPolicy) -> None:
    """Every pattern carries a positive type discriminator (else durable loops forever)."""
    for name, rule in compiled.definition.items():
        for pattern in rule["all"]:
            ((_, expr),) = pattern.items()
            first = expr["$and"][0] if "$and" in expr else expr
            if first.get("t") not in ("case", "d"):
                raise EngineError("unsafe-pattern", f"pattern without a type field in {name}")
