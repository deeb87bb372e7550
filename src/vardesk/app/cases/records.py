"""A case's record: loading it for a reader, its history entries and the transitions the system makes.

The part of the case service that the analysis and the interpretation build on (they never create or
change cases themselves), so that :class:`~vardesk.app.cases.service.CaseService` can use them in turn."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vardesk.app.cases.configuration import ConfigurationService
from vardesk.app.context import ServiceContext, audit
from vardesk.app.phenotypes import phenotype_warnings
from vardesk.app.projects import ProjectService, StudyView
from vardesk.catalog.uow import UnitOfWork
from vardesk.domain import cases as dc
from vardesk.domain.access import Actor
from vardesk.domain.cases import Case, CaseEvent, CaseMember
from vardesk.domain.enums import GenomeState
from vardesk.domain.errors import NotFound, Unprocessable
from vardesk.domain.ids import numeric_id
from vardesk.domain.models import Genome


@dataclass(frozen=True)
class CaseView:
    study: StudyView
    case: Case
    members: list[tuple[CaseMember, Genome | None]]

    @property
    def proband(self) -> tuple[CaseMember, Genome | None]:
        if not self.members:
            raise Unprocessable(f"case {self.case.code} has no members")
        return next(
            ((m, g) for m, g in self.members if m.relation == dc.Relation.PROBAND.value), self.members[0]
        )

    @property
    def warnings(self) -> list[str]:
        """What a client should know about the case without it being refused: its HPO terms the shipped
        ontology does not know (kept, left out of the phenotype score)."""
        return phenotype_warnings(self.case.hpo_terms)


class CaseRecords:
    def __init__(
        self, ctx: ServiceContext, projects: ProjectService, configuration: ConfigurationService
    ) -> None:
        self.ctx = ctx
        self.projects = projects
        self.configuration = configuration
        # told of every status change inside its transaction (the composition root adds the webhooks)
        self.on_status: list[Callable[[UnitOfWork, Case, str, str], None]] = []

    # -- loading -----------------------------------------------------------------------------------
    def view(self, uow: UnitOfWork, study: StudyView, case: Case) -> CaseView:
        members = uow.case_members.of_case(case.id or 0)
        return CaseView(
            study, case, [(m, uow.genomes.get(m.genome_id) if m.genome_id else None) for m in members]
        )

    def find(
        self, uow: UnitOfWork, actor: Actor, ref: str, study_ref: str | None = None
    ) -> tuple[StudyView, Case]:
        """A case by code (in the given study), uuid or numeric id, readable by ``actor``."""
        case = None
        if study_ref:
            study = self.projects.resolve_study(uow, actor, study_ref)
            case = uow.cases.by_code(study.study.id or 0, ref)
        if case is None:
            case = uow.cases.by_uuid(ref) or (uow.cases.get(numeric_id(ref)) if numeric_id(ref) else None)
        if case is None or case.workspace_id != actor.workspace_id:
            raise NotFound(f"case {ref!r} not found")
        study = self.projects.study_by_id(uow, actor, case.study_id)
        return study, case

    def get(self, actor: Actor, ref: str, study_ref: str | None = None) -> CaseView:
        with self.ctx.uow() as uow:
            study, case = self.find(uow, actor, ref, study_ref)
            audit(uow, "case_read", actor=actor, entity_type="case", entity_id=case.id)
            view = self.view(uow, study, case)
            uow.commit()
        return view

    def record(
        self,
        uow: UnitOfWork,
        actor: Actor | None,
        case: Case,
        action: str,
        changes: dict[str, Any],
        *,
        bump: bool = True,
    ) -> None:
        if bump and action != "create":
            case.version += 1
        case.modified_at = self.ctx.clock()
        status = changes.get("status")
        if isinstance(status, dict) and status.get("old") != status.get("new"):
            for listener in self.on_status:
                listener(uow, case, str(status.get("old")), str(status.get("new")))
        uow.case_events.add(
            CaseEvent(
                case_id=case.id or 0,
                version=case.version,
                action=action,
                user_id=actor.user_id if actor else None,
                changes=changes,
            )
        )
        audit(
            uow,
            f"case_{action}",
            actor=actor,
            workspace_id=case.workspace_id,
            entity_type="case",
            entity_id=case.id,
            details={"version": case.version},
        )

    def system_status(
        self, case_id: int, status: str, reason: str = "", changes: dict[str, Any] | None = None
    ) -> None:
        """A transition made by the system (jobs), recorded in the case history."""
        with self.ctx.uow() as uow:
            case = uow.cases.get(case_id)
            if case is None or case.status == status:
                return
            dc.check_transition(
                case,
                status,
                review=self.configuration.review_statuses(uow, case.workspace_id),
                by_system=True,
            )
            old = case.status
            case.status, case.status_reason = status, reason
            self.record(
                uow,
                None,
                case,
                "status",
                {"status": {"old": old, "new": status}, "reason": reason, **(changes or {})},
            )
            uow.commit()

    def mark_interpreted(self, uow: UnitOfWork, actor: Actor, case: Case) -> None:
        dc.check_editable(case)
        case.last_interpreter_id = actor.user_id

    def versions(self, actor: Actor, ref: str, study_ref: str | None = None) -> list[CaseView]:
        """Every version of a case, oldest first: the original and the amendments that followed it."""
        with self.ctx.uow() as uow:
            study, case = self.find(uow, actor, ref, study_ref)
            chain = uow.cases.in_studies([case.study_id])
            by_id = {c.id: c for c in chain}
            while case.amends_case_id in by_id:
                case = by_id[case.amends_case_id]
            out = [case]
            while nxt := next((c for c in chain if c.amends_case_id == out[-1].id), None):
                out.append(nxt)
            views = [self.view(uow, study, c) for c in out]
            audit(uow, "case_read", actor=actor, entity_type="case", entity_id=case.id)
            uow.commit()
        return views

    def history(self, actor: Actor, ref: str, study_ref: str | None = None) -> list[CaseEvent]:
        with self.ctx.uow() as uow:
            _, case = self.find(uow, actor, ref, study_ref)
            events = uow.case_events.of_case(case.id or 0)
            audit(uow, "case_history_read", actor=actor, entity_type="case", entity_id=case.id)
            uow.commit()
            return events

    def cases_of_genomes(self, genome_ids: list[int]) -> list[int]:
        with self.ctx.uow() as uow:
            return sorted({c.id or 0 for gid in genome_ids for c in uow.cases.with_genome(gid)})

    def analysable(self, case_ids: list[int]) -> list[int]:
        """The cases among these that wait for analysis and whose genomes are all READY."""
        due = []
        with self.ctx.uow() as uow:
            for case_id in dict.fromkeys(case_ids):
                case = uow.cases.get(case_id)
                if case is not None and case.status == dc.WAITING and self._genomes_ready(uow, case_id):
                    due.append(case_id)
        return due

    def genomes_ready(self, case_id: int) -> bool:
        """Whether the case has genomes and every one of them is READY (indexed and annotated)."""
        with self.ctx.uow() as uow:
            return self._genomes_ready(uow, case_id)

    def _genomes_ready(self, uow: UnitOfWork, case_id: int) -> bool:
        genomes = [uow.genomes.get(m.genome_id) for m in uow.case_members.of_case(case_id) if m.genome_id]
        return bool(genomes) and all(g is not None and g.state is GenomeState.READY for g in genomes)

    def record_system(self, case_id: int, action: str, changes: dict[str, Any]) -> None:
        """A history entry written by the system (e.g. an analysis run that changed no status)."""
        with self.ctx.uow() as uow:
            case = uow.cases.get(case_id)
            if case is None:
                return
            self.record(uow, None, case, action, changes, bump=False)
            uow.commit()
