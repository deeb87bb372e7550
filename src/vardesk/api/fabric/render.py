"""Fabric representations (contract §3) of core objects: projects, genomes, clinical reports, report variants,
panels. Pure translation: names, units and spellings; no decisions."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from vardesk import __version__
from vardesk.api.fabric.common import stamp
from vardesk.app.cases.acmg_evidence import acmg_view
from vardesk.app.cases.reporting import parse_date
from vardesk.app.cases.service import CaseView
from vardesk.app.cases.structural import StructuralVariant
from vardesk.app.projects import ProjectView
from vardesk.app.samples import GenomeView
from vardesk.domain.cases import CaseType, Panel, ReportVariant, VariantEvent
from vardesk.domain.enums import Affected, GenomeState, Sex

FABRIC = "fabric"  # key of the Fabric launch options in a case's external_ids
GENOME_STATUS = {
    GenomeState.UPLOADED: "UPLOADED",
    GenomeState.VALIDATING: "ANNOTATING",
    GenomeState.ANNOTATING: "ANNOTATING",
    GenomeState.READY: "ANNOTATED",
    GenomeState.FAILED: "FAILED",
}
ASSEMBLY = {"GRCh37": "hg19", "GRCh38": "b38"}
UPLOAD_SEX = {Sex.MALE: "male", Sex.FEMALE: "female", Sex.UNKNOWN: "unspecified"}
REPORT_SEX = {Sex.MALE: "m", Sex.FEMALE: "f", Sex.UNKNOWN: "u"}
ZYGOSITY = {0: "reference", 1: "heterozygous", 2: "homozygous", 3: "hemizygous", -1: "no call"}
TEST_TYPE = {CaseType.DUO: "Duo", CaseType.TRIO: "Trio", CaseType.QUAD: "Quad", CaseType.QUINTET: "Quintet"}
PATIENT_DICT = {
    "First Name": "first_name",
    "Last Name": "last_name",
    "Patient Sex": "sex",
    "Patient Ethnicity": "ethnicity",
    "Indication for Testing": "indication_for_testing",
    "Ordering Physician": "ordering_physician",
    "Specimen Type": "specimen_type",
    "Accession ID": "accession_id",
    "Date Specimen Collected": "sample_collected_date",
    "Date Specimen Received": "sample_received_date",
}


def project(request: Request, view: ProjectView) -> dict[str, Any]:
    p = view.project
    return {
        "id": p.id,
        "name": p.name,
        "description": p.description,
        "share_role": p.share_role.value,
        "workspace_id": p.workspace_id,
        "created_by": p.owner_id,
        "created_on": stamp(request, p.created_at),
    }


def _size(n: int) -> str:
    """Fabric prints sizes like "1.8 kB"."""
    for scale, unit in ((1e9, "GB"), (1e6, "MB")):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n / 1e3:.1f} kB"


def genome(request: Request, view: GenomeView, report_count: int | None = None) -> dict[str, Any]:
    g, f = view.genome, view.file
    attrs = g.attributes
    size = f.size if f else 0
    return {
        "genome_id": g.id,
        "id": g.id,
        "genome_label": g.label,
        "name": g.label,
        "external_id": attrs.get("external_id"),
        "genome_sex": attrs.get("sex") or "unspecified",
        "project_id": g.project_id,
        "assembly_version": ASSEMBLY.get(g.build, g.build),
        "size": _size(size),
        "genome_status": GENOME_STATUS[g.state],
        "status_reason": g.state_reason or None,
        "upload_date": stamp(request, g.created_at),
        "uploaded_by": f.created_by if f else None,
        "report_count": report_count,
        "is_upgraded": False,
        "sample_name": g.sample_name,
        "checksum": f.md5 if f else None,
        "bam_file": attrs.get("bam_file"),
    }


def _member_doc(m: Any, g: Any) -> dict[str, Any]:
    return {
        "genome_id": m.genome_id,
        "sex": REPORT_SEX.get(m.sex, "u"),
        "affected": {Affected.AFFECTED: True, Affected.UNAFFECTED: False}.get(m.affected),
        "relationship": m.relation.lower(),
        "label": m.label or (g.label if g is not None else None),
    }


def report(request: Request, view: CaseView, **extra: Any) -> dict[str, Any]:
    c = view.case
    opts = dict(c.external_ids.get(FABRIC) or {})
    # a case made elsewhere may have no members yet (a bare native create): shown with what it has
    proband = view.proband[0] if view.members else None
    by_rel: dict[str, Any] = {}
    for m, _g in view.members:
        by_rel.setdefault(m.relation, m)
    sibling = by_rel.get("SIBLING")
    relative = next((m for m, _ in view.members if m is not proband), None)
    pf = c.patient_fields
    patient = {v: pf[k] for k, v in PATIENT_DICT.items() if pf.get(k) not in (None, "")}
    dob = parse_date(pf.get("Patient DOB"))  # the launchers' M/D/YYYY or FE3's ISO, as the PDF reads it
    if dob is not None:
        patient.update(dob_month=dob.month, dob_day=dob.day, dob_year=dob.year)
    duo = c.type is CaseType.DUO
    doc = {
        "id": c.id,
        "type": "clinical_report",
        "workspace_id": c.workspace_id,
        "project_id": c.project_id,
        "created_by": c.created_by,
        "created_on": stamp(request, c.created_at),
        "test_type": opts.get("test_type") or TEST_TYPE.get(c.type, c.type.value),
        "status": c.status,
        "status_reason": c.status_reason or None,
        "accession_id": c.accession_id,
        "panel_id": c.panel_id,
        "filter_id": opts.get("filter_id"),
        "filter_name": None,
        "assay_type_id": None,
        "disease_id": opts.get("disease_id"),
        "genome_id": proband.genome_id if proband else None,
        "proband_sex": REPORT_SEX.get(proband.sex, "u") if proband else "u",
        "mother_genome_id": getattr(by_rel.get("MOTHER"), "genome_id", None),
        "father_genome_id": getattr(by_rel.get("FATHER"), "genome_id", None),
        "sibling_genome_id": getattr(sibling, "genome_id", None),
        "sibling_sex": REPORT_SEX.get(sibling.sex) if sibling else None,
        "sibling_affected": _member_doc(sibling, None)["affected"] if sibling else None,
        "duo_relation_genome_id": relative.genome_id if duo and relative else None,
        "duo_relation": relative.relation.lower() if duo and relative else None,
        "duo_affected": _member_doc(relative, None)["affected"] if duo and relative else None,
        "members": [_member_doc(m, g) for m, g in view.members] if c.type is CaseType.QUINTET else None,
        "hpo_terms": [t["id"] for t in c.hpo_terms] or None,
        "phevor_terms": None,
        "variant_report_id": proband.genome_id
        if proband
        else None,  # a genome's annotated variants (routes_analysis)
        "vaast_report_id": opts.get("vaast_report_id"),
        "include_cosmic": bool(opts.get("include_cosmic")),
        "score_indels": bool(opts.get("score_indels")),
        "background": opts.get("background"),
        "version": c.version,
        "sample_collected_date": pf.get("Date Specimen Collected") or None,
        "sample_received_date": pf.get("Date Specimen Received") or None,
        "report_approved_date": stamp(request, c.report_approved_date),
        "approved_by": c.approved_by,
        "pipeline_version": __version__,
        "patient_dict": patient,
    }
    doc.update(extra)
    return doc


def patient_fields(fields: dict[str, Any]) -> list[dict[str, Any]]:
    return [{str(k): v} for k, v in fields.items()]


def chrom_name(chrom: str) -> str:
    """Fabric spells chromosomes with ``chr`` (``chrM`` for MT)."""
    return "chrM" if chrom == "MT" else f"chr{chrom}"


_chrom = chrom_name


def report_variant(rv: ReportVariant) -> dict[str, Any]:
    call = rv.genotypes[0] if rv.genotypes else {}
    ad = call.get("ad")
    return {
        "id": rv.id,
        "report_id": rv.case_id,
        "chromosome": _chrom(rv.chrom),
        "start_on_chrom": rv.pos,
        "end_on_chrom": rv.pos + max(len(rv.ref), 1) - 1,
        "ref": rv.ref,
        "alt": rv.alt,
        "rsid": rv.rsid or None,
        "quality": rv.qual,
        "genotype": call.get("gt"),
        "zygosity": ZYGOSITY.get(call.get("zygosity")) if call else None,  # type: ignore[arg-type]
        "genotype_quality": call.get("gq"),
        "read_depth": call.get("dp"),
        "allele_depths": ad if ad and any(v is not None for v in ad) else None,
        "gene_symbol": rv.gene or None,
        "transcript": rv.transcript or None,
        "hgvs_c": rv.hgvs_c or None,
        "hgvs_p": rv.hgvs_p or None,
        "effect": rv.consequence or None,
        "gnomad_af": rv.gnomad_af,
        "clinvar_significance": rv.clinvar.get("significance"),
        "inheritance_mode": ",".join(rv.inheritance_modes) or None,
        "inheritance_modes": list(rv.inheritance_modes),
        "classification": rv.classification or None,
        "criteria": rv.criteria_labels,
        **_acmg(rv),
        "status": rv.status.value,
        "to_report": rv.to_report.value,
        "internal_notes": rv.internal_notes or None,
        "genotypes": [
            {k: g.get(k) for k in ("member", "gt", "zygosity", "dp", "gq", "ad")} for g in rv.genotypes
        ],
        "active": rv.active,
    }


def panel(request: Request, p: Panel) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "description": p.description,
        "methodology": p.methodology,
        "limitations": p.limitations,
        "fda_disclosure": p.fda_disclosure,
        "test_code": p.test_code,
        "version": p.version,
        "workspace_id": p.workspace_id,
        "created_by": p.created_by,
        "created_on": stamp(request, p.created_at),
        "gene_count": len(p.genes),
    }


def _locus(rv: ReportVariant) -> dict[str, Any]:
    return {
        "chromosome": _chrom(rv.chrom),
        "start_on_chrom": rv.pos,
        "end_on_chrom": rv.pos + max(len(rv.ref), 1) - 1,
        "ref": rv.ref,
        "alt": rv.alt,
        "gene_symbol": rv.gene or None,
    }


def _acmg(rv: ReportVariant) -> dict[str, Any]:
    """``acmg_evidence``: the met criteria, a reviewer's (source manual, with by/at/comment) over the
    automatic ones; ``suggested_classification``: what the classifiers make of them."""
    view = acmg_view(rv)
    return {"acmg_evidence": view["evidence"], "suggested_classification": view["suggested"]}


def scored_variant(
    request: Request, rv: ReportVariant, status: str, events: list[VariantEvent] | None
) -> dict[str, Any]:
    """E24: the person's classification and criteria when given, else the automatic ACMG/AMP ones; the
    automatic assessment in full; ``audit_log`` only when ``events`` is given (``audit_log=true``)."""
    auto = (rv.acmg or {}).get("automatic") or {}
    systems = {c.get("system"): c for c in auto.get("classifications") or []}
    acmg2015 = systems.get("ACMG/AMP 2015") or next(iter(systems.values()), {})
    manual = bool(rv.classification or rv.criteria)
    doc = {
        "id": rv.id,
        "report_variant_id": rv.id,
        "report_id": rv.case_id,
        **_locus(rv),
        "hgvs_c": rv.hgvs_c or None,
        "hgvs_p": rv.hgvs_p or None,
        "effect": rv.consequence or None,
        "scoring_status": status,
        "classification": rv.classification or acmg2015.get("classification"),
        "criteria": rv.criteria_labels if manual else list(auto.get("met") or []),
        "classification_source": "manual" if manual else ("automatic" if auto else None),
        **_acmg(rv),
        "status": rv.status.value,
        "to_report": rv.to_report.value,
        "automatic": {
            "classification": acmg2015.get("classification"),
            "criteria": list(auto.get("met") or []),
            "classifications": list(auto.get("classifications") or []),
            "evidence": [
                {
                    k: e.get(k)
                    for k in ("criterion", "label", "status", "strength", "direction", "explanation")
                }
                for e in auto.get("evidence") or []
            ],
            "provenance": auto.get("provenance"),
        }
        if auto
        else None,
    }
    if events is not None:
        doc["audit_log"] = [
            {
                "id": e.id,
                "date": stamp(request, e.at),
                "user": e.user_id,
                "action": f"{e.field} changed",
                "field": e.field,
                "old": e.old,
                "new": e.new,
            }
            for e in events
        ]
    return doc


SV_STATUS = "PENDING"  # structural variants are listed, not interpreted


def structural_variant(report_id: int, sv: StructuralVariant) -> dict[str, Any]:
    return {
        "report_id": report_id,
        "chromosome": _chrom(sv.chrom),
        "start_on_chrom": sv.pos,
        "end_on_chrom": sv.end,
        "ref": sv.ref,
        "alt": sv.alt,
        "sv_type": sv.svtype,
        "sv_length": sv.svlen,
        "rsid": sv.rsid,
        "quality": sv.qual,
        "filter": ";".join(sv.filters) or None,
        "genotype": sv.gt,
        "zygosity": ZYGOSITY.get(sv.zygosity) if sv.zygosity is not None else None,  # type: ignore[arg-type]
        "genotype_quality": sv.gq,
        "read_depth": sv.dp,
        "status": SV_STATUS,
    }
