"""Hand-built inputs for the ACMG/AMP tests."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from vardesk.analysis.acmg import (
    FamilyData,
    FamilyMember,
    GeneFacts,
    Inheritance,
    InSilicoScore,
    PopulationData,
    Relation,
    Sex,
    TranscriptConsequence,
    VariantCoordinates,
    VariantEvidenceInput,
)
from vardesk.domain.transcript import Exon, Transcript

AD = frozenset({Inheritance.AUTOSOMAL_DOMINANT})
AR = frozenset({Inheritance.AUTOSOMAL_RECESSIVE})
XLR = frozenset({Inheritance.X_LINKED_RECESSIVE})


def five_exon_transcript(third_exon_end: int = 3098) -> Transcript:
    """Plus strand, five exons; c.1 at 1051.

    Exons 1000-1099, 2000-2099, 3000-``third_exon_end``, 4000-4099, 5000-5299; the CDS ends so that
    its length is a multiple of three. With the default third exon (99 bp) the CDS is 498 bp:
    165 residues and a stop; transcript positions: exon 4 ends at tx 399, c.1 is tx 51, so a stop
    codon at residue r starts at tx 51 + 3(r-1) and escapes NMD (within 50 nt of the last
    junction) from residue 101 on.
    """
    coding_before_last = 49 + 100 + (third_exon_end - 3000 + 1) + 100
    last = (-coding_before_last) % 3 + 150
    return Transcript(
        id="ENST00000000001",
        version=1,
        gene_id="ENSG00000000001",
        gene_symbol="GENE1",
        chrom="1",
        strand=1,
        exons=(
            Exon(1000, 1099),
            Exon(2000, 2099),
            Exon(3000, third_exon_end),
            Exon(4000, 4099),
            Exon(5000, 5299),
        ),
        cds_start=1051,
        cds_end=5000 + last - 1,
        is_mane_select=True,
    )


TX = five_exon_transcript()


def gene(**kw: Any) -> GeneFacts:
    base = GeneFacts(symbol="GENE1", inheritance=AD, lof_mechanism=True, lof_mechanism_source="ClinGen HI 3")
    return replace(base, **kw)


def consequence(*terms: str, **kw: Any) -> TranscriptConsequence:
    base = TranscriptConsequence(
        transcript_id="ENST00000000001.1", consequences=terms, transcript=TX, is_mane_select=True
    )
    return replace(base, **kw)


def variant_input(
    *terms: str, pos: int = 2050, tc: dict[str, Any] | None = None, **kw: Any
) -> VariantEvidenceInput:
    base = VariantEvidenceInput(
        variant=VariantCoordinates("1", pos, "C", "T"),
        consequences=(consequence(*terms, **(tc or {})),) if terms else (),
        gene=gene(),
    )
    return replace(base, **kw)


def scores(**values: float) -> tuple[InSilicoScore, ...]:
    names = {"revel": "REVEL", "cadd": "CADD", "spliceai": "SpliceAI", "bayesdel": "BayesDel_noAF"}
    return tuple(InSilicoScore(names[k], v, "v1") for k, v in values.items())


def gnomad(**kw: Any) -> PopulationData:
    return PopulationData(found=True, version="4.1", an=150_000, mean_depth=30.0, **kw)


def trio(
    proband: int = 1,
    mother: int = 0,
    father: int = 0,
    *,
    confirmed: bool | None = True,
    depth: int | None = 30,
    **kw: Any,
) -> FamilyData:
    return FamilyData(
        members=(
            FamilyMember(
                "child", Relation.PROBAND, Sex.FEMALE, True, proband, 30, mother_id="mum", father_id="dad"
            ),
            FamilyMember("mum", Relation.MOTHER, Sex.FEMALE, False, mother, depth),
            FamilyMember("dad", Relation.FATHER, Sex.MALE, False, father, depth),
        ),
        parentage_confirmed=confirmed,
        **kw,
    )
