"""Is loss of function a disease mechanism of the gene? The gate of PVS1 (Abou Tayoun et al. 2018, Fig. 1).

Decided from the gene's facts, strongest first:

1. ``GeneFacts.lof_mechanism`` set by a curator (True / False) — taken as given (``established`` /
   ``refuted``);
2. ClinGen haploinsufficiency score 3 (sufficient evidence) → established;
3. ≥ ``pvs1_min_clinvar_lof`` P/LP truncating variants of the gene in ClinVar → established;
4. gnomAD constraint (LOEUF < ``pvs1_max_loeuf`` or pLI ≥ ``pvs1_min_pli``) or ClinGen HI score 2 →
   ``supporting``: intolerance of loss of function is not proof that it causes the disease, so PVS1 is
   capped (``pvs1_supporting_mechanism_max``, Moderate by default);
5. nothing known → ``unknown``: PVS1 capped at ``pvs1_unknown_mechanism_max`` (Supporting by default),
   so a null variant in a gene of unknown mechanism can never by itself move a class.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from vardesk.analysis.acmg.config import AcmgConfig
from vardesk.analysis.acmg.inputs import GeneFacts


class Mechanism(StrEnum):
    ESTABLISHED = "established"
    SUPPORTING = "supporting"
    UNKNOWN = "unknown"
    REFUTED = "refuted"


@dataclass(frozen=True)
class LofMechanism:
    level: Mechanism
    basis: str  # why, with the numbers
    sources: dict[str, str]


def lof_mechanism(gene: GeneFacts | None, cfg: AcmgConfig) -> LofMechanism:
    if gene is None:
        return LofMechanism(Mechanism.UNKNOWN, "no gene facts", {})
    if gene.lof_mechanism is not None:
        src = {"lof_mechanism": gene.lof_mechanism_source or "curated gene facts"}
        if gene.lof_mechanism:
            return LofMechanism(Mechanism.ESTABLISHED, f"curated: {src['lof_mechanism']}", src)
        return LofMechanism(Mechanism.REFUTED, f"curated: {src['lof_mechanism']}", src)
    d, c, st = gene.dosage, gene.constraint, gene.clinvar_stats
    if d is not None and d.haploinsufficiency == 3:
        return LofMechanism(
            Mechanism.ESTABLISHED, "ClinGen haploinsufficiency score 3", {"ClinGen dosage": d.source}
        )
    if st is not None and st.pathogenic_truncating >= cfg.pvs1_min_clinvar_lof:
        return LofMechanism(
            Mechanism.ESTABLISHED,
            f"{st.pathogenic_truncating} P/LP truncating variants in ClinVar >= {cfg.pvs1_min_clinvar_lof}",
            {"ClinVar": st.version or "unknown version"},
        )
    signals, src = [], {}
    if c is not None:
        if c.loeuf is not None and c.loeuf < cfg.pvs1_max_loeuf:
            signals.append(f"gnomAD LOEUF {c.loeuf:g} < {cfg.pvs1_max_loeuf:g}")
        if c.pli is not None and c.pli >= cfg.pvs1_min_pli:
            signals.append(f"gnomAD pLI {c.pli:g} >= {cfg.pvs1_min_pli:g}")
        if signals:
            src["gnomAD constraint"] = c.source
    if d is not None and d.haploinsufficiency == 2:
        signals.append("ClinGen haploinsufficiency score 2 (some evidence)")
        src["ClinGen dosage"] = d.source
    if signals:
        return LofMechanism(Mechanism.SUPPORTING, "; ".join(signals), src)
    return LofMechanism(Mechanism.UNKNOWN, "no curation, ClinVar count or constraint supports it", {})
