"""Sequence Ontology consequence terms: bcftools csq names, severity order, impact classes and SO
accessions. Pure vocabulary: the annotators, the analysis and the faces all read it from here."""

from __future__ import annotations

# Most severe first (Ensembl VEP order), with the impact class of each term.
SEVERITY: list[tuple[str, str]] = [
    ("transcript_ablation", "HIGH"),
    ("splice_acceptor_variant", "HIGH"),
    ("splice_donor_variant", "HIGH"),
    ("stop_gained", "HIGH"),
    ("frameshift_variant", "HIGH"),
    ("stop_lost", "HIGH"),
    ("start_lost", "HIGH"),
    ("transcript_amplification", "HIGH"),
    ("feature_elongation", "HIGH"),
    ("feature_truncation", "HIGH"),
    ("inframe_insertion", "MODERATE"),
    ("inframe_deletion", "MODERATE"),
    ("missense_variant", "MODERATE"),
    ("protein_altering_variant", "MODERATE"),
    ("splice_donor_5th_base_variant", "LOW"),
    ("splice_region_variant", "LOW"),
    ("splice_donor_region_variant", "LOW"),
    ("splice_polypyrimidine_tract_variant", "LOW"),
    ("incomplete_terminal_codon_variant", "LOW"),
    ("start_retained_variant", "LOW"),
    ("stop_retained_variant", "LOW"),
    ("synonymous_variant", "LOW"),
    ("coding_sequence_variant", "MODIFIER"),
    ("mature_miRNA_variant", "MODIFIER"),
    ("5_prime_UTR_variant", "MODIFIER"),
    ("3_prime_UTR_variant", "MODIFIER"),
    ("non_coding_transcript_exon_variant", "MODIFIER"),
    ("intron_variant", "MODIFIER"),
    ("NMD_transcript_variant", "MODIFIER"),
    ("non_coding_transcript_variant", "MODIFIER"),
    ("coding_transcript_variant", "MODIFIER"),
    ("upstream_gene_variant", "MODIFIER"),
    ("downstream_gene_variant", "MODIFIER"),
    ("regulatory_region_variant", "MODIFIER"),
    ("intergenic_variant", "MODIFIER"),
    ("sequence_variant", "MODIFIER"),
]
RANK: dict[str, int] = {term: i for i, (term, _) in enumerate(SEVERITY)}
IMPACT: dict[str, str] = dict(SEVERITY)
UNKNOWN_RANK = len(SEVERITY)

# bcftools csq consequence names → SO terms
BCFTOOLS_TO_SO: dict[str, str] = {
    "intergenic": "intergenic_variant",
    "intron": "intron_variant",
    "non_coding": "non_coding_transcript_exon_variant",
    "5_prime_utr": "5_prime_UTR_variant",
    "3_prime_utr": "3_prime_UTR_variant",
    "coding_sequence": "coding_sequence_variant",
    "synonymous": "synonymous_variant",
    "missense": "missense_variant",
    "inframe_insertion": "inframe_insertion",
    "inframe_deletion": "inframe_deletion",
    "inframe_altering": "protein_altering_variant",
    "frameshift": "frameshift_variant",
    "stop_gained": "stop_gained",
    "stop_lost": "stop_lost",
    "stop_retained": "stop_retained_variant",
    "start_lost": "start_lost",
    "start_retained": "start_retained_variant",
    "splice_acceptor": "splice_acceptor_variant",
    "splice_donor": "splice_donor_variant",
    "splice_region": "splice_region_variant",
    "NMD_transcript": "NMD_transcript_variant",
    "feature_elongation": "feature_elongation",
}


def to_so(term: str) -> str:
    """SO name of a consequence term from bcftools, VEP or snpEff (unknown terms pass through)."""
    term = term.strip().lstrip("*")
    return BCFTOOLS_TO_SO.get(term, term)


def rank(term: str) -> int:
    return RANK.get(term, UNKNOWN_RANK)


def impact(term: str | None) -> str:
    return IMPACT.get(term or "", "MODIFIER")


def worst(terms: list[str]) -> str | None:
    return min(terms, key=rank) if terms else None


# Sequence Ontology accessions of the consequence terms Vardesk emits.
SO_ACCESSIONS: dict[str, str] = {
    "transcript_ablation": "SO:0001893",
    "splice_acceptor_variant": "SO:0001574",
    "splice_donor_variant": "SO:0001575",
    "stop_gained": "SO:0001587",
    "frameshift_variant": "SO:0001589",
    "stop_lost": "SO:0001578",
    "start_lost": "SO:0002012",
    "transcript_amplification": "SO:0001889",
    "inframe_insertion": "SO:0001821",
    "inframe_deletion": "SO:0001822",
    "missense_variant": "SO:0001583",
    "protein_altering_variant": "SO:0001818",
    "splice_region_variant": "SO:0001630",
    "incomplete_terminal_codon_variant": "SO:0001626",
    "start_retained_variant": "SO:0002019",
    "stop_retained_variant": "SO:0001567",
    "synonymous_variant": "SO:0001819",
    "coding_sequence_variant": "SO:0001580",
    "mature_miRNA_variant": "SO:0001620",
    "5_prime_UTR_variant": "SO:0001623",
    "3_prime_UTR_variant": "SO:0001624",
    "non_coding_transcript_exon_variant": "SO:0001792",
    "intron_variant": "SO:0001627",
    "NMD_transcript_variant": "SO:0001621",
    "non_coding_transcript_variant": "SO:0001619",
    "upstream_gene_variant": "SO:0001631",
    "downstream_gene_variant": "SO:0001632",
    "intergenic_variant": "SO:0001628",
    "feature_elongation": "SO:0001907",
    "feature_truncation": "SO:0001906",
}
