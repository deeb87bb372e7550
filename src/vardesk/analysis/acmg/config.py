"""Thresholds of the automatic assigners, with their literature defaults.

Values marked "project default" have no single published number and are meant to be tuned (per gene
where the field says so); every other default cites its source in ``docs/acmg.md``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Pejaver et al. 2022 (AJHG 109:2163), Table 2: score intervals per strength, as
# (strength, bound) pairs checked strongest first. Pathogenic: score >= bound; benign: score <= bound.
REVEL_PP3 = (("STRONG", 0.932), ("MODERATE", 0.773), ("SUPPORTING", 0.644))
REVEL_BP4 = (("VERY_STRONG", 0.003), ("STRONG", 0.016), ("MODERATE", 0.183), ("SUPPORTING", 0.290))
BAYESDEL_PP3 = (("STRONG", 0.50), ("MODERATE", 0.27), ("SUPPORTING", 0.13))
BAYESDEL_BP4 = (("MODERATE", -0.36), ("SUPPORTING", -0.18))
CADD_PP3 = (("MODERATE", 28.1), ("SUPPORTING", 25.3))
CADD_BP4 = (("STRONG", 0.15), ("MODERATE", 17.3), ("SUPPORTING", 22.7))
# Bergquist et al. 2025 (Genet Med 27:101402), calibration of AlphaMissense with the Pejaver method.
ALPHAMISSENSE_PP3 = (("STRONG", 0.990), ("MODERATE", 0.906), ("SUPPORTING", 0.792))
ALPHAMISSENSE_BP4 = (("MODERATE", 0.099), ("SUPPORTING", 0.169))


@dataclass(frozen=True)
class ToolCalibration:
    tool: str
    pathogenic: tuple[tuple[str, float], ...]
    benign: tuple[tuple[str, float], ...]
    reference: str = "Pejaver et al. 2022, Table 2"


DEFAULT_TOOLS = (
    ToolCalibration("REVEL", REVEL_PP3, REVEL_BP4),
    ToolCalibration("BayesDel_noAF", BAYESDEL_PP3, BAYESDEL_BP4),
    ToolCalibration("CADD", CADD_PP3, CADD_BP4),
    ToolCalibration("AlphaMissense", ALPHAMISSENSE_PP3, ALPHAMISSENSE_BP4, "Bergquist et al. 2025"),
)


@dataclass(frozen=True)
class AcmgConfig:
    # ---- PVS1 (Abou Tayoun et al. 2018)
    pvs1_min_fraction_removed: float = 0.10  # > 10 % of the protein removed → PVS1_Strong
    pvs1_assume_nmd_for_upstream_exon_loss: bool = True  # frame-disrupting skip before the penultimate exon
    # the mechanism gate (mechanism.py): ClinGen HI 3 or >= N ClinVar P/LP truncating → full strength
    pvs1_min_clinvar_lof: int = 5  # project default
    pvs1_max_loeuf: float = 0.35  # gnomAD constraint: a supporting signal only
    pvs1_min_pli: float = 0.9
    pvs1_supporting_mechanism_max: str = "MODERATE"  # constraint / HI 2 only: cap (project choice)
    pvs1_unknown_mechanism_max: str = "SUPPORTING"  # nothing known: cap (project choice)
    # ---- PS1 / PM5 (ClinVar at the same residue)
    clinvar_min_stars: int = 1
    # ---- PS2 / PM6 (de novo)
    de_novo_min_parent_depth: int = 10  # project default
    # ---- PM2 (SVI 2020: supporting)
    pm2_strength: str = "SUPPORTING"
    pm2_dominant_max_af: float = 0.0001
    pm2_recessive_max_af: float = (
        0.0007  # ClinGen Hearing Loss VCEP (Oza 2018) AR value; per gene via GeneFacts
    )
    pm2_metrics: tuple[str, ...] = ("af_grpmax", "af")
    min_coverage: float = 20.0  # project default: below this mean depth absence is weak
    # ---- BA1 / BS1 (Ghosh et al. 2018 for BA1)
    ba1_min_af: float = 0.05
    ba1_min_an: int = 2000
    ba1_exceptions: frozenset[str] = frozenset()  # VariantCoordinates.id values exempt from BA1
    # (gene, c. change) pairs exempt from BA1: the ClinGen SVI list (Ghosh et al. 2018, Table 3)
    ba1_exception_hgvs: frozenset[tuple[str, str]] = frozenset(
        {
            ("ACAD9", "c.-44_-41dup"),
            ("ACADS", "c.511C>T"),
            ("BTD", "c.1330G>C"),
            ("GJB2", "c.109G>A"),
            ("HFE", "c.187C>G"),
            ("HFE", "c.845G>A"),
            ("MEFV", "c.1105C>T"),
            ("MEFV", "c.1223G>A"),
            ("PIBF1", "c.1214G>A"),
        }
    )
    benign_metrics: tuple[str, ...] = ("faf95", "af_grpmax", "af")
    bs1_dominant_min_af: float = 0.01  # project default; per gene via GeneFacts.bs1_threshold
    bs1_recessive_min_af: float | None = None  # None: BS1 needs a gene threshold for recessive genes
    # ---- BS2 (gnomAD counts; project defaults)
    bs2_min_homozygotes: int = 2
    bs2_min_hemizygotes: int = 2
    bs2_min_heterozygotes: int = 5
    # ---- PP1 (Jarvik & Browning 2016): co-segregating meioses per strength
    pp1_supporting_meioses: int = 3
    pp1_moderate_meioses: int = 5
    pp1_strong_meioses: int = 7
    # ---- PP2 / BP1 (gene ClinVar statistics; project defaults)
    pp2_min_pathogenic_missense: int = 10
    pp2_min_missense_share: float = 0.5  # P/LP missense among all P/LP
    pp2_max_benign_missense_share: float = 0.2  # B/LB among classified missense
    bp1_min_pathogenic: int = 10
    bp1_min_truncating_share: float = 0.9
    # ---- PP3 / BP4 / BP7
    tools: tuple[ToolCalibration, ...] = DEFAULT_TOOLS  # first tool present is used
    spliceai_pp3_min: float = 0.2  # Walker et al. 2023
    spliceai_bp4_max: float = 0.1
    bp4_max_strength: str = "STRONG"  # the REVEL very strong band (<= 0.003) is applied at Strong
    pp3_pm1_max_points: int = 4  # Pejaver et al. 2022: PP3 with PM1 at most Strong together
    bp7_intron_donor_min_offset: int = 7  # at or beyond +7
    bp7_intron_acceptor_min_offset: int = 21  # at or beyond -21
    # ---- PP4
    pp4_min_score: float = 0.8  # project default on the phenotype match score
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ba1_exceptions"] = sorted(self.ba1_exceptions)
        d["ba1_exception_hgvs"] = [list(x) for x in sorted(self.ba1_exception_hgvs)]
        return d


DEFAULT_CONFIG = AcmgConfig()
