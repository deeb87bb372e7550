"""A case analysis that fails for any reason shows it on the case (FAILED with the reason), instead of
leaving the case WAITING for an analysis that will never come."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from tests.app.test_chain_inputs import S1
from tests.cli.test_progress import context
from tests.world import build_world
from vardesk.app.cases.case_analysis import TOOL as CASE_TOOL
from vardesk.app.composition import Services
from vardesk.app.files import UploadedBlob
from vardesk.app.indexing import TOOL as INDEX_TOOL
from vardesk.domain.enums import Role
from vardesk.jobs.registry import get_tool
from vardesk.storage.blobs import spooled_upload
from vardesk.synthetic.loci import build_loci_bundle


def test_a_crashed_analysis_marks_the_case_failed_with_a_reason(services: Services, tmp_path: Path) -> None:
    actor = build_world(services, ("demo",)).member("demo", Role.ANALYST).actor
    services.annotation.install(build_loci_bundle(tmp_path / "loci"), workspace="demo")
    services.projects.create_project(actor, {"id": "f", "organism": {"assembly": "GRCh37"}})
    with spooled_upload(services.store, io.BytesIO(gzip.compress(S1.encode())), max_bytes=10**6) as blob:
        view = services.files.register_upload(actor, "f:default", UploadedBlob(*blob), name="s1.vcf.gz")
    case = services.cases.create(
        actor,
        "f:default",
        {
            "id": "F1",
            "type": "exome",
            "members": [{"relation": "PROBAND", "sample": "S1", "affected": "AFFECTED"}],
        },
    )
    job, _ = services.indexing.index_files(actor, "f:default", [view.file.code])
    seen: list[tuple[float, str]] = []
    get_tool(INDEX_TOOL)(context(services, job.code, seen))  # type: ignore[misc]
    with services.ctx.uow() as uow:
        (analysis,) = [j for j in uow.jobs.search(actor.workspace_id, {"tool": CASE_TOOL}, None)]
        (genome,) = list(uow.genomes.of_file(view.file.id or 0))
        assert uow.cases.get(case.case.id).status == "WAITING"
    # the genome's genotype file is damaged after indexing: the analysis cannot read it
    services.store.put_bytes(genome.genotypes_key, b"this is not a Parquet file")
    with pytest.raises(Exception) as crashed:
        get_tool(CASE_TOOL)(context(services, analysis.code, seen))  # type: ignore[misc]
    assert not isinstance(crashed.value, AssertionError)
    with services.ctx.uow() as uow:
        failed = uow.cases.get(case.case.id)
    assert failed.status == "FAILED"
    assert failed.status_reason.startswith("analysis failed: internal error (")
    assert str(services.settings.data_dir) not in failed.status_reason
    history = services.cases.history(actor, "F1", "f:default")
    assert any((e.changes or {}).get("status", {}).get("new") == "FAILED" for e in history)
