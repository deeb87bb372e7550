"""PVS1 by the ClinGen SVI decision tree (Abou Tayoun et al. 2018, Hum Mutat 39:1517, Figure 1).

Branches decided here:

* nonsense / frameshift: NMD predicted (50-nt rule on the transcript model, at the new stop codon)
  → PVS1; escaping NMD → PVS1_Strong when the altered region overlaps a caller-supplied critical
  region or removes > 10 % of the protein, else PVS1_Moderate;
* canonical ±1/2 splice: exon skipping of the adjacent exon is assumed (the tree's default outcome);
  frame-disrupting skipping upstream of the penultimate exon → PVS1 (NMD assumed, configurable),
  otherwise as for truncations (critical region / > 10 % of the protein);
* initiation codon: N/A when another functional transcript starts elsewhere, PVS1_Moderate with
  known pathogenic variants upstream of the nearest in-frame start, PVS1_Supporting otherwise;
* deletions: whole transcript → PVS1; exon deletions like exon skipping of the deleted exons.

Not decided (stated in the caveats): whether loss-of-function variants in the exon are frequent in
the population, and cryptic splice-site use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from vardesk.analysis.acmg.config import AcmgConfig
from vardesk.analysis.acmg.inputs import TranscriptConsequence, VariantEvidenceInput
from vardesk.analysis.acmg.mechanism import Mechanism, lof_mechanism
from vardesk.analysis.acmg.model import Evidence, Strength, met, not_evaluable, not_met
from vardesk.analysis.acmg.protein import frameshift_stop, parse_protein_change
from vardesk.domain.transcript import Transcript

CODE = "PVS1"
TRUNCATING = ("stop_gained", "frameshift_variant")
SPLICE = ("splice_donor_variant", "splice_acceptor_variant")
NULL_TERMS = (*TRUNCATING, *SPLICE, "start_lost", "transcript_ablation", "exon_loss_variant")
_UNDECIDED = (
    "Whether loss-of-function variants in this exon are frequent in the population is not checked.",
)


def protein_length(tr: Transcript) -> int:
    """Residues encoded by the CDS, the stop codon excluded."""
    return max(tr.cds_length // 3 - 1, 0)


def codon_genomic_position(tr: Transcript, residue: int) -> int | None:
    """Genomic position of the first base of codon ``residue``; None beyond the transcript."""
    if tr.cds_tx_start is None:
        return None
    tx = tr.cds_tx_start + (residue - 1) * 3
    if tx > tr.length:
        return None
    return tr.tx_to_genomic(tx)


def exon_cds_span(tr: Transcript, index: int) -> tuple[int, int] | None:
    """(first, last) c. positions of the coding bases of exon ``index`` (transcript order)."""
    if tr.cds_start is None or tr.cds_end is None:
        return None
    exon = tr.exons_in_order[index]
    lo, hi = max(exon.start, tr.cds_start), min(exon.end, tr.cds_end)
    if lo > hi:
        return None
    a, b = tr.cds_position(lo), tr.cds_position(hi)
    if a is None or b is None:
        return None
    return min(a, b), max(a, b)


def _fraction_from(tr: Transcript, first_residue: int) -> float:
    n = protein_length(tr)
    if n <= 0:
        return 0.0
    return max(n - first_residue + 1, 0) / n


def _critical_overlap(regions: tuple[tuple[int, int], ...], start: int, end: int) -> tuple[int, int] | None:
    for a, b in regions:
        if a <= end and start <= b:
            return a, b
    return None


class _Pvs1:
    def __init__(self, inp: VariantEvidenceInput, cfg: AcmgConfig) -> None:
        self.inp = inp
        self.cfg = cfg
        gene = inp.gene
        self.regions = gene.critical_regions if gene else ()
        self.thresholds: dict[str, str | int | float | bool | None] = {
            "min_fraction_removed": cfg.pvs1_min_fraction_removed,
            "nmd_rule": "50 nt upstream of the last exon-exon junction",
        }
        self.sources: dict[str, str] = {}
        if gene and gene.lof_mechanism_source:
            self.sources["lof_mechanism"] = gene.lof_mechanism_source

    def _met(self, strength: Strength, why: str, caveats: tuple[str, ...] = _UNDECIDED) -> Evidence:
        return met(CODE, why, strength, thresholds=self.thresholds, sources=self.sources, caveats=caveats)

    def _escaping(self, tr: Transcript, first_residue: int, what: str) -> Evidence:
        """The tree below "not predicted to undergo NMD" / "preserves the reading frame"."""
        n = protein_length(tr)
        hit = _critical_overlap(self.regions, first_residue, n)
        if hit:
            return self._met(
                Strength.STRONG,
                f"{what}; the altered region (residues {first_residue}-{n}) overlaps the critical "
                f"region {hit[0]}-{hit[1]}",
            )
        frac = _fraction_from(tr, first_residue)
        self.thresholds["fraction_removed"] = round(frac, 4)
        if frac > self.cfg.pvs1_min_fraction_removed:
            strength, cmp = Strength.STRONG, ">"
        else:
            strength, cmp = Strength.MODERATE, "<="
        crit = "no critical region supplied" if not self.regions else "no critical region overlapped"
        return self._met(
            strength,
            f"{what}; {crit}; {frac:.1%} of the protein ({n} residues) is altered from residue "
            f"{first_residue}, {cmp} {self.cfg.pvs1_min_fraction_removed:.0%}",
        )

    def truncation(self, tc: TranscriptConsequence, tr: Transcript) -> Evidence:
        if tc.has("frameshift_variant"):
            fs = frameshift_stop(tc.hgvs_p)
            if fs is None:
                return not_evaluable(CODE, f"frameshift without a parsable p. description ({tc.hgvs_p!r})")
            first, stop = fs
        else:
            pc = parse_protein_change(tc.hgvs_p or tc.protein_change)
            pos = pc.position if pc and pc.is_nonsense else tc.protein_position
            if pos is None:
                return not_evaluable(CODE, "nonsense variant without a protein position")
            first, stop = pos, pos
        g = codon_genomic_position(tr, stop) if stop is not None else None
        escapes = True if g is None else tr.escapes_nmd(g)
        where = f"premature stop at residue {stop}" if stop is not None else "no new stop in the transcript"
        if not escapes:
            d = tr.distance_to_last_junction(g) if g is not None else None
            return self._met(
                Strength.VERY_STRONG,
                f"{where} ({d} nt upstream of the last exon-exon junction of {tr.versioned_id}): "
                "predicted to undergo NMD",
            )
        return self._escaping(tr, first, f"{where}: predicted to escape NMD")

    def exon_loss(self, tr: Transcript, first_idx: int, last_idx: int, what: str) -> Evidence:
        """Loss of exons ``first_idx..last_idx`` (transcript order) from the mRNA."""
        spans = [s for i in range(first_idx, last_idx + 1) if (s := exon_cds_span(tr, i))]
        if not spans:
            return not_met(CODE, f"{what}: the exon(s) carry no coding sequence", thresholds=self.thresholds)
        removed = sum(b - a + 1 for a, b in spans)
        first_residue = (min(a for a, _ in spans) - 1) // 3 + 1
        n_exons = len(tr.exons)
        self.thresholds["coding_bases_removed"] = removed
        if removed % 3:
            if last_idx < n_exons - 2 and self.cfg.pvs1_assume_nmd_for_upstream_exon_loss:
                return self._met(
                    Strength.VERY_STRONG,
                    f"{what}: {removed} coding bases lost, the reading frame is disrupted upstream of the "
                    "penultimate exon; NMD predicted",
                    (*_UNDECIDED, "The new stop codon is assumed to lie upstream of the NMD boundary."),
                )
            return self._escaping(tr, first_residue, f"{what}: reading frame disrupted near the 3' end")
        hit = _critical_overlap(self.regions, first_residue, first_residue + removed // 3 - 1)
        if hit:
            return self._met(
                Strength.STRONG, f"{what}: in-frame loss of a critical region ({hit[0]}-{hit[1]})"
            )
        frac = removed / max(tr.cds_length - 3, 1)
        self.thresholds["fraction_removed"] = round(frac, 4)
        strength = Strength.STRONG if frac > self.cfg.pvs1_min_fraction_removed else Strength.MODERATE
        cmp = ">" if strength is Strength.STRONG else "<="
        return self._met(
            strength,
            f"{what}: reading frame preserved; {frac:.1%} of the protein removed, {cmp} "
            f"{self.cfg.pvs1_min_fraction_removed:.0%}",
        )

    def splice(self, tc: TranscriptConsequence, tr: Transcript) -> Evidence:
        pos = self.inp.variant.pos
        anchor, offset = tr.tx_position(pos)
        if offset == 0 or abs(offset) > 2:
            return not_evaluable(CODE, f"splice consequence but c. offset {offset:+d} is not at ±1/2")
        idx = tr.exon_index(tr.tx_to_genomic(anchor))
        if idx is None:
            return not_evaluable(CODE, "cannot locate the exon next to the splice site")
        site = "donor" if offset > 0 else "acceptor"
        return self.exon_loss(
            tr, idx, idx, f"canonical splice {site} ({tr.cpos(pos)}): skipping of exon {idx + 1}"
        )

    def deletion(self, tr: Transcript) -> Evidence:
        v = self.inp.variant
        end = v.end or v.pos + len(v.ref) - 1
        hit = [i for i, e in enumerate(tr.exons_in_order) if e.start <= end and v.pos <= e.end]
        if not hit:
            return not_met(CODE, "the deletion overlaps no exon")
        if len(hit) == len(tr.exons):
            return self._met(Strength.VERY_STRONG, "deletion of every exon of the transcript")
        return self.exon_loss(tr, min(hit), max(hit), f"deletion of exon(s) {min(hit) + 1}-{max(hit) + 1}")

    def start_loss(self, tc: TranscriptConsequence) -> Evidence:
        if tc.alternative_start_in_other_transcript:
            return not_met(CODE, "a functional transcript uses an alternative start codon (N/A in the tree)")
        gene = self.inp.gene
        known = gene.pathogenic_upstream_of_alternative_start if gene else None
        if known:
            return self._met(
                Strength.MODERATE,
                "initiation codon lost; pathogenic variants are known upstream of the nearest in-frame start",
            )
        why = "none known" if known is False else "not supplied"
        return self._met(
            Strength.SUPPORTING,
            f"initiation codon lost; pathogenic variants upstream of the nearest in-frame start: {why}",
        )

    def run(self) -> Evidence:
        tc = self.inp.primary()
        if tc is None:
            return not_evaluable(CODE, "no transcript consequence")
        if not tc.has(*NULL_TERMS):
            return not_met(CODE, f"not a null variant ({', '.join(tc.consequences) or 'no consequence'})")
        mech = lof_mechanism(self.inp.gene, self.cfg)
        self.thresholds["lof_mechanism"] = mech.level.value
        self.sources.update(mech.sources)
        if mech.level is Mechanism.REFUTED:
            return not_met(CODE, f"loss of function is not a disease mechanism of the gene ({mech.basis})")
        found = self.tree(tc)
        if not found.met or mech.level is Mechanism.ESTABLISHED:
            return found
        cap = Strength(
            self.cfg.pvs1_supporting_mechanism_max
            if mech.level is Mechanism.SUPPORTING
            else self.cfg.pvs1_unknown_mechanism_max
        )
        note = (
            f"Loss of function as the gene's disease mechanism is {mech.level.value} ({mech.basis}): "
            f"PVS1 is applied at most at {cap.value}."
        )
        limits = {**found.thresholds, "max_strength": cap.value}
        if found.strength.rank <= cap.rank:
            return replace(found, thresholds=limits, caveats=(*found.caveats, note))
        return replace(
            found,
            strength=cap,
            thresholds=limits,
            explanation=f"{found.explanation}; capped at {cap.value}: mechanism {mech.level.value}",
            caveats=(*found.caveats, note),
        )

    def tree(self, tc: TranscriptConsequence) -> Evidence:
        """The decision tree below the mechanism gate."""
        if tc.exon_in_relevant_transcripts is False:
            return not_met(CODE, "the affected exon is absent from biologically relevant transcripts")
        if tc.has("transcript_ablation"):
            return self._met(Strength.VERY_STRONG, "full gene deletion")
        if tc.has("start_lost"):
            return self.start_loss(tc)
        tr = tc.transcript
        if tr is None or not tr.is_coding:
            return not_evaluable(CODE, "no coding transcript model to predict NMD")
        if tc.has("exon_loss_variant"):
            return self.deletion(tr)
        if tc.has(*TRUNCATING):
            return self.truncation(tc, tr)
        return self.splice(tc, tr)


def assign_pvs1(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    return _Pvs1(inp, cfg).run()
