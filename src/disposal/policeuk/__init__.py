"""police.uk open data (data.police.uk) as partial case records for screening reviews.

``import_police_uk(paths, forces)`` streams records; ``ImportSummary`` accounts for every row
read; ``mapping`` holds the crime-type and outcome tables and their reasons. docs/POLICE_UK.md
says what a review of such records can and cannot conclude.
"""

from __future__ import annotations

from disposal.policeuk.importer import REASONS, ImportSummary, Reject, import_police_uk
from disposal.policeuk.mapping import CRIME_TYPES, OUTCOMES
from disposal.policeuk.reader import LAYOUTS, open_file

__all__ = [
    "CRIME_TYPES",
    "LAYOUTS",
    "OUTCOMES",
    "REASONS",
    "ImportSummary",
    "Reject",
    "import_police_uk",
    "open_file",
]
