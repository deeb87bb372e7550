"""Who may do what. Pure rules over an :class:`Actor`; the service layer calls them on every request."""

from __future__ import annotations

from dataclasses import dataclass

from vardesk.domain.enums import Role, ShareRole
from vardesk.domain.errors import Forbidden, NotFound
from vardesk.domain.models import Project

WRITER_ROLES = frozenset({Role.ADMIN, Role.DIRECTOR, Role.ANALYST})


@dataclass(frozen=True)
class Actor:
    """The authenticated caller of a service function."""

    user_id: int
    workspace_id: int
    login: str
    role: Role
    via: str = "token"  # token | api_key | password | cli

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def can_write(self) -> bool:
        return self.role in WRITER_ROLES


def require_same_workspace(actor: Actor, workspace_id: int, what: str) -> None:
    """Entities of another workspace do not exist for the actor (no existence leak)."""
    if workspace_id != actor.workspace_id:
        raise NotFound(f"{what} not found")


def require_role(actor: Actor, *roles: Role, action: str) -> None:
    if actor.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(f"{action} needs one of the roles {allowed}; you are {actor.role.value}")


def can_read_project(actor: Actor, project: Project) -> bool:
    if project.workspace_id != actor.workspace_id:
        return False
    if actor.is_admin or project.owner_id == actor.user_id:
        return True
    return project.share_role in (ShareRole.CONTRIBUTOR, ShareRole.VIEWER)


def can_write_project(actor: Actor, project: Project) -> bool:
    if not can_read_project(actor, project) or not actor.can_write:
        return False
    if actor.is_admin or project.owner_id == actor.user_id:
        return True
    return project.share_role is ShareRole.CONTRIBUTOR


def require_project_read(actor: Actor, project: Project) -> None:
    require_same_workspace(actor, project.workspace_id, f"project {project.code}")
    if not can_read_project(actor, project):
        raise Forbidden(f"permission denied to read project {project.code}")


def require_project_write(actor: Actor, project: Project) -> None:
    require_project_read(actor, project)
    if not can_write_project(actor, project):
        raise Forbidden(f"permission denied to modify project {project.code}")


def require_project_admin(actor: Actor, project: Project) -> None:
    """Changing sharing or ownership: the owner or a workspace admin."""
    require_project_read(actor, project)
    if not (actor.is_admin or (project.owner_id == actor.user_id and actor.can_write)):
        raise Forbidden(f"only the owner or an admin may change the sharing of project {project.code}")
