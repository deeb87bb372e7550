"""Build a :class:`VariantEvidenceInput` from one row of the annotation table.

The row has the columns of ``vardesk.annotate.engine.ANNOTATION_SCHEMA`` (as ``pyarrow``'s
``to_pylist()`` gives them). The annotation carries no coverage, hemizygote counts, scores, family
or phenotype: callers add those, and the rest of the input, as keyword arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from vardesk.analysis.acmg.inputs import (
    GeneFacts,
    PopulationData,
    Provenance,
    TranscriptConsequence,
    VariantCoordinates,
    VariantEvidenceInput,
)
from vardesk.analysis.acmg.protein import parse_protein_change
from vardesk.domain.transcript import Transcript

_GNOMAD = ("gnomad_af", "gnomad_ac", "gnomad_an", "gnomad_nhomalt", "gnomad_af_grpmax", "gnomad_faf95")


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


def population_from_row(row: Mapping[str, Any], gnomad_version: str | None) -> PopulationData | None:
    """None when the bundle has no gnomAD (not evaluable); ``found=False`` when gnomAD lacks the site."""
    if gnomad_version is None:
        return None
    if all(row.get(c) is None for c in _GNOMAD):
        return PopulationData(found=False, version=gnomad_version)
    return PopulationData(
        found=True,
        version=gnomad_version,
        af=row.get("gnomad_af"),
        ac=row.get("gnomad_ac"),
        an=row.get("gnomad_an"),
        nhomalt=row.get("gnomad_nhomalt"),
        af_grpmax=row.get("gnomad_af_grpmax"),
        faf95=row.get("gnomad_faf95"),
    )


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
        provenance=prov,
    )
    return replace(inp, **more) if more else inp
