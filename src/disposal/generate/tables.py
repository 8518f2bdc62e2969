"""Every proportion the synthetic case generator draws from, each with its source.

Weights are relative (they need not sum to anything). A row marked ASSUMPTION has no source in
the project's saved data or research; it is a round figure chosen to look plausible and to make
a review of the output exercise every rule, and should be replaced when a source is found.
Shared docs cited: DATA_NOTES.md (DN) and POLICY_RESEARCH.md (PR) under ../shared/docs/, and
shared/data/ho-outcomes/national_year.csv (NY).
"""

from __future__ import annotations

# -- years and outcome types -----------------------------------------------------------------
# NY, "closed_all_" columns (outcomes for investigations closed in the year, all offences):
# financial year start -> (t1, t2, t3, t6, t7, t8, t22, assigned). 2014/15 is incomplete (DN §1.3).
NATIONAL_YEARS: dict[int, tuple[int, int, int, int, int, int, int, int]] = {
    2014: (592740, 21764, 119884, 33623, 46547, 116452, 0, 2937191),
    2015: (556829, 17889, 100055, 24850, 36285, 117874, 1, 3807249),
    2016: (526448, 15497, 84345, 18156, 33604, 111215, 2, 4233676),
    2017: (492437, 13357, 67068, 13170, 31649, 102854, 2, 4787467),
    2018: (464204, 10741, 59965, 11210, 21444, 108716, 44, 5133689),
    2019: (422074, 9249, 53550, 11354, 17798, 114040, 7659, 4932149),
    2020: (418295, 8250, 52301, 13108, 17040, 132217, 22969, 4761170),
    2021: (364820, 7215, 49453, 9637, 8178, 136356, 32597, 5028241),
    2022: (397261, 7455, 47853, 6795, 3826, 143270, 31578, 5579115),
    2023: (427100, 6522, 43997, 4316, 1859, 149095, 26116, 5454899),
    2024: (476698, 5829, 41735, 3519, 501, 168739, 27149, 5297135),
    2025: (550778, 5219, 41988, 3637, 65, 185570, 28396, 5258158),
}
NATIONAL_OUTCOMES = (1, 2, 3, 6, 7, 8, 22)  # the order of the first seven numbers above

# ASSUMPTION: how the rest of each year's outcomes (assigned minus outcomes 1-8 and 22: about
# 85%) splits over the other types. NY does not break it down. Chosen so that "no suspect
# identified" (18) and the evidential-difficulties types (14-16) dominate, as the HO bulletins
# describe (DN §1.1: evidential difficulties 17% of outcomes in 2014/15, 40% in 2020/21).
OTHER_OUTCOMES: dict[int, float] = {
    18: 44.0,
    16: 22.0,
    15: 17.0,
    14: 6.0,
    20: 3.0,
    10: 2.5,
    4: 1.5,
    17: 1.0,
    9: 0.5,
    21: 0.5,
    12: 0.3,
    13: 0.3,
    5: 0.2,
    11: 0.2,
}

# -- forces ------------------------------------------------------------------------------------
# slug -> (code used in case ids, weight). Weight = ASSUMPTION: resident population of the police
# force area in thousands, rounded from the 2021 Census as remembered (not checked against a
# saved file), i.e. cases in proportion to force size. City of London (about 9,000 residents but
# far more crime) and British Transport Police (no resident population) are weighted by their
# recorded crime expressed as an equivalent population (about 65 and 700 thousand). Must list
# exactly the slugs of rules/forces.yaml (a test checks it).
FORCES: dict[str, tuple[str, int]] = {
    "avon-and-somerset": ("AVS", 1780),
    "bedfordshire": ("BED", 700),
    "btp": ("BTP", 700),
    "cambridgeshire": ("CAM", 900),
    "cheshire": ("CHE", 1080),
    "city-of-london": ("COL", 65),
    "cleveland": ("CLE", 570),
    "cumbria": ("CUM", 500),
    "derbyshire": ("DER", 1050),
    "devon-and-cornwall": ("DEV", 1800),
    "dorset": ("DOR", 780),
    "durham": ("DUR", 640),
    "dyfed-powys": ("DYP", 520),
    "essex": ("ESX", 1870),
    "gloucestershire": ("GLO", 650),
    "greater-manchester": ("GMP", 2870),
    "gwent": ("GWE", 600),
    "hampshire": ("HAM", 2050),
    "hertfordshire": ("HER", 1200),
    "humberside": ("HUM", 940),
    "kent": ("KNT", 1870),
    "lancashire": ("LAN", 1530),
    "leicestershire": ("LEI", 1100),
    "lincolnshire": ("LIN", 770),
    "merseyside": ("MER", 1440),
    "metropolitan": ("MET", 8800),
    "norfolk": ("NFK", 920),
    "north-wales": ("NWA", 690),
    "north-yorkshire": ("NYK", 830),
    "northamptonshire": ("NTH", 790),
    "northumbria": ("NUM", 1480),
    "nottinghamshire": ("NOT", 1170),
    "south-wales": ("SWA", 1340),
    "south-yorkshire": ("SYK", 1400),
    "staffordshire": ("STA", 1130),
    "suffolk": ("SUF", 760),
    "surrey": ("SUR", 1210),
    "sussex": ("SUS", 1730),
    "thames-valley": ("TVP", 2480),
    "warwickshire": ("WAR", 600),
    "west-mercia": ("WME", 1310),
    "west-midlands": ("WMP", 2920),
    "west-yorkshire": ("WYP", 2350),
    "wiltshire": ("WIL", 740),
}

# -- offences ----------------------------------------------------------------------------------
# HO code -> (weight among community resolutions, weight among other outcomes).
# CR column: group totals per 10,000 CRs from the BBC Shared Data Unit's count of CRs in HO data
# 2014-2018 (PR §(a)N, DN §1.5; about 448,000 CRs): violence against the person ~156,000 (3,480
# here, incl. 38 child cruelty from 1,720), theft ~151,000 (3,370, incl. 79 burglary from 3,555
# and 7 aggravated vehicle taking from 309), possession of weapons ~5,000 (110), sexual offences
# ~2,500 incl. 27 rapes (56, rape ~0.6). The remaining ~30% is not broken down by the BBC:
# criminal damage 1,200, public order 850, drugs 750, robbery 40 and other 184 are an
# ASSUMPTION, as is every split within a group (weighted to the offences PR §(c) names as
# typical CR families: 46, 49, 58A-D, 105A, 9A, 92E).
# Other column: ASSUMPTION, approximate shares of police recorded crime by offence group in
# England and Wales in the mid-2020s (ONS police recorded crime, remembered and rounded, not
# checked against a saved file): violence ~39%, sexual ~3.6%, robbery ~1.5%, theft ~30%,
# criminal damage ~9%, drugs ~3.7%, weapons ~1.1%, public order ~6%, other ~3.7%. Check: sexual
# offences are 0.56% of CRs and ~3.6% of crime, so ~0.5% of sexual-offence outcomes are CRs at a
# 3% CR share, the order of NPCC's "1% of sexual offence cases" (PR §(a)N).
OFFENCES: dict[str, tuple[float, float]] = {
    # violence against the person (CR 3,440; other 3,900)
    "105A": (1605, 1080),
    "8N": (800, 900),
    "8L": (300, 700),
    "8R": (350, 450),
    "8Q": (30, 250),
    "104": (120, 150),
    "8S": (0, 20),
    "105B": (90, 60),
    "8M": (40, 50),
    "8P": (25, 20),
    "3B": (40, 80),
    "5D": (2, 60),
    "5E": (0, 10),
    "11A": (38, 50),
    "2": (0, 5),
    "1/4.1/4.10/4.2": (0, 1),
    "36": (0, 3),
    "13": (0, 5),
    "106": (0, 6),
    # robbery (CR 40; other 150)
    "34B": (35, 135),
    "34A": (5, 15),
    # sexual offences (CR 56; other 360)
    "88E": (14, 25),
    "20A": (12, 110),
    "22B": (9, 20),
    "86/10": (6, 8),
    "17A": (4, 10),
    "86": (3, 15),
    "88A": (2, 10),
    "88C": (2, 4),
    "73": (1.4, 3),
    "22A": (1, 8),
    "19C": (0.3, 70),
    "19D": (0.3, 25),
    "19E": (0, 15),
    "19F": (0, 4),
    "19G": (0, 3),
    "19H": (0, 3),
    "17B": (0, 5),
    "20B": (0, 15),
    "21": (0, 12),
    "71": (0, 5),
    "86/02": (0, 5),
    "24": (0, 2),
    # theft (CR 3,370; other 3,000)
    "46": (2011, 800),
    "49": (520, 760),
    "49A": (180, 100),
    "40": (90, 60),
    "41": (60, 20),
    "39": (70, 240),
    "44": (90, 130),
    "45": (60, 240),
    "48": (50, 110),
    "37.2": (7, 5),
    "126": (45, 20),
    "54": (90, 40),
    "28E": (35, 300),
    "28F": (5, 40),
    "28G": (0, 10),
    "30C": (30, 90),
    "30D": (9, 20),
    "47": (10, 10),
    "42": (3, 5),
    "43": (5, 0),
    # criminal damage and arson (CR 1,200; other 900)
    "58D": (420, 300),
    "58C": (300, 250),
    "58A": (220, 180),
    "58B": (180, 100),
    "58J": (30, 20),
    "56B": (45, 40),
    "56A": (5, 10),
    # public order (CR 850; other 610)
    "9A": (780, 520),
    "9B": (55, 60),
    "62A": (10, 20),
    "66": (5, 10),
    # drugs (CR 750; other 370)
    "92E": (620, 220),
    "92D": (120, 60),
    "92C": (5, 10),
    "92A": (5, 80),
    # possession of weapons (CR 110; other 110)
    "10D": (50, 50),
    "10C": (35, 30),
    "90": (15, 10),
    "81": (4, 10),
    "10B": (4, 8),
    "10A": (2, 2),
    # other crimes against society (CR 184; other 370)
    "59": (60, 40),
    "99": (35, 101),
    "83": (25, 30),
    "33": (20, 15),
    "27": (12, 5),
    "96": (10, 10),
    "95": (10, 40),
    "61": (5, 15),
    "814": (4, 7),
    "802": (3, 30),
    "79": (0, 15),
    "80": (0, 3),
    "61A": (0, 10),
    "38": (0, 10),
    "69": (0, 20),
    "26": (0, 1),
    "67": (0, 1),
}
# ASSUMPTION: offences behind outcomes that only fit some offences.
PENALTY_NOTICE_OFFENCES: dict[str, float] = {"46": 35, "9A": 25, "58D": 15, "49": 10, "92E": 10}
CANNABIS_WARNING_OFFENCES: dict[str, float] = {"92E": 1}
# Outcome 21 was designed for youth-produced sexual imagery (PR §(c) c.1).
OUTCOME_21_OFFENCES: dict[str, float] = {"86/02": 50, "86/10": 30, "86": 20}
# Offences with no identified victim (the policy's victim rules then do not apply).
VICTIMLESS: frozenset[str] = frozenset(
    {"92A", "92C", "92D", "92E", "10A", "10B", "10C", "10D", "81", "90", "27", "33", "83", "99"}
    | {"96", "802", "814", "61", "61A", "69"}
)
# Offences whose victim is usually a business (no victim age; never "vulnerable").
BUSINESS_VICTIM: frozenset[str] = frozenset({"46", "49A", "41", "30C", "30D", "47", "43"})

# -- offenders ---------------------------------------------------------------------------------
# Age bands (lowest, highest, weight). CR: children 10-17 are 25% of CRs, the middle of the
# 20-30% the project brief gives (ASSUMPTION; MoJ OOCD statistics were not saved); 0.3% are
# under 10, whose CR a review must find not permitted. Other outcomes: ASSUMPTION, children 10%.
CR_AGES: tuple[tuple[int, int, float], ...] = (
    (7, 9, 0.3),
    (10, 12, 3.0),
    (13, 14, 7.0),
    (15, 17, 15.0),
    (18, 24, 22.0),
    (25, 34, 23.0),
    (35, 44, 16.0),
    (45, 54, 9.0),
    (55, 64, 3.7),
    (65, 85, 1.0),
)
OTHER_AGES: tuple[tuple[int, int, float], ...] = (
    (8, 9, 0.1),
    (10, 13, 2.0),
    (14, 17, 8.0),
    (18, 24, 22.0),
    (25, 34, 30.0),
    (35, 44, 20.0),
    (45, 54, 11.0),
    (55, 64, 5.0),
    (65, 85, 1.9),
)
# Admission by outcome (full, accepts responsibility, denies, no comment). ASSUMPTION, shaped by
# the rules: CRs, cautions, PNDs and warnings need an admission (PR §(a)C); acceptance of
# responsibility counts only from 2022 (national parameter accepted_admissions), so it is
# rarer before; outcome 22 needs none (PR §(c) c.1).
ADMISSIONS: dict[str, tuple[float, float, float, float]] = {
    "cr_before_2022": (93, 4, 1.5, 1.5),
    "cr_from_2022": (84, 13, 1.5, 1.5),
    "admitted": (95, 5, 0, 0),  # outcomes 2, 3, 6, 7
    "outcome_22": (35, 20, 20, 25),
    "charged": (30, 5, 40, 25),  # outcomes 1, 4
    "other": (15, 5, 45, 35),
}
# Offending history counts 0, 1, 2, 3 (ASSUMPTION): (previous CRs, cautions, convictions).
CR_HISTORY = ((82, 12, 4, 2), (91, 6, 2, 1), (88, 6, 3, 3))
OTHER_HISTORY = ((75, 14, 7, 4), (80, 11, 6, 3), (60, 15, 10, 15))
# Share of records with the offender's recent disposals listed when there is any history;
# of records with none, share with an explicit empty list (ASSUMPTION).
RECENT_LISTED = 0.6
EMPTY_RECENT_LISTED = 0.5

# -- authorisation (community resolutions only) -------------------------------------------------
# ASSUMPTION, chosen so that a review finds compliant, non-compliant and unverifiable CRs: where
# the generator's rough reading of the policy says a supervisor is needed, the record holds a
# sufficient authorisation (rank and rationale) 78% of the time, none 14%, and an insufficient
# one (rank too low, or no rationale) 8%. Where no supervisor is needed, 35% still carry a
# Sergeant's authorisation (force practice such as Kent SOP O32g, DN §4.2). Where the policy bars
# a CR outright, half carry an authorisation anyway.
AUTH_WHEN_NEEDED = (78.0, 14.0, 8.0)  # sufficient, none, insufficient
AUTH_WHEN_NOT_NEEDED = 0.35
AUTH_WHEN_BARRED = 0.5

# -- sparse records ----------------------------------------------------------------------------
# Facts a sparse record leaves unrecorded (1 to 3 of them, at random). The default share of
# sparse records is 10% (the project brief's figure).
SPARSE_FACTS: tuple[tuple[str, ...], ...] = (
    ("offender", "admission"),
    ("offender", "agrees_to_resolution"),
    ("offender", "age"),
    ("offender", "history"),
    ("offender", "appropriate_adult_present"),
    ("offence", "evidence_sufficient"),
    ("offence", "aggravating_factors"),
    ("offence", "mitigating_factors"),
    ("offence", "domestic_abuse"),
    ("offence", "relationship_to_victim"),
    ("offence", "weapon"),
    ("offence", "injury"),
    ("victim", "consulted"),
    ("victim", "consents"),
    ("victim", "vulnerable"),
    ("victim", "views"),
)

# -- obviously synthetic free text -------------------------------------------------------------
AGGRAVATING = (
    "synthetic: offence committed in a group",
    "synthetic: under the influence of alcohol",
    "synthetic: victim targeted",
    "synthetic: offence planned",
    "synthetic: committed on bail",
)
MITIGATING = (
    "synthetic: genuine remorse shown",
    "synthetic: property recovered undamaged",
    "synthetic: minor role in the offence",
    "synthetic: provocation",
    "synthetic: immaturity",
)
VIEWS_CONSENT = (
    "Synthetic view: content with an apology.",
    "Synthetic view: wants the damage put right and no court case.",
    "Synthetic view: happy for the matter to be dealt with informally.",
)
VIEWS_REFUSE = (
    "Synthetic view: wants the offender charged.",
    "Synthetic view: does not agree to an informal outcome.",
)
RATIONALES = (
    "Synthetic rationale: low-level offence, full admission, victim content.",
    "Synthetic rationale: first offence; an informal outcome is proportionate.",
    "Synthetic rationale: exceptional circumstances recorded; supervisor reviewed the file.",
    "Synthetic rationale: both parties are children; families support an informal outcome.",
)

# -- single facts ------------------------------------------------------------------------------
# ASSUMPTION throughout (no source gives these per case): (share among CRs, share among other
# outcomes). They are shaped by what the policy tests, so that a review of the output meets every
# rule: e.g. 6% of CRs for violence or criminal damage are domestic abuse, a fifth of those
# between intimate partners (which the policy bars).
FACT_SHARES: dict[str, tuple[float, float]] = {
    "gravity_score_recorded": (0.08, 0.08),  # an officer's own score, table default +-1
    "one_aggravating_factor": (0.10, 0.25),
    "two_aggravating_factors": (0.02, 0.08),
    "one_mitigating_factor": (0.40, 0.15),
    "two_mitigating_factors": (0.10, 0.03),
    "domestic_abuse": (0.06, 0.30),  # of violence, criminal damage and 9A with a person victim
    "intimate_partner": (0.20, 0.60),  # of domestic abuse (else a family member)
    "hate_crime": (0.01, 0.02),  # besides the racially or religiously aggravated codes
    "weapon_used": (0.006, 0.035),  # of violence offences: bladed or other weapon, half each
    "exceptional_circumstances": (0.45, 0.0),  # of weapons possession; else false 35%/80%
    "serious_injury": (0.02, 0.05),  # of assaults with injury (else minor 92%, none the rest)
    "evidence_insufficient": (0.005, 0.4),  # other: 0.7 for outcomes 15/16; none for 1-7, 22
    "offender_agrees": (0.975, 0.15),  # CR: false 1.5%, unrecorded 1%; other: false 35%
    "appropriate_adult": (0.94, 0.70),  # of children; CRs: false 4%, else unrecorded
    "prolific_or_priority": (0.015, 0.06),
    "victim_vulnerable": (0.025, 0.06),
    "victim_consulted": (0.93, 0.60),
    "victim_consents": (0.85, 0.35),  # of those consulted; CR: false 13%, unrecorded 2%
    "views_missing": (0.08, 0.08),  # consulted, but no views recorded (a policy warning)
}
# Whether a child's sexual offence meets each condition of the narrow peer path (consensual in
# fact, coercion, safeguarding concerns, families support), for CRs, others and outcome 21.
PEER_PATH: dict[str, tuple[float, float, float, float]] = {
    "cr": (0.85, 0.10, 0.15, 0.80),
    "other": (0.5, 0.4, 0.5, 0.4),
    "outcome_21": (0.9, 0.05, 0.1, 0.8),
}
# Value of property stolen or damaged, pounds (low, high, weight): most CR thefts are small.
VALUE_BANDS = ((0.5, 20.0, 35.0), (20.0, 100.0, 35.0), (100.0, 200.0, 15.0), (200.0, 1000.0, 12.0))
VALUE_TAIL = ((1000.0, 6000.0, 3.0),)
# Days from the offence to the decision (low, high, weight).
OFFENCE_TO_DECISION_DAYS = ((0, 6, 40.0), (7, 30, 35.0), (31, 120, 20.0), (121, 365, 5.0))
# Relationship to a person victim when the offence is not domestic abuse.
RELATIONSHIPS = (("stranger", 50.0), ("acquaintance", 45.0), ("family_member", 5.0))
