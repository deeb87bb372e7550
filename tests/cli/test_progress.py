"""An honest progress of ``vardesk genome import --wait``: the job's progress (its source) follows the
bytes read and the stages, never goes back and ends at 100; the console shows it without stray warnings."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.cli.console import vardesk
from tests.conftest import TESTDATA
from tests.world import build_world
from vardesk.annotate.bundle import build_bundle
from vardesk.app.composition import Services
from vardesk.app.files import UploadedBlob
from vardesk.app.indexing import TOOL
from vardesk.cli.data import ProgressBar
from vardesk.domain.enums import Role
from vardesk.jobs.context import JobContext
from vardesk.jobs.registry import get_tool
from vardesk.storage.blobs import spooled_upload

GIAB = TESTDATA / "giab-trio-grch37" / "ashk-trio.vcf.gz"
SLICE = TESTDATA / "reference-slices" / "grch37-SAMD11"
READING = re.compile(r"^indexing: [\d,]+ records, [\d.,]+ of [\d.,]+ MiB read$")


def context(services: Services, job_code: str, seen: list[tuple[float, str]]) -> JobContext:
    with services.ctx.uow() as uow:
        job = uow.jobs.by_code(job_code)
    assert job is not None and job.id is not None
    return JobContext(
        job_id=job.id,
        code=job.code,
        tool=job.tool,
        params=dict(job.params),
        workspace_id=job.workspace_id,
        created_by=job.created_by,
        project_id=job.project_id,
        study_id=job.study_id,
        attempt=1,
        services=services.job_handlers,
        _report=lambda p, m: seen.append((p, m)) is None and False,
    )


def monotonic(values: list[float]) -> bool:
    return all(b >= a for a, b in zip(values, values[1:], strict=False))


@pytest.fixture
def lab(services: Services, tmp_path: Path):  # type: ignore[no-untyped-def]
    if not GIAB.exists():
        pytest.skip("shared test data not available")
    world = build_world(services, ("lab",))
    admin = world.member("lab", Role.ADMIN).actor
    services.projects.create_project(admin, {"id": "giab", "organism": {"assembly": "GRCh37"}})
    # a real GRCh37 bundle enabled for the workspace, so the job annotates (and its annotation stage
    # reports) as in production
    bundle = tmp_path / "samd11"
    build_bundle(
        build="GRCh37",
        gff3=SLICE / "SAMD11.grch37.gff3",
        fasta=SLICE / "grch37_chr1_860k.fa.gz",
        out=bundle,
        version="slice-1",
    )
    services.annotation.install(bundle, workspace="lab")
    return admin


def test_the_index_job_reports_bytes_records_and_stages_in_order(services: Services, lab) -> None:  # type: ignore[no-untyped-def]
    with (
        GIAB.open("rb") as fh,
        spooled_upload(services.store, fh, max_bytes=1 << 30) as (path, size, md5, sha),
    ):
        view = services.files.register_upload(
            lab, "giab:default", UploadedBlob(path, size, md5, sha), name=GIAB.name
        )
    job, _ = services.indexing.index_files(lab, "giab:default", [view.file.code])
    seen: list[tuple[float, str]] = []
    tool = get_tool(TOOL)
    assert tool is not None
    result = tool(context(services, job.code, seen))
    assert result["files"][0]["annotation"]["source"] == "bundle"
    values = [p for p, _ in seen]
    stages = list(dict.fromkeys(m.split(":", 1)[0] for _, m in seen))
    assert monotonic(values), seen
    assert values[-1] == 100.0
    assert stages == ["indexing", "annotating"], seen
    reading = [(p, m) for p, m in seen if m.startswith("indexing:")]
    assert all(READING.match(m) for _, m in reading[:-1]), reading
    # reading the whole file fills the reading share of the bar (not 0.8 % of it, as it once did)
    assert reading[-1] == (40.0, "indexing: 9,940 records, 3 genome(s) written")
    annotating = [p for p, m in seen if m.startswith("annotating:")]
    assert len(set(annotating)) >= 4 and 40.0 <= min(annotating) and max(annotating) == 100.0


def test_job_progress_never_goes_back_and_new_stages_are_written_at_once() -> None:
    seen: list[tuple[float, str]] = []
    ctx = JobContext(
        job_id=1, code="j", tool="t", params={}, workspace_id=1, created_by=None, project_id=None,
        study_id=None, attempt=1, services=None, _report=lambda p, m: seen.append((p, m)) is None and False,
    )  # fmt: skip
    ctx.progress(30, "indexing: a")
    ctx.progress(35, "indexing: b")  # within half a second of the last write: skipped
    ctx.progress(20, "annotating: c")  # a new stage: written, but not below what was reported
    part = ctx.part(50, 100, "annotating", force=True)
    part(0, "d")
    part(50, "e")
    part(100, "f")
    assert seen == [
        (30.0, "indexing: a"),
        (30.0, "annotating: c"),
        (50.0, "annotating: d"),
        (75.0, "annotating: e"),
        (100.0, "annotating: f"),
    ]


def test_the_terminal_bar_and_the_log_lines_never_go_back() -> None:
    tty = io.StringIO()
    bar = ProgressBar(tty, tty=True)
    for p, m in [(10, "indexing: 1 records"), (5, "annotating: x"), (100, "done")]:
        bar.update(p, m)
    bar.close()
    frames = tty.getvalue().split("\r")[1:]
    assert [f.split("%")[0][-5:].strip() for f in frames] == ["10.0", "10.0", "100.0"]
    assert tty.getvalue().endswith("\n") and "[####################] 100.0% done" in frames[-1]
    log = io.StringIO()
    bar = ProgressBar(log, tty=False)
    for p in (0, 3, 12, 15, 8, 27, 100):
        bar.update(p, "indexing: …" if p < 100 else "done")
    assert log.getvalue().splitlines() == [
        "vardesk: progress   0.0% indexing: …",
        "vardesk: progress  12.0% indexing: …",
        "vardesk: progress  27.0% indexing: …",
        "vardesk: progress 100.0% done",
    ]


def test_genome_import_wait_shows_monotonic_progress_to_100_and_no_warning(
    services: Services,
    lab,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    settings = services.settings
    r = vardesk(
        ["genome", "import", "--workspace", "lab", "--project", "giab", "--wait", str(GIAB)],
        settings.data_dir,
        settings.resolved_database_url,
    )
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert lines and all(line.startswith("vardesk: progress ") for line in lines), r.stderr
    assert "Warning" not in r.stderr and "Traceback" not in r.stderr
    values = [float(line.split()[2].rstrip("%")) for line in lines]
    assert monotonic(values) and values[-1] == 100.0
    stages = [line.split("%", 1)[1].split(":", 1)[0].strip() for line in lines]
    assert stages[:3] == ["copying", "validating", "queued"] and stages[-1] == "done"
