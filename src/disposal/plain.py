"""Plain English for policy owners: conditions, effects and derived facts, from one label table.

The policy book and ``disposal rules diff`` show rules to people who do not read YAML. ``phrase``
turns a parsed condition into a sentence, or, for ``all``/``any`` of more than two parts, a
lead-in ("all of") with sub-phrases that the caller shows as a bullet list::

    eq: [offence.domestic_abuse, false]   ->  the offence does not involve domestic abuse
    in: [offender.admission, [denies, no_comment]]
                                          ->  the offender denies the offence or makes no comment

Conditions are rendered *unbound*, so a parameter is named with its value, e.g. "the offender is
under the age of criminal responsibility (parameter minimum_age: 10)". ``not`` is pushed inwards
(De Morgan's laws also hold in the three-valued logic of ``conditions``). A reference without a
label (a fact a force profile adds) falls back to ``conditions.describe``, so nothing is dropped.
The labels themselves are in ``plainlabels``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from disposal.conditions import (
    NAMESPACES,
    NEGATED,
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
    describe,
    refs,
)
from disposal.plainlabels import LABELS, PARAM_LABELS, Label
from disposal.policy import Effect, Rule
from disposal.resolve import Coalesce
from disposal.vocab import OUTCOME_TYPES, EffectKind, Rank


class _Varies:
    """Marks a parameter whose value changes within the period a rule is shown for."""

    def __repr__(self) -> str:
        return "VARIES"


VARIES: Any = _Varies()

_NUMBER_WORDS = {
    "eq": "is",
    "ne": "is not",
    "lt": "is less than",
    "le": "is at most",
    "gt": "is more than",
    "ge": "is at least",
}
_AGE_WORDS = {
    "eq": "is {}",
    "ne": "is not {}",
    "lt": "is under {}",
    "le": "is {} or under",
    "gt": "is over {}",
    "ge": "is {} or over",
}
_DATE_WORDS = {
    "eq": "is",
    "ne": "is not",
    "lt": "is before",
    "le": "is on or before",
    "gt": "is after",
    "ge": "is on or after",
}


@dataclass(frozen=True)
class Phrase:
    """A sentence, or a lead-in ("all of", "any of") whose parts are shown as a list."""

    text: str
    items: tuple[Phrase, ...] = ()
    joined: bool = False  # the sentence already joins alternatives with "or"/"and"

    def line(self) -> str:
        """The phrase on one line: parts in brackets, separated by semicolons."""
        if not self.items:
            return self.text
        return f"{self.text} (" + "; ".join(item.line() for item in self.items) + ")"


def label_of(ref: Ref) -> Label | None:
    return LABELS.get(ref.text)


def param_labels(conds: Iterable[Cond]) -> dict[str, Label]:
    """For each parameter, the label of the fact it is compared with (to word its values)."""
    labels: dict[str, Label] = {}
    for cond in conds:
        for ref, node in refs(cond):
            if ref.kind == "param" and isinstance(node, Cmp | In) and node.right is ref:
                label = label_of(node.left)
                if label is not None:
                    labels.setdefault(ref.name, label)
    return labels


def dates_text(start: date, end: date | None) -> str:
    """``from 2012-01-01`` or ``2012-01-01 to 2021-12-31``."""
    if end is None:
        return f"from {start.isoformat()}"
    return f"{start.isoformat()} to {end.isoformat()}"


def join_or(words: Sequence[str], word: str = "or") -> str:
    if len(words) <= 2:
        return f" {word} ".join(words)
    return ", ".join(words[:-1]) + f" {word} " + words[-1]


def value_text(value: Any, label: Label | None = None) -> str:
    """A value as words: yes/no, an enum value's label, a list joined with commas."""
    if value is VARIES:
        return "varies"
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v, label) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        if label is not None and value in label.values:
            return label.values[value]
        return value.replace("_", " ")
    return str(value)


def phrase(cond: Cond, params: Mapping[str, Any] | None = None) -> Phrase:
    """The plain-English form of ``cond``; ``params`` gives the values to show for parameters."""
    return _Speaker(params or {}).say(cond, True)


def sentence(cond: Cond, params: Mapping[str, Any] | None = None) -> str:
    """``phrase`` on one line."""
    return phrase(cond, params).line()


class _Speaker:
    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = params

    def say(self, cond: Cond, yes: bool) -> Phrase:
        if isinstance(cond, Const):
            return Phrase("always" if cond.value == yes else "never")
        if isinstance(cond, Not):
            return self.say(cond.item, not yes)
        if isinstance(cond, All | AnyOf):
            return self.group(cond, yes)
        if isinstance(cond, Present):
            return self.present(cond, yes)
        if isinstance(cond, In):
            return self.member(cond, yes)
        return self.compare(cond, yes)

    def group(self, cond: All | AnyOf, yes: bool) -> Phrase:
        if not cond.items:
            return Phrase("always" if isinstance(cond, All) == yes else "never")
        parts = [self.say(item, yes) for item in cond.items]
        if len(parts) == 1:
            return parts[0]
        conjunction = isinstance(cond, All) == yes
        simple = all(not p.items and not p.joined for p in parts)
        if len(parts) == 2 and simple:
            word = "and" if conjunction else "or"
            return Phrase(f"{parts[0].text} {word} {parts[1].text}", joined=True)
        return Phrase("all of" if conjunction else "any of", tuple(parts))

    @staticmethod
    def fallback(cond: Cond, yes: bool) -> Phrase:
        return Phrase(describe(cond if yes else Not(cond)))

    def present(self, cond: Present, yes: bool) -> Phrase:
        label = label_of(cond.ref)
        if label is None:
            return self.fallback(cond, yes)
        recorded = (not cond.negate) == yes
        verb = "are" if label.plural else "is"
        return Phrase(f"{label.noun} {verb} {'' if recorded else 'not '}recorded")

    def param(self, name: str, label: Label | None) -> str:
        """A parameter as the right-hand side: what it is, its name and its value."""
        what = PARAM_LABELS.get(name, "the value set by the policy")
        if name not in self.params:
            return f"{what} (parameter {name})"
        value = self.params[name]
        if value is VARIES:
            return f"{what} (parameter {name}, whose value changes in this period)"
        return f"{what} (parameter {name}: {value_text(value, label)})"

    def compare(self, cond: Cmp, yes: bool) -> Phrase:
        op = cond.op if yes else NEGATED[cond.op]
        if cond.left.kind == "param":
            return self.setting(cond.left.name, op, cond.right)
        label = label_of(cond.left)
        if label is None:
            return self.fallback(cond, yes)
        right = cond.right
        if isinstance(right, Literal) and op in ("eq", "ne"):
            said = self.equals(label, right.value, op == "eq")
            if said is not None:
                return Phrase(said)
        target = (
            self.param(right.name, label)
            if isinstance(right, Ref)
            else value_text(right.value, label)
        )
        if label.age:
            return Phrase(f"{label.subject} {_AGE_WORDS[op].format(target)}")
        words = _DATE_WORDS[op] if label.kind == "date" else _NUMBER_WORDS[op]
        return Phrase(f"{label.noun} {words} {target}")

    @staticmethod
    def equals(label: Label, value: Any, positive: bool) -> str | None:
        """``label`` is (or is not) ``value``, when the label has words for it."""
        if label.kind == "bool" and isinstance(value, bool):
            return label.yes if value == positive else label.no
        if isinstance(value, str) and value in label.says:
            yes_words, no_words = label.says[value]
            return f"{label.subject} {yes_words if positive else no_words}"
        if isinstance(value, str) and value in label.values:
            return f"{label.noun} {'is' if positive else 'is not'} {label.values[value]}"
        return None

    def member(self, cond: In, yes: bool) -> Phrase:
        label = label_of(cond.left)
        if label is None or cond.left.kind == "param":
            return self.fallback(cond, yes)
        if isinstance(cond.right, Ref):
            target = self.param(cond.right.name, label)
            return Phrase(f"{label.noun} is {'' if yes else 'not '}one of {target}")
        values = list(cond.right.value)
        if len(values) == 1:
            return self.compare(Cmp("eq", cond.left, Literal(values[0])), yes)
        if yes and all(isinstance(v, str) and v in label.says for v in values):
            said = [label.says[v][0] for v in values]
            return Phrase(f"{label.subject} {join_or(said)}", joined=True)
        words = [value_text(v, label) for v in values]
        if yes:
            return Phrase(f"{label.noun} is {join_or(words)}", joined=True)
        if len(words) == 2:
            return Phrase(f"{label.noun} is neither {words[0]} nor {words[1]}", joined=True)
        return Phrase(f"{label.noun} is none of {', '.join(words)}", joined=True)

    def setting(self, name: str, op: str, right: Ref | Literal) -> Phrase:
        """A parameter tested against a value: it switches the rule on or off."""
        what = PARAM_LABELS.get(name, "the value set by the policy")
        wanted = value_text(right.value) if isinstance(right, Literal) else "another parameter"
        words = {"eq": "is set to", "ne": "is not set to"}.get(op, _NUMBER_WORDS[op])
        now = ""
        if name in self.params and self.params[name] is not VARIES:
            now = f", which is “{value_text(self.params[name])}” here"
        return Phrase(f"{what} {words} “{wanted}” (parameter {name}{now})")


def never_holds(cond: Cond) -> bool:
    """Whether a *bound* condition is false whatever the facts (a parameter switched it off)."""
    if isinstance(cond, Const):
        return not cond.value
    if isinstance(cond, All):
        return any(never_holds(c) for c in cond.items)
    if isinstance(cond, AnyOf):
        return all(never_holds(c) for c in cond.items)
    if isinstance(cond, Not):
        return _always_holds(cond.item)
    return False


def _always_holds(cond: Cond) -> bool:
    if isinstance(cond, Const):
        return cond.value
    if isinstance(cond, All):
        return all(_always_holds(c) for c in cond.items)
    if isinstance(cond, AnyOf):
        return any(_always_holds(c) for c in cond.items)
    if isinstance(cond, Not):
        return never_holds(cond.item)
    return False


# -- effects, sources and derived facts ---------------------------------------------------------

_RANK_WORDS = {
    Rank.CONSTABLE: "a Constable's",
    Rank.SERGEANT: "a Sergeant's",
    Rank.INSPECTOR: "an Inspector's",
    Rank.CHIEF_INSPECTOR: "a Chief Inspector's",
    Rank.SUPERINTENDENT: "a Superintendent's",
    Rank.CHIEF_SUPERINTENDENT: "a Chief Superintendent's",
}
STRENGTHS = {
    "STAT": "statute in force",
    "STAT-P": "statute not yet in force",
    "NAT": "national guidance, read directly",
    "NAT-2": "national guidance known through a summary",
    "FORCE": "one force's policy or statement",
    "SEC": "secondary commentary",
    "PROJECT": "the project's own choice where no source settles it",
}


def fact_name(fact: str) -> str:
    label = LABELS.get(f"derived.{fact}")
    return label.name if label else fact.replace("_", " ")


def effect_text(effect: Effect) -> str:
    """What a rule does, in words: "bars a CR", "needs an Inspector's authorisation", ..."""
    if effect.kind is EffectKind.DENY:
        return "bars a community resolution (no rank can authorise it)"
    if effect.kind is EffectKind.REQUIRE_AUTHORITY:
        rank = effect.rank or Rank.CONSTABLE
        return f"needs {_RANK_WORDS[rank]} authorisation"
    if effect.kind is EffectKind.WARN:
        return "warns the officer (does not change the decision)"
    if effect.kind is EffectKind.SUGGEST:
        outcome = effect.outcome or 0
        return f"suggests outcome {outcome} ({OUTCOME_TYPES.get(outcome, 'unknown')})"
    return f"derives the fact “{fact_name(effect.fact or '')}”"


def strength_text(strength: str) -> str:
    return STRENGTHS.get(strength, strength)


def ref_noun(ref: Ref) -> str:
    """What a reference is, as a noun phrase (for coalesce sources and table columns)."""
    label = label_of(ref)
    return label.noun if label else ref.text


def ref_name(ref: Ref) -> str:
    label = label_of(ref)
    return label.name if label else ref.text


# -- derived facts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeriveSummary:
    """How a derive rule works out its fact, in words.

    ``lead`` introduces what follows: ``cases`` (value words and the condition giving it, then
    ``otherwise``), ``sources`` (for "the first recorded of") or ``table`` (header row first).
    """

    lead: str
    cases: tuple[tuple[str, Phrase], ...] = ()
    otherwise: str | None = None
    sources: tuple[str, ...] = ()
    table: tuple[tuple[str, ...], ...] = ()


def ref_from_text(text: str) -> Ref:
    head, _, rest = text.partition(".")
    return Ref(head, rest) if head in NAMESPACES and rest else Ref("case", text)


def derive_summary(
    rule: Rule, parsed: Any, params: Mapping[str, Any] | None = None
) -> DeriveSummary:
    """Words for a derive rule, from the rule and its parsed (unbound) form."""
    fact = Ref("derived", rule.effect.fact or "")
    fact_label = label_of(fact)
    if isinstance(parsed, Coalesce):
        sources = tuple(ref_noun(ref) for ref in parsed.refs)
        return DeriveSummary("the first of these that is recorded", sources=sources)
    if rule.table is not None:
        keys = [ref_from_text(key) for key in rule.table.keys]
        header = (*(ref_name(key) for key in keys), fact_name(fact.name))
        labels = [*(label_of(key) for key in keys), fact_label]
        rows = tuple(
            tuple(value_text(v, label) for v, label in zip(row, labels, strict=True))
            for row in rule.table.rows
        )
        names = join_or([ref_noun(key) for key in keys], "and")
        return DeriveSummary(f"looked up from {names} in this table", table=(header, *rows))
    if isinstance(parsed, list):
        cases = tuple((value_text(v, fact_label), phrase(c, params)) for c, v in parsed)
        otherwise = (
            "not known" if rule.otherwise is None else value_text(rule.otherwise, fact_label)
        )
        return DeriveSummary("worked out case by case", cases, otherwise)
    return DeriveSummary("yes or no", (("yes", phrase(parsed, params)),), "no")
