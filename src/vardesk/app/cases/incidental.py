"""Secondary (incidental) findings of a case's analysis, for a patient who consented to them.

A case whose ``filter_preset["secondary_findings"]`` is true is also searched, beyond its gene list and its
filter preset, for variants a lab reports as secondary findings: in the ACMG SF v3.2 genes, classified
Pathogenic or Likely pathogenic in ClinVar, rare (gnomAD AF < 5 %) and covered (depth >= 10). The rule is
the one Emedgene documents for its Incidental tag (contract §2.2); HFE counts only when homozygous. The
variants found are flagged ``acmg["secondary_finding"]`` on the case's report variants; whether they are
reported stays the reviewer's decision. Without consent nothing is searched, and a variant cannot be marked
a secondary finding to report.
"""

from __future__ import annotations

from typing import Any

from vardesk.analysis.inheritance import Candidate
from vardesk.domain.cases import Case
from vardesk.variants.query import VariantQuery

# ACMG SF v3.2 (Miller et al., Genet Med 2023): 81 genes
ACMG_SF_GENES: tuple[str, ...] = (
    # cancer predisposition
    "APC", "BMPR1A", "BRCA1", "BRCA2", "MAX", "MEN1", "MLH1", "MSH2", "MSH6", "MUTYH", "NF2", "PALB2",
    "PMS2", "PTEN", "RB1", "RET", "SDHAF2", "SDHB", "SDHC", "SDHD", "SMAD4", "STK11", "TMEM127", "TP53",
    "TSC1", "TSC2", "VHL", "WT1",
    # cardiovascular
    "ACTA2", "ACTC1", "APOB", "BAG3", "CALM1", "CALM2", "CALM3", "CASQ2", "COL3A1", "DES", "DSC2", "DSG2",
    "DSP", "FBN1", "FLNC", "KCNH2", "KCNQ1", "LDLR", "LMNA", "MYBPC3", "MYH11", "MYH7", "MYL2", "MYL3",
    "PCSK9", "PKP2", "PRKAG2", "RBM20", "RYR2", "SCN5A", "SMAD3", "TGFBR1", "TGFBR2", "TMEM43", "TNNC1",
    "TNNI3", "TNNT2", "TPM1", "TRDN", "TTN",
    # inborn errors of metabolism
    "BTD", "GAA", "GLA", "OTC",
    # miscellaneous
    "ACVRL1", "ATP7B", "CACNA1S", "ENG", "HFE", "HNF1A", "RPE65", "RYR1", "TTR",
)  # fmt: skip
CLINVAR_PLP = ("Pathogenic", "Likely_pathogenic", "Pathogenic/Likely_pathogenic")
MAX_AF = 0.05
MIN_DP = 10
HOMOZYGOUS_ONLY = frozenset({"HFE"})


def consented(case: Case) -> bool:
    return bool(case.filter_preset.get("secondary_findings"))


def refused(case: Case) -> bool:
    """The case records that the patient declined secondary findings (an explicit false; a case made
    without the question, e.g. through the native face, has no key)."""
    return case.filter_preset.get("secondary_findings") is False


def secondary_query() -> VariantQuery:
    return VariantQuery(genes=list(ACMG_SF_GENES), clinvar=list(CLINVAR_PLP), max_af=MAX_AF, min_dp=MIN_DP)


def is_secondary(c: Candidate, proband: str) -> bool:
    """Whether a candidate of the secondary query qualifies (the proband carries it; HFE homozygous)."""
    call = c.calls.get(proband)
    if call is None or not call.called or call.zygosity not in (1, 2, 3):
        return False
    return (c.gene or "").upper() not in HOMOZYGOUS_ONLY or call.zygosity == 2


def mark(acmg: dict[str, Any]) -> dict[str, Any]:
    return {**acmg, "secondary_finding": {"rule": "ACMG SF v3.2, ClinVar P/LP, AF < 5 %, DP >= 10"}}
