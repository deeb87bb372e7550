"""The core's cases, report variants and providers in the Emedgene wire format (contract §1.4–1.8)."""

from __future__ import annotations

from typing import Any

from vardesk.app.cases.records import CaseView
from vardesk.app.storage_providers import ProviderListing
from vardesk.domain import cases as dc
from vardesk.domain.cases import Panel, ReportVariant, ToReport
from vardesk.domain.providers import StorageProvider

# The core's status machine → the Emedgene lifecycle (§1.8); the workspace's review statuses are the
# custom statuses between Delivered and Finalized, shown as they are named.
STATUS = {
    dc.WAITING_FOR_SAMPLE: "Uploading",
    dc.WAITING: "In progress",
    dc.READY_TO_REVIEW: "Delivered",
    dc.APPROVED: "Finalized",
    dc.FAILED: "Issue reported",
}
ZYGOSITY = {0: "REF", 1: "HET", 2: "HOM"}
MOST_LIKELY_RANK = 10  # the AI shortlist: the top-ranked genes' variants


def status(view: CaseView) -> str:
    case = view.case
    if case.status == dc.WAITING_FOR_SAMPLE and record(view).get("should_upload"):
        return "Pending sequencing"
    return STATUS.get(case.status, case.status.capitalize())


def record(view: CaseView) -> dict[str, Any]:
    return dict(view.case.external_ids.get("emedgene") or {})


def case(view: CaseView, panel: Panel | None) -> dict[str, Any]:
    rec = record(view)
    c = view.case
    samples = [
        {
            "name": g.sample_name,
            "id": g.id,
            "member": m.label or m.relation.lower(),
            "status": g.state.value.lower(),
            "build": g.build,
        }
        for m, g in view.members
        if g is not None
    ]
    return {
        "name": c.code,
        "id": c.id,
        "status": status(view),
        "status_reason": c.status_reason,
        "type": rec.get("type", ""),
        "sample_type": rec.get("sample_type", ""),
        "created": c.created_at.isoformat(),
        "modified": c.modified_at.isoformat(),
        "due_date": rec.get("due_date") or c.dates.get("due") or None,
        "labels": rec.get("labels", []),
        "selected_preset_set": rec.get("selected_preset_set"),
        "boostGenes": bool(rec.get("boostGenes")),
        "analysis_type": rec.get("analysis_type"),
        "sequence_info": rec.get("sequence_info", {}),
        "sharing_level": rec.get("sharing_level", 1),
        "incidental_findings": rec.get("incidental_findings"),
        "notes": rec.get("notes", ""),
        "extra_data": rec.get("extra_data", {}),
        "gene_list": rec.get("gene_list", {"id": 1, "type": "all", "visible": False}),
        "geneListName": panel.name if panel else "All genes",
        "genes": [{"name": g} for g in (panel.genes if panel else [])],
        "phenotypes": [
            {"id": "phenotypes/EMG_PHENOTYPE_" + t["id"][3:], "hpo_id": t["id"], "name": t.get("name", "")}
            for t in c.hpo_terms
        ],
        "patients": rec.get("patients", {}),
        "participants": rec.get("participants", []),
        "samples": samples,
        "analysis": {"run": c.analysis_run, "result": c.analysis_result or None},
    }


def tag(rv: ReportVariant) -> dict[str, str]:
    if rv.to_report is ToReport.PRIMARY_FINDING:
        return {"value": "in_report", "name": "In report"}
    if rv.to_report is ToReport.SECONDARY_FINDING:
        return {"value": "incidental", "name": "Incidental"}
    rank = (rv.acmg.get("prioritisation") or {}).get("rank")
    if isinstance(rank, int) and rank <= MOST_LIKELY_RANK:
        return {"value": "most_likely", "name": "Most Likely"}
    return {"value": "candidate", "name": "Candidate"}


def _zygosity(genotypes: list[dict[str, Any]]) -> dict[str, str]:
    out = {}
    for g in genotypes:
        z = g.get("zygosity")
        out[str(g.get("member") or g.get("label") or "")] = (
            ZYGOSITY.get(z, "NO_COVERAGE") if isinstance(z, int) else "NO_COVERAGE"
        )
    return out


def variant(rv: ReportVariant) -> dict[str, Any]:
    auto = rv.acmg.get("automatic") or {}
    prio = rv.acmg.get("prioritisation") or {}
    systems = list(auto.get("classifications") or [])
    # the ACMG points system Emedgene uses (since v32), else the first classifier's verdict
    chosen = next(
        (c for c in systems if "point" in str(c.get("system", "")).lower()), systems[0] if systems else {}
    )
    classification = rv.classification or str(chosen.get("classification") or "")
    criteria = rv.criteria_labels or [str(c) for c in auto.get("met") or []]
    end = rv.pos + max(len(rv.ref), 1) - 1
    return {
        "id": rv.id,
        "tag": tag(rv),
        "gene_name": rv.gene,
        "Variant_details": f"chr{rv.chrom}:{rv.pos} {rv.ref}>{rv.alt}",
        "chromosome": rv.chrom,
        "start": rv.pos,
        "end": end,
        "ref": rv.ref,
        "alt": rv.alt,
        "variant_type": "SNV" if len(rv.ref) == len(rv.alt) == 1 else "INDEL",
        "main_effect": rv.consequence,
        "transcript": rv.transcript,
        "transcripts": [{"name": rv.transcript, "hgvs_c": rv.hgvs_c, "hgvs_p": rv.hgvs_p}]
        if rv.transcript
        else [],
        "hgvs": {"c": rv.hgvs_c, "p": rv.hgvs_p},
        "dbsnp": rv.rsid,
        "zygosity": _zygosity(rv.genotypes),
        "inheritance_modes": list(rv.inheritance_modes),
        "pathogenicity": classification,
        "acmg": {
            "classification": classification,
            "checked_criteria": criteria,
            "reviewed": bool(rv.classification),
            "system": chosen.get("system"),
            "points": chosen.get("points"),
        },
        "disease": {"id": prio.get("disease")} if prio.get("disease") else None,
        "rank": prio.get("rank"),
        "score": prio.get("score"),
        "gnomad_af": rv.gnomad_af,
        "clinvar": rv.clinvar,
        "interpretation": rv.interpretation,
    }


def provider(p: StorageProvider) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "scheme": p.scheme.value, "type": p.scheme.value}


def listing(result: ProviderListing) -> dict[str, Any]:
    return {
        "path": result.path,
        "total": result.total,
        "has_more": result.has_more,
        "resources": [
            {
                # name: the entry's id in its folder (a BaseSpace number; here its name), alias: its name
                "name": e.name,
                "alias": e.name,
                "path": e.path,
                "type": "directory" if e.is_dir else "file",
                "size": e.size,
            }
            for e in result.entries
        ],
    }
