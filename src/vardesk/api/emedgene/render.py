"""The core's cases, report variants and providers in the Emedgene wire format (contract §1.4–1.8)."""

from __future__ import annotations

from typing import Any

from vardesk.app.cases.records import CaseView
from vardesk.app.cases.structural import StructuralVariant
from vardesk.app.storage_providers import ProviderListing
from vardesk.domain import cases as dc
from vardesk.domain.cases import Panel, ReportVariant, ToReport
from vardesk.domain.enums import VariantTag
from vardesk.domain.par import PSEUDOAUTOSOMAL, bare_chrom, in_par
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
ZYGOSITY = {0: "REF", 1: "HET", 2: "HOM", 3: "HEMI"}  # the core: 3 = hemizygous (chrX/Y, male)
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
        # what the analysis applies: the preset, the gene list's mode, the secondary-findings consent
        "preset": c.filter_preset.get("name"),
        "gene_list_mode": "all"
        if panel is None
        else ("boosted" if c.filter_preset.get("boost_genes") else "virtual_panel"),
        "secondary_findings": bool(c.filter_preset.get("secondary_findings")),
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


# a reviewer's tag as Emedgene names it (the contract lists Most Likely, Candidate, Incidental, Carrier)
_REVIEWER_TAG = {
    VariantTag.MOST_LIKELY: {"value": "most_likely", "name": "Most Likely"},
    VariantTag.CANDIDATE: {"value": "candidate", "name": "Candidate"},
    VariantTag.INCIDENTAL: {"value": "incidental", "name": "Incidental"},
    VariantTag.CARRIER: {"value": "carrier", "name": "Carrier"},
}


def tag(rv: ReportVariant) -> dict[str, str]:
    """The reviewer's tag when one is set, else what the report and the analysis say of the variant."""
    if rv.tag in _REVIEWER_TAG:
        return dict(_REVIEWER_TAG[rv.tag])
    if rv.to_report is ToReport.PRIMARY_FINDING:
        return {"value": "in_report", "name": "In report"}
    if rv.to_report is ToReport.SECONDARY_FINDING:
        return {"value": "incidental", "name": "Incidental"}
    if rv.acmg.get("secondary_finding"):  # found by the analysis, with the patient's consent
        return {"value": "incidental", "name": "Incidental"}
    rank = (rv.acmg.get("prioritisation") or {}).get("rank")
    if isinstance(rank, int) and rank <= MOST_LIKELY_RANK:
        return {"value": "most_likely", "name": "Most Likely"}
    return {"value": "candidate", "name": "Candidate"}


SV_MIN_LENGTH = 50
CNV_TYPES = {"DEL", "DUP", "CNV", "DUP:TANDEM", "GAIN", "LOSS"}


def _bare(chrom: str) -> str:
    return chrom[3:] if chrom.lower().startswith("chr") else chrom


def hemizygous_region(chrom: str, pos: int, build: str) -> bool:
    """chrX/chrY outside the pseudo-autosomal regions (of the build; both builds' when it is unknown)."""
    builds = [build] if build in PSEUDOAUTOSOMAL else list(PSEUDOAUTOSOMAL)
    return bare_chrom(chrom) in ("X", "Y") and not any(in_par(chrom, pos, b) for b in builds)


def zygosity_name(z: Any, male: bool, hemi_region: bool) -> str:
    """The core's zygosity (0 hom-ref, 1 het, 2 hom-alt, 3 hemizygous, -1 no call) as Emedgene names it;
    a male's hom-alt call on chrX/Y outside the PARs is hemizygous (Hemi on Emedgene's variant page)."""
    if not isinstance(z, int) or z not in ZYGOSITY:
        return "NO_COVERAGE"
    if z == 2 and male and hemi_region:
        return "HEMI"
    return ZYGOSITY[z]


def _zygosity(genotypes: list[dict[str, Any]], males: set[str], hemi_region: bool) -> dict[str, str]:
    out = {}
    for g in genotypes:
        name = str(g.get("member") or g.get("label") or "")
        out[name] = zygosity_name(g.get("zygosity"), name in males, hemi_region)
    return out


def structural_kind(ref: str, alt: str, svtype: str | None = None) -> str:
    """SNV, INDEL, CNV (deletions and duplications of 50 bp or more, copy-number records) or SV."""
    kind = (svtype or "").upper()
    if not kind and alt.startswith("<") and alt.endswith(">"):
        kind = alt[1:-1].upper()
    if not kind and abs(len(alt) - len(ref)) >= SV_MIN_LENGTH:
        kind = "DEL" if len(ref) > len(alt) else "INS"
    if not kind:
        return "SNV" if len(ref) == len(alt) == 1 else "INDEL"
    return "CNV" if kind.split(":")[0] in CNV_TYPES or kind in CNV_TYPES else "SV"


def variant_details(chrom: str, start: int, end: int, ref: str, alt: str, kind: str) -> str:
    """``chr1:123 A>G`` for a small variant; ``chrX:141583737-156010409 14426.67(kb)`` for a CNV or SV
    (the form [VV-B] reads, length = end - start)."""
    if kind in ("SNV", "INDEL"):
        return f"chr{_bare(chrom)}:{start} {ref}>{alt}"
    return f"chr{_bare(chrom)}:{start}-{end} {max(end - start, 0) / 1000:.2f}(kb)"


def variant(
    rv: ReportVariant, males: set[str] | frozenset[str] = frozenset(), build: str = ""
) -> dict[str, Any]:
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
    kind = structural_kind(rv.ref, rv.alt)
    return {
        "id": rv.id,
        "tag": tag(rv),
        "gene_name": rv.gene,
        "Variant_details": variant_details(rv.chrom, rv.pos, end, rv.ref, rv.alt, kind),
        "chromosome": rv.chrom,
        "start": rv.pos,
        "end": end,
        "ref": rv.ref,
        "alt": rv.alt,
        "variant_type": kind,
        "main_effect": rv.consequence,
        "transcript": rv.transcript,
        "transcripts": [{"name": rv.transcript, "hgvs_c": rv.hgvs_c, "hgvs_p": rv.hgvs_p}]
        if rv.transcript
        else [],
        "hgvs": {"c": rv.hgvs_c, "p": rv.hgvs_p},
        "dbsnp": rv.rsid,
        "zygosity": _zygosity(rv.genotypes, set(males), hemizygous_region(rv.chrom, rv.pos, build)),
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
        "compound_het": None,
    }


def structural(sv: StructuralVariant, proband: str, male: bool, build: str) -> dict[str, Any]:
    """A structural record of the proband's genome (not a candidate of the core's analysis, which ranks
    small variants): in the export, Not Reviewed, with its span in ``Variant_details``."""
    kind = structural_kind(sv.ref, sv.alt, sv.svtype)
    if kind in ("SNV", "INDEL"):
        kind = "SV"
    hemi = hemizygous_region(sv.chrom, sv.pos, build)
    return {
        "id": None,
        "tag": {"value": "not_reviewed", "name": "Not Reviewed"},
        "gene_name": "",
        "Variant_details": variant_details(sv.chrom, sv.pos, sv.end, sv.ref, sv.alt, kind),
        "chromosome": sv.chrom,
        "start": sv.pos,
        "end": sv.end,
        "ref": sv.ref,
        "alt": sv.alt,
        "variant_type": kind,
        "sv_type": sv.svtype,
        "sv_length": sv.svlen,
        "main_effect": "",
        "transcript": "",
        "transcripts": [],
        "hgvs": {"c": "", "p": ""},
        "dbsnp": sv.rsid or "",
        "zygosity": {proband: zygosity_name(sv.zygosity, male, hemi)},
        "inheritance_modes": [],
        "pathogenicity": "",
        "acmg": {
            "classification": "",
            "checked_criteria": [],
            "reviewed": False,
            "system": None,
            "points": None,
        },
        "disease": None,
        "rank": None,
        "score": None,
        "gnomad_af": None,
        "clinvar": {},
        "interpretation": "",
        "compound_het": None,
    }


def group_compound_hets(
    rows: list[ReportVariant], docs: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The candidates with each compound-heterozygous pair (the core's ``COMPOUND_HETEROZYGOUS`` mode
    and its partner keys) grouped: the variants of a group follow its first (best-ranked) one, each
    carries ``compound_het`` = ``{group, gene, variants}``, and the groups are listed apart."""
    by_key = {rv.key: i for i, rv in enumerate(rows)}
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, rv in enumerate(rows):
        for mode in rv.acmg.get("modes") or []:
            if mode.get("mode") != "COMPOUND_HETEROZYGOUS":
                continue
            for key in mode.get("partners") or []:
                j = by_key.get(key)
                if j is not None:
                    parent[root(j)] = root(i)
    members: dict[int, list[int]] = {}
    for i in range(len(rows)):
        members.setdefault(root(i), []).append(i)
    groups: list[dict[str, Any]] = []
    order: list[int] = []
    for i in range(len(rows)):
        ids = members[root(i)]
        if ids[0] != i:
            continue
        order.extend(ids)
        if len(ids) > 1:
            group = {
                "group": len(groups) + 1,
                "gene": rows[i].gene,
                "variants": [docs[j]["id"] for j in ids],
            }
            groups.append(group)
            for j in ids:
                docs[j]["compound_het"] = group
    return [docs[i] for i in order], groups


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
