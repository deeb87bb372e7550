"""The demo workspace: users for every role, an API key, a project with its default study."""

from __future__ import annotations

import secrets
from typing import Any

from vardesk.domain.access import Actor
from vardesk.domain.errors import Conflict
from vardesk.services.container import Services
from vardesk.services.security import hash_secret

DEMO_WORKSPACE = "demo"
DEMO_USERS = (
    ("analyst@demo.vardesk.local", "analyst"),
    ("director@demo.vardesk.local", "director"),
    ("admin@demo.vardesk.local", "admin"),
    ("viewer@demo.vardesk.local", "viewer"),
)


def seed_demo(services: Services) -> dict[str, Any]:
    """Create (or refresh) the demo workspace. New passwords and a new API key on every run."""
    admin = services.admin
    try:
        admin.create_workspace("Demo laboratory", code=DEMO_WORKSPACE)
    except Conflict:
        pass
    passwords: dict[str, str] = {}
    for email, role in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        try:
            admin.create_user(DEMO_WORKSPACE, email, role, password=password)
        except Conflict:
            with services.ctx.uow() as uow:
                ws = uow.workspaces.by_code(DEMO_WORKSPACE)
                assert ws is not None and ws.id is not None
                user = uow.users.by_email(ws.id, email)
                assert user is not None
                user.password_hash = hash_secret(password)
                uow.commit()
        passwords[email] = password
    key = admin.create_api_key(DEMO_WORKSPACE, DEMO_USERS[0][0], description="demo")
    with services.ctx.uow() as uow:
        ws = uow.workspaces.by_code(DEMO_WORKSPACE)
        analyst = uow.users.by_email(ws.id, DEMO_USERS[0][0])  # type: ignore[union-attr,arg-type]
        assert analyst is not None and analyst.id is not None and ws is not None and ws.id is not None
        actor = Actor(
            user_id=analyst.id, workspace_id=ws.id, login=analyst.login, role=analyst.role, via="cli"
        )
    try:
        services.projects.create_project(
            actor,
            {
                "id": "demo",
                "name": "Demo project",
                "organism": {"scientificName": "Homo sapiens", "assembly": "GRCh38"},
            },
        )
    except Conflict:
        pass
    return {
        "workspace": DEMO_WORKSPACE,
        "api_key": {"login": key.login, "password": key.password},
        "users": [{"user": email, "role": role, "password": passwords[email]} for email, role in DEMO_USERS],
        "project": "demo@demo",
        "study": "demo@demo:default",
    }
