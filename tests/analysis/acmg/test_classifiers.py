"""Both classifiers against the published combining rules.

* 2015: Richards et al. 2015 (Genet Med 17:405), Table 5.
* Points: Tavtigian et al. 2020 (Hum Mutat 41:1734): VS 8, S 4, M 2, P 1 (benign negative);
  P >= 10, LP 6-9, VUS 0-5, LB -1..-6, B <= -7; BA1 stand-alone.
* Where they differ, the difference is the one Tavtigian et al. 2018 (Genet Med 20:1054) describe:
  ">=2 strong" (2015 pathogenic) is only likely pathogenic in the Bayesian model (posterior 0.975),
  "1 very strong + 1 moderate" (2015 likely pathogenic) is pathogenic (posterior 0.994), and some
  combinations the 2015 rules leave uncertain (e.g. PVS1 + one supporting, or mixed evidence) score
  as LP / LB. The Bayesian posterior of each pathogenic combination is checked too, with the 2018
  parameters (prior 0.1, O_PVSt 350, exponent 2; P > 0.99, LP >= 0.90).
"""

from __future__ import annotations

import pytest

from vardesk.analysis.acmg import Acmg2015Classifier, Classification, Evidence, PointsClassifier, Strength
from vardesk.analysis.acmg.model import met, not_evaluable, not_met

P, LP, VUS, LB, B = (
    Classification.PATHOGENIC,
    Classification.LIKELY_PATHOGENIC,
    Classification.UNCERTAIN_SIGNIFICANCE,
    Classification.LIKELY_BENIGN,
    Classification.BENIGN,
)
SHORT = {"VS": Strength.VERY_STRONG, "S": Strength.STRONG, "M": Strength.MODERATE, "P": Strength.SUPPORTING}


def ev(*labels: str) -> list[Evidence]:
    """``"PVS1"`` at default strength, ``"PP3:S"`` at strong."""
    out = []
    for lab in labels:
        code, _, s = lab.partition(":")
        out.append(met(code, "test", SHORT[s] if s else None))
    return out


# (criteria, 2015 class, 2015 rule prefix, points class, points)
AGREE = [
    (("PVS1", "PS1"), P, "Pathogenic (i)(a)", P, 12),
    (("PVS1", "PM1", "PM5"), P, "Pathogenic (i)(b)", P, 12),
    (("PVS1", "PM1", "PP3"), P, "Pathogenic (i)(c)", P, 11),
    (("PVS1", "PP1", "PP3"), P, "Pathogenic (i)(d)", P, 10),
    (("PS1", "PM1", "PM2", "PM5"), P, "Pathogenic (iii)(a)", P, 10),
    (("PS3", "PM1", "PM2", "PP1", "PP3"), P, "Pathogenic (iii)(b)", P, 10),
    (("PS3", "PM1", "PP1", "PP2", "PP3", "PP4"), P, "Pathogenic (iii)(c)", P, 10),
    (("PS1", "PM2"), LP, "Likely pathogenic (ii)", LP, 6),
    (("PS1", "PM1", "PM2"), LP, "Likely pathogenic (ii)", LP, 8),
    (("PS3", "PP1", "PP3"), LP, "Likely pathogenic (iii)", LP, 6),
    (("PM1", "PM2", "PM5"), LP, "Likely pathogenic (iv)", LP, 6),
    (("PM1", "PM2", "PP1", "PP3"), LP, "Likely pathogenic (v)", LP, 6),
    (("PM1", "PP1", "PP2", "PP3", "PP4"), LP, "Likely pathogenic (vi)", LP, 6),
    (("BS1", "BS2"), B, "Benign (ii)", B, -8),
    (("BS1", "BP4"), LB, "Likely benign (i)", LB, -5),
    (("BP4", "BP7"), LB, "Likely benign (ii)", LB, -2),
    ((), VUS, "Uncertain significance (i)", VUS, 0),
    (("PM2",), VUS, "Uncertain significance (i)", VUS, 2),
    (("PS3",), VUS, "Uncertain significance (i)", VUS, 4),
    (("PM2", "BS1", "BP4"), LB, "Likely benign (i)", LB, -3),
    # SVI-modified strengths count at their applied level: PVS1_Strong + PM2_Supporting + PP3_Moderate
    (("PVS1:S", "PM2:P", "PP3:M"), LP, "Likely pathogenic (ii)", LP, 7),
    (("PVS1:S", "PS2", "PM2:P", "PP3"), P, "Pathogenic (ii)", P, 10),
]

# The published disagreements (see module docstring).
DIFFER = [
    (("PS1", "PS3"), P, "Pathogenic (ii)", LP, 8),
    (("PVS1", "PM2"), LP, "Likely pathogenic (i)", P, 10),
    (("PVS1", "PP3"), VUS, "Uncertain significance (i)", LP, 9),
    (("PVS1",), VUS, "Uncertain significance (i)", LP, 8),
    (("BS1",), VUS, "Uncertain significance (i)", LB, -4),
    (("BP4",), VUS, "Uncertain significance (i)", LB, -1),
    # mixed evidence: 2015 calls the contradiction VUS, the points sum
    (("PS1", "PM1", "PM2", "BP4", "BP7"), VUS, "Uncertain significance (ii)", LP, 6),
    (("PVS1", "PS1", "BS1"), P, "Pathogenic (i)(a)", LP, 8),
]


@pytest.mark.parametrize(("labels", "cls15", "rule15", "clspts", "points"), AGREE + DIFFER)
def test_combinations(
    labels: tuple[str, ...], cls15: Classification, rule15: str, clspts: Classification, points: int
) -> None:
    r15 = Acmg2015Classifier().classify(ev(*labels))
    rpt = PointsClassifier().classify(ev(*labels))
    assert r15.classification is cls15
    assert r15.rule.startswith(rule15)
    assert (rpt.classification, rpt.points) == (clspts, points)


@pytest.mark.parametrize(("labels", "cls15", "rule15", "clspts", "points"), AGREE)
def test_agreeing_combinations_agree(
    labels: tuple[str, ...], cls15: Classification, rule15: str, clspts: Classification, points: int
) -> None:
    assert cls15 is clspts


def bayes_posterior(vs: int, s: int, m: int, p: int, prior: float = 0.1, o_pvst: float = 350.0) -> float:
    """Tavtigian et al. 2018: OddsPath = O_PVSt ^ (Nsup/8 + Nmod/4 + Nstr/2 + Nvstr)."""
    odds = o_pvst ** (p / 8 + m / 4 + s / 2 + vs)
    return odds * prior / ((odds - 1) * prior + 1)


def _counts(labels: tuple[str, ...]) -> tuple[int, int, int, int]:
    n = {"VS": 0, "S": 0, "M": 0, "P": 0}
    for e in ev(*labels):
        key = {
            Strength.VERY_STRONG: "VS",
            Strength.STRONG: "S",
            Strength.MODERATE: "M",
            Strength.SUPPORTING: "P",
        }
        n[key[e.strength]] += 1
    return n["VS"], n["S"], n["M"], n["P"]


@pytest.mark.parametrize(
    ("labels", "clspts"),
    [(c[0], c[3]) for c in AGREE + DIFFER if c[0] and all(x.startswith("P") for x in c[0])],
)
def test_points_match_the_bayesian_posterior(labels: tuple[str, ...], clspts: Classification) -> None:
    # posteriors are reported to three decimals in the 2018 paper (1 strong + 1 moderate: 0.900)
    post = round(bayes_posterior(*_counts(labels)), 3)
    bayes = P if post > 0.99 else LP if post >= 0.90 else VUS
    assert bayes is clspts


def test_published_posteriors_of_the_two_inconsistent_rules() -> None:
    assert bayes_posterior(0, 2, 0, 0) == pytest.approx(0.975, abs=0.001)  # >=2 strong
    assert bayes_posterior(1, 0, 1, 0) == pytest.approx(0.994, abs=0.001)  # PVS + PM


def test_ba1_is_stand_alone_in_both() -> None:
    labels = ev("BA1", "PVS1", "PS1")
    assert Acmg2015Classifier().classify(labels).classification is B
    r = PointsClassifier().classify(labels)
    assert (r.classification, r.rule) == (B, "BA1 stand-alone")


def test_only_met_evidence_is_used_and_listed() -> None:
    evidence = [*ev("PS1", "PM2"), not_met("PVS1", "no"), not_evaluable("PP3", "no score")]
    r = PointsClassifier().classify(evidence)
    assert r.criteria == ("PS1", "PM2") and r.points == 6
    assert Acmg2015Classifier().classify(evidence).criteria == ("PS1", "PM2")


def test_benign_strengths_beyond_2015_levels() -> None:
    # BP4_VeryStrong (REVEL <= 0.003) is -8 points → benign; the 2015 rules count it as one strong
    r = PointsClassifier().classify(ev("BP4:VS"))
    assert (r.classification, r.points) == (B, -8)
    assert Acmg2015Classifier().classify(ev("BP4:VS", "BP7")).classification is LB


@pytest.mark.parametrize(
    ("labels", "points", "cls"),
    [
        (("PS1", "PP1"), 5, VUS),  # upper edge of VUS (0-5)
        (("PS1", "PM1", "PP1", "PP3"), 8, LP),
        (("PVS1", "PP3"), 9, LP),  # upper edge of LP (6-9)
        (("PVS1", "PP3", "PP1"), 10, P),  # P >= 10
        (("BP4",), -1, LB),  # upper edge of LB (-1 to -6)
        (("BS1", "BP4", "BP7"), -6, LB),
        (("BS1", "BP4", "BP7", "BP1"), -7, B),  # B <= -7
        (("PS1", "BS1"), 0, VUS),  # lower edge of VUS
    ],
)
def test_points_scale_edges(labels: tuple[str, ...], points: int, cls: Classification) -> None:
    # Tavtigian et al. 2020 (Hum Mutat 41:1734), Table 2 point ranges
    r = PointsClassifier().classify(ev(*labels))
    assert (r.points, r.classification) == (points, cls)
