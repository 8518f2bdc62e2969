"""Training: scenario files with expectations, scenario tests with rule coverage, the quiz.

Data flow: ``scenario`` (the model) and ``loader`` (reading and checking files) → ``runner``
(scenario tests and coverage, using ``disposal.service.Evaluator``) and ``marking``
(questions and marks) → ``quiz`` (interactive) and ``answers`` (answer sheets) → ``author``
(skeletons for new scenarios). The CLI commands ``disposal scenarios test|new`` and
``disposal train`` are thin skins over these.
"""

from disposal.training.loader import load_scenarios
from disposal.training.runner import ScenarioResult, coverage, run_all
from disposal.training.scenario import LoadedScenario, Scenario, ScenarioError

__all__ = [
    "LoadedScenario",
    "Scenario",
    "ScenarioError",
    "ScenarioResult",
    "coverage",
    "load_scenarios",
    "run_all",
]
