"""The data directory is the owner's alone: after a real upload and index every directory is 0700 and
every file 0600 (blobs, variant stores, scratch, the secret key and the SQLite catalog)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.api.native.test_variants_flow import API, GIAB, upload, wait_job
from tests.conftest import LiveServer, make_settings
from tests.world import build_world
from vardesk.app.composition import Services, build_services
from vardesk.domain.enums import Role


@pytest.fixture
def data_dir(database_url: str, backend: str, tmp_path: Path) -> Iterator[tuple[Services, Path]]:
    before = os.umask(0o022)  # what a login shell usually has; the server must not rely on a stricter one
    data = tmp_path / "data"
    url = f"sqlite:///{data / 'vardesk.db'}" if backend == "sqlite" else database_url
    svc = build_services(make_settings(data, url))
    yield svc, data
    svc.close()
    os.umask(before)


def loose(root: Path) -> list[str]:
    """Every path under ``root`` (and root itself) that group or others could read, with its mode."""
    found = []
    for base, _, files in os.walk(root):
        for p in [Path(base), *(Path(base) / n for n in files)]:
            mode = stat.S_IMODE(p.lstat().st_mode)
            if mode & 0o077 or (p.is_dir() and mode != 0o700) or (p.is_file() and mode != 0o600):
                found.append(f"{oct(mode)} {p.relative_to(root.parent)}")
    return sorted(set(found))


def test_upload_and_index_leave_an_owner_only_data_directory(data_dir: tuple[Services, Path]) -> None:
    svc, data = data_dir
    world = build_world(svc, ("lab-a",))
    analyst = world.member("lab-a", Role.ANALYST)
    svc.projects.create_project(analyst.actor, {"id": "trio", "organism": {"assembly": "GRCh37"}})
    with LiveServer(svc) as srv:
        r = upload(srv, analyst.basic, GIAB)
        assert r.status_code == 200, r.text
        f = r.json()["responses"][0]["results"][0]
        r = requests.post(
            srv.url + API + "/operation/variant/index",
            params={"study": "trio:default"},
            json={"file": f["id"], "annotate": False},
            auth=analyst.basic,
            timeout=30,
        )
        assert r.status_code == 200, r.text
        done = wait_job(srv, analyst.basic, r.json()["responses"][0]["results"][0]["id"])
        assert done["internal"]["status"]["id"] == "DONE", done
    names = {p.name for p in data.rglob("*")}
    assert {"secret.key", "blobs", ".scratch"} <= names, names
    assert len([p for p in data.rglob("*") if p.is_file()]) > 3
    assert loose(data) == []
