"""Aggregates of the 30-case fixture (tests/report/data/make_fixture.py), counted by hand.

By force (records, CRs given, compliant, lacking authorisation, not permitted, unverifiable):
  avon-and-somerset 11 records: CRs 10 = 4 compliant (0011 0014 0015 0020) + 2 lacking
      authorisation (0013 0019) + 2 not permitted (0016 0029) + 2 unverifiable (0012 0018);
      0017 has no outcome recorded.
  kent 11 records: CRs 9 = 5 compliant (0001 0002 0009 0010 0030) + 2 lacking (0003 0004) +
      1 not permitted (0005) + 1 unverifiable (0006); 0007 (outcome 7), 0008 (outcome 1).
  lancashire 8 records: CRs 7 = 3 compliant (0021 0026 0028) + 1 lacking (0025) + 2 not
      permitted (0023 0027) + 1 unverifiable (0022); 0024 (outcome 16).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from disposal.report.aggregate import ReportData, Tally, aggregate


def row(t: Tally) -> tuple[int, int, int, int, int, int]:
    return (t.records, t.cr_given, t.compliant, t.lacking_authorisation, t.not_permitted,
            t.unverifiable)  # fmt: skip


@pytest.fixture(params=["jsonl", "csv"], scope="module")
def data(request: pytest.FixtureRequest, results_jsonl: Path, results_csv: Path) -> ReportData:
    path = results_jsonl if request.param == "jsonl" else results_csv
    return aggregate([path])


def test_headline(data: ReportData) -> None:
    overall = data.overall()
    assert data.records == 30
    assert row(overall) == (30, 26, 12, 5, 5, 4)
    assert overall.non_compliant == 10
    assert data.outcome_kinds() == {"community_resolution": 26, "other": 3, "not_recorded": 1}
    assert overall.decisions == {
        "permitted": 14,
        "requires_authorisation": 5,
        "not_permitted": 6,
        "insufficient_information": 5,
    }
    # 12/26, 10/26 and 4/26 of the CRs given
    assert round(100 * overall.compliant / overall.cr_given, 1) == 46.2
    assert round(100 * overall.non_compliant / overall.cr_given, 1) == 38.5
    assert round(100 * overall.unverifiable / overall.cr_given, 1) == 15.4


def test_by_force(data: ReportData) -> None:
    assert [(f, row(t)) for f, t in data.breakdown("force")] == [
        ("avon-and-somerset", (11, 10, 4, 2, 2, 2)),
        ("kent", (11, 9, 5, 2, 1, 1)),
        ("lancashire", (8, 7, 3, 1, 2, 1)),
    ]
    assert data.forces == ["avon-and-somerset", "kent", "lancashire"]


def test_by_offence_family_in_vocabulary_order_unknown_last(data: ReportData) -> None:
    assert [(f, row(t)) for f, t in data.breakdown("offence_family")] == [
        ("theft", (10, 9, 8, 0, 0, 1)),
        ("violence", (7, 6, 1, 2, 2, 1)),
        ("sexual", (5, 5, 0, 3, 2, 0)),
        ("drugs", (3, 2, 2, 0, 0, 0)),
        ("criminal_damage", (1, 1, 0, 0, 1, 0)),
        ("other", (1, 1, 1, 0, 0, 0)),
        (None, (3, 2, 0, 0, 0, 2)),
    ]


def test_by_financial_year_recorded_or_derived_from_date(data: ReportData) -> None:
    # 0014 (2023-04-01), 0028 (2025-03-30) and 0030 (2025-04-01) carry no financial_year.
    assert [(y, row(t)) for y, t in data.breakdown("financial_year")] == [
        ("2022/23", (6, 6, 2, 1, 1, 2)),
        ("2023/24", (9, 8, 4, 3, 1, 0)),
        ("2024/25", (14, 11, 5, 1, 3, 2)),
        ("2025/26", (1, 1, 1, 0, 0, 0)),
    ]


def test_scope(data: ReportData) -> None:
    assert (data.first_date, data.last_date) == ("2022-04-01", "2025-04-01")
    assert [(p.profile, p.version, p.records) for p in data.policies] == [
        ("avon-and-somerset", "2022-04-01", 11),
        ("kent", "2023-04-01", 4),
        ("kent", "2024-04-01", 7),
        ("national", "2022-04-01", 8),
    ]
    assert data.no_ho_code == 5  # 0018 0021 0022 0023 0024
    assert data.no_policy == 0
    assert len(data.sources) == 1
    assert data.sources[0].records == 30
    assert len(data.sources[0].sha256) == 64


def test_reasons_count_only_rules_that_shaped_non_compliant_decisions(data: ReportData) -> None:
    # NAT-SEX-02: 0004 0013 0019 and 0005 (alongside its deny); warnings and suggestions and
    # the deny of 0008 (outcome 1, not a CR) do not count.
    assert [(r.rule, r.cases) for r in data.reasons] == [
        ("NAT-SEX-02", 4),
        ("NAT-SEX-01", 2),
        ("NAT-VIO-03", 2),
        ("ASP-VIC-01", 1),
        ("NAT-ADM-01", 1),
        ("NAT-CD-02", 1),
    ]
    assert data.lacking_rank == (("inspector", 3), ("sergeant", 2))
    # unverifiable CRs: 0006, 0012, 0018, 0022 (0024 is not a CR)
    assert data.missing_facts == (
        ("victim.consents", 3),
        ("offence.ho_code", 2),
        ("offender.admission", 2),
    )


def test_listed_cases_ordered_by_force_year_case_id(data: ReportData) -> None:
    assert [c.case_id for c in data.listed] == [
        "ASP-2023-0013",
        "ASP-2023-0016",
        "ASP-2024-0019",
        "ASP-2024-0029",
        "KNT-2023-0003",
        "KNT-2024-0004",
        "KNT-2024-0005",
        "LAN-2023-0023",
        "LAN-2024-0025",
        "LAN-2024-0027",
    ]
    assert data.omitted == 0
    first = data.listed[0]
    assert first.reasons == (
        ("NAT-SEX-02", "Sexual offence between children: only with an Inspector's authorisation "
         "and rationale"),
    )  # fmt: skip


def test_max_listed_keeps_the_first_in_order_and_counts_the_rest(results_jsonl: Path) -> None:
    data = aggregate([results_jsonl], max_listed=3)
    assert [c.case_id for c in data.listed] == ["ASP-2023-0013", "ASP-2023-0016", "ASP-2024-0019"]
    assert data.omitted == 7
    assert aggregate([results_jsonl], max_listed=0).listed == ()


def test_jsonl_and_csv_agree(results_jsonl: Path, results_csv: Path) -> None:
    a, b = aggregate([results_jsonl]), aggregate([results_csv])
    assert a.cube == b.cube
    assert a.reasons == b.reasons
    assert a.listed == b.listed


def test_several_files_add_up(results_jsonl: Path, results_csv: Path) -> None:
    data = aggregate([results_jsonl, results_csv])
    assert data.records == 60
    assert data.overall().non_compliant == 20
    assert [s.name for s in data.sources] == ["results.jsonl", "results.csv"]


def test_sink_sees_every_non_compliant_case_in_input_order(results_jsonl: Path) -> None:
    seen: list[str] = []
    aggregate([results_jsonl], max_listed=1, on_non_compliant=lambda r: seen.append(r.case_id))
    assert seen == [
        "LAN-2023-0023",
        "ASP-2023-0013",
        "KNT-2023-0003",
        "ASP-2023-0016",
        "KNT-2024-0004",
        "LAN-2024-0025",
        "KNT-2024-0005",
        "LAN-2024-0027",
        "ASP-2024-0029",
        "ASP-2024-0019",
    ]
