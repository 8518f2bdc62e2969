"""Training scenarios as pytest items (STYLE.md example 14, openfisca's test runner).

``scenario_library.yaml`` in this directory names the scenario library; each scenario file in
it becomes one ``ScenarioItem``. A failing item prints what ``disposal scenarios test`` prints
for it (the scenario, the expected and actual decision, authority and fired rules, the decision
text and the traces of the rules that differ), never a Python traceback. A scenario file that
does not load fails its own item with the located error.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from disposal.errors import DisposalError
from disposal.policyset import PolicySet
from disposal.service import Evaluator
from disposal.training.loader import load_scenario, scenario_files
from disposal.training.runner import failure_report, run_scenario
from tests.conftest import RULES

MANIFEST = Path(__file__).with_name("scenario_library.yaml")


@cache
def library_policy() -> PolicySet:
    return PolicySet.load(RULES)


@cache
def library_evaluator() -> Evaluator:
    """durable_rules, cross-checked against the reference evaluator on every scenario."""
    return Evaluator(RULES, cross_check=True, policy_set=library_policy())


def library_paths() -> list[Path]:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return scenario_files([(MANIFEST.parent / manifest["library"]).resolve()])


class ScenarioFailed(Exception):
    """A scenario whose evaluation differs from its expectation; the message is the report."""


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path == MANIFEST:
        return ScenarioLibrary.from_parent(parent, path=file_path)
    return None


class ScenarioLibrary(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        for path in library_paths():
            yield ScenarioItem.from_parent(self, name=path.stem, scenario_path=path)


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario_path: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario_path = scenario_path

    def runtest(self) -> None:
        loaded = load_scenario(self.scenario_path, library_policy())
        result = run_scenario(loaded, library_evaluator())
        if not result.passed:
            raise ScenarioFailed(failure_report(result))

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str | Any:
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        if isinstance(excinfo.value, DisposalError):
            return "scenario file does not load:\n" + excinfo.value.render()
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.scenario_path, 0, f"scenario {self.name}"
