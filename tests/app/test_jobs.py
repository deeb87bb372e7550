"""Jobs are found by the status the native face shows them with (OpenCGA's ERROR and ABORTED) as well as
by their own state names."""

from __future__ import annotations

import io

import pytest

from tests.app.test_chain_inputs import S1
from tests.world import build_world
from vardesk.app.composition import Services
from vardesk.app.files import UploadedBlob
from vardesk.domain.enums import JobState, Role
from vardesk.domain.errors import Invalid
from vardesk.storage.blobs import spooled_upload


def test_job_status_filters_accept_the_shown_spellings(services: Services) -> None:
    actor = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    services.projects.create_project(actor, {"id": "jobs", "organism": {"assembly": "GRCh37"}})
    with spooled_upload(services.store, io.BytesIO(S1.encode()), max_bytes=10**6) as blob:
        view = services.files.register_upload(actor, "jobs:default", UploadedBlob(*blob), name="s1.vcf")
    failed, _ = services.indexing.index_files(actor, "jobs:default", [view.file.code])
    with services.ctx.uow() as uow:
        job = uow.jobs.by_code(failed.code)
        assert job is not None
        job.state = JobState.FAILED
        uow.commit()

    def codes(status: str) -> list[str]:
        return [j.code for j in services.jobs.search_jobs(actor, {"state": status}, None)]

    assert codes("ERROR") == codes("FAILED") == codes("failed") == [failed.code]
    assert codes("ABORTED") == codes("CANCELLED") == []
    with pytest.raises(Invalid, match="ERROR, ABORTED"):
        codes("BROKEN")
