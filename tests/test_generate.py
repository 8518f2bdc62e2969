"""``disposal generate``: synthetic cases that are valid, reproducible and in the documented mix.

Proportions are checked on 20,000 cases against targets computed from the same tables the
generator documents (``disposal.generate.tables``), with tolerances of about four standard
errors, so a failure means the generator and its documentation disagree.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from disposal.case import CaseRecord, load_cases
from disposal.cli import app
from disposal.errors import InputError
from disposal.flat import FLAT_COLUMNS, row_to_record
from disposal.generate import generate_cases
from disposal.generate import tables as T
from disposal.generate.support import mix_codes
from disposal.policyset import PolicySet
from disposal.service import Evaluator
from disposal.vocab import Compliance, Decision
from disposal.writers import write_records

ROOT = Path(__file__).resolve().parents[1]
NATIONAL_CSV = ROOT / "tests" / "data" / "national_year.csv"  # copy of shared/data/ho-outcomes
N = 20_000
ID = re.compile(r"^SYN-([A-Z]{3})-(\d{4})-(\d{6,})$")


def gen(policy_set: PolicySet, n: int, seed: int = 1, **options: Any) -> Iterator[dict[str, Any]]:
    return generate_cases(
        n, seed, offences=policy_set.offences, known_forces=policy_set.forces, **options
    )


@pytest.fixture(scope="module")
def cases(policy_set: PolicySet) -> list[dict[str, Any]]:
    return list(gen(policy_set, N, seed=20))


@pytest.fixture(scope="module")
def crs(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in cases if c["actual_outcome"] == 8]


def shares(counter: Counter[Any]) -> dict[Any, float]:
    total = sum(counter.values())
    return {k: v / total for k, v in counter.items()}


def fy(day: str) -> int:
    year, month = int(day[:4]), int(day[5:7])
    return year if month >= 4 else year - 1


# -- reproducible and streaming -----------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_same_seed_same_bytes_other_seed_other_bytes(
    policy_set: PolicySet, tmp_path: Path, suffix: str
) -> None:
    paths = [tmp_path / f"{name}{suffix}" for name in ("a", "b", "c")]
    for path, seed in zip(paths, (5, 5, 6), strict=True):
        assert write_records(gen(policy_set, 2000, seed), path) == 2000
    first, again, other = (p.read_bytes() for p in paths)
    assert first == again
    assert first != other


def test_generation_is_lazy(policy_set: PolicySet) -> None:
    stream = gen(policy_set, 10**12, seed=3)
    assert isinstance(stream, Iterator)
    first = next(stream)
    assert first["case_id"].endswith("-0000000000001")


# -- every record is valid ----------------------------------------------------------------------


def test_every_record_validates_and_names_known_codes_and_forces(
    cases: list[dict[str, Any]], policy_set: PolicySet
) -> None:
    codes = policy_set.offences.by_code
    for raw in cases[:4000]:
        record = CaseRecord.model_validate(raw)
        assert record.force in policy_set.forces
        assert record.offence.ho_code in codes
        assert not codes[record.offence.ho_code].outcomes_only
        history = record.offender.history
        for item in (history.recent_disposals or []) if history else []:
            assert item.ho_code in codes
            assert item.date < record.decision_date
        if record.offence.date is not None:
            assert record.offence.date <= record.decision_date
        if record.authorisation is not None:
            assert record.authorisation.date == record.decision_date


def test_case_ids_are_unique_and_name_force_and_year(cases: list[dict[str, Any]]) -> None:
    assert len({c["case_id"] for c in cases}) == len(cases)
    code_of = {slug: code for slug, (code, _) in T.FORCES.items()}
    for index, case in enumerate(cases[:2000]):
        match = ID.match(case["case_id"])
        assert match, case["case_id"]
        assert match.group(1) == code_of[case["force"]]
        assert match.group(2) == case["decision_date"][:4]
        assert int(match.group(3)) == index + 1


def test_free_text_is_obviously_synthetic(cases: list[dict[str, Any]]) -> None:
    for case in cases[:5000]:
        offence = case["offence"]
        assert offence["description"].startswith("Synthetic case: ")
        for factor in offence.get("aggravating_factors", []) + offence.get(
            "mitigating_factors", []
        ):
            assert factor.startswith("synthetic: ")
        assert case["victim"].get("views", "Synthetic view:").startswith("Synthetic view:")
        auth = case.get("authorisation") or {}
        assert auth.get("rationale", "Synthetic rationale:").startswith("Synthetic rationale:")
        assert auth.get("officer_id", "SYN").startswith("SYN")


# -- proportions --------------------------------------------------------------------------------


def test_cr_share_default_and_natural(cases: list[dict[str, Any]], policy_set: PolicySet) -> None:
    cr = sum(c["actual_outcome"] == 8 for c in cases) / len(cases)
    assert abs(cr - 0.5) < 0.015
    natural = list(gen(policy_set, N, seed=21, cr_share=None))
    share = sum(c["actual_outcome"] == 8 for c in natural) / N
    years = T.NATIONAL_YEARS.values()
    expected = sum(y[5] for y in years) / sum(y[7] for y in years)
    assert 0.02 < expected < 0.04
    assert abs(share - expected) < 0.006


def test_decision_years_follow_the_national_counts(cases: list[dict[str, Any]]) -> None:
    years = T.NATIONAL_YEARS
    for is_cr, weight in ((True, lambda y: y[5]), (False, lambda y: y[7] - y[5])):
        got = shares(
            Counter(fy(c["decision_date"]) for c in cases if (c["actual_outcome"] == 8) is is_cr)
        )
        total = sum(weight(y) for y in years.values())
        for year, counts in years.items():
            assert abs(got.get(year, 0.0) - weight(counts) / total) < 0.012, (is_cr, year)


def test_other_outcomes_follow_each_years_shares(cases: list[dict[str, Any]]) -> None:
    others = Counter(c["actual_outcome"] for c in cases if c["actual_outcome"] != 8)
    years = T.NATIONAL_YEARS.values()
    denominator = sum(y[7] - y[5] for y in years)
    got = shares(others)
    for position, outcome in enumerate(T.NATIONAL_OUTCOMES):
        if outcome != 8:
            expected = sum(y[position] for y in years) / denominator
            assert abs(got.get(outcome, 0.0) - expected) < 0.012, outcome
    assert set(others) <= set(T.NATIONAL_OUTCOMES) | set(T.OTHER_OUTCOMES)
    assert got[18] > got[16] > got[14], "the remainder split of tables.OTHER_OUTCOMES"


def test_children_are_a_quarter_of_crs_with_a_few_under_ten(crs: list[dict[str, Any]]) -> None:
    ages = [c["offender"]["age"] for c in crs if "age" in c["offender"]]
    total = sum(w for _, _, w in T.CR_AGES)
    child_target = sum(w for lo, _, w in T.CR_AGES if 10 <= lo < 18) / total
    assert 0.20 <= child_target <= 0.30
    assert abs(sum(10 <= a < 18 for a in ages) / len(ages) - child_target) < 0.02
    assert 0 < sum(a < 10 for a in ages) / len(ages) < 0.01


def test_cr_offence_families_follow_the_offence_mix(
    crs: list[dict[str, Any]], policy_set: PolicySet
) -> None:
    family = {code: e.family.value for code, e in policy_set.offences.by_code.items()}
    target: Counter[str] = Counter()
    for code, (cr_weight, _) in T.OFFENCES.items():
        target[family[code]] += cr_weight
    got = shares(Counter(family[c["offence"]["ho_code"]] for c in crs))
    for name, expected in shares(target).items():
        assert abs(got.get(name, 0.0) - expected) < 0.015, name
    top = Counter(c["offence"]["ho_code"] for c in crs).most_common(2)
    assert [code for code, _ in top] == ["46", "105A"]


def test_forces_are_weighted_by_size(cases: list[dict[str, Any]]) -> None:
    got = shares(Counter(c["force"] for c in cases))
    total = sum(w for _, w in T.FORCES.values())
    for slug in ("metropolitan", "west-midlands", "city-of-london"):
        assert abs(got[slug] - T.FORCES[slug][1] / total) < 0.01, slug


# Facts present in every non-sparse CR record (so their absence marks a sparse one).
ALWAYS = {
    "offender": ("admission", "age", "history"),
    "offence": (
        "evidence_sufficient",
        "aggravating_factors",
        "mitigating_factors",
        "domestic_abuse",
        "relationship_to_victim",
        "weapon",
        "injury",
    ),
}


def looks_sparse(case: dict[str, Any]) -> bool:
    return any(key not in case[block] for block, keys in ALWAYS.items() for key in keys)


def test_sparse_share_controls_unrecorded_facts(
    crs: list[dict[str, Any]], policy_set: PolicySet
) -> None:
    assert not any(looks_sparse(c) for c in gen(policy_set, 3000, cr_share=1.0, sparse_share=0))
    everything = list(gen(policy_set, 3000, cr_share=1.0, sparse_share=1.0))
    assert sum(map(looks_sparse, everything)) / 3000 > 0.75
    # default 10% sparse; 10 of the 16 droppable facts are in ALWAYS: expected share ~8.1%
    assert 0.06 < sum(map(looks_sparse, crs)) / len(crs) < 0.10


def test_a_review_meets_every_decision_and_compliance_value(policy_set: PolicySet) -> None:
    evaluator = Evaluator(engine="reference", policy_set=policy_set)
    decisions: Counter[Decision] = Counter()
    compliance: Counter[Compliance | None] = Counter()
    for raw in gen(policy_set, 2000, seed=9):
        decision = evaluator.evaluate(CaseRecord.model_validate(raw)).decision
        decisions[decision.decision] += 1
        compliance[decision.compliance] += 1
    assert set(decisions) == set(Decision)
    assert set(compliance) == {*Compliance, None}
    crs = sum(v for k, v in compliance.items() if k is not None)
    assert compliance[Compliance.COMPLIANT] / crs > 0.5, "most synthetic CRs are compliant"


# -- options ------------------------------------------------------------------------------------


def test_years_forces_and_cr_share_options(policy_set: PolicySet) -> None:
    some = list(
        gen(policy_set, 500, start_year=2020, end_year=2021, forces=["kent", "btp"], cr_share=1)
    )
    assert {fy(c["decision_date"]) for c in some} == {2020, 2021}
    assert {c["force"] for c in some} == {"kent", "btp"}
    assert all(c["actual_outcome"] == 8 for c in some)
    none = list(gen(policy_set, 500, cr_share=0))
    assert not any(c["actual_outcome"] == 8 for c in none)


@pytest.mark.parametrize(
    ("options", "code", "field"),
    [
        ({"start_year": 2013}, "bad-option", "--start-year"),
        ({"end_year": 2026}, "bad-option", "--end-year"),
        ({"start_year": 2020, "end_year": 2019}, "bad-option", "--start-year"),
        ({"cr_share": 1.5}, "bad-option", "--cr-share"),
        ({"sparse_share": -0.1}, "bad-option", "--sparse"),
        ({"forces": ["kentt"]}, "unknown-force", "--forces"),
        ({"forces": []}, "bad-option", "--forces"),
    ],
)
def test_bad_options_fail_before_anything_is_generated(
    policy_set: PolicySet, options: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(InputError) as info:
        gen(policy_set, 10, **options)
    assert info.value.code == code
    assert info.value.location.field == field


def test_unknown_force_suggests_the_slug(policy_set: PolicySet) -> None:
    with pytest.raises(InputError) as info:
        gen(policy_set, 10, forces=["kentt"])
    assert "kent" in info.value.hint


# -- the tables ---------------------------------------------------------------------------------


def test_force_table_lists_exactly_the_forces_of_the_rules(policy_set: PolicySet) -> None:
    assert set(T.FORCES) == set(policy_set.forces)
    codes = [code for code, _ in T.FORCES.values()]
    assert len(set(codes)) == len(codes)


def test_every_offence_the_generator_draws_is_a_current_code(policy_set: PolicySet) -> None:
    for code in mix_codes():
        entry = policy_set.offences.by_code[code]
        assert not entry.outcomes_only, code
    assert all(weights[0] > 0 or weights[1] > 0 for weights in T.OFFENCES.values())


def test_national_years_are_the_shared_csv() -> None:
    with NATIONAL_CSV.open(encoding="utf-8") as handle:
        rows = {int(r["fy"][:4]): r for r in csv.DictReader(handle)}
    columns = [f"closed_all_t{o}" for o in T.NATIONAL_OUTCOMES] + ["closed_all_assigned"]
    assert {y: tuple(int(r[c]) for c in columns) for y, r in rows.items()} == T.NATIONAL_YEARS


# -- output formats -----------------------------------------------------------------------------


def without_empty_blocks_or_recent(record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key == "recent_disposals":
            continue
        if isinstance(value, dict):
            nested = without_empty_blocks_or_recent(value)
            if nested:
                out[key] = nested
            continue
        out[key] = value
    return out


def test_csv_round_trips_through_the_flat_form(policy_set: PolicySet, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    originals = list(gen(policy_set, 1000, seed=4))
    write_records(originals, path)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == FLAT_COLUMNS
        back = [row_to_record(row) for row in reader]
    assert back == [without_empty_blocks_or_recent(r) for r in originals]
    for record in back[:200]:
        CaseRecord.model_validate(record)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_json_and_yaml_are_read_by_the_case_loader(
    policy_set: PolicySet, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"cases{suffix}"
    originals = list(gen(policy_set, 40, seed=8))
    write_records(originals, path)
    loaded = load_cases([path], policy_set.references())
    assert [c.record.case_id for c in loaded] == [r["case_id"] for r in originals]
    assert loaded[0].record == CaseRecord.model_validate(originals[0])


def test_cli_generate_writes_the_file_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "cases.jsonl"
    args = ["generate", "--n", "50", "--seed", "2", "--out", str(out), "--cr-share", "natural"]
    result = CliRunner().invoke(app, args, prog_name="disposal")
    assert result.exit_code == 0, result.stderr
    assert "wrote 50 synthetic cases" in result.stderr
    assert len(out.read_text().splitlines()) == 50
    again = CliRunner().invoke(
        app,
        ["generate", "--n", "50", "--seed", "2", "--out", "-", "--cr-share", "natural"],
        prog_name="disposal",
    )
    assert again.stdout == out.read_text()
    first = json.loads(again.stdout.splitlines()[0])
    assert first["case_id"].startswith("SYN-")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--out", "cases.txt"], "unknown-format"),
        (["--out", "cases.jsonl", "--cr-share", "lots"], "bad-option"),
        (["--out", "cases.yaml", "--n", "200000"], "too-many-for-format"),
        (["--out", "cases.jsonl", "--forces", "kent,mars"], "unknown-force"),
    ],
)
def test_cli_generate_bad_input_exits_2(tmp_path: Path, args: list[str], code: str) -> None:
    args = [a if not a.startswith("cases.") else str(tmp_path / a) for a in args]
    if "--n" not in args:
        args = ["--n", "5", *args]
    result = CliRunner().invoke(app, ["generate", *args], prog_name="disposal")
    assert result.exit_code == 2
    assert f": {code}: " in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not list(tmp_path.iterdir())


def test_the_rules_directory_is_found_when_no_table_is_given(
    policy_set: PolicySet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``generate_cases(n, seed)`` alone works (benchmarks call it so)."""
    monkeypatch.setenv("DISPOSAL_RULES", str(ROOT / "rules"))
    assert list(generate_cases(50, 7)) == list(gen(policy_set, 50, seed=7))
