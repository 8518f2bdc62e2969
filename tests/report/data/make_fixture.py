# ruff: noqa: E501  (the fixture is a table: one case per line)
"""Build ``results.jsonl`` and ``results.csv``: 30 hand-written results used by the report tests.

Run from the repository root: ``PYTHONPATH=src python tests/report/data/make_fixture.py``.
The table below is the fixture; the tests" expected counts are worked out by hand from it.
Lines are written in decision-date order, interleaving forces as a real review would.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

from disposal.report.columns import RESULT_CSV_COLUMNS, flatten_result

HERE = Path(__file__).parent


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


POLICIES = {
    "K1": {"profile": "kent", "version": "2023-04-01", "sha256": sha("kent 2023")},
    "K2": {"profile": "kent", "version": "2024-04-01", "sha256": sha("kent 2024")},
    "A1": {"profile": "avon-and-somerset", "version": "2022-04-01", "sha256": sha("asp 2022")},
    "N1": {"profile": "national", "version": "2022-04-01", "sha256": sha("national 2022")},
}
SRC = "NPCC Community Resolutions guidance 2022"
# fmt: off
R = {
    "SEX02": ("NAT-SEX-02", "require_authority", "inspector", "Sexual offence between children: only with an Inspector's authorisation and rationale"),
    "SEX01": ("NAT-SEX-01", "deny", None, "Rape or sexual assault of a child under 13: never suitable for a community resolution"),
    "VIO03": ("NAT-VIO-03", "require_authority", "sergeant", "Assault with injury: a Sergeant must authorise the community resolution"),
    "VIO09": ("NAT-VIO-09", "deny", None, "Domestic abuse between intimate partners: a community resolution is not permitted"),
    "VIC01": ("ASP-VIC-01", "deny", None, "Victim does not consent; A&S policy requires consent & no override applies"),
    "ADM01": ("NAT-ADM-01", "deny", None, "Offender denies the offence: a community resolution needs an admission"),
    "CD02": ("NAT-CD-02", "deny", None, "Criminal damage over £5,000 in value (value > threshold): not suitable"),
    "WARN": ("NAT-VIC-W1", "warn", None, "Record the victim's views <in full>"),
    "SUG22": ("NAT-ADM-S1", "suggest", None, "Consider outcome 22 (diversion) | no admission"),
}

# case_id, force, date, fy (None = omitted), family, ho, decision, authority, authorised,
# outcome, reasons, missing, policy
ROWS: list[tuple[Any, ...]] = [
    ("ASP-2022-0011", "avon-and-somerset", "2022-04-01", "2022/23", "theft", "46", "permitted", "constable", None, 8, [], [], "A1"),
    ("LAN-2022-0021", "lancashire", "2022-06-01", "2022/23", "theft", None, "permitted", "constable", None, 8, [], [], "N1"),
    ("LAN-2022-0022", "lancashire", None, "2022/23", None, None, "insufficient_information", None, None, 8, [], ["offence.ho_code", "offender.admission"], "N1"),
    ("ASP-2022-0012", "avon-and-somerset", "2022-11-30", "2022/23", "violence", "105A", "insufficient_information", None, None, 8, [], ["victim.consents", "offender.admission"], "A1"),
    ("LAN-2023-0023", "lancashire", "2023-02-02", "2022/23", "violence", None, "not_permitted", None, None, 8, ["ADM01", "SUG22"], [], "N1"),
    ("ASP-2023-0013", "avon-and-somerset", "2023-03-31", "2022/23", "sexual", "22B", "requires_authorisation", "inspector", False, 8, ["SEX02"], [], "A1"),
    ("ASP-2023-0014", "avon-and-somerset", "2023-04-01", None, "theft", "46", "permitted", "constable", None, 8, [], [], "A1"),
    ("KNT-2023-0001", "kent", "2023-05-02", "2023/24", "theft", "46", "permitted", "constable", None, 8, [], [], "K1"),
    ("KNT-2023-0002", "kent", "2023-06-10", "2023/24", "theft", "46", "permitted", "constable", None, 8, [], [], "K1"),
    ("LAN-2023-0024", "lancashire", "2023-07-07", "2023/24", None, None, "insufficient_information", None, None, 16, [], ["offence.ho_code"], "N1"),
    ("ASP-2023-0015", "avon-and-somerset", "2023-08-08", "2023/24", "drugs", "92E", "permitted", "constable", None, 8, [], [], "A1"),
    ("KNT-2023-0003", "kent", "2023-09-15", "2023/24", "violence", "105A", "requires_authorisation", "sergeant", False, 8, ["VIO03", "WARN"], [], "K1"),
    ("ASP-2023-0016", "avon-and-somerset", "2023-12-24", "2023/24", "violence", "105A", "not_permitted", None, None, 8, ["VIC01"], [], "A1"),
    ("KNT-2024-0004", "kent", "2024-01-20", "2023/24", "sexual", "22B", "requires_authorisation", "inspector", False, 8, ["SEX02"], [], "K1"),
    ("LAN-2024-0025", "lancashire", "2024-03-03", "2023/24", "violence", "105A", "requires_authorisation", "sergeant", False, 8, ["VIO03"], [], "N1"),
    ("KNT-2024-0005", "kent", "2024-04-03", "2024/25", "sexual", "17A", "not_permitted", None, None, 8, ["SEX01", "SEX02"], [], "K2"),
    ("LAN-2024-0026", "lancashire", "2024-05-05", "2024/25", "theft", "46", "permitted", "constable", None, 8, [], [], "N1"),
    ("KNT-2024-0006", "kent", "2024-05-14", "2024/25", "theft", "46", "insufficient_information", None, None, 8, [], ["victim.consents"], "K2"),
    ("ASP-2024-0017", "avon-and-somerset", "2024-06-06", "2024/25", "theft", "46", "permitted", "constable", None, None, [], [], "A1"),
    ("KNT-2024-0007", "kent", "2024-07-01", "2024/25", "drugs", "92E", "permitted", "constable", None, 7, [], [], "K2"),
    ("KNT-2024-0008", "kent", "2024-08-12", "2024/25", "violence", "105A", "not_permitted", None, None, 1, ["VIO09"], [], "K2"),
    ("LAN-2024-0027", "lancashire", "2024-09-09", "2024/25", "sexual", "22B", "not_permitted", None, None, 8, ["SEX01"], [], "N1"),
    ("ASP-2024-0018", "avon-and-somerset", "2024-10-10", "2024/25", None, None, "insufficient_information", None, None, 8, [], ["offence.ho_code", "victim.consents"], "A1"),
    ("ASP-2024-0029", "avon-and-somerset", "2024-11-11", "2024/25", "criminal_damage", "58C", "not_permitted", None, None, 8, ["CD02"], [], "A1"),
    ("ASP-2024-0019", "avon-and-somerset", "2024-12-12", "2024/25", "sexual", "22B", "requires_authorisation", "inspector", False, 8, ["SEX02"], [], "A1"),
    ("ASP-2025-0020", "avon-and-somerset", "2025-01-15", "2024/25", "theft", "46", "permitted", "constable", None, 8, [], [], "A1"),
    ("KNT-2025-0009", "kent", "2025-02-28", "2024/25", "theft", "46", "permitted", "constable", None, 8, [], [], "K2"),
    ("LAN-2025-0028", "lancashire", "2025-03-30", None, "drugs", "92E", "permitted", "constable", None, 8, [], [], "N1"),
    ("KNT-2025-0010", "kent", "2025-03-31", "2024/25", "violence", "105B", "permitted", "sergeant", True, 8, ["VIO03"], [], "K2"),
    ("KNT-2025-0030", "kent", "2025-04-01", None, "other", "66", "permitted", "constable", None, 8, [], [], "K2"),
]
# fmt: on

COMPLIANCE = {
    "permitted": "compliant",
    "requires_authorisation": "non_compliant",
    "not_permitted": "non_compliant",
    "insufficient_information": "unverifiable",
}


def result(row: tuple[Any, ...]) -> dict[str, Any]:
    cid, force, day, fy, family, ho, decision, auth, authorised, outcome, keys, missing, pol = row
    reasons = [
        {
            "rule": R[k][0],
            "effect": R[k][1],
            "authority": R[k][2],
            "message": R[k][3],
            "source": SRC,
        }
        for k in keys
    ]
    case: dict[str, Any] = {"force": force, "decision_date": day}
    if fy is not None:
        case["financial_year"] = fy
    case |= {"offence_family": family, "ho_code": ho, "actual_outcome": outcome}
    return {
        "case_id": cid,
        "decision": decision,
        "required_authority": auth,
        "authorised": bool(authorised) if auth else None,
        "reasons": reasons,
        "missing": missing,
        "suggested_outcomes": [22] if "SUG22" in keys else [],
        "policy": POLICIES[pol],
        "compliance": COMPLIANCE[decision] if outcome == 8 else None,
        "case": case,
    }


def main() -> None:
    objects = [result(row) for row in ROWS]
    with (HERE / "results.jsonl").open("w", encoding="utf-8") as out:
        for obj in objects:
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    with (HERE / "results.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=RESULT_CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(flatten_result(obj) for obj in objects)


if __name__ == "__main__":
    main()
