"""Read annotations a pipeline already wrote into a VCF: VEP ``CSQ``, snpEff ``ANN``, bcftools ``BCSQ``.

Field order comes from the header (``##INFO=<ID=CSQ,…,Description="… Format: Allele|Consequence|…">``;
snpEff's ``Functional annotations: 'Allele | Annotation | …'``; BCSQ's fixed layout). Rows follow the
annotation schema of :mod:`vardesk.annotate.engine` (key, chrom, pos, ref, alt, gene_symbol, gene_id,
consequence, impact, transcript_id, hgvs_c, hgvs_p, transcripts; the gnomAD columns and the scores REVEL,
CADD, SpliceAI and AlphaMissense the pipeline wrote, per allele, by :mod:`vardesk.annotate.pipeline_fields`,
with ``pipeline_fields`` naming the fields each column was read from; the other columns of the schema
null) plus ``source`` (``vep``/``snpeff``/``bcsq``) and ``extra_info`` (map of the record's other INFO
fields as raw strings). :func:`pipeline_sources` gives the file's ``pipeline_fields`` for its provenance.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pysam

from vardesk.annotate.engine import ANNOTATION_SCHEMA
from vardesk.annotate.pipeline_fields import PipelineFields
from vardesk.domain import so, variant_key
from vardesk.domain.errors import Invalid
from vardesk.variants.layout import FLAT_COLUMNS

BCSQ_FIELDS = ["Consequence", "Gene", "Feature", "BIOTYPE", "Strand", "Amino_acids", "DNA_change"]
SNPEFF_DEFAULT = [
    "Allele", "Annotation", "Annotation_Impact", "Gene_Name", "Gene_ID", "Feature_Type", "Feature_ID",
    "Transcript_BioType", "Rank", "HGVS.c", "HGVS.p", "cDNA.pos / cDNA.length", "CDS.pos / CDS.length",
    "AA.pos / AA.length", "Distance", "ERRORS / WARNINGS / INFO",
]  # fmt: skip
_ANNOTATION_TAGS = ("CSQ", "ANN", "BCSQ")


def _fields_from_header(header: pysam.VariantHeader, tag: str) -> list[str]:
    if tag == "BCSQ":
        return BCSQ_FIELDS
    desc = header.info[tag].description or ""
    m = re.search(r"Format:\s*(.+)$", desc) or re.search(r"annotations:\s*'?(.+?)'?\s*$", desc)
    if not m:
        if tag == "ANN":
            return SNPEFF_DEFAULT
        raise Invalid(f"INFO/{tag} header has no field list (Format: …)")
    return [f.strip().strip("'\" ") for f in m.group(1).split("|")]


def detect(header: pysam.VariantHeader) -> str | None:
    """The annotation tag present in a VCF header, in order of preference."""
    return next((t for t in _ANNOTATION_TAGS if t in header.info), None)


def _entry(tag: str, item: dict[str, str]) -> dict[str, object]:
    g = item.get
    if tag == "CSQ":
        terms = [so.to_so(t) for t in (g("Consequence") or "").split("&") if t]
        tid = g("Feature") or None
        sym, gid, biotype = g("SYMBOL"), g("Gene"), g("BIOTYPE")
        hgvs_c = (g("HGVSc") or "").split(":")[-1] or None
        hgvs_p = (g("HGVSp") or "").split(":")[-1] or None
        canonical = g("CANONICAL") == "YES"
        mane = bool(g("MANE_SELECT")) or (g("MANE") or "").lower() == "mane_select"
        change = g("Amino_acids") or None
    elif tag == "ANN":
        terms = [so.to_so(t) for t in (g("Annotation") or "").split("&") if t]
        tid = g("Feature_ID") or None
        sym, gid, biotype = g("Gene_Name"), g("Gene_ID"), g("Transcript_BioType")
        hgvs_c, hgvs_p = g("HGVS.c") or None, g("HGVS.p") or None
        canonical = mane = False
        change = None
    else:
        terms = [so.to_so(t) for t in (g("Consequence") or "").lstrip("*").split("&") if t]
        tid = g("Feature") or None
        sym, gid, biotype = g("Gene"), None, g("BIOTYPE")
        hgvs_c = hgvs_p = None
        canonical = mane = False
        change = g("Amino_acids") or None
    worst = so.worst(terms)
    return {
        "transcript_id": tid,
        "gene_symbol": sym or None,
        "gene_id": gid or None,
        "biotype": biotype or None,
        "consequences": sorted(terms, key=so.rank),
        "impact": (g("IMPACT") or g("Annotation_Impact") or so.impact(worst)) if worst else None,
        "hgvs_c": hgvs_c,
        "hgvs_p": hgvs_p,
        "protein_change": change,
        "canonical": canonical,
        "mane": mane,
    }


def _allele_matches(tag: str, item: dict[str, str], alt: str, ref: str) -> bool:
    if tag == "BCSQ":
        return True  # BCSQ is per record; split by allele below via DNA change when possible
    allele = item.get("Allele", "")
    if tag == "CSQ":  # VEP trims the common first base of indels: ref A alt AT → T, deletions → -
        trimmed = alt[1:] if len(ref) != len(alt) and alt[:1] == ref[:1] else alt
        return allele in (alt, trimmed or "-")
    return allele == alt


SCHEMA = pa.schema(
    [
        *(f for f in ANNOTATION_SCHEMA if f.name not in FLAT_COLUMNS),  # written with the flat columns
        pa.field("source", pa.string()),
        pa.field("extra_info", pa.map_(pa.string(), pa.string())),
    ]
)


def pipeline_sources(vcf: Path, tag: str | None = None) -> dict[str, str]:
    """Annotation column → the VCF's fields it is read from (``CSQ/gnomADe_AF, CSQ/gnomADg_AF``)."""
    with pysam.VariantFile(str(vcf)) as vf:
        tag = tag or detect(vf.header)
        if tag is None:
            return {}
        return PipelineFields(vf.header, tag, _fields_from_header(vf.header, tag)).sources()


def read_preannotated(vcf: Path, tag: str | None = None) -> pa.Table:
    """One row per (record, ALT) of an annotated VCF in the annotation schema."""
    rows: list[dict[str, object]] = []
    with pysam.VariantFile(str(vcf)) as vf:
        tag = tag or detect(vf.header)
        if tag is None:
            raise Invalid(f"{Path(vcf).name} carries no CSQ, ANN or BCSQ annotation")
        fields = _fields_from_header(vf.header, tag)
        scored = PipelineFields(vf.header, tag, fields)
        sources = list(scored.sources().items()) or None
        for rec in vf:
            raw = rec.info.get(tag)
            items = list(raw) if isinstance(raw, tuple) else ([raw] if raw else [])
            parsed = [
                dict(zip(fields, it.split("|"), strict=False)) for it in items if not it.startswith("@")
            ]
            extra = {k: _raw(rec.info[k]) for k in rec.info if k != tag}
            chrom = variant_key.canonical_chrom(rec.chrom)
            for index, alt in enumerate(rec.alts or ()):
                own = [it for it in parsed if _allele_matches(tag, it, alt, rec.ref)]
                entries = [e for e in (_entry(tag, it) for it in own) if e["consequences"]]
                entries.sort(key=lambda e: (not e["mane"], not e["canonical"], so.rank(e["consequences"][0])))
                pick = entries[0] if entries else None
                worst = so.worst([t for e in entries for t in e["consequences"]])  # type: ignore[union-attr]
                rows.append(
                    {
                        "key": variant_key.encode(chrom, rec.pos, rec.ref, alt),
                        "chrom": chrom,
                        "pos": rec.pos,
                        "ref": rec.ref,
                        "alt": alt,
                        "gene_symbol": pick["gene_symbol"] if pick else None,
                        "gene_id": pick["gene_id"] if pick else None,
                        "consequence": worst,
                        "impact": so.impact(worst) if worst else None,
                        "transcript_id": pick["transcript_id"] if pick else None,
                        "hgvs_c": pick["hgvs_c"] if pick else None,
                        "hgvs_p": pick["hgvs_p"] if pick else None,
                        "transcripts": sorted(entries, key=lambda e: so.rank(e["consequences"][0])),
                        **scored.values(rec, index, own if tag == "CSQ" else ()),
                        "pipeline_fields": sources,
                        "source": {"CSQ": "vep", "ANN": "snpeff", "BCSQ": "bcsq"}[tag],
                        "extra_info": list(extra.items()),
                    }
                )
    return pa.Table.from_pylist(rows, schema=SCHEMA).sort_by("key")


def _raw(value: object) -> str:
    if isinstance(value, tuple):
        return ",".join("." if v is None else str(v) for v in value)
    if value is True:
        return "true"
    return str(value)
