"""Report PDFs are rendered by ``report.render`` jobs and kept per content version: an unchanged case is
served as rendered, a changed one is rendered again, the final PDF is rendered once at approval; a failed
render fails its job with the reason and the faces answer with a JSON error."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
import requests

import tests.jobs.plugin_tools  # noqa: F401  (registers test.slow)
from tests.app.test_reference_safety import SAMD11_VCF, index
from tests.conftest import LiveServer
from tests.jobs.test_executor import submit, wait_finished
from tests.world import World, build_world, wait_done
from vardesk.app.cases.report_rendering import RENDER_TOOL, RenderReport, ReportKind
from vardesk.app.composition import Services
from vardesk.domain.enums import JobState, Role
from vardesk.domain.errors import JobFailed, Unavailable
from vardesk.domain.models import Job

STUDY = "p:default"


def render_jobs(services: Services) -> list[Job]:
    with services.ctx.uow() as uow:
        return [j for j in uow.jobs.search(uow.workspaces.by_code("lab-a").id, {"tool": RENDER_TOOL}, None)]  # type: ignore[union-attr]


def ready_case(services: Services) -> World:
    """A case READY TO REVIEW in lab-a (GIAB SAMD11 slice, analysed by the executor)."""
    world = build_world(services, ("lab-a",))
    index(services, "lab-a", SAMD11_VCF)
    analyst = world.member("lab-a", Role.ANALYST).actor
    services.cases.create(
        analyst,
        STUDY,
        {
            "id": "C1",
            "type": "exome",
            "members": [{"relation": "PROBAND", "sample": "HG002", "sex": "MALE", "affected": "AFFECTED"}],
        },
    )
    deadline = time.time() + 60
    while services.cases.get(analyst, "C1", STUDY).case.status != "READY TO REVIEW":
        assert time.time() < deadline, "the case was never analysed"
        time.sleep(0.1)
    return world


def test_a_preview_is_rendered_by_a_job_and_kept_until_the_case_changes(services: Services) -> None:
    world = ready_case(services)
    analyst = world.member("lab-a", Role.ANALYST).actor
    first = services.reports.render_and_wait(analyst, "C1", "preview", STUDY)
    assert first.startswith(b"%PDF")
    (job,) = render_jobs(services)
    assert job.state is JobState.DONE and job.params["kind"] == "preview"
    key = job.result["blob"]  # type: ignore[index]
    assert key.startswith("reports/") and services.store.local_path(key).read_bytes() == first
    stamp = services.store.local_path(key).stat().st_mtime_ns

    again = services.reports.render_and_wait(analyst, "C1", "preview", STUDY)  # unchanged: served as kept
    assert again == first and len(render_jobs(services)) == 1
    assert services.store.local_path(key).stat().st_mtime_ns == stamp

    services.cases.update(analyst, "C1", {"patient_fields": {"MRN": "MRN-77"}}, STUDY)
    changed = services.reports.render_and_wait(analyst, "C1", "preview", STUDY)
    jobs = render_jobs(services)
    assert len(jobs) == 2 and jobs[1].state is JobState.DONE
    assert jobs[1].result["blob"] != key and jobs[1].params["version"] != job.params["version"]  # type: ignore[index]
    assert changed.startswith(b"%PDF") and changed != first
    # the preview of the old content is not kept (patient data nobody reads again)
    folder = key.rsplit("/", 1)[0] + "/"
    assert not services.store.exists(key)
    assert services.store.list(folder) == [jobs[1].result["blob"]]  # type: ignore[index]


def test_without_a_running_executor_the_request_renders_through_the_queue(services: Services) -> None:
    world = ready_case(services)
    assert services.executor is not None
    services.executor.stop()  # e.g. the command line: no executor loop in this process
    analyst = world.member("lab-a", Role.ANALYST).actor
    assert services.reports.render_and_wait(analyst, "C1", "preview", STUDY).startswith(b"%PDF")
    (job,) = render_jobs(services)
    assert job.state is JobState.DONE and job.attempts == 1 and job.worker_id


def test_the_final_pdf_is_rendered_once_at_approval(services: Services) -> None:
    world = ready_case(services)
    director = world.member("lab-a", Role.DIRECTOR).actor
    analyst = world.member("lab-a", Role.ANALYST).actor
    preview = services.reports.rendering.execute(
        RenderReport(services.cases.get(analyst, "C1", STUDY).case.id or 0, ReportKind.PREVIEW), analyst
    )
    assert services.store.exists(preview.blob_key)
    services.cases.approve(director, "C1", STUDY)
    (job,) = render_jobs(services)
    assert job.params["kind"] == "final"
    wait_done(services, job.code)
    key = render_jobs(services)[0].result["blob"]  # type: ignore[index]
    assert services.store.list(key.rsplit("/", 1)[0] + "/") == [key]  # no preview left beside it
    kept = services.store.local_path(key).read_bytes()
    assert services.reports.render_and_wait(director, "C1", "final", STUDY) == kept
    assert services.reports.render_and_wait(director, "C1", "final", STUDY) == kept
    assert len(render_jobs(services)) == 1  # never rendered again


def test_a_failed_render_fails_its_job_and_the_faces_answer_json(services: Services) -> None:
    world = ready_case(services)
    member = world.member("lab-a", Role.ANALYST)
    view = services.cases.get(member.actor, "C1", STUDY)
    blocker = services.store.local_path(f"reports/{view.case.uuid}")  # a file where the folder must go
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a folder")
    with pytest.raises(JobFailed, match="rendering the preview report failed"):
        services.reports.render_and_wait(member.actor, "C1", "preview", STUDY)
    (job,) = render_jobs(services)
    assert job.state is JobState.FAILED and "internal error" in (job.error or "")

    who = (member.api_login, member.api_secret)
    with LiveServer(services) as srv:
        r = requests.get(f"{srv.url}/fabric/reports/{view.case.id}/pdf_preview", auth=who, timeout=60)
        assert r.status_code == 500 and r.headers["content-type"].startswith("application/json")
        assert "rendering the preview report failed" in r.json()["description"]
        r = requests.get(
            f"{srv.url}/api/v2/analysis/clinical/C1/report/preview",
            params={"study": STUDY},
            auth=who,
            timeout=60,
        )
        assert r.status_code == 500
        assert "rendering the preview report failed" in r.json()["events"][0]["message"]


def test_a_render_not_done_in_time_is_a_503(services: Services, tmp_path) -> None:  # type: ignore[no-untyped-def]
    world = ready_case(services)
    analyst = world.member("lab-a", Role.ANALYST).actor
    for n in range(2):
        (tmp_path / str(n)).mkdir()
    busy = [
        submit(services, analyst, "test.slow", {"dir": str(tmp_path / str(n)), "seconds": 4})
        for n in range(2)
    ]
    deadline = time.time() + 20
    while not all((tmp_path / str(n) / "attempt-1").exists() for n in range(2)):  # both workers taken
        assert time.time() < deadline
        time.sleep(0.05)
    services.ctx.settings = replace(services.settings, report_wait_seconds=0.5)
    with pytest.raises(Unavailable, match="still being rendered") as info:
        services.reports.render_and_wait(analyst, "C1", "preview", STUDY)
    assert info.value.retry_after > 0
    member = world.member("lab-a", Role.ANALYST)
    case_id = services.cases.get(analyst, "C1", STUDY).case.id
    with LiveServer(services) as srv:  # the faces: a JSON 503 naming the job, and when to ask again
        r = requests.get(
            f"{srv.url}/fabric/reports/{case_id}/pdf_preview",
            auth=(member.api_login, member.api_secret),
            timeout=60,
        )
    assert r.status_code == 503 and int(r.headers["retry-after"]) > 0
    assert "still being rendered (job report.render." in r.json()["description"]
    wait_finished(services, busy)
    (job,) = render_jobs(services)  # the requests that gave up left one render job behind, still queued
    assert job.state is JobState.QUEUED
    # the server's executor stopped with it: the next request runs that same job itself
    assert services.reports.render_and_wait(analyst, "C1", "preview", STUDY).startswith(b"%PDF")
    (job,) = render_jobs(services)
    assert job.state is JobState.DONE


def test_native_rendering_as_a_job_then_download(services: Services) -> None:
    world = ready_case(services)
    member = world.member("lab-a", Role.ANALYST)
    who = (member.api_login, member.api_secret)
    base = "/api/v2/analysis/clinical/C1/report"
    with LiveServer(services) as srv:
        r = requests.post(
            f"{srv.url}{base}/render", params={"study": STUDY, "kind": "preview"}, auth=who, timeout=60
        )
        assert r.status_code == 200, r.text
        job = r.json()["responses"][0]["results"][0]
        code = job["id"]
        wait_done(services, code)
        r = requests.get(
            f"{srv.url}{base}/download", params={"job": code, "study": STUDY}, auth=who, timeout=60
        )
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        assert r.headers["content-disposition"] == "attachment; filename=C1-preview.pdf"
        r = requests.post(
            f"{srv.url}{base}/render", params={"study": STUDY, "kind": "final"}, auth=who, timeout=60
        )
        assert r.status_code == 422 and "approved" in r.json()["events"][0]["message"]
        r = requests.post(
            f"{srv.url}{base}/render", params={"study": STUDY, "kind": "draft"}, auth=who, timeout=60
        )
        assert r.status_code == 400 and "preview or final" in r.text
        r = requests.get(f"{srv.url}{base}/download", params={"study": STUDY}, auth=who, timeout=60)
        assert r.status_code == 400 and "?job=" in r.text


def test_a_render_of_content_since_changed_does_not_delete_the_newer_preview(services: Services) -> None:
    """A render that finishes after the case changed (a job re-run after a crash, or one overtaken by the
    render of newer content) keeps the newer preview another job handed out."""
    world = ready_case(services)
    analyst = world.member("lab-a", Role.ANALYST).actor
    rendering = services.reports.rendering
    stale = rendering._plan(analyst, "C1", ReportKind.PREVIEW, STUDY)  # a job planned before the change
    services.cases.update(analyst, "C1", {"patient_fields": {"MRN": "MRN-78"}}, STUDY)
    newer = services.reports.render_and_wait(analyst, "C1", "preview", STUDY)
    (job,) = [j for j in render_jobs(services) if j.state is JobState.DONE]
    newer_key = job.result["blob"]  # type: ignore[index]
    assert stale.blob_key != newer_key

    # the stale job's tail: its PDF lands, then it tidies up
    services.store.put_bytes(stale.blob_key, newer)
    rendering._drop_old_previews(stale, analyst, ReportKind.PREVIEW)
    assert services.store.exists(newer_key)
    downloaded = services.reports.rendered(analyst, "C1", job.code, STUDY)[2]
    assert downloaded == newer

    # the next render of the current content drops the stale one
    services.cases.update(analyst, "C1", {"patient_fields": {"MRN": "MRN-79"}}, STUDY)
    services.reports.render_and_wait(analyst, "C1", "preview", STUDY)
    assert not services.store.exists(stale.blob_key) and not services.store.exists(newer_key)
