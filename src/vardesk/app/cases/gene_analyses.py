"""Gene analyses on genomes without a case (VAAST Solo / Trio / Quad, Phevor), and a case's ranking.

A stand-alone analysis is WAITING until its genomes are indexed, SUBMITTED once its ``gene-analysis``
job is queued, RUNNING, then COMPLETE (ranked genes and the variants behind them stored) or FAILED
(with the reason). A Phevor Report re-ranks the variants of a COMPLETE VAAST analysis with HPO terms.
The variants go through the workspace's default filter preset (rare, protein-altering or splice).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from vardesk.analysis.inheritance import Candidate
from vardesk.app.cases.case_analysis import CandidateService, Collected, query_from_preset, report_variant
from vardesk.app.cases.panels import PanelService
from vardesk.app.cases.prioritisation import (
    METHOD,
    RankingPage,
    hpo_ids,
    rank_candidates,
    ranking_doc,
    ranking_page,
    variant_priority,
)
from vardesk.app.cases.records import CaseRecords
from vardesk.app.commands import LaunchAnalysis
from vardesk.app.context import ServiceContext, audit
from vardesk.app.jobs import JobService
from vardesk.app.projects import ProjectService
from vardesk.app.samples import parse_phenotypes
from vardesk.domain import analyses as da
from vardesk.domain.access import Actor, can_write_project
from vardesk.domain.analyses import GeneAnalysis
from vardesk.domain.cases import CaseMember, Panel
from vardesk.domain.enums import Affected, GenomeState, Sex
from vardesk.domain.errors import Forbidden, Invalid, NotFound
from vardesk.domain.models import Genome, Job, utcnow
from vardesk.jobs.context import JobContext

TOOL = "gene-analysis"
_EXPORT_FIELDS = (
    "key",
    "chrom",
    "pos",
    "ref",
    "alt",
    "gene",
    "transcript",
    "hgvs_c",
    "hgvs_p",
    "consequence",
    "rsid",
    "qual",
    "genotypes",
    "gnomad_af",
    "clinvar",
    "inheritance_modes",
)


def variant_doc(
    c: Candidate, labels: list[str], source: str, priority: dict[str, Any] | None
) -> dict[str, Any]:
    """A stand-alone analysis's variant: the report-variant snapshot's fields plus its gene's rank."""
    rv = report_variant(0, 0, c, labels, source)
    doc = {k: getattr(rv, k) for k in _EXPORT_FIELDS}
    doc["prioritisation"] = priority or {}
    return doc


class AnalysisService:
    def __init__(
        self,
        ctx: ServiceContext,
        projects: ProjectService,
        jobs: JobService,
        cases: CaseRecords,
        candidates: CandidateService,
        panels: PanelService,
    ) -> None:
        self.ctx = ctx
        self.projects = projects
        self.jobs = jobs
        self.cases = cases
        self.candidates = candidates
        self.panels = panels

    # -- reads -------------------------------------------------------------------------------------
    def _find(self, uow: Any, actor: Actor, analysis_id: int) -> GeneAnalysis:
        a = uow.analyses.get(analysis_id)
        if a is None or a.workspace_id != actor.workspace_id or a.case_id is not None:
            raise NotFound(f"analysis {analysis_id} not found")
        self.projects.study_by_id(uow, actor, a.study_id)  # readable project, else not found
        return a

    def get(self, actor: Actor, analysis_id: int) -> GeneAnalysis:
        with self.ctx.uow() as uow:
            a = self._find(uow, actor, analysis_id)
            audit(uow, "analysis_read", actor=actor, entity_type="analysis", entity_id=a.id)
            uow.commit()
        return a

    def search(self, actor: Actor, genome_id: int | None = None) -> list[GeneAnalysis]:
        """The stand-alone analyses the actor can read, newest first; optionally those of one genome."""
        with self.ctx.uow() as uow:
            readable = {s.study.id for s in self.projects.readable_studies(uow, actor)}
            found = [
                a
                for a in uow.analyses.standalone(actor.workspace_id)
                if a.study_id in readable and (genome_id is None or genome_id in a.genome_ids)
            ]
            for a in found:
                audit(uow, "analysis_read", actor=actor, entity_type="analysis", entity_id=a.id)
            uow.commit()
        return sorted(found, key=lambda a: -(a.id or 0))

    def case_ranking(self, actor: Actor, ref: str, study_ref: str | None) -> tuple[Any, list[GeneAnalysis]]:
        """A case (read-authorised and audited by the case service) and its rankings, one per run."""
        view = self.cases.get(actor, ref, study_ref)
        with self.ctx.uow() as uow:
            runs = uow.analyses.of_case(view.case.id or 0)
        return view, runs

    def case_ranking_page(
        self,
        actor: Actor,
        ref: str,
        study_ref: str | None,
        *,
        run: int | None = None,
        skip: int = 0,
        limit: int | None = None,
    ) -> tuple[Any, GeneAnalysis | None, RankingPage]:
        """One page of a case's ranked genes (the latest run, or ``run``): the whole ranking is stored,
        so any gene can be reached by paging; ``RankingPage.total`` counts them all."""
        view, runs = self.case_ranking(actor, ref, study_ref)
        chosen = [r for r in runs if run is None or r.run == run]
        if run is not None and not chosen:
            raise Invalid(f"case {view.case.code} has no analysis run {run}")
        if not chosen:
            return view, None, ranking_page([], skip, limit)
        return view, chosen[-1], ranking_page(chosen[-1].genes, skip, limit)

    # -- launch, delete ------------------------------------------------------------------------------
    def launch(self, actor: Actor, spec: dict[str, Any]) -> GeneAnalysis:
        """``spec``: ``kind``, ``members`` (relation, genome_id, sex, affected), ``hpo_terms``,
        ``parent_id``."""
        kind = str(spec.get("kind") or "")
        terms = hpo_ids(parse_phenotypes(spec.get("hpo_terms")))
        with self.ctx.uow() as uow:
            parent = None
            if spec.get("parent_id") is not None:
                parent = self._find(uow, actor, int(spec["parent_id"]))
            members = da.with_defaults(list(spec.get("members") or []))
            if kind == da.PHEVOR and parent is not None and not members:
                members = [dict(m) for m in parent.members]
            da.check_members(kind, members, parent)
            if kind == da.PHEVOR and not terms:
                raise Invalid("a Phevor Report needs HPO terms")
            genomes = [self._genome(uow, actor, int(m["genome_id"])) for m in members]
            study = self.projects.study_by_id(uow, actor, genomes[0].study_id)
            if not actor.can_write or not can_write_project(actor, study.project):
                raise Forbidden(f"permission denied to run analyses in project {study.project.code}")
            a = uow.analyses.add(
                GeneAnalysis(
                    workspace_id=actor.workspace_id,
                    project_id=study.project.id or 0,
                    study_id=study.study.id or 0,
                    kind=kind,
                    created_by=actor.user_id,
                    parent_id=parent.id if parent else None,
                    members=members,
                    hpo_terms=terms,
                )
            )
            audit(uow, "analysis_create", actor=actor, entity_type="analysis", entity_id=a.id)
            if all(g.state is GenomeState.READY for g in genomes):
                self._submit(uow, actor, a)
            uow.commit()
        self.jobs.notify()
        return a

    def launch_analysis(self, actor: Actor, command: LaunchAnalysis) -> GeneAnalysis:
        """:meth:`launch` from the typed command the faces build."""
        return self.launch(actor, command.as_data())

    def _genome(self, uow: Any, actor: Actor, genome_id: int) -> Genome:
        g = uow.genomes.get(genome_id)
        if g is None or g.workspace_id != actor.workspace_id:
            raise NotFound(f"genome {genome_id} not found")
        self.projects.study_by_id(uow, actor, g.study_id)
        if g.state is GenomeState.FAILED:
            raise Invalid(f"genome {genome_id} failed to index: {g.state_reason}")
        return g

    def _submit(self, uow: Any, actor: Actor, a: GeneAnalysis) -> Job:
        study = self.projects.study_by_id(uow, actor, a.study_id)
        job = self.jobs.submit(
            uow, actor, TOOL, {"analysis": a.id}, study=study, description=f"{a.kind} {a.id}"
        )
        a.job_id, a.status, a.modified_at = job.id, da.SUBMITTED, utcnow()
        return job

    def schedule_ready(self, genome_ids: list[int]) -> list[str]:
        """Queue the WAITING analyses whose genomes are now all indexed (called after indexing)."""
        wanted, jobs = set(genome_ids), []
        with self.ctx.uow() as uow:
            workspaces = {g.workspace_id for gid in wanted if (g := uow.genomes.get(gid)) is not None}
            for ws in workspaces:
                for a in uow.analyses.standalone(ws, [da.WAITING]):
                    if not wanted & set(a.genome_ids):
                        continue
                    genomes = [uow.genomes.get(gid) for gid in a.genome_ids]
                    failed = [g.code for g in genomes if g is None or g.state is GenomeState.FAILED]
                    if failed:
                        a.status, a.status_reason = (
                            da.FAILED,
                            f"genome(s) failed to index: {', '.join(failed)}",
                        )
                    elif all(g is not None and g.state is GenomeState.READY for g in genomes):
                        owner = self.candidates.actor_of(a.created_by, uow)
                        jobs.append(self._submit(uow, owner, a).code)
            uow.commit()
        if jobs:
            self.jobs.notify()
        return jobs

    def delete(self, actor: Actor, analysis_id: int) -> GeneAnalysis:
        with self.ctx.uow() as uow:
            a = self._find(uow, actor, analysis_id)
            da.check_deletable(a)
            study = self.projects.study_by_id(uow, actor, a.study_id)
            if not actor.can_write or not can_write_project(actor, study.project):
                raise Forbidden(f"permission denied to delete analyses in project {study.project.code}")
            for child in uow.analyses.standalone(actor.workspace_id):
                if child.parent_id == a.id:
                    child.parent_id = None
            uow.analyses.remove(a)
            audit(uow, "analysis_delete", actor=actor, entity_type="analysis", entity_id=analysis_id)
            uow.commit()
        return a

    # -- export ---------------------------------------------------------------------------------------
    def variants(
        self,
        actor: Actor,
        analysis_id: int,
        *,
        panel_id: int | None = None,
        offset: int = 0,
        limit: int | None = None,
        wait: float = 0.0,
    ) -> tuple[GeneAnalysis, list[dict[str, Any]]]:
        """The analysis's variants, by gene rank, optionally only the genes of a panel of the workspace.

        An analysis still queued or running is waited for up to ``wait`` seconds (a client that launches
        and exports at once gets the result when the analysis is quick)."""
        a = self.get(actor, analysis_id)
        deadline = time.monotonic() + wait
        while a.status in (da.WAITING, da.SUBMITTED, da.RUNNING) and time.monotonic() < deadline:
            time.sleep(0.25)
            with self.ctx.uow() as uow:
                a = self._find(uow, actor, analysis_id)
        if a.status != da.COMPLETE:
            raise Invalid(f"analysis {analysis_id} is {a.status}; its variants exist once it is COMPLETE")
        rows = list(a.variants)
        if panel_id is not None:
            panel: Panel = self.panels.get(actor, panel_id)
            genes = {g.upper() for g in panel.genes}
            rows = [r for r in rows if str(r.get("gene") or "").upper() in genes]
        rows.sort(key=lambda r: (int((r.get("prioritisation") or {}).get("rank") or 10**9), r["key"]))
        end = None if limit is None else offset + max(limit, 0)
        return a, rows[max(offset, 0) : end]

    # -- the job --------------------------------------------------------------------------------------
    def run(self, analysis_id: int, ctx: JobContext | None = None) -> dict[str, Any]:
        with self.ctx.uow() as uow:
            a = uow.analyses.get(analysis_id)
            if a is None:
                return {"analysis": analysis_id, "skipped": "deleted before it ran"}
            a.status, a.modified_at = da.RUNNING, utcnow()
            parent = uow.analyses.get(a.parent_id) if a.parent_id else None
            members = [
                (self._member(i, m), uow.genomes.get(int(m["genome_id"]))) for i, m in enumerate(a.members)
            ]
            uow.commit()
        got = self.candidates.collect(members, query_from_preset({}, []), ctx)
        if parent is not None:  # Phevor: the VAAST analysis's variants only
            keep = {int(r["key"]) for r in parent.variants}
            got = replace(got, candidates=[c for c in got.candidates if c.key in keep])
        if ctx:
            ctx.progress(60, "ranking genes")
        ranked = rank_candidates(got.pedigree, got.candidates, list(a.hpo_terms), build=got.build)
        priority = variant_priority(ranked)
        labels = [m.name for m in got.pedigree.members]
        docs = [variant_doc(c, labels, got.source, priority.get(c.gene or "")) for c in got.candidates]
        with self.ctx.uow() as uow:
            a = uow.analyses.get(analysis_id)
            if a is None:
                return {"analysis": analysis_id, "skipped": "deleted while running"}
            a.genes = ranking_doc(ranked)
            a.variants = docs
            a.summary = _summary(got, len(ranked), docs)
            a.status, a.status_reason, a.modified_at = da.COMPLETE, "", utcnow()
            uow.commit()
        return {"analysis": analysis_id, "genes": len(ranked), "variants": len(docs)}

    def fail(self, analysis_id: int, reason: str) -> None:
        with self.ctx.uow() as uow:
            a = uow.analyses.get(analysis_id)
            if a is not None:
                a.status, a.status_reason, a.modified_at = da.FAILED, reason, utcnow()
                uow.commit()

    @staticmethod
    def _member(position: int, m: dict[str, Any]) -> CaseMember:
        return CaseMember(
            case_id=0,
            position=position,
            relation=str(m.get("relation") or "PROBAND"),
            sex=Sex(m.get("sex") or Sex.UNKNOWN),
            affected=Affected(m.get("affected") or Affected.UNKNOWN),
            label=str(m.get("label") or m.get("relation") or "").lower(),
            genome_id=int(m["genome_id"]),
        )


def _summary(got: Collected, genes: int, docs: list[dict[str, Any]]) -> dict[str, Any]:
    gnomad, clinvar = got.versions
    return {
        "genes": genes,
        "variants": len(docs),
        "method": METHOD,
        "annotation": got.source,
        "gnomad": gnomad,
        "clinvar": clinvar,
        "build": got.build,
    }


def run_gene_analysis(ctx: JobContext, *, analyses: AnalysisService) -> dict[str, Any]:
    """The gene-analysis job (bound to its collaborators by the composition root)."""
    analysis_id = int(ctx.params["analysis"])
    try:
        return analyses.run(analysis_id, ctx)
    except Invalid as exc:
        analyses.fail(analysis_id, exc.message)
        raise
    except Exception as exc:  # the job records the traceback; the analysis says it failed
        analyses.fail(analysis_id, f"the analysis stopped: {type(exc).__name__}")
        raise
