"""The report's fixed prose: national context and the methodology and caveats.

Kept as data so that HTML and Markdown say exactly the same thing. Figures quoted for context
are sourced in the text (DATA_NOTES.md §1.5; POLICY_RESEARCH.md §(a) N, source S19).
"""

from __future__ import annotations

NATIONAL_CONTEXT = (
    "For scale: police in England and Wales gave between 102,854 (2017/18) and 185,570 "
    "(2025/26) community resolutions a year from 2015/16 to 2025/26, between 2.1% and 3.5% of "
    "all crime outcomes assigned (Home Office, Crime outcomes in England and Wales, open data "
    "tables). In 2019 the National Police Chiefs' Council put community resolutions at about 3% "
    "of crime outcomes and about 1% of outcomes for sexual offences (NPCC statement, "
    "17 June 2019)."
)


def methodology(
    *,
    missing_table: str,
    no_ho_code: str,
    no_ho_code_pct: str,
    no_family: str,
    no_year: str,
    version: str,
) -> list[tuple[str, str]]:
    """(heading, paragraph) pairs for the methodology and caveats section."""
    return [
        (
            "What was measured",
            "Each result is the decision the tool reaches when it applies the force's community "
            "resolution policy, in the version in force on the date of the decision, to the "
            "facts recorded for the case. Where a community resolution was actually given "
            "(Home Office outcome 8) the decision is compared with it: 'permitted' is "
            "compliant; 'requires authorisation' (an authorisation of sufficient rank with a "
            "written rationale is not recorded) and 'not permitted' are non-compliant; "
            "'insufficient information' is unverifiable. Results with another outcome, or "
            "none recorded, count in the totals but have no compliance.",
        ),
        (
            "Unverifiable is not non-compliant",
            "A community resolution is unverifiable when a fact the policy needs, such as "
            "whether the victim consented or the offender admitted the offence, was not "
            "recorded. The record cannot show that the decision was within policy; that is a "
            f"finding about recording, not about the decision. {missing_table} lists the facts "
            "most often missing.",
        ),
        (
            "Decision support, not a finding of misconduct",
            "The tool is decision support. It applies encoded rules to recorded facts; it "
            "cannot see what was not recorded, and policy leaves officers discretion that "
            "rules may not capture. A non-compliant result marks a case for a reviewer to "
            "examine, not a conclusion about the officer's decision.",
        ),
        (
            "Offence seriousness",
            "Where the record holds no gravity score assessed by an officer, the tool uses the "
            "default score that its offence table gives the Home Office offence code. These "
            "defaults are the project's own: an offence-by-offence national gravity matrix was "
            "not available. Read results that turn on gravity with that in mind.",
        ),
        (
            "Records imported from police.uk",
            "police.uk open data has no Home Office offence code and only a broad crime type. "
            "Results imported from it have no offence code and often no offence family, so "
            "rules about particular offences cannot apply and such cases are more often "
            f"unverifiable. In this report {no_ho_code} results ({no_ho_code_pct}) have no "
            f"offence code and {no_family} have no offence family.",
        ),
        (
            "Years, counting and rounding",
            "Financial years run from 1 April to 31 March; each result's year is as recorded "
            f"or worked out from its decision date ({no_year} results have neither). Every "
            "line of the results is counted once: case references are not de-duplicated "
            "across files. Percentages are rounded to one decimal place and may not sum to "
            "100.",
        ),
        (
            "Handling",
            "Section 7 lists police case references. Share this report only with those "
            "entitled to see the underlying records.",
        ),
        (
            "Reproducibility",
            "Section 1 identifies the results files and the policy versions by their SHA-256. "
            f"The report was produced by disposal {version}; the same results and the same "
            "version give the same report, byte for byte.",
        ),
    ]
