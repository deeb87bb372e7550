"""A case's analysis: the proband's variants through the filter preset and the panel, inheritance modes from
the pedigree, snapshotted as report variants. Runs as a ``case-analysis`` job."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vardesk.analysis.acmg.inputs import FamilyData
from vardesk.analysis.acmg.inputs import FamilyMember as AcmgFamilyMember
from vardesk.analysis.inheritance import Candidate, find_candidates
from vardesk.analysis.pedigree import Member, Pedigree
from vardesk.annotate.bundle import Bundle
from vardesk.app.annotation import AnnotationService
from vardesk.app.cases import incidental, interpretability
from vardesk.app.cases.acmg_input import automatic_acmg, phased_partners
from vardesk.app.cases.gene_knowledge import (
    knowledge_of,
    null_genes,
    transcript_models,
)
from vardesk.app.cases.interpretation import InterpretationService
from vardesk.app.cases.prioritisation import (
    METHOD,
    acmg_phenotypes,
    boost,
    family_terms,
    rank_candidates,
    ranking_doc,
    variant_priority,
    what_moved,
)
from vardesk.app.cases.records import CaseRecords
from vardesk.app.context import ServiceContext
from vardesk.app.jobs import JobService
from vardesk.app.projects import ProjectService
from vardesk.catalog.uow import UnitOfWork
from vardesk.domain import cases as dc
from vardesk.domain.access import Actor
from vardesk.domain.analyses import CASE as CASE_RANKING
from vardesk.domain.analyses import COMPLETE, GeneAnalysis
from vardesk.domain.cases import Case, CaseMember, CaseType, ReportVariant
from vardesk.domain.enums import Affected, GenomeState, Relation, Sex
from vardesk.domain.errors import Invalid, VardeskError, error_text
from vardesk.domain.models import Genome, Job
from vardesk.domain.transcript import Transcript
from vardesk.jobs.context import JobCancelled, JobContext
from vardesk.knowledge.gene_evidence import GeneKnowledge
from vardesk.knowledge.hpo import hpo_ontology
from vardesk.storage.blobs import BlobStore
from vardesk.variants.query import VariantQuery, annotation_rows

TOOL = "case-analysis"
# Default filter preset: rare (gnomAD AF ≤ 1 %), protein-altering or splice, called with some confidence.
DEFAULT_PRESET: dict[str, Any] = {
    "max_af": 0.01,
    "consequences": [
        "transcript_ablation",
        "splice_acceptor_variant",
        "splice_donor_variant",
        "stop_gained",
        "frameshift_variant",
        "stop_lost",
        "start_lost",
        "inframe_insertion",
        "inframe_deletion",
        "missense_variant",
        "protein_altering_variant",
        "splice_region_variant",
    ],
    "min_gq": None,
    "min_dp": None,
    "pass_only": False,
}

log = logging.getLogger("vardesk.app.cases")


def build_pedigree(members: list[tuple[CaseMember, Genome | None]], paths: dict[int, Any]) -> Pedigree:
    """Pedigree from the case's members: FATHER/MOTHER are the proband's parents, SIBLINGs share them."""
    names = {}
    for m, g in members:
        names[m.position] = m.label or (g.code if g else f"member{m.position}")
    father = next((names[m.position] for m, _ in members if m.relation == "FATHER"), None)
    mother = next((names[m.position] for m, _ in members if m.relation == "MOTHER"), None)
    proband = next((names[m.position] for m, _ in members if m.relation == "PROBAND"), names[0])
    out = []
    for m, g in members:
        child = m.relation in ("PROBAND", "SIBLING")
        out.append(
            Member(
                name=names[m.position],
                sex=m.sex,
                affected=m.affected,
                father=father if child else None,
                mother=mother if child else None,
                genotypes=paths.get(g.id) if g is not None else None,
            )
        )
    return Pedigree(members=tuple(out), proband=proband)


def preset_query(case: Case, panel_genes: list[str]) -> VariantQuery:
    """The case's filter preset over its panel's genes; a boosted gene list (``boost_genes``) does not
    limit the analysis, it ranks its genes first."""
    genes = panel_genes if case.type is not CaseType.EXOME or panel_genes else []
    if case.filter_preset.get("boost_genes"):
        genes = []
    return query_from_preset(case.filter_preset, genes)


def query_from_preset(overrides: dict[str, Any], genes: list[str]) -> VariantQuery:
    """The default filter preset with ``overrides``, over ``genes`` (every gene when empty)."""
    preset = {**DEFAULT_PRESET, **overrides}
    try:
        return VariantQuery(
            genes=genes,
            consequences=list(preset.get("consequences") or []),
            max_af=preset.get("max_af"),
            min_gq=preset.get("min_gq"),
            min_dp=preset.get("min_dp"),
            pass_only=bool(preset.get("pass_only")),
            regions=list(preset.get("regions") or []),
        )
    except ValueError as exc:
        raise Invalid(f"the case's filter preset is not valid: {exc}") from None


_RELATION = {
    "PROBAND": Relation.PROBAND,
    "MOTHER": Relation.MOTHER,
    "FATHER": Relation.FATHER,
    "SIBLING": Relation.SIBLING,
}
_SEX = {Sex.MALE: Sex.MALE, Sex.FEMALE: Sex.FEMALE}  # anything else: UNKNOWN
_AFFECTED = {Affected.AFFECTED: True, Affected.UNAFFECTED: False}


def family_data(
    pedigree: Pedigree, relations: dict[str, str], c: Candidate, candidates: list[Candidate] | None = None
) -> FamilyData | None:
    """The sequenced family's genotypes at one candidate, for PS2/PM6, PP1, BS2 and BP2, and the proband's
    other candidates of the gene with their phase (PM3, BP2).

    A sequenced member without a row in the genotype table is homozygous reference there; parentage is
    not confirmed by Vardesk, so a de novo counts as assumed (PM6) unless a user records otherwise."""
    sequenced = [m for m in pedigree.members if m.sequenced]
    if len(sequenced) < 2:
        return None
    out = []
    for m in sequenced:
        call = c.calls.get(m.name)
        zyg = call.zygosity if call is not None and call.called else 0
        out.append(
            AcmgFamilyMember(
                id=m.name,
                relation=_RELATION.get(relations.get(m.name, ""), Relation.OTHER),
                sex=_SEX.get(m.sex, Sex.UNKNOWN),
                affected=_AFFECTED.get(m.affected),
                zygosity=zyg,
                depth=call.dp if call is not None and call.called else None,
                mother_id=m.mother,
                father_id=m.father,
            )
        )
    # parents' genotypes phase the proband's other variants of the gene only when they are sequenced
    seq = {m.name for m in sequenced}
    parent = {r: name for name, r in relations.items() if name in seq}
    partners = phased_partners(
        c, candidates or [], pedigree.proband, parent.get("MOTHER"), parent.get("FATHER")
    )
    return FamilyData(members=tuple(out), parentage_confirmed=None, phased_variants=partners)


def report_variant(
    case_id: int,
    run: int,
    c: Candidate,
    labels: list[str],
    source: str,
    acmg: dict[str, Any] | None = None,
    priority: dict[str, Any] | None = None,
) -> ReportVariant:
    a = c.annotation
    genotypes = []
    for name in labels:
        call = c.calls.get(name)
        if call is None:
            continue
        genotypes.append(
            {
                "member": name,
                "gt": call.gt,
                "zygosity": call.zygosity,
                "dp": call.dp,
                "gq": call.gq,
                "phased": call.phased,
                "ad": [call.ad_ref, call.ad_alt],
            }
        )
    clinvar = {
        k: a[f"clinvar_{k}"]
        for k in ("significance", "id", "stars", "disease", "review_status")
        if a.get(f"clinvar_{k}") is not None
    }
    modes = [m.mode.value for m in c.modes]
    return ReportVariant(
        case_id=case_id,
        run=run,
        key=c.key,
        chrom=c.chrom,
        pos=c.pos,
        ref=c.ref,
        alt=c.alt,
        gene=c.gene or "",
        transcript=str(a.get("transcript_id") or ""),
        hgvs_c=str(a.get("hgvs_c") or ""),
        hgvs_p=str(a.get("hgvs_p") or ""),
        consequence=str(a.get("consequence") or ""),
        rsid=str(a.get("rsid") or ""),
        qual=None if a.get("qual") is None else float(f"{a['qual']:.7g}"),  # stored as float32
        genotypes=genotypes,
        gnomad_af=a.get("gnomad_af"),
        clinvar=clinvar,
        inheritance_modes=modes,
        annotation_source=source,
        acmg={
            "modes": [
                {
                    "mode": m.mode.value,
                    "certainty": str(m.certainty),
                    "evidence": m.evidence,
                    "partners": list(m.partners),
                }
                for m in c.modes
            ],
            "automatic": acmg or {},
            "prioritisation": priority or {},
        },
    )


class CandidateService:
    """A case's analysis: queued when its genomes are ready, run as a job, recorded on the case."""

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        projects: ProjectService,
        jobs: JobService,
        annotation: AnnotationService,
        store: BlobStore,
        cases: CaseRecords,
        interpretation: InterpretationService,
    ) -> None:
        self.ctx = ctx
        self.projects = projects
        self.jobs = jobs
        self.annotation = annotation
        self.store = store
        self.cases = cases
        self.interpretation = interpretation

    def _submit(self, case: Case, actor: Actor) -> Job:
        with self.ctx.uow() as uow:
            study = self.projects.study_by_id(uow, actor, case.study_id)
            job = self.jobs.submit(
                uow, actor, TOOL, {"case": case.id}, study=study, description=f"analysis of case {case.code}"
            )
            uow.commit()
        self.jobs.notify()
        return job

    def _owner_actor(self, case: Case) -> Actor:
        return self.actor_of(case.created_by)

    def actor_of(self, user_id: int, uow: UnitOfWork | None = None) -> Actor:
        """The user who launched work, acting as the system when it is queued later (inside ``uow``
        when the caller holds one: SQLite allows one writer)."""
        if uow is not None:
            user = uow.users.get(user_id)
        else:
            with self.ctx.uow() as own:
                user = own.users.get(user_id)
        if user is None:
            raise Invalid(f"user {user_id} no longer exists")
        return Actor(
            user_id=user.id or 0,
            workspace_id=user.workspace_id,
            login=user.login,
            role=user.role,
            via="system",
        )

    def schedule_ready(self, case_ids: list[int]) -> list[str]:
        """Queue the analysis of WAITING cases whose genomes are all READY."""
        jobs = []
        for case_id in self.cases.analysable(case_ids):
            with self.ctx.uow() as uow:
                case = uow.cases.get(case_id)
            assert case is not None
            jobs.append(self._submit(case, self._owner_actor(case)).code)
        return jobs

    def schedule_rerun(self, case_id: int, actor: Actor) -> None:
        """Panel, phenotype, filter or member changes: run again when the case is analysable. A case whose
        genomes are not all READY yet (a genome just attached) goes back to WAITING instead, and the
        indexing job queues its analysis once they are."""
        with self.ctx.uow() as uow:
            case = uow.cases.get(case_id)
        if case is None or case.status in (dc.WAITING_FOR_SAMPLE, dc.APPROVED, dc.FAILED):
            return
        if self.cases.genomes_ready(case_id):
            self._submit(case, actor)
            return
        self.cases.system_status(case_id, dc.WAITING, "waiting for the genomes to be indexed")
        if case_id in self.cases.analysable([case_id]):  # indexed meanwhile
            self._submit(case, actor)

    def rerun(self, actor: Actor, ref: str, study_ref: str | None) -> tuple[Job, str]:
        view = self.cases.get(actor, ref, study_ref)
        dc.check_editable(view.case)
        if view.case.status == dc.WAITING_FOR_SAMPLE:
            raise Invalid("the case is still waiting for genomes")
        return self._submit(view.case, actor), view.study.fqn

    def _source_versions(self, genomes: list[Genome]) -> tuple[str | None, str | None]:
        """(gnomAD, ClinVar) versions behind the genomes' annotation: only what the bundle really has."""
        bundle_id = next((g.annotation_bundle for g in genomes if g.annotation_bundle), "")
        if not bundle_id or bundle_id.startswith("vcf:"):
            return None, None
        manifest = self.annotation.bundle(bundle_id).manifest
        return (
            _versions_of(manifest.sources, "gnomad", f"{manifest.id} ({manifest.version})"),
            _versions_of(manifest.sources, "clinvar", f"{manifest.id} ({manifest.version})"),
        )

    def _reference(self, genomes: list[Genome]) -> Bundle | None:
        """The bundle behind the genomes' annotation; for genomes annotated by the pipeline's VCF, the bundle
        enabled for their workspace and build (None: the evidence goes without gene knowledge and models)."""
        bundle_id = next((g.annotation_bundle for g in genomes if g.annotation_bundle), "")
        if bundle_id and not bundle_id.startswith("vcf:"):
            return self.annotation.bundle(bundle_id)
        if not genomes:
            return None
        return self.annotation.bundle_for(genomes[0].build, genomes[0].workspace_id)

    def collect(
        self,
        members: list[tuple[CaseMember, Genome | None]],
        query: VariantQuery,
        ctx: JobContext | None = None,
        *,
        unannotated_ok: bool = False,
    ) -> Collected:
        """The candidates of a family's genomes under a query, with their annotation rows. Without any
        annotation a query that needs it is refused, or (``unannotated_ok``) finds nothing."""
        genomes = [g for _, g in members if g is not None]
        not_ready = [g.code for g in genomes if g.state is not GenomeState.READY]
        if not genomes or not_ready:
            raise Invalid(f"genomes not ready: {', '.join(not_ready) or 'none attached'}")
        with (
            self.store.materialise_many([g.genotypes_key for g in genomes]) as local,
            self.annotation.annotations(genomes) as annotated,
        ):
            return self._collect(members, genomes, query, ctx, unannotated_ok, local, annotated)

    def _collect(
        self,
        members: list[tuple[CaseMember, Genome | None]],
        genomes: list[Genome],
        query: VariantQuery,
        ctx: JobContext | None,
        unannotated_ok: bool,
        local: list[Path],
        annotated: list[Path],
    ) -> Collected:
        paths = {g.id: path for g, path in zip(genomes, local, strict=True)}
        pedigree = build_pedigree(members, paths)
        annotations = annotated or None
        blind = query.needs_annotation() and annotations is None
        if blind and not unannotated_ok:
            raise Invalid("the genomes carry no annotation, which the filter preset needs")
        if ctx:
            ctx.progress(10, "finding candidates")
        build = genomes[0].build
        candidates = (
            []
            if blind
            else list(find_candidates(pedigree, build=build, query=query, annotations=annotations))
        )
        rows = annotation_rows(annotations, [c.key for c in candidates]) if annotations else {}
        relations = {p.name: m.relation for p, (m, _) in zip(pedigree.members, members, strict=True)}
        reference = self._reference(genomes)
        return Collected(
            pedigree=pedigree,
            relations=relations,
            genomes=genomes,
            candidates=candidates,
            rows=rows,
            build=build,
            versions=self._source_versions(genomes),
            knowledge=knowledge_of(reference),
            transcripts=transcript_models(reference, null_genes(rows.values())),
            source=",".join(sorted({g.annotation_bundle for g in genomes if g.annotation_bundle})),
        )

    def run(self, case_id: int, ctx: JobContext | None = None) -> dict[str, Any]:
        with self.ctx.uow() as uow:
            case = uow.cases.get(case_id)
            if case is None:
                raise Invalid(f"case {case_id} no longer exists")
            members = [
                (m, uow.genomes.get(m.genome_id) if m.genome_id else None)
                for m in uow.case_members.of_case(case_id)
            ]
            panel = uow.panels.get(case.panel_id) if case.panel_id else None
            demo = interpretability.in_demo_workspace(uow, case.workspace_id)
            relatives = [
                ind.phenotypes
                for m, _ in members
                if m.relation.upper() != "PROBAND" and m.affected is Affected.AFFECTED and m.individual_id
                for ind in [uow.individuals.get(m.individual_id)]
                if ind is not None
            ]
        dc.check_editable(case)
        verdict = interpretability.assess(self.annotation, members, panel.genes if panel else [], demo=demo)
        got = self.collect(
            members, preset_query(case, panel.genes if panel else []), ctx, unannotated_ok=True
        )
        run = case.analysis_run + 1
        if ctx:
            ctx.progress(60, "ranking genes")
        used = family_terms(case.hpo_terms, relatives)
        terms = used.observed
        ranked = rank_candidates(got.pedigree, got.candidates, terms, build=got.build, excluded=used.excluded)
        if case.filter_preset.get("boost_genes") and panel is not None:
            ranked = boost(ranked, panel.genes)
        hpo_version = hpo_ontology().version if terms else None
        phenotypes = acmg_phenotypes(ranked, hpo_version)
        priority = variant_priority(ranked)
        labels = [m.name for m in got.pedigree.members]
        found = [
            report_variant(
                case_id,
                run,
                c,
                labels,
                got.source,
                automatic_acmg(
                    got.rows.get(c.key),
                    got.build,
                    *got.versions,
                    family=family_data(got.pedigree, got.relations, c, got.candidates),
                    phenotype=phenotypes.get(c.gene or ""),
                    knowledge=got.knowledge,
                    transcripts=got.transcripts,
                ),
                priority.get(c.gene or ""),
            )
            for c in got.candidates
        ]
        found += self._secondary_findings(case, members, got, found, labels, run, ctx)
        genes = ranking_doc(ranked)
        with self.ctx.uow() as uow:
            case = uow.cases.get(case_id)
            assert case is not None
            dc.check_editable(case)
            summary = self.interpretation.record_run(uow, case_id, run, found)
            summary["result"] = verdict.to_dict()
            previous = uow.analyses.latest_of_case(case_id)
            moved = what_moved(previous.genes if previous else [], genes)
            uow.analyses.add(
                GeneAnalysis(
                    workspace_id=case.workspace_id,
                    project_id=case.project_id,
                    study_id=case.study_id,
                    kind=CASE_RANKING,
                    created_by=case.created_by,
                    case_id=case_id,
                    run=run,
                    members=member_docs(members),
                    hpo_terms=terms,
                    status=COMPLETE,
                    genes=genes,
                    summary={
                        "genes": len(ranked),
                        "excluded_terms": used.excluded,
                        "method": METHOD,
                        "hpo_version": hpo_version,
                        **moved,
                        "result": verdict.to_dict(),
                    },
                )
            )
            summary["ranking"] = {"genes": len(ranked), **moved}
            case.analysis_run = run
            case.annotation_sources = sorted(
                {g.annotation_bundle + ":" + g.annotation_version for g in got.genomes}
            )
            case.analysis_result, case.analysis_result_reason = verdict.result, verdict.reason
            uow.commit()
        if case.status in (dc.WAITING, dc.FAILED):
            note = "" if verdict.interpretable else f"analysis not interpretable: {verdict.reason}"
            self.cases.system_status(case_id, dc.READY_TO_REVIEW, note, {"analysis": summary})
        else:  # a re-run of a case in review: the history shows what moved
            self.cases.record_system(case_id, "analysis", {"analysis": summary})
        return {"case": case.code, "candidates": len(found), **summary}

    def _secondary_findings(
        self,
        case: Case,
        members: list[tuple[CaseMember, Genome | None]],
        got: Collected,
        found: list[ReportVariant],
        labels: list[str],
        run: int,
        ctx: JobContext | None,
    ) -> list[ReportVariant]:
        """With the patient's consent: flag the candidates that are secondary findings, and add those the
        filter preset or the gene list left out (``incidental.py``)."""
        if not incidental.consented(case):
            return []
        if ctx:
            ctx.progress(55, "looking for secondary findings")
        extra = self.collect(members, incidental.secondary_query(), ctx, unannotated_ok=True)
        hits = {c.key: c for c in extra.candidates if incidental.is_secondary(c, got.pedigree.proband)}
        for rv in found:
            if rv.key in hits:
                rv.acmg = incidental.mark(rv.acmg)
        known = {rv.key for rv in found}
        out = []
        for c in hits.values():
            if c.key in known:
                continue
            rv = report_variant(
                case.id or 0,
                run,
                c,
                labels,
                extra.source,
                automatic_acmg(
                    extra.rows.get(c.key),
                    extra.build,
                    *extra.versions,
                    family=family_data(extra.pedigree, extra.relations, c, extra.candidates),
                    knowledge=extra.knowledge,
                    transcripts=extra.transcripts,
                ),
            )
            rv.acmg = incidental.mark(rv.acmg)
            out.append(rv)
        return out


def member_docs(members: list[tuple[CaseMember, Genome | None]]) -> list[dict[str, Any]]:
    return [
        {
            "relation": m.relation,
            "genome_id": g.id if g is not None else None,
            "sex": m.sex.value,
            "affected": m.affected.value,
            "label": m.label,
        }
        for m, g in members
    ]


@dataclass(frozen=True)
class Collected:
    pedigree: Pedigree
    relations: dict[str, str]  # pedigree name → case relation (PROBAND, MOTHER, …)
    genomes: list[Genome]
    candidates: list[Candidate]
    rows: dict[int, dict[str, Any]]
    build: str
    versions: tuple[str | None, str | None]  # gnomAD, ClinVar
    knowledge: GeneKnowledge
    transcripts: dict[str, Transcript]  # gene models of the genes with null variants (PVS1)
    source: str


def _versions_of(manifest_sources: list[Any], kind: str, version: str) -> str | None:
    return version if any(getattr(src, "kind", "") == kind for src in manifest_sources) else None


def run_case_analysis(ctx: JobContext, *, candidates: CandidateService, cases: CaseRecords) -> dict[str, Any]:
    """The ``case-analysis`` job (bound to its collaborators by the composition root)."""
    case_id = int(ctx.params["case"])
    try:
        return candidates.run(case_id, ctx)
    except JobCancelled:
        raise
    except Exception as exc:
        # every failure is visible on the case (status and reason), not only on its job: a case must never
        # wait for an analysis that will not come
        reason = (
            error_text(exc)
            if isinstance(exc, VardeskError)
            else f"internal error ({type(exc).__name__}); see the server log"
        )
        try:
            cases.system_status(case_id, dc.FAILED, f"analysis failed: {reason}")
        except VardeskError as refused:  # e.g. an approved, locked case keeps its status
            log.warning("case status not changed after a failed analysis: %s", refused.message)
        raise
