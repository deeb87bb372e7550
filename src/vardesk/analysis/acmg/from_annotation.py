"""Build a :class:`VariantEvidenceInput` from one row of the annotation table.

The row has the columns of ``vardesk.annotate.engine.ANNOTATION_SCHEMA`` (as ``pyarrow``'s
``to_pylist()`` gives them). The annotation carries no coverage, hemizygote counts, family or phenotype:
callers add those, and the rest of the input, as keyword arguments.

A genome annotated by the lab's pipeline (``pipeline_fields``: column → the VCF fields it was read from)
brings its own gnomAD frequencies and in-silico scores (REVEL, CADD, SpliceAI, AlphaMissense): they are
used when no bundle gnomAD version is given, and each is named in the provenance ("pipeline VCF INFO/CSQ
field …"). A pipeline that declares no gnomAD field gives no population data (not evaluable); one that
declares them but has no value for the site gives ``found=False``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from vardesk.analysis.acmg.inputs import (
    GeneFacts,
    InSilicoScore,
    PopulationData,
    Provenance,
    TranscriptConsequence,
    VariantCoordinates,
    VariantEvidenceInput,
)
from vardesk.analysis.acmg.protein import parse_protein_change
from vardesk.domain.transcript import Transcript

_GNOMAD = ("gnomad_af", "gnomad_ac", "gnomad_an", "gnomad_nhomalt", "gnomad_af_grpmax", "gnomad_faf95")
# annotation column → the tool name the assigners look scores up by (InSilicoScore.tool)
SCORE_TOOLS = (
    ("revel", "REVEL"),
    ("cadd_phred", "CADD"),
    ("spliceai_max", "SpliceAI"),
    ("alphamissense", "AlphaMissense"),
)
PIPELINE_VERSION = "pipeline VCF"  # the version of data the lab's pipeline wrote, when it names none


def _consequence(tx: Mapping[str, Any], models: Mapping[str, Transcript]) -> TranscriptConsequence:
    tid = str(tx.get("transcript_id") or "")
    pc = parse_protein_change(tx.get("protein_change")) or parse_protein_change(tx.get("hgvs_p"))
    model = models.get(tid) or models.get(tid.split(".")[0])
    return TranscriptConsequence(
        transcript_id=tid,
        consequences=tuple(tx.get("consequences") or ()),
        transcript=model,
        hgvs_c=tx.get("hgvs_c"),
        hgvs_p=tx.get("hgvs_p"),
        protein_change=tx.get("protein_change"),
        protein_position=pc.position if pc else None,
        ref_aa=pc.ref if pc else None,
        alt_aa=pc.alt if pc else None,
        is_mane_select=bool(tx.get("mane")),
        is_canonical=bool(tx.get("canonical")),
    )


def pipeline_fields(row: Mapping[str, Any]) -> dict[str, str]:
    """Column → the pipeline VCF fields it was read from (empty for a bundle's row)."""
    raw = row.get("pipeline_fields") or ()
    return dict(raw.items() if isinstance(raw, Mapping) else raw)


def _described(fields: str) -> str:
    """``CSQ/gnomADe_AF, INFO/AF_grpmax`` → ``pipeline VCF CSQ field gnomADe_AF, INFO field AF_grpmax``."""
    return PIPELINE_VERSION + " " + ", ".join(f.replace("/", " field ", 1) for f in fields.split(", "))


def population_from_row(row: Mapping[str, Any], gnomad_version: str | None) -> PopulationData | None:
    """None when the bundle has no gnomAD (not evaluable); ``found=False`` when gnomAD lacks the site.
    Without a bundle gnomAD version, the frequencies the lab's pipeline wrote into the VCF, if it wrote
    any (source: the fields they were read from)."""
    source = "gnomAD"
    if gnomad_version is None:
        fields = pipeline_fields(row)
        read = [fields[c] for c in _GNOMAD if c in fields]
        if not read:
            return None
        source = "gnomAD (" + _described(", ".join(dict.fromkeys(", ".join(read).split(", ")))) + ")"
        gnomad_version = PIPELINE_VERSION
    if all(row.get(c) is None for c in _GNOMAD):
        return PopulationData(found=False, source=source, version=gnomad_version)
    if all(row.get(c) is None for c in _GNOMAD):
        return PopulationData(found=False, version=gnomad_version)
    return PopulationData(
        found=True,
        source=source,
        version=gnomad_version,
        af=row.get("gnomad_af"),
        ac=row.get("gnomad_ac"),
        an=row.get("gnomad_an"),
        nhomalt=row.get("gnomad_nhomalt"),
        af_grpmax=row.get("gnomad_af_grpmax"),
        faf95=row.get("gnomad_faf95"),
    )


def scores_from_row(row: Mapping[str, Any]) -> tuple[InSilicoScore, ...]:
    """The in-silico scores of the row (REVEL, CADD PHRED, SpliceAI maximum delta, AlphaMissense)."""
    return tuple(
        InSilicoScore(tool, float(row[column])) for column, tool in SCORE_TOOLS if row.get(column) is not None
    )


def _provenance_extra(row: Mapping[str, Any], gnomad_version: str | None) -> dict[str, str]:
    """Which pipeline VCF field each score (and, without a bundle's gnomAD, each frequency) came from."""
    fields = pipeline_fields(row)
    extra = {tool: _described(fields[c]) for c, tool in SCORE_TOOLS if c in fields and row.get(c) is not None}
    if gnomad_version is None:
        extra |= {c: _described(fields[c]) for c in _GNOMAD if c in fields and row.get(c) is not None}
    return extra


def input_from_annotation(
    row: Mapping[str, Any],
    *,
    build: str = "GRCh38",
    gnomad_version: str | None = None,
    clinvar_version: str | None = None,
    transcripts: Mapping[str, Transcript] | None = None,
    gene: GeneFacts | None = None,
    **more: Any,
) -> VariantEvidenceInput:
    """The input for one annotated variant; ``more`` sets any other field of the input."""
    models = transcripts or {}
    cons = tuple(_consequence(t, models) for t in (row.get("transcripts") or ()))
    prov = Provenance(
        bundle_id=row.get("bundle_id"),
        bundle_version=row.get("bundle_version"),
        gnomad_version=gnomad_version,
        clinvar_version=clinvar_version,
        extra=_provenance_extra(row, gnomad_version),
    )
    inp = VariantEvidenceInput(
        variant=VariantCoordinates(
            str(row["chrom"]), int(row["pos"]), str(row["ref"]), str(row["alt"]), build
        ),
        consequences=cons,
        primary_transcript_id=row.get("transcript_id"),
        gene=gene
        or (
            GeneFacts(symbol=row["gene_symbol"], gene_id=row.get("gene_id"))
            if row.get("gene_symbol")
            else None
        ),
        population=population_from_row(row, gnomad_version),
        scores=scores_from_row(row),
        provenance=prov,
    )
    return replace(inp, **more) if more else inp
