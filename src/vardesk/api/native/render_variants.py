"""Variants in the OpenCGA/biodata Variant model (the fields clients read)."""

from __future__ import annotations

from typing import Any

from vardesk.app.variants import VariantHit, VariantPage
from vardesk.domain.cases import trimmed_alleles
from vardesk.domain.so import SO_ACCESSIONS

SAMPLE_DATA_KEYS = ["GT", "AD", "DP", "GQ"]


opencga_alleles = trimmed_alleles  # one spelling of a variant's alleles for variants and report variants


def variant_type(ref: str, alt: str) -> str:
    r, a = ref.strip("-"), alt.strip("-")
    if len(r) == 1 and len(a) == 1:
        return "SNV"
    if len(r) == len(a):
        return "MNV"
    return "INDEL" if max(len(r), len(a)) < 50 else "SV"


def _sample(values: dict[str, Any] | None) -> list[str]:
    if values is None:
        return ["0/0", ".", ".", "."]
    ad = "." if values.get("ad_ref") is None else f"{values['ad_ref']},{values.get('ad_alt') or 0}"
    return [
        values.get("gt") or "./.",
        ad,
        "." if values.get("dp") is None else str(values["dp"]),
        "." if values.get("gq") is None else str(values["gq"]),
    ]


# the protein-level terms a substitution score (REVEL, AlphaMissense) describes
_SUBSTITUTION_TERMS = frozenset({"missense_variant", "protein_altering_variant", "start_lost", "stop_lost"})


def _score(value: Any) -> float:
    return float(f"{float(value):.6g}")  # stored as float32: the digits the pipeline wrote, not 0.69999…


def _substitution_scores(row: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"source": source, "score": _score(row[column])}
        for column, source in (("revel", "revel"), ("alphamissense", "alphamissense"))
        if row.get(column) is not None
    ]


def _consequence_types(row: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    scores = _substitution_scores(row)  # per variant (the maximum over transcripts), on protein changes
    for t in row.get("transcripts") or []:
        flags = [f for f, on in (("canonical", t.get("canonical")), ("MANE Select", t.get("mane"))) if on]
        ct: dict[str, Any] = {
            "geneName": t.get("gene_symbol"),
            "geneId": t.get("gene_id"),
            "transcriptId": t.get("transcript_id"),
            "biotype": t.get("biotype"),
            "source": "vardesk",
            "transcriptFlags": flags,
            "hgvs": [h for h in (t.get("hgvs_c"), t.get("hgvs_p")) if h],
            "sequenceOntologyTerms": [
                {"accession": SO_ACCESSIONS.get(c, ""), "name": c} for c in t.get("consequences") or []
            ],
        }
        if scores and _SUBSTITUTION_TERMS & set(t.get("consequences") or ()):
            ct["proteinVariantAnnotation"] = {"substitutionScores": scores}
        out.append(ct)
    return out


def _annotation(row: dict[str, Any], start: int, end: int, ref: str, alt: str) -> dict[str, Any] | None:
    if "consequence" not in row and "gnomad_af" not in row:
        return None
    ann: dict[str, Any] = {
        "chromosome": row["chrom"],
        "start": start,
        "end": end,
        "reference": ref,
        "alternate": alt,
        "id": row.get("rsid") or "",
        "displayConsequenceType": row.get("consequence"),
        "consequenceTypes": _consequence_types(row),
        "hgvs": [h for h in (row.get("hgvs_c"), row.get("hgvs_p")) if h],
        "xrefs": [{"id": row["gene_symbol"], "source": "HGNC"}] if row.get("gene_symbol") else [],
        "populationFrequencies": [],
        "functionalScore": [
            {"source": source, "score": _score(row[column])}
            for column, source in (("cadd_phred", "cadd_scaled"), ("spliceai_max", "spliceai"))
            if row.get(column) is not None
        ],
        "traitAssociation": [],
    }
    for column, study in (("gnomad_exomes_af", "GNOMAD_EXOMES"), ("gnomad_genomes_af", "GNOMAD_GENOMES")):
        if row.get(column) is not None:
            ann["populationFrequencies"].append(_frequency(study, ref, alt, _score(row[column])))
    af = row.get("gnomad_af")
    if af is not None:  # the global frequency (the larger of exomes and genomes, or gnomAD's joint one)
        ann["populationFrequencies"].append(_frequency("GNOMAD", ref, alt, af))
    if row.get("gnomad_af_grpmax") is not None:
        ann["populationFrequencies"].append(
            {
                "study": "GNOMAD",
                "population": "GRPMAX",
                "refAllele": ref,
                "altAllele": alt,
                "altAlleleFreq": row["gnomad_af_grpmax"],
            }
        )
    genomes = row.get("inhouse_genomes") or 0
    if genomes:
        alleles = row.get("inhouse_carriers", 0) + row.get("inhouse_homozygotes", 0)
        ann["populationFrequencies"].append(
            {
                "study": "VARDESK_INHOUSE",
                "population": "ALL",
                "refAllele": ref,
                "altAllele": alt,
                "altAlleleFreq": alleles / (2 * genomes),
                "carriers": row.get("inhouse_carriers", 0),
                "homozygotes": row.get("inhouse_homozygotes", 0),
                "hemizygotes": row.get("inhouse_hemizygotes", 0),
                "genomes": genomes,
            }
        )
    if row.get("clinvar_significance"):
        ann["traitAssociation"].append(
            {
                "source": {"name": "clinvar"},
                "id": str(row.get("clinvar_id") or ""),
                "variantClassification": {"clinicalSignificance": str(row["clinvar_significance"]).lower()},
                "heritableTraits": [
                    {"trait": d} for d in str(row.get("clinvar_disease") or "").split("|") if d
                ],
                "reviewStatus": row.get("clinvar_review_status"),
            }
        )
    return ann


def _frequency(study: str, ref: str, alt: str, af: float) -> dict[str, Any]:
    return {
        "study": study,
        "population": "ALL",
        "refAllele": ref,
        "altAllele": alt,
        "altAlleleFreq": af,
        "refAlleleFreq": 1 - af,
    }


def variant(hit: VariantHit, page: VariantPage, *, summary: bool = False) -> dict[str, Any]:
    row = hit.row
    start, end, ref, alt = opencga_alleles(row["pos"], row["ref"], row["alt"])
    study: dict[str, Any] = {"studyId": page.study.fqn, "sampleDataKeys": SAMPLE_DATA_KEYS}
    if not summary:
        study["files"] = [
            {
                "fileId": "",
                "data": {
                    "FILTER": ";".join(row.get("filters") or []) or ".",
                    "QUAL": "." if row.get("qual") is None else f"{row['qual']:g}",
                },
            }
        ]
        study["samples"] = [{"sampleId": s, "fileIndex": 0, "data": _sample(v)} for s, v in hit.samples]
        study["secondaryAlternates"] = []
        study["issues"] = []
    doc: dict[str, Any] = {
        "id": f"{row['chrom']}:{start}:{ref}:{alt}",
        "names": [row["rsid"]] if row.get("rsid") else [],
        "chromosome": row["chrom"],
        "start": start,
        "end": end,
        "reference": ref,
        "alternate": alt,
        "length": max(len(ref.strip("-")), len(alt.strip("-")), 1),
        "type": variant_type(ref, alt),
        "strand": "+",
        "studies": [study],
    }
    ann = _annotation(row, start, end, ref, alt)
    if ann is not None:
        doc["annotation"] = ann
    if row.get("inheritance") is not None:  # familySegregation: the modes the variant fits, as in a case
        doc["inheritance"] = row["inheritance"]
    return doc
