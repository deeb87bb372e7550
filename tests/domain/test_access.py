from __future__ import annotations

import pytest

from vardesk.domain.access import Actor, can_read_project, can_write_project, require_project_read
from vardesk.domain.enums import Role, ShareRole
from vardesk.domain.errors import Forbidden, NotFound
from vardesk.domain.models import Project


def project(share: ShareRole, owner: int = 1, ws: int = 10) -> Project:
    return Project(workspace_id=ws, code="p", name="p", owner_id=owner, share_role=share)


def actor(role: Role, user: int = 2, ws: int = 10) -> Actor:
    return Actor(user_id=user, workspace_id=ws, login="x", role=role)


@pytest.mark.parametrize(
    ("share", "role", "read", "write"),
    [
        (ShareRole.CONTRIBUTOR, Role.ANALYST, True, True),
        (ShareRole.CONTRIBUTOR, Role.VIEWER, True, False),
        (ShareRole.VIEWER, Role.ANALYST, True, False),
        (ShareRole.VIEWER, Role.DIRECTOR, True, False),
        (ShareRole.NONE, Role.ANALYST, False, False),
        (ShareRole.NONE, Role.DIRECTOR, False, False),
        (ShareRole.NONE, Role.ADMIN, True, True),
    ],
)
def test_share_role_for_other_members(share: ShareRole, role: Role, read: bool, write: bool) -> None:
    p, a = project(share), actor(role)
    assert can_read_project(a, p) is read
    assert can_write_project(a, p) is write


def test_owner_keeps_access_whatever_the_share_role() -> None:
    p = project(ShareRole.NONE, owner=2)
    assert can_write_project(actor(Role.ANALYST, user=2), p)


def test_another_workspace_sees_nothing_not_even_existence() -> None:
    p = project(ShareRole.CONTRIBUTOR)
    admin_elsewhere = actor(Role.ADMIN, ws=11)
    assert not can_read_project(admin_elsewhere, p)
    with pytest.raises(NotFound):
        require_project_read(admin_elsewhere, p)
    with pytest.raises(Forbidden):
        require_project_read(actor(Role.ANALYST), project(ShareRole.NONE))
