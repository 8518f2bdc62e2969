"""The compliance audit report: ``disposal report RESULTS --out report.html|report.md|report.csv``.

Modules in data-flow order (imports run one way, down this list):

* ``model``: one results line (the contract decision plus its ``case`` block) and its checks;
* ``reading``, ``columns``: the JSON Lines and CSV results formats, shared with
  ``disposal review`` (``RESULT_CSV_COLUMNS``, ``flatten_result``, ``read_results``), read in
  one streaming pass with located errors;
* ``aggregate``: counting in that pass, with memory bounded by the vocabularies;
* ``labels``, ``charts``, ``views``, ``text``, ``content``: what the report says and shows;
* ``render``: HTML, Markdown or CSV (see its docstring for the files each writes);
* ``cli``: the ``disposal report`` command.

Importing this package does not import matplotlib or jinja2: the review writer only needs
``disposal.report.columns``.
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
