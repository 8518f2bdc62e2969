"""What an evaluation of one case produces, whichever engine ran it.

Both the durable_rules adapter and the plain-Python reference evaluator return ``RuleStates``;
comparing two of them is the cross-check. Everything downstream (the decision, the missing
facts, the explanation) is computed from ``RuleStates`` by one shared piece of code, so a
difference between engines can only come from the engines themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RuleStates:
    fired: frozenset[str]  # rules whose condition is true
    unknown: frozenset[str]  # deny / require_authority rules whose condition is unknown
    derived: Mapping[str, Any]  # every derived fact's value; None means unknown
    actions: int = field(default=0, compare=False)  # engine actions run, for diagnostics

    def key(self) -> tuple[Any, ...]:
        """A comparable form: derived values are compared with their types (True is not 1)."""
        derived = tuple(sorted((k, type(v).__name__, v) for k, v in self.derived.items()))
        return (tuple(sorted(self.fired)), tuple(sorted(self.unknown)), derived)

    def same_as(self, other: RuleStates) -> bool:
        return self.key() == other.key()
