"""The bundled example cases in ``cases/examples/`` and what national guidance decides for each.

Every case file must have a row in ``EXPECTED`` (and every row a file), so an example cannot be
added without saying what it should decide. Each YAML file opens with a comment giving the
scenario, its source (worked example §(d) / criteria §(a) of POLICY_RESEARCH) and the expected
decision; JSON files cannot hold comments, so theirs is in ``offence.description``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from disposal.case import LoadedCase, load_cases
from disposal.policyset import PolicySet
from disposal.service import Evaluator
from tests.conftest import ROOT

EXAMPLES = ROOT / "cases" / "examples"
P, RA, NP, II = "permitted", "requires_authorisation", "not_permitted", "insufficient_information"


@dataclass(frozen=True)
class Expect:
    decision: str
    authority: str | None
    rules: frozenset[str]  # key rules that must be among the reasons
    suggested: tuple[int, ...] = ()
    authorised: bool = False
    compliance: str | None = None
    missing: frozenset[str] = frozenset()  # key paths that must be missing


def expect(
    decision: str,
    authority: str | None,
    *rules: str,
    suggested: tuple[int, ...] = (),
    authorised: bool = False,
    compliance: str | None = None,
    missing: frozenset[str] = frozenset(),
) -> Expect:
    return Expect(decision, authority, frozenset(rules), suggested, authorised, compliance, missing)


EXPECTED: dict[str, Expect] = {
    # D-01: low-value theft by a child, family victim content; officer's gravity score 2.
    "d01-child-theft-from-mothers-purse.yaml": expect(P, "constable"),
    # D-02: adult shoplifter, admission, victim consulted.
    "d02-adult-shoplifter-cosmetics.json": expect(P, "constable"),
    # D-03: youth criminal damage, reparation agreed.
    "d03-youth-window-damage.yaml": expect(P, "constable"),
    # D-07: low-level public order, isolated incident.
    "d07-adult-public-order.yaml": expect(P, "constable"),
    # D-10: peer path (NAT-SEX-02) and indictable-only (NAT-SER-01): Inspector; scrutiny panel.
    "d10-peer-sexual-activity-under-13.yaml": expect(
        RA, "inspector", "NAT-SEX-02", "NAT-SER-01", "NAT-SER-02", "NAT-SEX-03"
    ),
    # D-10 with an Inspector's authorisation and rationale: permitted (CONTRACT §2).
    "d10-peer-sexual-activity-inspector-authorised.yaml": expect(
        P, "inspector", "NAT-SEX-02", "NAT-SER-01", "NAT-SEX-03", authorised=True
    ),
    # D-13: intimate-partner domestic abuse is barred whatever the victim wants (CR-F1).
    "d13-intimate-partner-assault.yaml": expect(NP, None, "NAT-DA-01"),
    # D-17 (NPCC 2022): the store's refusal is recorded, not followed: permitted + warning.
    "d17-shop-theft-store-wants-prosecution.yaml": expect(P, "constable", "NAT-VIC-03"),
    # D-17 (ACPO 2012): without the victim's consent a Sergeant may authorise (CR-D2).
    "d17-acpo-2016-store-wants-prosecution.yaml": expect(RA, "sergeant", "NAT-VIC-04"),
    # D-19: no admission: barred; Outcome 22 suggested (CR-C1, CR-C3).
    "d19-suspect-denies.yaml": expect(NP, None, "NAT-ADM-01", "NAT-ADM-02", suggested=(22,)),
    # D-26: youth shoplifting with an appropriate adult.
    "d26-youth-shoplifting.yaml": expect(P, "constable"),
    # D-26 negative variant: no appropriate adult (CR-C5).
    "d26-youth-shoplifting-no-appropriate-adult.yaml": expect(NP, None, "NAT-AA-01"),
    # CR-F3: an adult's sexual assault on a child under 13; gravity 5 (CR-I1).
    "adult-sexual-assault-child-under-13.yaml": expect(NP, None, "NAT-SEX-01", "NAT-GRAV-01"),
    # CR-F3: exposure (88E) by an adult.
    "adult-exposure-88e.yaml": expect(NP, None, "NAT-SEX-01"),
    # CR-F4: knife possession, nothing exceptional; gravity 4.
    "knife-possession-10d.yaml": expect(NP, None, "NAT-WPN-01", "NAT-GRAV-01"),
    # CR-F5: hate crime (Sergeant) raises 9A's gravity 2 -> 3 (Inspector, CR-I1).
    "hate-crime-homophobic-abuse.yaml": expect(RA, "inspector", "NAT-HATE-01", "NAT-GRAV-02"),
    # CR-G2: offending history needs a Sergeant's guidance.
    "repeat-offender-shoplifting.yaml": expect(RA, "sergeant", "NAT-HIST-01"),
    # A police.uk import with only the family: nothing is settled; audit unverifiable.
    "sparse-police-uk-import.json": expect(
        II,
        None,
        compliance="unverifiable",
        missing=frozenset(
            {
                "offence.ho_code",
                "offence.evidence_sufficient",
                "offender.admission",
                "offender.agrees_to_resolution",
                "offender.age",
                "victim.identified",
            }
        ),
    ),
    # CR-F1 under ACPO 2012: the CR actually given in 2014 was non-compliant.
    "historic-2014-intimate-partner-cr-non-compliant.yaml": expect(
        NP, None, "NAT-DA-01", compliance="non_compliant"
    ),
    # CR-B1: insufficient evidence.
    "evidence-insufficient-criminal-damage.yaml": expect(NP, None, "NAT-EVID-01"),
    # CR-I6: under 10; Outcome 11 suggested.
    "under-age-of-criminal-responsibility.yaml": expect(
        NP, None, "NAT-AGE-01", "NAT-AGE-02", suggested=(11,)
    ),
    # CR-C4: the offender will not take part.
    "offender-declines-resolution.json": expect(NP, None, "NAT-AGREE-01"),
}


def _files() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".yml", ".json"))


def test_every_example_has_an_expectation_and_every_expectation_a_file() -> None:
    names = {p.name for p in _files()}
    assert names == set(EXPECTED), (
        f"without an expectation: {sorted(names - set(EXPECTED))}; "
        f"without a file: {sorted(set(EXPECTED) - names)}"
    )
    assert len(names) >= 12


@pytest.fixture(scope="module")
def loaded(policy_set: PolicySet) -> dict[str, LoadedCase]:
    """All examples through the real loader (which also checks HO codes and families)."""
    cases = load_cases([EXAMPLES], policy_set.references())
    by_file = {Path(c.file).name: c for c in cases}
    assert len(by_file) == len(cases), "one record per example file"
    return by_file


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example(evaluator: Evaluator, loaded: dict[str, LoadedCase], name: str) -> None:
    want = EXPECTED[name]
    case = loaded[name].record
    d = evaluator.evaluate(case).decision
    assert case.case_id.startswith("EX-")
    assert (d.decision, d.required_authority) == (want.decision, want.authority)
    assert want.rules <= {r.rule for r in d.reasons}, [r.rule for r in d.reasons]
    assert d.suggested_outcomes == list(want.suggested)
    assert d.authorised is want.authorised
    assert d.compliance == want.compliance
    assert want.missing <= set(d.missing)
    assert bool(d.missing) is (want.decision == II)


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_example_explains_itself(path: Path) -> None:
    """YAML examples open with the scenario, the source and the expected decision."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        assert "Expected" in text or "expected" in text.lower()
        return
    header = text.split("\ncase_id:")[0]
    assert header.startswith("# ")
    assert "Source:" in header
    assert "Expected:" in header


def test_examples_cover_every_decision_and_category(
    evaluator: Evaluator, loaded: dict[str, LoadedCase], policy_set: PolicySet
) -> None:
    assert {e.decision for e in EXPECTED.values()} == {P, RA, NP, II}
    assert any(e.authorised and e.authority not in (None, "constable") for e in EXPECTED.values())
    categories: dict[str, str] = {}
    for start in policy_set.version_starts("national"):
        for rule in policy_set.resolve("national", start).rules:
            categories[rule.id] = rule.category
    covered = {categories[r] for e in EXPECTED.values() for r in e.rules}
    assert covered == set(categories.values())
