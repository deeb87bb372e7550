"""Repositories of cases, their members, history, report variants and panels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select

from vardesk.catalog import tables as t
from vardesk.catalog.repositories import Repository
from vardesk.domain.analyses import GeneAnalysis
from vardesk.domain.cases import (
    AssayType,
    Case,
    CaseEvent,
    CaseMember,
    ConditionGene,
    Panel,
    ReportVariant,
    SecondaryAnalysisJob,
    VariantEvent,
    WorkspaceConfig,
)


class CaseRepository(Repository[Case]):
    model = Case

    def by_code(self, study_id: int, code: str) -> Case | None:
        c = t.cases.c
        return self.session.scalars(select(Case).where(c.study_id == study_id, c.code == code)).first()

    def by_uuid(self, uuid: str) -> Case | None:
        return self.session.scalars(select(Case).where(t.cases.c.uuid == uuid)).first()

    def in_studies(self, study_ids: Sequence[int], filters: dict[str, Any] | None = None) -> Sequence[Case]:
        if not study_ids:
            return []
        c = t.cases.c
        q = select(Case).where(c.study_id.in_(list(study_ids)))
        for key, value in (filters or {}).items():
            if value is not None:
                col = getattr(c, key)
                q = q.where(col.in_(list(value)) if isinstance(value, (list, tuple, set)) else col == value)
        return self.session.scalars(q.order_by(c.id)).all()

    def next_number(self, workspace_id: int) -> int:
        n = self.session.execute(
            select(func.count()).select_from(t.cases).where(t.cases.c.workspace_id == workspace_id)
        ).scalar_one()
        return int(n) + 1

    def with_genome(self, genome_id: int) -> Sequence[Case]:
        cm = t.case_members.c
        ids = select(cm.case_id).where(cm.genome_id == genome_id)
        return self.session.scalars(select(Case).where(t.cases.c.id.in_(ids))).all()


class CaseMemberRepository(Repository[CaseMember]):
    model = CaseMember

    def of_case(self, case_id: int) -> list[CaseMember]:
        c = t.case_members.c
        return list(
            self.session.scalars(select(CaseMember).where(c.case_id == case_id).order_by(c.position)).all()
        )

    def replace(self, case_id: int, members: Sequence[CaseMember]) -> None:
        self.session.execute(delete(t.case_members).where(t.case_members.c.case_id == case_id))
        for m in members:
            self.session.add(m)
        self.session.flush()


class CaseEventRepository(Repository[CaseEvent]):
    model = CaseEvent

    def of_case(self, case_id: int) -> list[CaseEvent]:
        c = t.case_events.c
        return list(self.session.scalars(select(CaseEvent).where(c.case_id == case_id).order_by(c.id)).all())


class ReportVariantRepository(Repository[ReportVariant]):
    model = ReportVariant

    def of_case(self, case_id: int, *, active_only: bool = True) -> list[ReportVariant]:
        c = t.report_variants.c
        q = select(ReportVariant).where(c.case_id == case_id)
        if active_only:
            q = q.where(c.active.is_(True))
        return list(self.session.scalars(q.order_by(c.key, c.alt, c.id)).all())


class VariantEventRepository(Repository[VariantEvent]):
    model = VariantEvent

    def of_variant(self, report_variant_id: int) -> list[VariantEvent]:
        c = t.variant_events.c
        return list(
            self.session.scalars(
                select(VariantEvent).where(c.report_variant_id == report_variant_id).order_by(c.id)
            ).all()
        )

    def of_case(self, case_id: int) -> list[VariantEvent]:
        c = t.variant_events.c
        return list(
            self.session.scalars(select(VariantEvent).where(c.case_id == case_id).order_by(c.id)).all()
        )


class PanelRepository(Repository[Panel]):
    model = Panel

    def in_workspace(self, workspace_id: int) -> Sequence[Panel]:
        c = t.panels.c
        return self.session.scalars(select(Panel).where(c.workspace_id == workspace_id).order_by(c.id)).all()


class WorkspaceConfigRepository(Repository[WorkspaceConfig]):
    model = WorkspaceConfig

    def of_workspace(self, workspace_id: int) -> WorkspaceConfig | None:
        c = t.workspace_configs.c
        return self.session.scalars(select(WorkspaceConfig).where(c.workspace_id == workspace_id)).first()


class AssayTypeRepository(Repository[AssayType]):
    model = AssayType

    def in_workspace(self, workspace_id: int) -> Sequence[AssayType]:
        c = t.assay_types.c
        return self.session.scalars(
            select(AssayType).where(c.workspace_id == workspace_id).order_by(c.id)
        ).all()

    def by_name(self, workspace_id: int, name: str) -> AssayType | None:
        c = t.assay_types.c
        return self.session.scalars(
            select(AssayType).where(c.workspace_id == workspace_id, func.lower(c.name) == name.lower())
        ).first()


class ConditionGeneRepository(Repository[ConditionGene]):
    model = ConditionGene

    def search(
        self, workspace_id: int, gene: str | None = None, cui: str | None = None
    ) -> Sequence[ConditionGene]:
        c = t.condition_genes.c
        q = select(ConditionGene).where(c.workspace_id == workspace_id)
        if gene:
            q = q.where(func.upper(c.gene) == gene.upper())
        if cui:
            q = q.where(func.upper(c.cui) == cui.upper())
        return self.session.scalars(q.order_by(c.gene, c.id)).all()


class GeneAnalysisRepository(Repository[GeneAnalysis]):
    model = GeneAnalysis

    def latest_of_case(self, case_id: int) -> GeneAnalysis | None:
        c = t.gene_analyses.c
        q = select(GeneAnalysis).where(c.case_id == case_id).order_by(c.run.desc(), c.id.desc())
        return self.session.scalars(q).first()

    def of_case(self, case_id: int) -> list[GeneAnalysis]:
        c = t.gene_analyses.c
        q = select(GeneAnalysis).where(c.case_id == case_id).order_by(c.run, c.id)
        return list(self.session.scalars(q).all())

    def standalone(self, workspace_id: int, statuses: Sequence[str] | None = None) -> list[GeneAnalysis]:
        """The workspace's analyses launched on genomes (not a case's rankings), oldest first."""
        c = t.gene_analyses.c
        q = select(GeneAnalysis).where(c.workspace_id == workspace_id, c.case_id.is_(None))
        if statuses:
            q = q.where(c.status.in_(list(statuses)))
        return list(self.session.scalars(q.order_by(c.id)).all())


class SecondaryAnalysisJobRepository(Repository[SecondaryAnalysisJob]):
    model = SecondaryAnalysisJob

    def search(
        self, workspace_id: int, uuid: str | None = None, accession_id: str | None = None
    ) -> Sequence[SecondaryAnalysisJob]:
        c = t.secondary_analysis_jobs.c
        q = select(SecondaryAnalysisJob).where(c.workspace_id == workspace_id)
        if uuid is not None:
            q = q.where(c.uuid == uuid)
        if accession_id is not None:
            q = q.where(c.accession_id == accession_id)
        return self.session.scalars(q.order_by(c.id)).all()
