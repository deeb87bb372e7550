"""Projects and their studies. Every call is authorised here from the caller's :class:`Actor`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from vardesk.app.commands import CreateProject, object_field
from vardesk.app.context import ServiceContext, audit
from vardesk.catalog.uow import UnitOfWork
from vardesk.domain.access import (
    Actor,
    can_read_project,
    require_project_admin,
    require_project_read,
    require_project_write,
    require_role,
)
from vardesk.domain.enums import Role, ShareRole
from vardesk.domain.errors import Conflict, Invalid, NotFound, VardeskError
from vardesk.domain.models import Project, Study, Workspace
from vardesk.domain.refs import check_code, parse_project_ref, parse_study_ref

DEFAULT_STUDY = "default"
ASSEMBLIES = {"GRCH37": "GRCh37", "HG19": "GRCh37", "GRCH38": "GRCh38", "HG38": "GRCh38"}


@dataclass(frozen=True)
class ProjectView:
    workspace: Workspace
    project: Project
    studies: list[Study]

    @property
    def fqn(self) -> str:
        return f"{self.workspace.code}@{self.project.code}"

    @property
    def default_study_fqn(self) -> str:
        """The project's default study (created with it), for faces whose projects have no studies."""
        study = next((s for s in self.studies if s.is_default), self.studies[0] if self.studies else None)
        return f"{self.fqn}:{study.code if study else DEFAULT_STUDY}"


@dataclass(frozen=True)
class StudyView:
    workspace: Workspace
    project: Project
    study: Study

    @property
    def fqn(self) -> str:
        return f"{self.workspace.code}@{self.project.code}:{self.study.code}"


def normalise_assembly(value: str | None) -> str:
    if not value:
        return ""
    canon = ASSEMBLIES.get(value.strip().upper())
    if canon is None:
        raise Invalid(f"assembly {value!r} is not supported; use GRCh37 or GRCh38")
    return canon


def _share_role(value: Any) -> ShareRole:
    try:
        return ShareRole(str(value).upper())
    except ValueError:
        raise Invalid(f"share_role must be one of CONTRIBUTOR, VIEWER, NONE; got {value!r}") from None


def _unique_code(uow: UnitOfWork, workspace_id: int, name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-._")[:100] or "project"
    code, n = base, 2
    while uow.projects.by_code(workspace_id, code) is not None:
        code, n = f"{base}-{n}", n + 1
    return code


class ProjectService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # -- resolution ------------------------------------------------------------------------------
    def _workspace(self, uow: UnitOfWork, actor: Actor, code: str | None) -> Workspace:
        ws = uow.workspaces.get(actor.workspace_id)
        assert ws is not None
        if code is not None and code not in (ws.code, ws.uuid):
            raise NotFound(f"organization {code!r} not found")
        return ws

    def _project(self, uow: UnitOfWork, actor: Actor, ref: str) -> tuple[Workspace, Project]:
        pref = parse_project_ref(ref)
        ws = self._workspace(uow, actor, pref.workspace)
        assert ws.id is not None
        project = uow.projects.by_code(ws.id, pref.project) or uow.projects.by_uuid(pref.project)
        if project is None or project.workspace_id != ws.id:
            raise NotFound(f"project {pref.project!r} not found")
        require_project_read(actor, project)
        return ws, project

    def resolve_study(self, uow: UnitOfWork, actor: Actor, ref: str, project: str | None = None) -> StudyView:
        """Find a readable study from ``[[org@]project:]study``; a bare study id must be unambiguous."""
        sref = parse_study_ref(ref)
        ws = self._workspace(uow, actor, sref.workspace)
        assert ws.id is not None
        if sref.project is None and project is not None:
            sref = parse_study_ref(f"{project}:{sref.study}")
        if sref.project is not None:
            _, proj = self._project(uow, actor, f"{ws.code}@{sref.project}")
            assert proj.id is not None
            study = uow.studies.by_code(proj.id, sref.study) or uow.studies.by_uuid(sref.study)
            if study is None or study.project_id != proj.id:
                raise NotFound(f"study {ref!r} not found")
            return StudyView(ws, proj, study)
        study = uow.studies.by_uuid(sref.study)
        if study is not None:
            proj = uow.projects.get(study.project_id)
            if proj is not None and proj.workspace_id == ws.id:
                require_project_read(actor, proj)
                return StudyView(ws, proj, study)
        readable = [p for p in uow.projects.search(ws.id, {}) if can_read_project(actor, p)]
        matches = [
            s for s in uow.studies.in_projects([p.id for p in readable if p.id]) if s.code == sref.study
        ]
        if not matches:
            raise NotFound(f"study {ref!r} not found")
        if len(matches) > 1:
            raise Invalid(f"study id {sref.study!r} exists in several projects; use project:study")
        proj = next(p for p in readable if p.id == matches[0].project_id)
        return StudyView(ws, proj, matches[0])

    def study_for_write(self, uow: UnitOfWork, actor: Actor, ref: str) -> StudyView:
        view = self.resolve_study(uow, actor, ref)
        require_project_write(actor, view.project)
        return view

    def _view(self, uow: UnitOfWork, ws: Workspace, project: Project) -> ProjectView:
        assert project.id is not None
        return ProjectView(ws, project, list(uow.studies.in_projects([project.id])))

    # -- projects --------------------------------------------------------------------------------
    def create_project(self, actor: Actor, data: dict[str, Any], *, auto_code: bool = False) -> ProjectView:
        """Create a project and its default study. With ``auto_code`` a project given no id gets a unique
        one derived from its name (faces whose clients only know numeric ids and names)."""
        require_role(actor, Role.ADMIN, Role.DIRECTOR, Role.ANALYST, action="creating projects")
        given = str(data.get("id") or data.get("code") or "")
        code = check_code(given, "project") if given or not auto_code else ""
        organism = data.get("organism") or {}
        with self.ctx.uow() as uow:
            ws = self._workspace(uow, actor, None)
            assert ws.id is not None
            if not code:
                code = _unique_code(uow, ws.id, str(data.get("name") or ""))
            if uow.projects.by_code(ws.id, code):
                raise Conflict(f"project {code!r} already exists")
            project = uow.projects.add(
                Project(
                    workspace_id=ws.id,
                    code=code,
                    name=str(data.get("name") or code),
                    owner_id=actor.user_id,
                    description=str(data.get("description") or ""),
                    organism_scientific_name=str(organism.get("scientificName") or ""),
                    organism_common_name=str(organism.get("commonName") or ""),
                    assembly=normalise_assembly(organism.get("assembly")),
                    share_role=_share_role(data.get("shareRole", data.get("share_role", "CONTRIBUTOR"))),
                    attributes=object_field(data.get("attributes"), "attributes"),
                )
            )
            assert project.id is not None
            uow.studies.add(
                Study(project_id=project.id, code=DEFAULT_STUDY, name="Default study", is_default=True)
            )
            audit(uow, "project_create", actor=actor, entity_type="project", entity_id=project.id)
            view = self._view(uow, ws, project)
            uow.commit()
        return view

    def create(self, actor: Actor, command: CreateProject) -> ProjectView:
        """:meth:`create_project` from the typed command the faces build."""
        return self.create_project(actor, command.as_data(), auto_code=command.auto_code)

    def project_for_code(self, actor: Actor, code: str, data: dict[str, Any]) -> ProjectView:
        """The workspace's project ``code``, created from ``data`` on first use (a face's default home
        for the entities its clients create without naming a project). Unreadable: not found."""
        for _ in range(2):
            with self.ctx.uow() as uow:
                ws = self._workspace(uow, actor, None)
                project = uow.projects.by_code(ws.id or 0, code)
                if project is not None:
                    require_project_read(actor, project)
                    return self._view(uow, ws, project)
            try:
                return self.create_project(actor, {**data, "id": code})
            except Conflict:  # created meanwhile by a concurrent request
                continue
        raise Conflict(f"project {code!r} could not be created")

    def search_projects(self, actor: Actor, filters: dict[str, Any]) -> list[ProjectView]:
        with self.ctx.uow() as uow:
            ws = self._workspace(uow, actor, filters.pop("organization", None))
            assert ws.id is not None
            fqn = filters.pop("fqn", None)
            if fqn:
                pref = parse_project_ref(fqn)
                if pref.workspace not in (None, ws.code):
                    return []
                filters["code"] = pref.project
            views = [
                self._view(uow, ws, p)
                for p in uow.projects.search(ws.id, filters)
                if can_read_project(actor, p)
            ]
            for v in views:
                audit(uow, "project_read", actor=actor, entity_type="project", entity_id=v.project.id)
            uow.commit()
        return views

    def get_projects(self, actor: Actor, refs: list[str]) -> list[tuple[str, ProjectView | VardeskError]]:
        out: list[tuple[str, ProjectView | VardeskError]] = []
        with self.ctx.uow() as uow:
            for ref in refs:
                try:
                    ws, project = self._project(uow, actor, ref)
                except VardeskError as exc:
                    audit(
                        uow,
                        "project_read",
                        actor=actor,
                        entity_type="project",
                        entity_id=ref[:128],
                        outcome=exc.code,
                    )
                    out.append((ref, exc))
                    continue
                audit(uow, "project_read", actor=actor, entity_type="project", entity_id=project.id)
                out.append((ref, self._view(uow, ws, project)))
            uow.commit()
        return out

    def update_project(self, actor: Actor, ref: str, data: dict[str, Any]) -> ProjectView:
        with self.ctx.uow() as uow:
            ws, project = self._project(uow, actor, ref)
            require_project_write(actor, project)
            if "name" in data:
                project.name = str(data["name"])
            if "description" in data:
                project.description = str(data["description"] or "")
            organism = data.get("organism") or {}
            if "scientificName" in organism:
                project.organism_scientific_name = str(organism["scientificName"] or "")
            if "commonName" in organism:
                project.organism_common_name = str(organism["commonName"] or "")
            if "assembly" in organism:
                project.assembly = normalise_assembly(organism["assembly"])
            if "attributes" in data:
                project.attributes = {**project.attributes, **object_field(data["attributes"], "attributes")}
            share = data.get("shareRole", data.get("share_role"))
            if share is not None:
                require_project_admin(actor, project)
                project.share_role = _share_role(share)
            project.modified_at = self.ctx.clock()
            audit(
                uow,
                "project_update",
                actor=actor,
                entity_type="project",
                entity_id=project.id,
                details={"fields": sorted(data)},
            )
            view = self._view(uow, ws, project)
            uow.commit()
        return view

    # -- studies ---------------------------------------------------------------------------------
    def create_study(self, actor: Actor, project_ref: str, data: dict[str, Any]) -> StudyView:
        code = check_code(str(data.get("id") or data.get("code") or ""), "study")
        with self.ctx.uow() as uow:
            ws, project = self._project(uow, actor, project_ref)
            require_project_write(actor, project)
            assert project.id is not None
            if uow.studies.by_code(project.id, code):
                raise Conflict(f"study {code!r} already exists in project {project.code!r}")
            study = uow.studies.add(
                Study(
                    project_id=project.id,
                    code=code,
                    name=str(data.get("name") or code),
                    alias=str(data.get("alias") or code),
                    description=str(data.get("description") or ""),
                    type=str(
                        (data.get("type") or {}).get("id")
                        if isinstance(data.get("type"), dict)
                        else data.get("type") or "CASE_CONTROL"
                    ),
                    attributes=object_field(data.get("attributes"), "attributes"),
                )
            )
            audit(uow, "study_create", actor=actor, entity_type="study", entity_id=study.id)
            uow.commit()
        return StudyView(ws, project, study)

    def search_studies(self, actor: Actor, project_ref: str, filters: dict[str, Any]) -> list[StudyView]:
        with self.ctx.uow() as uow:
            ws, project = self._project(uow, actor, project_ref)
            assert project.id is not None
            fqn = filters.pop("fqn", None)
            if fqn:
                filters["code"] = parse_study_ref(fqn).study
            views = [StudyView(ws, project, s) for s in uow.studies.in_projects([project.id], filters)]
            audit(uow, "project_read", actor=actor, entity_type="project", entity_id=project.id)
            uow.commit()
        return views

    def get_studies(self, actor: Actor, refs: list[str]) -> list[tuple[str, StudyView | VardeskError]]:
        out: list[tuple[str, StudyView | VardeskError]] = []
        with self.ctx.uow() as uow:
            for ref in refs:
                try:
                    view = self.resolve_study(uow, actor, ref)
                except VardeskError as exc:
                    out.append((ref, exc))
                    continue
                audit(uow, "study_read", actor=actor, entity_type="study", entity_id=view.study.id)
                out.append((ref, view))
            uow.commit()
        return out

    def update_study(self, actor: Actor, ref: str, data: dict[str, Any]) -> StudyView:
        with self.ctx.uow() as uow:
            view = self.study_for_write(uow, actor, ref)
            study = view.study
            for key in ("name", "alias", "description"):
                if key in data:
                    setattr(study, key, str(data[key] or ""))
            if "attributes" in data:
                study.attributes = {**study.attributes, **object_field(data["attributes"], "attributes")}
            study.modified_at = self.ctx.clock()
            audit(
                uow,
                "study_update",
                actor=actor,
                entity_type="study",
                entity_id=study.id,
                details={"fields": sorted(data)},
            )
            uow.commit()
        return view

    # -- lookups for other services and faces ------------------------------------------------------
    def study_view(self, actor: Actor, ref: str) -> StudyView:
        with self.ctx.uow() as uow:
            return self.resolve_study(uow, actor, ref)

    def study_fqn(self, actor: Actor, study_id: int) -> str | None:
        with self.ctx.uow() as uow:
            study = uow.studies.get(study_id)
            project = uow.projects.get(study.project_id) if study else None
            ws = uow.workspaces.get(actor.workspace_id)
            if study is None or project is None or ws is None or project.workspace_id != ws.id:
                return None
            return f"{ws.code}@{project.code}:{study.code}"

    def project_by_id(self, actor: Actor, project_id: int) -> ProjectView:
        """A readable project of the actor's workspace by its integer id (another workspace's: not found)."""
        with self.ctx.uow() as uow:
            ws = self._workspace(uow, actor, None)
            project = uow.projects.get(project_id)
            if project is None or project.workspace_id != ws.id:
                raise NotFound(f"project {project_id} not found")
            require_project_read(actor, project)
            audit(uow, "project_read", actor=actor, entity_type="project", entity_id=project.id)
            view = self._view(uow, ws, project)
            uow.commit()
        return view

    def study_by_id(self, uow: UnitOfWork, actor: Actor, study_id: int) -> StudyView:
        study = uow.studies.get(study_id)
        project = uow.projects.get(study.project_id) if study else None
        if study is None or project is None:
            raise NotFound("study not found")
        ws = self._workspace(uow, actor, None)
        if project.workspace_id != ws.id:
            raise NotFound("study not found")
        require_project_read(actor, project)
        return StudyView(ws, project, study)

    def readable_studies(self, uow: UnitOfWork, actor: Actor) -> list[StudyView]:
        ws = self._workspace(uow, actor, None)
        projects = {p.id: p for p in uow.projects.search(ws.id or 0, {}) if can_read_project(actor, p)}
        return [StudyView(ws, projects[s.project_id], s) for s in uow.studies.in_projects(list(projects))]
