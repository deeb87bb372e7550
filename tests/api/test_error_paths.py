"""Error bodies never reveal where the server keeps its files (data directory, temporary directories)."""

from __future__ import annotations

import gzip
import tempfile
from collections.abc import Iterator

import pytest
import requests

from tests.api.native.test_variants_flow import upload
from tests.conftest import LiveServer
from tests.ingest.test_bad_inputs import CASES
from tests.world import build_world
from vardesk.api.http.errors import without_server_paths
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

GARBAGE = [b"garbage\x00\x01\x02", b"\x1f\x8b\x08\x00garbage", gzip.compress(b"not a vcf\n", mtime=0)[:-8]]


@pytest.fixture(scope="module")
def server(module_services: Services) -> Iterator[tuple[LiveServer, tuple[str, str], list[str]]]:
    world = build_world(module_services, ("lab-a",))
    analyst = world.member("lab-a", Role.ANALYST)
    module_services.projects.create_project(analyst.actor, {"id": "trio", "organism": {"assembly": "GRCh37"}})
    data = module_services.settings.data_dir
    forbidden = [str(data), str(data.resolve()), tempfile.gettempdir(), "/tmp/"]
    with LiveServer(module_services, run_jobs=False) as srv:
        yield srv, analyst.basic, forbidden


def assert_no_server_path(text: str, forbidden: list[str]) -> None:
    for root in forbidden:
        assert root not in text, (root, text[:400])


@pytest.mark.parametrize("body", GARBAGE, ids=["binary", "bad-gzip", "truncated-gzip"])
def test_an_unreadable_confirmation_vcf_is_a_400_without_paths(server: tuple, body: bytes) -> None:
    srv, auth, forbidden = server
    for method, path, key in [
        ("POST", "/api/v2/analysis/clinical/C1/confirmation", "responses"),
        ("PUT", "/fabric/reports/1/variants", "description"),
    ]:
        r = requests.request(method, srv.url + path, data=body, auth=auth, timeout=30)
        assert r.status_code == 400, r.text
        assert key in r.json()
        assert "not a readable VCF" in r.text, r.text
        assert_no_server_path(r.text, forbidden)


def test_bad_vcf_uploads_answer_without_paths(server: tuple) -> None:
    srv, auth, forbidden = server
    for name, data, *_ in CASES:
        r = upload(srv, auth, None, data=data, name=f"{name}.vcf")
        assert r.status_code < 500, (name, r.text)  # a few of these are accepted with a warning
        assert_no_server_path(r.text, forbidden)


def test_the_guard_cuts_server_paths_to_their_last_component() -> None:
    roots = ["/srv/vardesk/blobs", "/srv/vardesk", "/tmp"]
    assert without_server_paths("cannot open '/tmp/tmpab12/upload'", roots) == "cannot open 'upload'"
    assert without_server_paths("/srv/vardesk/blobs/g/1/0.parquet: bad", roots) == "0.parquet: bad"
    assert without_server_paths("in /srv/vardesk", roots) == "in the server's directory"
    # what is not under a server directory (a client's own file name) is left alone
    assert without_server_paths("/home/lab/x.vcf and /tmpfile", roots) == "/home/lab/x.vcf and /tmpfile"
