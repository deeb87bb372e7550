"""A live server with two workspaces, the SAMD11 reference slice installed, and a local storage provider
holding the GIAB trio's SAMD11 variants (one joint VCF, as DRAGEN writes a family).

The UI's case-creation bodies of §1.3 are built by ``ui_bodies.py``."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import TESTDATA, LiveServer
from tests.world import World, build_world
from vardesk.annotate.bundle import build_bundle
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

SLICE = TESTDATA / "reference-slices" / "grch37-SAMD11"
EMG = "/emedgene"
# every request of the batch CLI carries these [CLI]
CLI_HEADERS = {"Content-Type": "application/json", "Accept": "application/json", "Accept-Language": "en-US"}


@pytest.fixture(scope="module")
def world(module_services: Services, tmp_path_factory: pytest.TempPathFactory) -> World:
    w = build_world(module_services, ("lab-a", "lab-b"))
    bundle = tmp_path_factory.mktemp("bundle") / "samd11"
    build_bundle(
        build="GRCh37",
        gff3=SLICE / "SAMD11.grch37.gff3",
        fasta=SLICE / "grch37_chr1_860k.fa.gz",
        out=bundle,
        version="slice-1",
    )
    module_services.annotation.install(bundle, default=True)
    return w


@pytest.fixture(scope="module")
def server(module_services: Services, world: World) -> Iterator[LiveServer]:
    with LiveServer(module_services) as srv:
        yield srv


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sequencing run folder: the trio's VCF, a second folder, and a link that leads outside."""
    root = tmp_path_factory.mktemp("runs")
    (root / "run1" / "trio").mkdir(parents=True)
    shutil.copy(SLICE / "ashk_SAMD11.vcf.gz", root / "run1" / "trio" / "trio.hard-filtered.vcf.gz")
    (root / "run1" / "trio" / "trio.bam").write_bytes(b"not a bam")
    (root / "run2").mkdir()
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.vcf").write_text("##fileformat=VCFv4.2\n")
    (root / "escape").symlink_to(outside)
    return root


@pytest.fixture(scope="module")
def provider(module_services: Services, world: World, run_dir: Path) -> int:
    ws = module_services.admin.get_workspace("lab-a")
    return module_services.storage_providers.add_local(ws.id or 0, "Run folders", run_dir).id or 0


def url(server: LiveServer, path: str) -> str:
    return server.url + EMG + path


def login(server: LiveServer, username: str, password: str) -> dict[str, str]:
    """The v2 login as the Beginner Guide does it; the header built with ``token_type.capitalize()``."""
    r = requests.post(
        url(server, "/api/auth/v2/api_login/"),
        json={"username": username, "password": password},
        headers=CLI_HEADERS,
        timeout=30,
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    return {**CLI_HEADERS, "Authorization": f"{doc['token_type'].capitalize()} {doc['access_token']}"}


@pytest.fixture(scope="module")
def analyst(server: LiveServer, world: World) -> dict[str, str]:
    m = world.member("lab-a", Role.ANALYST)
    return login(server, m.email, m.password)


@pytest.fixture(scope="module")
def stranger(server: LiveServer, world: World) -> dict[str, str]:
    m = world.member("lab-b", Role.ANALYST)
    return login(server, m.email, m.password)


def call(
    server: LiveServer, method: str, path: str, headers: dict[str, str] | None, **kw: Any
) -> requests.Response:
    return requests.request(
        method, url(server, path), headers=headers, timeout=60, allow_redirects=False, **kw
    )


def wait(predicate, timeout: float = 120):  # type: ignore[no-untyped-def]
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.time() < deadline, "timed out"
        time.sleep(0.25)
