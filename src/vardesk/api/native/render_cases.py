"""Cases, report variants and panels in OpenCGA's clinical shapes (ClinicalAnalysis, Interpretation)."""

from __future__ import annotations

from typing import Any

from vardesk.api.native.render import ts
from vardesk.api.native.render_data import annotation_doc
from vardesk.api.native.render_variants import opencga_alleles, variant_type
from vardesk.app.cases.acmg_evidence import acmg_view
from vardesk.app.cases.prioritisation import RankingPage
from vardesk.app.cases.service import CaseView
from vardesk.domain.analyses import GeneAnalysis
from vardesk.domain.annotation_source import SYNTHETIC_BANNER, describe
from vardesk.domain.cases import CaseEvent, Panel, ReportVariant, VariantEvent, finding_id

_TYPE = {"panel": "SINGLE", "exome": "SINGLE", "somatic_panel": "CANCER"}
_CLINSIG = {
    "Pathogenic": "PATHOGENIC",
    "Likely pathogenic": "LIKELY_PATHOGENIC",
    "Uncertain significance": "UNCERTAIN_SIGNIFICANCE",
    "Likely benign": "LIKELY_BENIGN",
    "Benign": "BENIGN",
    "": "NOT_ASSESSED",
}


def interpretation_id(view: CaseView) -> str:
    return f"{view.case.code}.1"


def case(view: CaseView, variants: list[ReportVariant] | None = None) -> dict[str, Any]:
    c = view.case
    members = []
    for m, g in view.members:
        members.append(
            {
                "id": m.label or (g.code if g else f"member{m.position}"),
                "relation": m.relation,
                "sex": {"id": m.sex.value},
                "affected": m.affected.value,
                "samples": [
                    {"id": g.code, "genomeId": g.id, "state": g.state.value, "annotation": annotation_doc(g)}
                ]
                if g
                else [],
            }
        )
    proband = members[0] if members else {}
    synthetic = any(describe(g)["synthetic"] for _, g in view.members if g is not None)
    doc: dict[str, Any] = {
        "id": c.code,
        "uuid": c.uuid,
        "description": c.title,
        "type": _TYPE.get(c.type.value, "FAMILY"),
        "proband": proband,
        "family": {"id": c.code, "members": members},
        "panels": [{"id": str(c.panel_id)}] if c.panel_id else [],
        "locked": c.status == "APPROVED",
        "interpretation": {"id": interpretation_id(view), "clinicalAnalysisId": c.code},
        "creationDate": ts(c.created_at),
        "modificationDate": ts(c.modified_at),
        "version": c.version,
        "status": {"id": c.status, "name": c.status, "description": c.status_reason},
        "internal": {"status": {"id": c.status}},
        "attributes": {
            "vardesk": {
                "id": c.id,
                "caseType": c.type.value,
                "accessionId": c.accession_id,
                "externalIds": c.external_ids,
                "hpoTerms": c.hpo_terms,
                "patientFields": c.patient_fields,
                "qcData": c.qc_data,
                "dates": c.dates,
                "filterPreset": c.filter_preset,
                "assayType": c.assay_type,
                "analysisRun": c.analysis_run,
                "annotationSources": c.annotation_sources,
                "analysisResult": {"id": c.analysis_result or None, "reason": c.analysis_result_reason},
                "syntheticReferenceData": synthetic,
                "banner": SYNTHETIC_BANNER if synthetic else "",
                "reportApprovedDate": ts(c.report_approved_date),
                "approvedBy": c.approved_by,
                "lastInterpreter": c.last_interpreter_id,
                "amendsCaseId": c.amends_case_id,
            }
        },
    }
    if variants is not None:
        doc["interpretation"]["primaryFindings"] = [finding(v) for v in variants]
    return doc


def finding(rv: ReportVariant) -> dict[str, Any]:
    start, end, ref, alt = opencga_alleles(rv.pos, rv.ref, rv.alt)
    acmg = acmg_view(rv)  # the reviewer's criteria over the automatic ones, and the suggested class
    return {
        "id": finding_id(rv),  # accepted wherever a report variant is named (domain.cases)
        "chromosome": rv.chrom,
        "start": start,
        "end": end,
        "reference": ref,
        "alternate": alt,
        "type": variant_type(ref, alt),
        "names": [rv.rsid] if rv.rsid else [],
        "status": rv.status.value,
        "comments": [],
        "evidences": [
            {
                "genomicFeature": {
                    "id": rv.gene,
                    "type": "GENE",
                    "geneName": rv.gene,
                    "transcriptId": rv.transcript,
                    "consequenceTypes": [{"name": rv.consequence}] if rv.consequence else [],
                },
                "modeOfInheritances": rv.inheritance_modes,
                "classification": {
                    "clinicalSignificance": _CLINSIG.get(rv.classification, "NOT_ASSESSED"),
                    "acmg": [{"classification": c} for c in rv.criteria_labels],
                },
            }
        ],
        "attributes": {
            "vardesk": {
                "reportVariantId": rv.id,
                "run": rv.run,
                "active": rv.active,
                "hgvsC": rv.hgvs_c,
                "hgvsP": rv.hgvs_p,
                "genotypes": rv.genotypes,
                "gnomadAf": rv.gnomad_af,
                "clinvar": rv.clinvar,
                "toReport": rv.to_report.value,
                "classification": rv.classification,
                "interpretation": rv.interpretation,
                "internalNotes": rv.internal_notes,
                "annotationSource": rv.annotation_source,
                "acmg": rv.acmg,
                "acmgEvidence": acmg["evidence"],
                "suggestedClassification": acmg["suggested"],
            }
        },
    }


def interpretation(view: CaseView, variants: list[ReportVariant]) -> dict[str, Any]:
    primary = [v for v in variants if v.to_report.value != "SECONDARY_FINDING"]
    secondary = [v for v in variants if v.to_report.value == "SECONDARY_FINDING"]
    return {
        "id": interpretation_id(view),
        "clinicalAnalysisId": view.case.code,
        "name": "Vardesk analysis",
        "method": {"name": "vardesk-candidates"},
        "primaryFindings": [finding(v) for v in primary],
        "secondaryFindings": [finding(v) for v in secondary],
        "locked": view.case.status == "APPROVED",
        "stats": {"primaryFindings": len(primary), "secondaryFindings": len(secondary)},
        "version": view.case.version,
        "status": {"id": view.case.status},
    }


def event(e: CaseEvent) -> dict[str, Any]:
    return {
        "version": e.version,
        "action": e.action,
        "userId": e.user_id,
        "date": ts(e.at),
        "changes": e.changes,
    }


def variant_event(e: VariantEvent) -> dict[str, Any]:
    return {"field": e.field, "old": e.old, "new": e.new, "userId": e.user_id, "date": ts(e.at)}


def panel(p: Panel) -> dict[str, Any]:
    return {
        "id": str(p.id),
        "uuid": p.uuid,
        "name": p.name,
        "description": p.description,
        "genes": [{"id": g, "name": g} for g in p.genes],
        "regions": [{"id": r} for r in p.regions],
        "version": p.version,
        "creationDate": ts(p.created_at),
        "modificationDate": ts(p.modified_at),
        "attributes": {
            "vardesk": {
                "methodology": p.methodology,
                "limitations": p.limitations,
                "fdaDisclosure": p.fda_disclosure,
                "testCode": p.test_code,
            }
        },
    }


def _camel(value: Any) -> Any:
    """snake_case keys → camelCase, recursively (OpenCGA's JSON style)."""
    if isinstance(value, dict):
        return {
            (k.split("_")[0] + "".join(p.title() for p in k.split("_")[1:])): _camel(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def ranking(view: CaseView, run: GeneAnalysis, page: RankingPage) -> dict[str, Any]:
    """One page of a case's ranked gene list of one analysis run, each gene with the terms that scored
    it; ``numGenes`` counts the whole ranking (the result's ``numMatches`` too)."""
    summary = run.summary or {}
    return {
        "id": f"{view.case.code}.ranking.{run.run}",
        "clinicalAnalysisId": view.case.code,
        "run": run.run,
        "method": summary.get("method"),
        "hpoVersion": summary.get("hpo_version"),
        "hpoTerms": list(run.hpo_terms),
        "excludedHpoTerms": list(summary.get("excluded_terms") or []),
        "numGenes": page.total,
        "skip": page.skip,
        "limit": page.limit,
        "topChanged": summary.get("top_changed"),
        "moved": _camel(summary.get("moved") or []),
        "date": ts(run.created_at),
        "genes": _camel(page.genes),
    }
