"""The web application's browser tests: the demo workspace served by a real server on loopback, driven by
Debian's Chromium through Playwright, with axe-core checking every screen.

One server and one browser per test session (starting Chromium costs about a second, seeding the demo
about ten); each test gets a fresh browser context (its own cookies), signed in as the user it asks for.
Screenshots of the screens are written to ``VARDESK_WEB_SCREENSHOTS`` (a directory, e.g.
``docs/screenshots``) when it is set.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LiveServer, make_settings
from vardesk.app.composition import Services, build_services
from vardesk.app.demo import SeedDemo

CHROMIUM = os.environ.get("VARDESK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SERIOUS = ("serious", "critical")


@dataclass
class DemoSite:
    services: Services
    server: LiveServer
    passwords: dict[str, str]  # role -> password
    emails: dict[str, str]  # role -> email
    case_id: int  # the demo trio's catalog id

    @property
    def url(self) -> str:
        return self.server.url


def _wait_for_jobs(services: Services, timeout: float = 120.0) -> None:
    from vardesk.domain.enums import JobState

    deadline = time.time() + timeout
    while time.time() < deadline:
        with services.ctx.uow() as uow:
            ws = uow.workspaces.by_code("demo")
            jobs = uow.jobs.search(ws.id or 0, {}, None) if ws is not None else []
            busy = [j for j in jobs if j.state in (JobState.QUEUED, JobState.RUNNING)]
        if not busy:
            return
        time.sleep(0.2)
    raise RuntimeError("the demo's jobs did not finish")


@contextmanager
def serve_demo(tmp: Path) -> Iterator[DemoSite]:
    """A fresh demo workspace in ``tmp``, served on loopback once its jobs have run."""
    services = build_services(make_settings(tmp / "data", f"sqlite:///{tmp / 'catalog.db'}"))
    seeded = SeedDemo.of(services).run()
    with LiveServer(services) as server:
        _wait_for_jobs(services)
        case = services.cases.get(
            _actor_of(services, seeded["users"][0]["user"]), "DEMO-TRIO", "demo@demo:default"
        )
        yield DemoSite(
            services=services,
            server=server,
            passwords={u["role"]: u["password"] for u in seeded["users"]},
            emails={u["role"]: u["user"] for u in seeded["users"]},
            case_id=case.case.id or 0,
        )
    services.close()


@pytest.fixture(scope="package")  # gone (with its event loop) after this package
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    with serve_demo(tmp_path_factory.mktemp("web")) as site:
        yield site


def _actor_of(services: Services, email: str) -> Any:
    from vardesk.domain.access import Actor

    with services.ctx.uow() as uow:
        ws = uow.workspaces.by_code("demo")
        user = uow.users.by_email(ws.id, email)  # type: ignore[union-attr]
        return Actor(user_id=user.id, workspace_id=ws.id, login=user.login, role=user.role, via="cli")  # type: ignore[union-attr]


@pytest.fixture(scope="package")  # gone (with its event loop) after this package
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, demo_site: DemoSite) -> Iterator[Any]:
    """A fresh browser context (no cookies) on the demo site."""
    context = browser.new_context(base_url=demo_site.url, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    p = context.new_page()
    yield p
    context.close()


def sign_in(page: Any, site: DemoSite, role: str) -> None:
    page.goto("/")
    page.get_by_label("Email").fill(site.emails[role])
    page.get_by_label("Password").fill(site.passwords[role])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Cases", exact=True).wait_for()


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


def screenshot(page: Any, name: str) -> None:
    target = os.environ.get("VARDESK_WEB_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=True)
