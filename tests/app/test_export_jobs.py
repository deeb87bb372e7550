"""Study variant exports run as ``variant.export`` jobs: the job writes the same bytes as the synchronous
export into the blob store, as the user who asked; the native face downloads the file once the job is
DONE (503 while it runs, a JSON error when it failed, not found for another workspace), and only a
user's newest exports are kept."""

from __future__ import annotations

import time

import pytest
import requests

from tests.app.test_reference_safety import SAMD11_VCF, index
from tests.conftest import LiveServer
from tests.world import World, build_world, wait_done
from vardesk.app.composition import Services
from vardesk.app.exports import EXPORT_TOOL, ExportCommand, StudyVariants
from vardesk.app.variants import VariantSearch
from vardesk.domain.enums import JobState, Role
from vardesk.domain.errors import JobFailed, NotFound, Unavailable
from vardesk.domain.models import Job

STUDY = "p:default"
EXPORT = "/api/v2/analysis/variant/export"


def indexed(services: Services) -> World:
    world = build_world(services, ("lab-a", "lab-b"))
    index(services, "lab-a", SAMD11_VCF)
    return world


def job(services: Services, code: str) -> Job:
    with services.ctx.uow() as uow:
        found = uow.jobs.by_code(code)
    assert found is not None
    return found


def synchronous(services: Services, world: World, search: VariantSearch, fmt: str) -> bytes:
    actor = world.member("lab-a", Role.ANALYST).actor
    return b"".join(services.exports(actor, ExportCommand(StudyVariants(STUDY, search), fmt)).body)


@pytest.mark.parametrize("fmt", ["vcf", "csv", "json"])
def test_an_export_job_writes_the_bytes_of_the_synchronous_export(services: Services, fmt: str) -> None:
    world = indexed(services)
    analyst = world.member("lab-a", Role.ANALYST).actor
    search = VariantSearch(include_samples=["*"], limit=None)
    submitted = services.exports.submit(analyst, STUDY, search, fmt.upper())
    assert submitted.tool == EXPORT_TOOL and submitted.created_by == analyst.user_id
    wait_done(services, submitted.code)
    done = job(services, submitted.code)
    expected = synchronous(services, world, search, fmt)
    result = done.result or {}
    assert result["blob"] == f"exports/{done.code}/variants.{fmt}"
    assert services.store.read_bytes(result["blob"]) == expected
    assert result["filename"] == f"variants.{fmt}" and result["media_type"] == "application/octet-stream"
    assert result["size"] == len(expected) and result["records"] > 0
    if fmt == "csv":  # one line per record below the header
        assert result["records"] == expected.count(b"\n") - 1
    exported = services.exports.exported(analyst, done.code)
    assert b"".join(exported.body) == expected and exported.filename == f"variants.{fmt}"


def test_native_run_then_download_matches_the_synchronous_endpoint(services: Services) -> None:
    world = indexed(services)
    member = world.member("lab-a", Role.ANALYST)
    who = (member.api_login, member.api_secret)
    params = {"study": STUDY, "format": "csv", "filter": "PASS", "includeSample": "all"}
    with LiveServer(services) as srv:
        sync = requests.get(f"{srv.url}{EXPORT}", params=params, auth=who, timeout=60)
        assert sync.status_code == 200, sync.text
        assert sync.headers["content-type"] == "application/octet-stream"
        assert sync.headers["content-disposition"] == "attachment; filename=variants.csv"
        assert sync.content.startswith(b"chrom,pos,ref,alt,id,qual,filters,")
        r = requests.post(f"{srv.url}{EXPORT}/run", params=params, auth=who, timeout=60)
        assert r.status_code == 200, r.text
        shown = r.json()["responses"][0]["results"][0]
        assert shown["id"].startswith("variant.export.")
        wait_done(services, shown["id"])
        r = requests.get(f"{srv.url}{EXPORT}/download", params={"job": shown["id"]}, auth=who, timeout=60)
        assert r.status_code == 200, r.text
        assert r.content == sync.content
        assert r.headers["content-disposition"] == "attachment; filename=variants.csv"
        assert r.headers["content-type"] == "application/octet-stream"
        r = requests.post(f"{srv.url}{EXPORT}/run", params={**params, "format": "xls"}, auth=who, timeout=60)
        assert r.status_code == 400 and "format 'xls'" in r.json()["events"][0]["message"]
        r = requests.get(f"{srv.url}{EXPORT}/download", auth=who, timeout=60)
        assert r.status_code == 400 and "?job=" in r.json()["events"][0]["message"]
        other = services.jobs.search_jobs(member.actor, {"tool": "variant-index"}, None)[0]
        r = requests.get(f"{srv.url}{EXPORT}/download", params={"job": other.code}, auth=who, timeout=60)
        assert r.status_code == 400 and "is not a variant export" in r.json()["events"][0]["message"]


def test_download_while_the_job_has_not_run_is_a_503(services: Services) -> None:
    world = indexed(services)
    assert services.executor is not None
    services.executor.stop()
    member = world.member("lab-a", Role.ANALYST)
    queued = services.exports.submit(member.actor, STUDY, VariantSearch(limit=None), "vcf")
    again = services.exports.submit(member.actor, STUDY, VariantSearch(limit=None), "vcf")
    assert again.code == queued.code  # the same export, queued once
    with pytest.raises(Unavailable, match="download the export once it is DONE"):
        services.exports.exported(member.actor, queued.code)
    with LiveServer(services, run_jobs=False) as srv:
        r = requests.get(
            f"{srv.url}{EXPORT}/download",
            params={"job": queued.code},
            auth=(member.api_login, member.api_secret),
            timeout=60,
        )
    assert r.status_code == 503 and int(r.headers["retry-after"]) > 0
    assert r.headers["content-type"].startswith("application/json")
    assert f"job {queued.code} is QUEUED" in r.json()["events"][0]["message"]


def test_a_failed_export_is_a_json_error(services: Services) -> None:
    world = indexed(services)
    assert services.executor is not None
    services.executor.stop()
    member = world.member("lab-a", Role.ANALYST)
    queued = services.exports.submit(member.actor, STUDY, VariantSearch(limit=None), "csv")
    blocker = services.store.local_path(f"exports/{queued.code}")  # a file where the folder must go
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a folder")
    deadline = time.time() + 60
    while not job(services, queued.code).state.finished:
        assert time.time() < deadline
        services.run_if_idle(queued.id or 0)
    assert job(services, queued.code).state is JobState.FAILED
    with pytest.raises(JobFailed, match="did not export the variants"):
        services.exports.exported(member.actor, queued.code)
    with LiveServer(services, run_jobs=False) as srv:
        r = requests.get(
            f"{srv.url}{EXPORT}/download",
            params={"job": queued.code},
            auth=(member.api_login, member.api_secret),
            timeout=60,
        )
    assert r.status_code == 500 and r.headers["content-type"].startswith("application/json")
    assert f"job {queued.code} did not export the variants" in r.json()["events"][0]["message"]


def test_another_workspace_cannot_download(services: Services) -> None:
    world = indexed(services)
    analyst = world.member("lab-a", Role.ANALYST).actor
    submitted = services.exports.submit(analyst, STUDY, VariantSearch(limit=None), "vcf")
    wait_done(services, submitted.code)
    outsider = world.member("lab-b", Role.VIEWER)
    with pytest.raises(NotFound):
        services.exports.exported(outsider.actor, submitted.code)
    with LiveServer(services) as srv:
        r = requests.get(
            f"{srv.url}{EXPORT}/download",
            params={"job": submitted.code},
            auth=(outsider.api_login, outsider.api_secret),
            timeout=60,
        )
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/json")
    assert "not found" in r.json()["events"][0]["message"] and b"##fileformat" not in r.content


def test_only_the_newest_exports_of_a_user_are_kept(services: Services) -> None:
    world = indexed(services)
    analyst = world.member("lab-a", Role.ANALYST).actor
    director = world.member("lab-a", Role.DIRECTOR).actor
    services.exports.keep = 2
    codes = []
    for fmt in ("vcf", "csv", "json"):
        submitted = services.exports.submit(analyst, STUDY, VariantSearch(limit=None), fmt)
        wait_done(services, submitted.code)
        codes.append(submitted.code)
    theirs = services.exports.submit(director, STUDY, VariantSearch(limit=None), "vcf")
    wait_done(services, theirs.code)  # another user's exports do not count against the analyst's

    oldest = job(services, codes[0]).result or {}
    assert not services.store.exists(oldest["blob"])
    assert services.store.list("exports/") == sorted(
        (job(services, c).result or {})["blob"] for c in (*codes[1:], theirs.code)
    )
    with pytest.raises(NotFound, match="no longer kept"):
        services.exports.exported(analyst, codes[0])
    assert b"".join(services.exports.exported(analyst, codes[2]).body).startswith(b"[")
