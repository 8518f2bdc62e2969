"""Checks on the offence table ``rules/offences.yaml`` against the HO code list and its own rules.

The code list is read from ``tests/data/ho_offence_codes.csv`` (a copy of the shared ONS 2017/18
list) so the tests never depend on files outside the repository.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from disposal.offences import OffenceEntry, OffenceFlag, OffenceTable, load_offence_table
from disposal.vocab import ModeOfTrial, OffenceFamily

ROOT = Path(__file__).resolve().parent.parent
TABLE_FILE = ROOT / "rules" / "offences.yaml"
CSV_FILE = Path(__file__).resolve().parent / "data" / "ho_offence_codes.csv"

MISC = "Miscellaneous crimes against society"
# Codes that are not in the ONS list and were added from the West Yorkshire FOI answer (S74).
S74_CODES = ("86/02", "86/10")

# Family mapping rules from the HO group (the brief for the table).
GROUP_FAMILY: dict[str, OffenceFamily] = {
    "Violence against the person": OffenceFamily.VIOLENCE,
    "Robbery": OffenceFamily.VIOLENCE,  # force is used: the safer reading
    "Sexual offences": OffenceFamily.SEXUAL,
    "Theft offences": OffenceFamily.THEFT,
    "Criminal damage and arson": OffenceFamily.CRIMINAL_DAMAGE,
    "Public order offences": OffenceFamily.PUBLIC_ORDER,
    "Drug offences": OffenceFamily.DRUGS,
    "Possession of weapons offences": OffenceFamily.WEAPONS,
    "Fraud offences": OffenceFamily.FRAUD,
    MISC: OffenceFamily.OTHER,
}
# Exceptions to the group mapping: indecent images of children and exploitation of prostitution
# are sexual (and trafficking for sexual exploitation, 72, would be even if listed under
# Miscellaneous crimes); handling stolen goods is theft.
FAMILY_EXCEPTIONS: dict[str, OffenceFamily] = {
    "86": OffenceFamily.SEXUAL,
    "86/02": OffenceFamily.SEXUAL,
    "86/10": OffenceFamily.SEXUAL,
    "24": OffenceFamily.SEXUAL,
    "72": OffenceFamily.SEXUAL,
    "54": OffenceFamily.THEFT,
}

F = OffenceFlag


def _read_csv() -> list[dict[str, str]]:
    with CSV_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


CSV_ROWS = _read_csv()
CSV_CODES = [row["offence_code"] for row in CSV_ROWS]


def expected_family(code: str, group: str) -> OffenceFamily:
    return FAMILY_EXCEPTIONS.get(code, GROUP_FAMILY[group])


@pytest.fixture(scope="module")
def table() -> OffenceTable:
    return load_offence_table(TABLE_FILE)


def entry(table: OffenceTable, code: str) -> OffenceEntry:
    assert code in table.by_code, f"HO code {code} is missing from the table"
    return table.by_code[code]


def codes_with(table: OffenceTable, flag: OffenceFlag) -> set[str]:
    return {e.ho_code for e in table.model.offences if flag in e.flags}


# --- Coverage of the code list ---------------------------------------------------------------


def test_csv_copy_is_the_full_code_list() -> None:
    # Guards against a truncated or edited copy making the coverage tests pass vacuously.
    assert len(CSV_ROWS) == 136
    assert len(set(CSV_CODES)) == 136
    assert "1/4.1/4.10/4.2" in CSV_CODES


def test_table_lists_every_csv_code_plus_s74_codes_and_nothing_else(table: OffenceTable) -> None:
    assert len(table.model.offences) == 138
    assert set(table.codes) == set(CSV_CODES) | set(S74_CODES)


@pytest.mark.parametrize("row", CSV_ROWS, ids=CSV_CODES)
def test_entry_matches_csv(table: OffenceTable, row: dict[str, str]) -> None:
    e = entry(table, row["offence_code"])
    assert e.label == row["offence_description"]
    assert e.ho_group == row["offence_group"]
    assert e.ho_subgroup == (row["offence_subgroup"] or None)
    assert e.outcomes_only is (row["outcomes_only"] == "Y")
    assert "S76" in e.sources  # the codelist source key


def test_entries_keep_csv_order_within_each_group(table: OffenceTable) -> None:
    listed = [c for c in table.codes if c not in S74_CODES]
    for group in GROUP_FAMILY:
        in_csv = [r["offence_code"] for r in CSV_ROWS if r["offence_group"] == group]
        in_table = [c for c in listed if table.by_code[c].ho_group == group]
        assert in_table == in_csv, group
        # Each group is one contiguous block under its comment header.
        first = listed.index(in_table[0])
        assert listed[first : first + len(in_table)] == in_table, group


def test_s74_codes_follow_their_parent_code_86(table: OffenceTable) -> None:
    codes = table.codes
    at = codes.index("86")
    assert codes[at + 1 : at + 3] == list(S74_CODES)


@pytest.mark.parametrize("code", S74_CODES)
def test_s74_codes_are_indecent_image_codes_sourced_to_s74(table: OffenceTable, code: str) -> None:
    e = entry(table, code)
    assert e.sources == ["S74"]
    assert e.ho_group == MISC  # taken from parent code 86
    assert e.ho_subgroup is None
    assert e.outcomes_only is False
    assert e.family is OffenceFamily.SEXUAL
    assert F.INDECENT_IMAGES_OF_CHILDREN in e.flags
    assert e.mode_of_trial is ModeOfTrial.EITHER_WAY


# --- Family mapping --------------------------------------------------------------------------


def test_family_follows_mapping_rules_for_every_code(table: OffenceTable) -> None:
    wrong = {
        e.ho_code: (e.ho_group, e.family.value)
        for e in table.model.offences
        if e.family is not expected_family(e.ho_code, e.ho_group)
    }
    assert wrong == {}


def test_every_family_departure_from_ho_group_is_explained(table: OffenceTable) -> None:
    # Robbery has no family of its own name, so mapping it to violence is a departure too.
    departures = [
        e
        for e in table.model.offences
        if e.ho_group == "Robbery" or e.family is not GROUP_FAMILY[e.ho_group]
    ]
    assert {e.ho_code for e in departures} == {"34A", "34B", "86", "86/02", "86/10", "24", "54"}
    for e in departures:
        assert e.notes is not None, e.ho_code
        assert "family" in e.notes.lower(), e.ho_code


# --- Flags -----------------------------------------------------------------------------------


def test_racially_or_religiously_aggravated_flag_matches_labels(table: OffenceTable) -> None:
    by_label = {
        e.ho_code
        for e in table.model.offences
        if e.label.lower().startswith("racially or religiously aggravated")
    }
    assert by_label == {"8M", "8P", "9B", "105B", "58J"}
    assert codes_with(table, F.RACIALLY_OR_RELIGIOUSLY_AGGRAVATED) == by_label


def test_under_13_codes_carry_both_child_flags(table: OffenceTable) -> None:
    under_13 = {e.ho_code for e in table.model.offences if "under 13" in e.label}
    assert under_13 == {"17B", "19E", "19H", "20B", "21"}
    assert codes_with(table, F.CHILD_VICTIM_UNDER_13) == under_13
    assert under_13 <= codes_with(table, F.CHILD_VICTIM_UNDER_16)


def test_child_victim_under_16_flag(table: OffenceTable) -> None:
    # Codes whose definition fixes the victim under 16 (or under 13, which implies it); 71 is
    # under 18 in statute and is flagged as the nearest available flag; 11A, 13 and 88A are
    # offences whose statutory definition concerns a child under 16.
    expected = {"17B", "19D", "19E", "19G", "19H", "20B", "21", "22B", "71", "11A", "13", "88A"}
    assert codes_with(table, F.CHILD_VICTIM_UNDER_16) == expected


def test_rape_flag_is_exactly_the_rape_codes(table: OffenceTable) -> None:
    rape_codes = {"19C", "19D", "19E", "19F", "19G", "19H"}
    assert codes_with(table, F.RAPE) == rape_codes
    assert {e.ho_code for e in table.model.offences if e.ho_subgroup == "Rape"} == rape_codes


# Flags tied to specific codes by the table's brief.
FLAG_CODES: list[tuple[OffenceFlag, set[str]]] = [
    (F.INDECENT_IMAGES_OF_CHILDREN, {"86", "86/02", "86/10"}),
    (F.FIREARM, {"10A", "10B", "81"}),
    (F.BLADED_ARTICLE, {"10D", "90"}),
    (F.OFFENSIVE_WEAPON, {"10C"}),
    (F.ASSAULT_ON_EMERGENCY_WORKER, {"104", "8S"}),
    (F.LOW_VALUE_SHOPLIFTING, {"46"}),
    (F.CRIMINAL_DAMAGE_VALUE_THRESHOLD, {"58A", "58B", "58C", "58D"}),
]


@pytest.mark.parametrize(("flag", "codes"), FLAG_CODES, ids=[flag.value for flag, _ in FLAG_CODES])
def test_flag_is_set_on_exactly_these_codes(
    table: OffenceTable, flag: OffenceFlag, codes: set[str]
) -> None:
    assert codes_with(table, flag) == codes


def test_codes_involving_a_death_are_flagged_fatal(table: OffenceTable) -> None:
    deaths = {e.ho_code for e in table.model.offences if "death" in e.label.lower()}
    deaths |= {"1/4.1/4.10/4.2"}  # homicide
    assert deaths <= codes_with(table, F.FATAL)
    assert "2" not in codes_with(table, F.FATAL)  # attempted murder: nobody died


def test_specified_either_way_codes_cite_the_si_and_include_known_items(
    table: OffenceTable,
) -> None:
    specified = codes_with(table, F.SPECIFIED_EITHER_WAY)
    # Visible SI 2015/790 items: child cruelty (11A), offensive weapon (10C), Class A supply
    # (92A), SOA 2003 ss.7-12, 16-19, 25-26 (17B, 20B, 21, 22B, 73, 23).
    assert specified == {"10C", "11A", "17B", "20B", "21", "22B", "23", "73", "92A"}
    for code in specified:
        assert "S51" in entry(table, code).sources, code
        assert entry(table, code).mode_of_trial is not ModeOfTrial.SUMMARY, code


# --- Mode of trial and gravity ---------------------------------------------------------------


def test_every_entry_has_project_default_gravity_and_a_mode_note(table: OffenceTable) -> None:
    for e in table.model.offences:
        assert e.gravity_source == "project-default", e.ho_code
        assert e.mode_of_trial_note, e.ho_code


# (code, family, mode_of_trial, gravity, exact flags), each with the reason it must hold.
SPOT_CHECKS: list[tuple[str, str, str, int, set[OffenceFlag]]] = [
    # Rape of a female child under 13: indictable only, both child flags, charge normally.
    (
        "19E",
        "sexual",
        "indictable_only",
        5,
        {F.RAPE, F.CHILD_VICTIM_UNDER_13, F.CHILD_VICTIM_UNDER_16},
    ),
    # Shoplifting: either way, with the s.22A MCA 1980 low-value rule flagged; CR level.
    ("46", "theft", "either_way", 2, {F.LOW_VALUE_SHOPLIFTING}),
    # Article with blade or point: either way, knife possession at conditional-caution level.
    ("10D", "weapons", "either_way", 4, {F.BLADED_ARTICLE}),
    # Common assault is summary only; a typical CR offence.
    ("105A", "violence", "summary", 2, set()),
    # RRA assault with injury: either way, one step above ABH for the aggravation.
    ("8P", "violence", "either_way", 4, {F.RACIALLY_OR_RELIGIOUSLY_AGGRAVATED}),
    # Assault occasioning ABH: either way, caution level.
    ("8N", "violence", "either_way", 3, set()),
    # GBH with intent (s.18): indictable only, charge normally.
    ("5D", "violence", "indictable_only", 5, set()),
    # Homicide: indictable only and fatal.
    ("1/4.1/4.10/4.2", "violence", "indictable_only", 5, {F.FATAL}),
    # Public order ss.4/4A/5: summary only.
    ("9A", "public_order", "summary", 2, set()),
    # Violent disorder: either way.
    ("62A", "public_order", "either_way", 4, set()),
    # Possession of cannabis: either way, CR level.
    ("92E", "drugs", "either_way", 2, set()),
    # Possession of other drugs, scored on Class A.
    ("92D", "drugs", "either_way", 3, set()),
    # Criminal damage: either way with the £5,000 summary threshold flagged.
    ("58C", "criminal_damage", "either_way", 2, {F.CRIMINAL_DAMAGE_VALUE_THRESHOLD}),
    # Harassment and stalking.
    ("8L", "violence", "either_way", 3, set()),
    ("8Q", "violence", "either_way", 4, set()),
    # Threats to kill: either way, serious.
    ("3B", "violence", "either_way", 4, set()),
    # Residential burglary 4, business burglary 3.
    ("28E", "theft", "either_way", 4, set()),
    ("30C", "theft", "either_way", 3, set()),
    # Robbery: indictable only, family violence.
    ("34B", "violence", "indictable_only", 4, set()),
    # Offensive weapon: specified either-way offence (SI 2015/790 items 2-3).
    ("10C", "weapons", "either_way", 4, {F.OFFENSIVE_WEAPON, F.SPECIFIED_EITHER_WAY}),
    # Possession of firearms with intent: indictable only, charge normally.
    ("10A", "weapons", "indictable_only", 5, {F.FIREARM}),
    # Drug trafficking: charge normally.
    ("92A", "drugs", "either_way", 5, {F.SPECIFIED_EITHER_WAY}),
    # Trafficking for sexual exploitation: sexual, charge normally.
    ("72", "sexual", "either_way", 5, set()),
    # Handling stolen goods sits in Misc crimes but is theft.
    ("54", "theft", "either_way", 3, set()),
    # Indecent images (obscene publications code): sexual although in Misc crimes.
    ("86", "sexual", "either_way", 4, {F.INDECENT_IMAGES_OF_CHILDREN}),
]


@pytest.mark.parametrize(
    ("code", "family", "mode", "gravity", "flags"),
    SPOT_CHECKS,
    ids=[case[0] for case in SPOT_CHECKS],
)
def test_spot_checks(
    table: OffenceTable,
    code: str,
    family: str,
    mode: str,
    gravity: int,
    flags: set[OffenceFlag],
) -> None:
    e = entry(table, code)
    assert e.family.value == family
    assert e.mode_of_trial.value == mode
    assert e.gravity == gravity
    assert set(e.flags) == flags


@pytest.mark.parametrize("code", ["19C", "19D", "19E", "19F", "19G", "19H"])
def test_rape_codes_are_indictable_only_sexual_gravity_5(table: OffenceTable, code: str) -> None:
    e = entry(table, code)
    assert e.family is OffenceFamily.SEXUAL
    assert e.mode_of_trial is ModeOfTrial.INDICTABLE_ONLY
    assert e.gravity == 5


@pytest.mark.parametrize(
    ("legacy", "successor"),
    [
        ("28A", "28E"),
        ("28B", "28F"),
        ("28C", "28G"),
        ("28D", "28H"),
        ("29", "29A"),
        ("30A", "30C"),
        ("30B", "30D"),
        ("31", "31A"),
    ],
)
def test_outcomes_only_burglary_codes_match_their_successors(
    table: OffenceTable, legacy: str, successor: str
) -> None:
    old, new = entry(table, legacy), entry(table, successor)
    assert old.outcomes_only
    assert not new.outcomes_only
    assert (old.family, old.mode_of_trial, old.gravity, old.flags) == (
        new.family,
        new.mode_of_trial,
        new.gravity,
        new.flags,
    )


@pytest.mark.parametrize(
    ("aggravated", "basic"),
    [
        ("8M", "8L"),
        ("8P", "8N"),
        ("9B", "9A"),
        ("105B", "105A"),
        ("58J", "58D"),
        ("104", "105A"),
        ("8S", "8N"),
    ],
)
def test_aggravated_codes_score_one_step_above_the_basic_offence(
    table: OffenceTable, aggravated: str, basic: str
) -> None:
    # table.gravity_scale: the aggravation is counted once, here, not again by the rules.
    assert entry(table, aggravated).gravity == entry(table, basic).gravity + 1


def test_aggravated_burglary_and_arson_outrank_their_basic_forms(table: OffenceTable) -> None:
    assert entry(table, "29A").gravity > entry(table, "28E").gravity
    assert entry(table, "31A").gravity > entry(table, "30C").gravity
    assert entry(table, "56A").gravity > entry(table, "56B").gravity > entry(table, "58D").gravity


def test_table_info_is_filled_in(table: OffenceTable) -> None:
    info = table.model.table
    date.fromisoformat(info.version)  # the version is a date, e.g. 2026-11-21
    assert "project default" in info.provenance
    assert "not an official list" in info.mode_of_trial_provenance
    for score in range(1, 6):
        assert f"{score} = " in info.gravity_scale
