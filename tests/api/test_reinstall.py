"""A running server survives the removal of its installed package (what ``pip install`` over it does).

The package is installed the way a wheel lays it out — the ``vardesk`` directory copied into a site
directory of its own — and ``vardesk serve`` runs from there. Once the server is up, the installed
directory is deleted: the server must keep rendering preview PDFs (Jinja2 templates), its pages and their
static assets, because it read them at startup.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, make_settings
from tests.world import build_world
from vardesk.app.composition import build_services
from vardesk.domain.enums import Role

SRC = Path(__file__).resolve().parents[2] / "src" / "vardesk"
STARTED = re.compile(
    r"Vardesk serving on (\S+)/ \(web application \S+/, native API (\S+), API documentation (\S+);"
)


def _seed(data_dir: Path, database_url: str) -> tuple[str, tuple[str, str]]:
    """A workspace, a project and a case in review; returns the case id and an analyst's API key."""
    services = build_services(make_settings(data_dir, database_url))
    try:
        world = build_world(services, ("lab",))
        analyst = world.member("lab", Role.ANALYST)
        services.projects.create_project(analyst.actor, {"id": "p"})
        view = services.cases.create(
            analyst.actor,
            "p:default",
            {"id": "CASE1", "type": "exome", "members": [{"relation": "PROBAND"}], "patient_fields": {}},
        )
        with services.ctx.uow() as uow:
            case = uow.cases.get(view.case.id)
            case.status = "READY TO REVIEW"
            uow.commit()
        return "CASE1", analyst.basic
    finally:
        services.close()


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(SRC, site / "vardesk", ignore=shutil.ignore_patterns("__pycache__"))
    return site


@pytest.fixture
def server(
    installed: Path, tmp_path: Path, database_url: str
) -> Iterator[tuple[str, subprocess.Popen, list]]:
    data_dir = tmp_path / "data"
    case, basic = _seed(data_dir, database_url)
    env = {
        **os.environ,
        "PYTHONPATH": str(installed),
        "VARDESK_DATA_DIR": str(data_dir),
        "VARDESK_DATABASE_URL": database_url,
        "VARDESK_AUTO_MIGRATE": "true",
        "VARDESK_LOG_FORMAT": "text",
    }
    code = (
        "import sys, vardesk; print('package', vardesk.__file__, flush=True); "
        "from vardesk.cli.main import main; sys.exit(main(sys.argv[1:]))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--host", "127.0.0.1", "--port", str(free_port())],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.time() + 60
        assert proc.stdout is not None
        while time.time() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if STARTED.search(line):
                base = STARTED.search(line).group(1)  # type: ignore[union-attr]
                for _ in range(200):
                    try:
                        httpx.get(f"{base}/healthz", timeout=2)
                        break
                    except httpx.TransportError:
                        time.sleep(0.05)
                yield base, proc, [case, basic, lines]
                return
        raise AssertionError("server did not start:\n" + "".join(lines))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_server_keeps_rendering_after_its_package_directory_is_removed(
    server: tuple[str, subprocess.Popen, list], installed: Path
) -> None:
    base, proc, (case, basic, lines) = server
    assert lines[0].strip() == f"package {installed / 'vardesk' / '__init__.py'}", lines[0]
    started = STARTED.search("".join(lines))
    assert started is not None
    printed = started.groups()

    shutil.rmtree(installed / "vardesk")  # what pip does to the old installation
    assert not (installed / "vardesk").exists()

    with httpx.Client(base_url=base, auth=basic, timeout=60) as http:
        r = http.get(f"/api/v2/analysis/clinical/{case}/report/preview", params={"study": "p:default"})
        assert r.status_code == 200, r.text
        assert r.content.startswith(b"%PDF-") and len(r.content) > 1000
        for url in printed:  # every URL of the startup line answers
            assert http.get(url).status_code == 200, url
        for page in ("/", "/docs", "/redoc"):
            html = http.get(page).text
            for ref in re.findall(r'(?:src|href)="(/[^"]*)"', html):
                assert http.get(ref).status_code == 200, (page, ref)
        assert "/api/v2/users/login" in http.get("/openapi.json").json()["paths"]
    assert proc.poll() is None
