"""Questions, answers and marks: what the quiz and the answer-sheet marker share.

A question is a scenario with four reasons to choose from: the correct main reason and three
distractors, drawn (seeded by the scenario id, so a trainer can reproduce them) from the rules
of the same policy version that do not fire in the scenario. The main reason is the deciding
bar for ``not_permitted``, a rule requiring the top rank for an authorisation, a warning (or
"no rule") for a plain ``permitted``, and the undecided rule for ``insufficient_information``;
any rule of the same deciding kind is accepted. Answers are marked against the scenario's
expectation (the taught answer), not against a fresh engine run.
"""

from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass

from disposal.resolve import DecisionRule
from disposal.training.scenario import LoadedScenario
from disposal.vocab import Decision, EffectKind, Rank

NO_RULE = "none"
NO_RULE_TITLE = "No rule bars, restricts or qualifies a community resolution on these facts"
DECISIONS = (
    Decision.PERMITTED,
    Decision.REQUIRES_AUTHORISATION,
    Decision.NOT_PERMITTED,
    Decision.INSUFFICIENT_INFORMATION,
)
DECISION_LABELS = {
    Decision.PERMITTED: "permitted: a CR may be given (any authorisation needed is in place)",
    Decision.REQUIRES_AUTHORISATION: "requires authorisation by a supervisor",
    Decision.NOT_PERMITTED: "not permitted: no rank can authorise a CR",
    Decision.INSUFFICIENT_INFORMATION: "insufficient information to decide yet",
}
SUPERVISOR_RANKS = tuple(r for r in Rank if r is not Rank.CONSTABLE)
_DISTRACTOR_KINDS = (EffectKind.DENY, EffectKind.REQUIRE_AUTHORITY, EffectKind.WARN)


def plain(value: str) -> str:
    return value.replace("_", " ")


def parse_decision(text: str) -> Decision | None:
    """``1``-``4``, a contract value, its words, or its first letter (p, r, n, i)."""
    t = text.strip().lower().replace("-", " ").replace("_", " ")
    if t.isdigit() and 1 <= int(t) <= len(DECISIONS):
        return DECISIONS[int(t) - 1]
    for d in DECISIONS:
        words = plain(d.value)
        if t and (t == words or (len(t) == 1 and words.startswith(t))):
            return d
    return None


def parse_rank(text: str, numbered: bool = False) -> Rank | None:
    """A rank by name (``chief inspector``, ``chief_inspector``) or, when numbered, 1-5."""
    t = text.strip().lower().replace("-", " ").replace("_", " ")
    if numbered and t.isdigit() and 1 <= int(t) <= len(SUPERVISOR_RANKS):
        return SUPERVISOR_RANKS[int(t) - 1]
    return next((r for r in Rank if plain(r.value) == t), None)


@dataclass(frozen=True)
class Question:
    loaded: LoadedScenario
    main_reason: str  # a rule id, or NO_RULE
    accepted: frozenset[str]
    choices: tuple[tuple[str, str], ...]  # (rule id or NO_RULE, title)

    @property
    def id(self) -> str:
        return self.loaded.id


def _fired_rules(loaded: LoadedScenario) -> list[DecisionRule]:
    fires = set(loaded.scenario.expect.fires)
    return [r for r in loaded.policy.rules if r.id in fires]


def accepted_reasons(loaded: LoadedScenario) -> list[str]:
    """The rule ids (or NO_RULE) that count as the main reason, in policy order."""
    expect = loaded.scenario.expect
    fired = _fired_rules(loaded)
    if expect.decision is Decision.INSUFFICIENT_INFORMATION:
        return [expect.main_reason] if expect.main_reason else []
    if expect.decision is Decision.NOT_PERMITTED:
        ids = [r.id for r in fired if r.effect.kind is EffectKind.DENY]
    elif expect.required_authority not in (None, Rank.CONSTABLE):
        ids = [r.id for r in fired if r.effect.rank is expect.required_authority]
    else:
        ids = [r.id for r in fired if r.effect.kind is EffectKind.WARN] or [NO_RULE]
    if expect.main_reason and expect.main_reason not in ids:
        ids.insert(0, expect.main_reason)
    return ids


def build_question(loaded: LoadedScenario, seed: int = 0) -> Question:
    accepted = accepted_reasons(loaded)
    main = loaded.scenario.expect.main_reason or accepted[0]
    fires = set(loaded.scenario.expect.fires)
    pool = [
        (r.id, r.title)
        for r in loaded.policy.rules
        if r.effect.kind in _DISTRACTOR_KINDS and r.id not in fires and r.id not in accepted
    ]
    if main != NO_RULE:
        pool.append((NO_RULE, NO_RULE_TITLE))
    rng = random.Random(f"{seed}:{loaded.id}")
    choices = [(main, title_of(loaded, main)), *rng.sample(pool, min(3, len(pool)))]
    rng.shuffle(choices)
    return Question(loaded, main, frozenset(accepted), tuple(choices))


def title_of(loaded: LoadedScenario, reason: str) -> str:
    if reason == NO_RULE:
        return NO_RULE_TITLE
    return next((r.title for r in loaded.policy.rules if r.id == reason), reason)


@dataclass(frozen=True)
class Answer:
    decision: Decision | None
    rank: Rank | None = None
    reason: str | None = None  # a rule id, NO_RULE, or free text that matched nothing


@dataclass(frozen=True)
class Mark:
    question: Question
    answer: Answer
    decision_correct: bool
    reason_correct: bool
    seconds: float = 0.0

    @property
    def correct(self) -> bool:
        return self.decision_correct and self.reason_correct


def mark(question: Question, answer: Answer, seconds: float = 0.0) -> Mark:
    expect = question.loaded.scenario.expect
    decision_ok = answer.decision is expect.decision
    if decision_ok and expect.decision is Decision.REQUIRES_AUTHORISATION:
        decision_ok = answer.rank is expect.required_authority
    reason_ok = answer.reason in question.accepted
    return Mark(question, answer, decision_ok, reason_ok, seconds)


def expected_answer(question: Question) -> str:
    expect = question.loaded.scenario.expect
    head = plain(expect.decision.value).upper()
    rank = expect.required_authority
    if expect.decision is Decision.REQUIRES_AUTHORISATION and rank:
        head += f": {plain(rank.value)} or above"
    elif expect.decision is Decision.PERMITTED and rank not in (None, Rank.CONSTABLE):
        assert rank is not None
        head += f" (the {plain(rank.value)}'s authorisation is recorded)"
    return head


def given_answer(answer: Answer, loaded: LoadedScenario) -> str:
    text = plain(answer.decision.value) if answer.decision else "(none)"
    if answer.rank:
        text += f" ({plain(answer.rank.value)})"
    if answer.reason:
        text += f"; reason: {title_of(loaded, answer.reason)}"
    return text


def explanation(m: Mark) -> list[str]:
    """The marked answer and the correct one in plain language, with the rules and sources."""
    loaded = m.question.loaded
    rules = {r.id: r for r in loaded.policy.rules}
    verdict = "Correct." if m.correct else "Not quite."
    parts = [
        f"decision {'right' if m.decision_correct else 'wrong'}",
        f"main reason {'right' if m.reason_correct else 'wrong'}",
    ]
    lines = [f"{verdict} ({', '.join(parts)})"]
    if not m.correct:
        lines.append(f"Your answer: {given_answer(m.answer, loaded)}")
    lines.append(f"The answer: {expected_answer(m.question)}")
    main = m.question.main_reason
    lines.append(f"Main reason: {title_of(loaded, main)}")
    if main in rules:
        lines += _rule_lines(rules[main], "  ")
    others = [rid for rid in loaded.scenario.expect.fires if rid != main and rid in rules]
    if others:
        lines.append("Also in play:")
        for rid in others:
            lines.append(f"  - {rules[rid].title}")
            lines += _rule_lines(rules[rid], "    ")
    missing = loaded.scenario.expect.missing
    if missing:
        lines.append("Facts to find out: " + ", ".join(missing))
    lines.append("Learning points:")
    for point in loaded.scenario.learning_points:
        lines += _wrapped(point.text, "  - ", "    ")
        if point.source:
            source = f"Source: {point.source.citation} <{point.source.url}>"
        else:
            assert point.rule is not None
            src = loaded.policy.rule(point.rule).source
            source = f"Source ({point.rule}): {src.citation} <{src.url}>"
        lines += _wrapped(source, "    ", "      ")
    return lines


def _wrapped(text: str, first: str, rest: str, width: int = 92) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()),
        width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _rule_lines(rule: DecisionRule, indent: str) -> list[str]:
    return _wrapped(f"{rule.message} ({rule.id})", indent, indent) + _wrapped(
        f"Source: {rule.source.citation} <{rule.source.url}>", indent, indent + "  "
    )
