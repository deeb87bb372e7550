"""A populated catalog for tests: two workspaces, a user of every role in each, API keys and tokens."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from vardesk.app.composition import Services
from vardesk.domain.access import Actor
from vardesk.domain.enums import JobState, Role

PASSWORD = "correct horse battery"


@dataclass
class Member:
    workspace: str
    email: str
    role: Role
    actor: Actor
    api_login: str
    api_secret: str
    password: str = PASSWORD

    @property
    def basic(self) -> tuple[str, str]:
        return (self.api_login, self.api_secret)


@dataclass
class World:
    services: Services
    members: dict[tuple[str, Role], Member] = field(default_factory=dict)

    def member(self, workspace: str, role: Role | str) -> Member:
        return self.members[(workspace, Role(role))]


def build_world(services: Services, workspaces: tuple[str, ...] = ("lab-a", "lab-b")) -> World:
    world = World(services)
    for ws_code in workspaces:
        ws = services.admin.create_workspace(f"Laboratory {ws_code}", code=ws_code)
        assert ws.id is not None
        for role in Role:
            email = f"{role.value}@{ws_code}.example.org"
            user, _ = services.admin.create_user(ws_code, email, role.value, password=PASSWORD)
            assert user.id is not None
            key = services.admin.create_api_key(ws_code, email)
            actor = Actor(user_id=user.id, workspace_id=ws.id, login=user.login, role=role)
            world.members[(ws_code, role)] = Member(ws_code, email, role, actor, key.login, key.password)
    return world


def wait_done(services: Services, code: str, timeout: float = 120) -> None:
    """Wait for a job run by the services' executor to finish, and require it DONE."""
    deadline = time.time() + timeout
    while True:
        with services.ctx.uow() as uow:
            job = uow.jobs.by_code(code)
        assert job is not None
        if job.state.finished:
            assert job.state is JobState.DONE, job.error
            return
        assert time.time() < deadline, f"job {code} still {job.state}"
        time.sleep(0.1)
