"""The compliance audit report: ``disposal report RESULTS --out report.html|report.md|report.csv``.

Data flows one way: ``columns`` (the results formats, shared with ``disposal review``) and
``reading`` stream and validate results files; ``aggregate`` counts them in one pass with bounded
memory; ``charts`` draws the figures; ``render`` writes HTML, Markdown or CSV; ``cli`` is the
command. Importing this package does not import matplotlib or jinja2 (the review writer only
needs ``disposal.report.columns``).
"""

from __future__ import annotations

from disposal.report.columns import RESULT_CSV_COLUMNS, flatten_result, read_results
from disposal.report.model import ReportError, ResultsFileError

__all__ = [
    "RESULT_CSV_COLUMNS",
    "ReportError",
    "ResultsFileError",
    "flatten_result",
    "read_results",
]
