"""Workspaces, users and API keys. Operators call these from the CLI; workspace admins through the API."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from vardesk.app.cases.configuration import seed_workspace
from vardesk.app.context import ServiceContext, audit
from vardesk.app.security import hash_secret, new_api_key_login, new_api_key_secret
from vardesk.domain.access import Actor, require_role
from vardesk.domain.enums import Role
from vardesk.domain.errors import Conflict, Invalid, NotFound
from vardesk.domain.models import ApiKey, User, Workspace

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def slugify(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name.strip()).strip("-").lower()
    return slug[:64]


@dataclass(frozen=True)
class IssuedApiKey:
    login: str
    password: str
    user_email: str
    workspace: str


class AdminService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def create_workspace(self, name: str, code: str | None = None) -> Workspace:
        if not name.strip():
            raise Invalid("workspace name must not be empty")
        code = code or slugify(name)
        if not _CODE.match(code):
            raise Invalid(f"workspace code {code!r} must be letters, digits, '_', '.', '-' (max 64)")
        with self.ctx.uow() as uow:
            if uow.workspaces.by_code(code):
                raise Conflict(f"workspace {code!r} already exists")
            ws = uow.workspaces.add(Workspace(code=code, name=name.strip()))
            seed_workspace(uow, ws.id or 0)
            audit(uow, "workspace_create", workspace_id=ws.id, entity_type="workspace", entity_id=ws.id)
            uow.commit()
        return ws

    def get_workspace(self, ref: str) -> Workspace:
        with self.ctx.uow() as uow:
            ws = uow.workspaces.by_code(ref) or uow.workspaces.get(ref)
        if ws is None:
            raise NotFound(f"workspace {ref!r} not found")
        return ws

    def create_user(
        self,
        workspace: str,
        email: str,
        role: str,
        *,
        name: str = "",
        password: str | None = None,
        actor: Actor | None = None,
    ) -> tuple[User, str]:
        """Create a user; returns it with its password (generated when not given, shown once)."""
        ws = self.get_workspace(workspace)
        if actor is not None:
            require_role(actor, Role.ADMIN, action="creating users")
            if actor.workspace_id != ws.id:
                raise NotFound(f"workspace {workspace!r} not found")
        email = email.strip()
        if not _EMAIL.match(email):
            raise Invalid(f"{email!r} is not an e-mail address")
        try:
            role_enum = Role(role.lower())
        except ValueError:
            raise Invalid(f"role must be one of {', '.join(r.value for r in Role)}; got {role!r}") from None
        password = password or secrets.token_urlsafe(12)
        if len(password) < 8:
            raise Invalid("password must have at least 8 characters")
        with self.ctx.uow() as uow:
            assert ws.id is not None
            if uow.users.by_email(ws.id, email) or uow.users.by_login(email.lower()):
                raise Conflict(f"a user with e-mail {email} already exists")
            user = uow.users.add(
                User(
                    workspace_id=ws.id,
                    email=email,
                    login=email.lower(),
                    role=role_enum,
                    name=name or email.split("@")[0],
                    password_hash=hash_secret(password),
                )
            )
            audit(
                uow,
                "user_create",
                actor=actor,
                workspace_id=ws.id,
                entity_type="user",
                entity_id=user.id,
                details={"role": role_enum.value},
            )
            uow.commit()
        return user, password

    def create_api_key(
        self, workspace: str, user_email: str, *, description: str = "", actor: Actor | None = None
    ) -> IssuedApiKey:
        """Issue an API key for a user. The secret is returned once and stored only as an argon2 hash."""
        ws = self.get_workspace(workspace)
        assert ws.id is not None
        if actor is not None and actor.workspace_id != ws.id:
            raise NotFound(f"workspace {workspace!r} not found")
        with self.ctx.uow() as uow:
            user = uow.users.by_email(ws.id, user_email.strip())
            if user is None:
                raise NotFound(f"no user {user_email!r} in workspace {ws.code!r}")
            if actor is not None and actor.user_id != user.id:
                require_role(actor, Role.ADMIN, action="issuing API keys for another user")
            assert user.id is not None
            login, secret = new_api_key_login(), new_api_key_secret()
            key = uow.api_keys.add(
                ApiKey(
                    login=login,
                    secret_hash=hash_secret(secret),
                    user_id=user.id,
                    workspace_id=ws.id,
                    description=description,
                )
            )
            audit(
                uow,
                "api_key_create",
                actor=actor,
                workspace_id=ws.id,
                entity_type="api_key",
                entity_id=key.id,
                details={"user_id": user.id},
            )
            uow.commit()
        return IssuedApiKey(login=login, password=secret, user_email=user.email, workspace=ws.code)

    def get_user(self, actor: Actor, login: str) -> User:
        """A user's own record, or any user of the workspace for an admin."""
        with self.ctx.uow() as uow:
            user = uow.users.by_login(login) or uow.users.by_login(login.lower())
            if user is None or user.workspace_id != actor.workspace_id:
                raise NotFound(f"user {login!r} not found")
            if user.id != actor.user_id:
                require_role(actor, Role.ADMIN, action="reading another user's account")
            audit(uow, "user_read", actor=actor, entity_type="user", entity_id=user.id)
            uow.commit()
        return user

    def names_of(self, actor: Actor, user_ids: list[int]) -> dict[int, str]:
        """Display names (the name, else the e-mail) of users of the actor's workspace, for the "who did
        it" of a record; other workspaces' users are left out."""
        with self.ctx.uow() as uow:
            users = [uow.users.get(i) for i in dict.fromkeys(user_ids)]
        return {
            u.id: u.name or u.email
            for u in users
            if u is not None and u.id and u.workspace_id == actor.workspace_id
        }

    def colleagues(self, actor: Actor) -> list[User]:
        """The active users of the actor's workspace (who a case can be shared with)."""
        with self.ctx.uow() as uow:
            users = [u for u in uow.users.in_workspace(actor.workspace_id) if u.active]
            audit(uow, "users_list", actor=actor, entity_type="workspace", entity_id=actor.workspace_id)
            uow.commit()
        return users

    def workspace_of(self, actor: Actor) -> Workspace:
        with self.ctx.uow() as uow:
            ws = uow.workspaces.get(actor.workspace_id)
        assert ws is not None
        return ws
