"""Cases: creation, members and genomes, updates with history, the status machine, approval, amendment."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from vardesk.app.cases import interpretability
from vardesk.app.cases.configuration import ConfigurationService
from vardesk.app.cases.records import CaseRecords, CaseView
from vardesk.app.commands import ApproveReport, CreateCase, object_field
from vardesk.app.context import ServiceContext, audit
from vardesk.app.projects import ProjectService, StudyView
from vardesk.app.samples import parse_affected, parse_phenotypes, parse_sex
from vardesk.catalog.uow import UnitOfWork
from vardesk.domain import cases as dc
from vardesk.domain.access import Actor, require_project_write, require_role
from vardesk.domain.cases import Case, CaseMember, CaseType
from vardesk.domain.enums import Role
from vardesk.domain.errors import Conflict, Invalid, NotFound, Unprocessable, VardeskError
from vardesk.domain.ids import numeric_id
from vardesk.domain.models import Genome
from vardesk.domain.refs import check_code

if TYPE_CHECKING:
    from vardesk.app.cases.case_analysis import CandidateService
    from vardesk.app.cases.interpretation import InterpretationService

__all__ = ["CaseRecords", "CaseService", "CaseView", "parse_case_type"]

EDITABLE = (
    "title",
    "accession_id",
    "external_ids",
    "filter_preset",
    "assay_type",
    "hpo_terms",
    "patient_fields",
    "qc_data",
    "dates",
    "panel_id",
)


# OpenCGA's case types, as the native face shows a case ("type"), → the case type they stand for
OPENCGA_CASE_TYPES = {"SINGLE": CaseType.EXOME, "CANCER": CaseType.SOMATIC_PANEL}


def family_case_type(members: list[dict[str, Any]]) -> CaseType:
    """The family case type a FAMILY case's members make: proband + mother + father is a trio, two
    members a duo, a trio plus one sibling a quad; any other family (or none yet) a flexible family."""
    relations = sorted(
        str(m.get("relation") or ("PROBAND" if i == 0 else "OTHER")).strip().upper()
        for i, m in enumerate(members)
        if isinstance(m, dict)
    )
    if relations == ["FATHER", "MOTHER", "PROBAND"]:
        return CaseType.TRIO
    if relations == ["FATHER", "MOTHER", "PROBAND", "SIBLING"]:
        return CaseType.QUAD
    if len(relations) == 2:
        return CaseType.DUO
    return CaseType.QUINTET


def parse_case_type(value: Any, members: list[dict[str, Any]] | None = None) -> CaseType:
    """A case type in any spelling a case is shown with: Vardesk's (``trio``, any case) or OpenCGA's
    (``SINGLE``, ``CANCER``, ``FAMILY`` — the family type then follows from the ``members``)."""
    text = str(value or "").strip()
    if text.upper() in OPENCGA_CASE_TYPES:
        return OPENCGA_CASE_TYPES[text.upper()]
    if text.upper() == "FAMILY":
        return family_case_type(list(members or []))
    try:
        return CaseType(text.lower())
    except ValueError:
        allowed = [t.value for t in CaseType] + [*OPENCGA_CASE_TYPES, "FAMILY"]
        raise Invalid(f"case type {value!r} is not one of {', '.join(allowed)}") from None


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not value:
        return []
    if not isinstance(value, list | tuple):
        raise Invalid(f"{key} must be a list")
    return list(value)


def _shown_sample(member: dict[str, Any]) -> Any:
    """The sample of a member written as a case shows it: ``"samples": [{"id": "HG002"}]``."""
    samples = member.get("samples")
    if isinstance(samples, list) and samples:
        first = samples[0]
        return first.get("id") if isinstance(first, dict) else first
    return None


class CaseService(CaseRecords):
    """Creating and changing cases. Queues their analysis through ``analysis`` and copies their report
    variants into an amendment through ``interpretation``."""

    def __init__(
        self,
        ctx: ServiceContext,
        projects: ProjectService,
        configuration: ConfigurationService,
        analysis: CandidateService,
        interpretation: InterpretationService,
    ) -> None:
        super().__init__(ctx, projects, configuration)
        self.analysis = analysis
        self.interpretation = interpretation
        # called after an approval is committed (the composition root adds the final PDF's render)
        self.on_approved: list[Callable[[Actor, CaseView], None]] = []

    def get_many(
        self, actor: Actor, refs: list[str], study_ref: str | None
    ) -> list[tuple[str, CaseView | VardeskError]]:
        out: list[tuple[str, CaseView | VardeskError]] = []
        for ref in refs:
            try:
                out.append((ref, self.get(actor, ref, study_ref)))
            except VardeskError as exc:
                out.append((ref, exc))
        return out

    def search(
        self,
        actor: Actor,
        study_ref: str | None,
        filters: dict[str, Any],
        *,
        accession_contains: str | None = None,
        genome_id: int | None = None,
        genome_label_contains: str | None = None,
        genome_external_id_contains: str | None = None,
    ) -> list[CaseView]:
        """Cases matching exact column ``filters``; optionally also an accession substring, a member genome
        id, or a substring (case-insensitive) of a member genome's label or ``external_id`` attribute."""

        def keep(view: CaseView) -> bool:
            genomes = [g for _, g in view.members if g is not None]
            if accession_contains and accession_contains.lower() not in view.case.accession_id.lower():
                return False
            if genome_id is not None and not any(g.id == genome_id for g in genomes):
                return False
            if genome_label_contains and not any(
                genome_label_contains.lower() in g.label.lower() for g in genomes
            ):
                return False
            return not genome_external_id_contains or any(
                genome_external_id_contains.lower() in str(g.attributes.get("external_id") or "").lower()
                for g in genomes
            )

        with self.ctx.uow() as uow:
            if study_ref:
                studies = [self.projects.resolve_study(uow, actor, study_ref)]
            else:
                studies = self.projects.readable_studies(uow, actor)
            by_id = {s.study.id: s for s in studies}
            cases = uow.cases.in_studies(list(by_id), {k: v for k, v in filters.items() if v is not None})
            views = [v for v in (self.view(uow, by_id[c.study_id], c) for c in cases) if keep(v)]
            for v in views:
                audit(uow, "case_read", actor=actor, entity_type="case", entity_id=v.case.id)
            uow.commit()
        return views

    def diagnostic_yield(self, views: list[CaseView]) -> list[dict[str, Any]]:
        """Signed-out and solved cases per month among ``views`` (cases the actor has read)."""
        from vardesk.app.cases.outcomes import diagnostic_yield

        return diagnostic_yield(self.ctx, views)

    # -- creating ------------------------------------------------------------------------------------
    def _members(
        self, uow: UnitOfWork, study: StudyView, case: Case, items: list[dict[str, Any]]
    ) -> list[CaseMember]:
        members = []
        for pos, item in enumerate(items):
            relation = str(item.get("relation") or ("PROBAND" if pos == 0 else "OTHER")).strip().upper()
            genome_id = None
            ref = item.get("genome") or item.get("sample") or item.get("genome_id") or _shown_sample(item)
            if ref not in (None, ""):
                g = self._genome(uow, study, ref)
                genome_id = g.id
            members.append(
                CaseMember(
                    case_id=case.id or 0,
                    position=pos,
                    relation=relation,
                    sex=parse_sex(item.get("sex")),
                    affected=parse_affected(
                        item.get("affected", "AFFECTED" if relation == "PROBAND" else "")
                    ),
                    label=str(item.get("label") or item.get("id") or ""),
                    genome_id=genome_id,
                )
            )
        dc.check_members(case.type, [m.relation for m in members])
        return members

    def _genome(self, uow: UnitOfWork, study: StudyView, ref: Any) -> Genome:
        g = None
        if numeric_id(ref) is not None:
            g = uow.genomes.get(numeric_id(ref))
        if g is None:
            g = uow.genomes.by_code(study.study.id or 0, str(ref)) or uow.genomes.by_uuid(str(ref))
        if g is None or g.workspace_id != study.project.workspace_id or g.project_id != study.project.id:
            raise NotFound(f"genome {ref!r} not found in project {study.project.code}")
        return g

    def create(self, actor: Actor, study_ref: str, data: dict[str, Any]) -> CaseView:
        with self.ctx.uow() as uow:
            study = self.projects.study_for_write(uow, actor, study_ref)
            sid = study.study.id or 0
            code = (
                data.get("id") or data.get("code") or f"CASE{uow.cases.next_number(actor.workspace_id):06d}"
            )
            check_code(str(code), "case")
            if uow.cases.by_code(sid, str(code)):
                raise Conflict(f"case {code!r} already exists in study {study.fqn}")
            panel_id = self._panel_id(uow, actor, data.get("panel") or data.get("panel_id"))
            case = uow.cases.add(
                Case(
                    workspace_id=actor.workspace_id,
                    project_id=study.project.id or 0,
                    study_id=sid,
                    code=str(code),
                    type=parse_case_type(data.get("type") or "exome", _list(data, "members")),
                    created_by=actor.user_id,
                    title=str(data.get("title") or data.get("description") or ""),
                    accession_id=str(data.get("accession_id") or data.get("accessionId") or ""),
                    external_ids=object_field(data.get("external_ids"), "external_ids"),
                    panel_id=panel_id,
                    filter_preset=object_field(data.get("filter_preset"), "filter_preset"),
                    assay_type=str(data.get("assay_type") or ""),
                    hpo_terms=parse_phenotypes(data.get("hpo_terms")),
                    patient_fields=object_field(data.get("patient_fields"), "patient_fields"),
                    qc_data=object_field(data.get("qc_data"), "qc_data"),
                    dates=object_field(data.get("dates"), "dates"),
                )
            )
            self._check_qc(uow, case)
            members = self._members(uow, study, case, _list(data, "members"))
            uow.case_members.replace(case.id or 0, members)
            self.record(uow, actor, case, "create", {"type": case.type.value, "members": len(members)})
            self._advance(uow, case, members)
            view = self.view(uow, study, case)
            uow.commit()
        self.analysis.schedule_ready([view.case.id or 0])
        return view

    def check_new(self, actor: Actor, study_ref: str | None, data: dict[str, Any]) -> None:
        """Every check :meth:`create` makes of a new case, without creating it (a client's dry run): the
        code, type, panel, HPO terms, QC data and members (their genomes are not looked up). With a
        ``study_ref``, write access to it as well; without one (the study does not exist yet), the right
        to create the project that will hold it."""
        with self.ctx.uow() as uow:
            if study_ref:
                self.projects.study_for_write(uow, actor, study_ref)
            else:
                require_role(actor, Role.ADMIN, Role.DIRECTOR, Role.ANALYST, action="creating cases")
            if data.get("code"):
                check_code(str(data["code"]), "case")
            case = Case(
                workspace_id=actor.workspace_id,
                project_id=0,
                study_id=0,
                code=str(data.get("code") or "new"),
                type=parse_case_type(data.get("type") or "exome", data.get("members")),
                created_by=actor.user_id,
                panel_id=self._panel_id(uow, actor, data.get("panel") or data.get("panel_id")),
                assay_type=str(data.get("assay_type") or ""),
                hpo_terms=parse_phenotypes(data.get("hpo_terms")),
                qc_data=dict(data.get("qc_data") or {}),
            )
            self._check_qc(uow, case)
            items = [{k: v for k, v in m.items() if k != "genome"} for m in data.get("members") or []]
            for pos, item in enumerate(items):
                relation = str(item.get("relation") or ("PROBAND" if pos == 0 else "OTHER")).strip().upper()
                parse_sex(item.get("sex"))
                parse_affected(item.get("affected", "AFFECTED" if relation == "PROBAND" else ""))
            dc.check_members(
                case.type,
                [
                    str(m.get("relation") or ("PROBAND" if i == 0 else "OTHER")).strip().upper()
                    for i, m in enumerate(items)
                ],
            )

    def create_case(self, actor: Actor, command: CreateCase) -> CaseView:
        """Create a case from the typed command the faces build."""
        return self.create(actor, command.study, command.as_data())

    def _check_qc(self, uow: UnitOfWork, case: Case) -> None:
        """The assay type must exist in the workspace; QC data then only uses its QC fields."""
        if case.assay_type:
            dc.check_qc_data(case.qc_data, self.configuration.assay(uow, case.workspace_id, case.assay_type))

    def _panel_id(self, uow: UnitOfWork, actor: Actor, ref: Any) -> int | None:
        if ref in (None, ""):
            return None
        panel = uow.panels.get(numeric_id(str(ref))) if numeric_id(str(ref)) else None
        if panel is None or panel.workspace_id != actor.workspace_id:
            raise NotFound(f"panel {ref!r} not found")
        return panel.id

    def _advance(self, uow: UnitOfWork, case: Case, members: list[CaseMember]) -> None:
        """WAITING FOR SAMPLE ↔ WAITING as genomes come and go."""
        has_all = bool(members) and all(m.genome_id for m in members)
        if case.status == dc.WAITING_FOR_SAMPLE and has_all:
            case.status = dc.WAITING
        elif case.status == dc.WAITING and not has_all:
            case.status = dc.WAITING_FOR_SAMPLE

    # -- changing ------------------------------------------------------------------------------------
    def _for_write(
        self, uow: UnitOfWork, actor: Actor, ref: str, study_ref: str | None
    ) -> tuple[StudyView, Case]:
        study, case = self.find(uow, actor, ref, study_ref)
        require_project_write(actor, study.project)
        dc.check_editable(case)
        return study, case

    def update(self, actor: Actor, ref: str, data: dict[str, Any], study_ref: str | None = None) -> CaseView:
        with self.ctx.uow() as uow:
            study, case = self._for_write(uow, actor, ref, study_ref)
            changes: dict[str, Any] = {}
            for key in EDITABLE:
                if key not in data:
                    continue
                value = data[key]
                if key == "hpo_terms":
                    value = parse_phenotypes(value)
                elif key == "panel_id":
                    value = self._panel_id(uow, actor, value)
                elif key in ("title", "accession_id", "assay_type"):
                    value = str(value or "")  # as a new case takes them; null clears the text
                elif key in ("patient_fields", "qc_data", "external_ids", "dates", "filter_preset"):
                    value = {**getattr(case, key), **object_field(value, key)}
                else:  # a text field: null clears it, as at creation
                    value = str(value or "")
                if getattr(case, key) != value:
                    changes[key] = {"old": getattr(case, key), "new": value}
                    setattr(case, key, value)
            if "qc_data" in changes or "assay_type" in changes:
                self._check_qc(uow, case)
            rerun = False
            if "members" in data:
                members = self._members(uow, study, case, _list(data, "members"))
                uow.case_members.replace(case.id or 0, members)
                changes["members"] = {"new": [m.relation for m in members]}
                self._advance(uow, case, members)
                rerun = True
            if not changes:
                return self.view(uow, study, case)
            rerun = rerun or any(k in changes for k in ("hpo_terms", "panel_id", "filter_preset"))
            self.record(uow, actor, case, "update", changes)
            view = self.view(uow, study, case)
            uow.commit()
        if rerun:
            self.analysis.schedule_rerun(view.case.id or 0, actor)
        return view

    def set_status(
        self, actor: Actor, ref: str, status: str, reason: str = "", study_ref: str | None = None
    ) -> CaseView:
        given, status = status, status.strip().upper()
        with self.ctx.uow() as uow:
            review = self.configuration.review_statuses(uow, actor.workspace_id)
        if status not in (*dc.SYSTEM_STATUSES, *review):
            raise Unprocessable(f"Invalid status: {given}")
        if status == dc.APPROVED:
            return self.approve(actor, ref, study_ref)
        with self.ctx.uow() as uow:
            study, case = self._for_write(uow, actor, ref, study_ref)
            dc.check_transition(case, status, review=review)
            old = case.status
            case.status, case.status_reason = status, reason
            case.last_interpreter_id = actor.user_id
            self.record(uow, actor, case, "status", {"status": {"old": old, "new": status}, "reason": reason})
            view = self.view(uow, study, case)
            uow.commit()
        return view

    def approve(self, actor: Actor, ref: str, study_ref: str | None = None) -> CaseView:
        with self.ctx.uow() as uow:
            study, case = self.find(uow, actor, ref, study_ref)
            require_project_write(actor, study.project)
            dc.check_approval(case, actor.user_id, actor.role)
            dc.check_classified(uow.report_variants.of_case(case.id or 0))
            members = [
                (m, uow.genomes.get(m.genome_id) if m.genome_id else None)
                for m in uow.case_members.of_case(case.id or 0)
            ]
            problems = interpretability.genome_problems(
                members, demo=interpretability.in_demo_workspace(uow, case.workspace_id)
            )
            if problems:
                raise Unprocessable(
                    "the case's analysis is not interpretable and cannot be signed out: "
                    + "; ".join(problems)
                )
            old = case.status
            case.status, case.approved_by = dc.APPROVED, actor.user_id
            case.report_approved_date = self.ctx.clock()
            self.record(uow, actor, case, "approve", {"status": {"old": old, "new": dc.APPROVED}})
            view = self.view(uow, study, case)
            uow.commit()
        for hook in self.on_approved:  # the signed PDF, rendered once
            hook(actor, view)
        return view

    def approve_report(self, actor: Actor, command: ApproveReport) -> CaseView:
        return self.approve(actor, command.case, command.study)

    def amend(self, actor: Actor, ref: str, reason: str, study_ref: str | None = None) -> CaseView:
        """An approved case is never changed: its amendment is a new case version to review and approve."""
        if not reason.strip():
            raise Invalid("an amendment needs a reason")
        with self.ctx.uow() as uow:
            study, old = self.find(uow, actor, ref, study_ref)
            require_project_write(actor, study.project)
            if old.status != dc.APPROVED:
                raise Conflict("only an approved case is amended; edit this one directly")
            later = [c for c in uow.cases.in_studies([old.study_id]) if c.amends_case_id == old.id]
            if later:
                raise Conflict(f"case {old.code} was already amended by {later[0].code}; amend that version")
            fields = {
                k: getattr(old, k)
                for k in (
                    "workspace_id",
                    "project_id",
                    "study_id",
                    "type",
                    "title",
                    "accession_id",
                    "external_ids",
                    "panel_id",
                    "filter_preset",
                    "assay_type",
                    "hpo_terms",
                    "patient_fields",
                    "qc_data",
                    "dates",
                    "analysis_run",
                    "annotation_sources",
                    "analysis_result",
                    "analysis_result_reason",
                )
            }
            new = uow.cases.add(
                Case(
                    **fields,
                    code=f"{old.code}.A{old.version + 1}",
                    created_by=actor.user_id,
                    status=self.configuration.review_statuses(uow, old.workspace_id)[0],
                    version=old.version + 1,
                    amends_case_id=old.id,
                    status_reason=f"amendment: {reason}",
                )
            )
            uow.case_members.replace(
                new.id or 0,
                [
                    CaseMember(
                        case_id=new.id or 0,
                        position=m.position,
                        relation=m.relation,
                        sex=m.sex,
                        affected=m.affected,
                        label=m.label,
                        genome_id=m.genome_id,
                        individual_id=m.individual_id,
                    )
                    for m in uow.case_members.of_case(old.id or 0)
                ],
            )
            self.interpretation.copy_variants(uow, old.id or 0, new.id or 0)
            self.record(uow, actor, new, "amend", {"amends": old.code, "reason": reason}, bump=False)
            self.record(uow, actor, old, "amended", {"by": new.code, "reason": reason}, bump=False)
            view = self.view(uow, study, new)
            uow.commit()
        return view

    def _open_member(
        self, uow: UnitOfWork, actor: Actor, ref: str, member_id: int
    ) -> tuple[StudyView, Case, CaseMember]:
        study, case = self._for_write(uow, actor, ref, None)
        member = next((m for m in uow.case_members.of_case(case.id or 0) if m.id == member_id), None)
        if member is None:
            raise NotFound(f"member {member_id} not found in case {ref}")
        if member.genome_id is not None:
            raise Conflict(f"member {member_id} already has a genome")
        return study, case, member

    def member_for_upload(self, actor: Actor, ref: str, member_id: int) -> CaseView:
        """The case, if ``actor`` may attach a genome to its member ``member_id`` (which has none yet)."""
        with self.ctx.uow() as uow:
            study, case, _ = self._open_member(uow, actor, ref, member_id)
            return self.view(uow, study, case)

    def attach_genome(self, actor: Actor, ref: str, member_id: int, genome_ref: Any) -> CaseView:
        """Give member ``member_id`` (which has no genome) a genome of the case's project, keeping the
        member's id; the case's analysis is queued once every member's genome is ready."""
        with self.ctx.uow() as uow:
            study, case, member = self._open_member(uow, actor, ref, member_id)
            genome = self._genome(uow, study, genome_ref)
            members = uow.case_members.of_case(case.id or 0)
            builds = {g.build for m in members if m.genome_id and (g := uow.genomes.get(m.genome_id))}
            if builds and genome.build not in builds:
                raise Conflict(
                    f"the genome is {genome.build}, the case's other genomes {', '.join(sorted(builds))}"
                )
            member.genome_id = genome.id
            self._advance(uow, case, members)
            self.record(
                uow,
                actor,
                case,
                "update",
                {"members": {"genome": {"member": member_id, "new": member.genome_id}}},
            )
            view = self.view(uow, study, case)
            uow.commit()
        self.analysis.schedule_ready([view.case.id or 0])
        return view
