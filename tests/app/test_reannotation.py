from __future__ import annotations

from pathlib import Path

from tests.conftest import TESTDATA
from tests.world import build_world, wait_done
from vardesk.annotate.bundle import build_bundle
from vardesk.app.composition import Services
from vardesk.app.files import UploadedBlob
from vardesk.domain.enums import Role
from vardesk.storage.blobs import spooled_upload

GIAB = TESTDATA / "giab-trio-grch37" / "ashk-trio.vcf.gz"
SLICE = TESTDATA / "reference-slices" / "grch37-SAMD11"


def test_a_new_bundle_offers_reannotation_as_jobs(services: Services, tmp_path: Path) -> None:
    actor = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    services.projects.create_project(actor, {"id": "giab", "organism": {"assembly": "GRCh37"}})
    with GIAB.open("rb") as fh, spooled_upload(services.store, fh, max_bytes=10**9) as (p, size, md5, sha):
        view = services.files.register_upload(
            actor, "giab:default", UploadedBlob(p, size, md5, sha), name=GIAB.name
        )
    services.start_executor()
    job, _ = services.indexing.index_files(actor, "giab:default", [view.file.code])
    wait_done(services, job.code)
    with services.ctx.uow() as uow:
        sources = {g.annotation_bundle for g in uow.genomes.of_file(view.file.id or 0)}
    assert len(sources) == 1 and sources.pop().startswith("vcf:")  # no bundle yet: the pipeline's BCSQ
    assert services.annotation.outdated_files("GRCh37") == []  # nothing to offer without a bundle

    build_bundle(
        build="GRCh37",
        gff3=SLICE / "SAMD11.grch37.gff3",
        fasta=SLICE / "grch37_chr1_860k.fa.gz",
        out=tmp_path / "b",
        version="slice-2",
    )
    manifest = services.annotation.install(tmp_path / "b")
    assert services.annotation.outdated_files("GRCh37") == []  # installed, but enabled nowhere
    services.annotation.enable(manifest.id, workspace="lab-a")
    assert services.annotation.outdated_files("GRCh37") == [view.file.id]
    jobs = services.indexing.reannotate(actor, "GRCh37")
    assert len(jobs) == 1 and jobs[0].params["files"] == [view.file.id]
    wait_done(services, jobs[0].code)
    with services.ctx.uow() as uow:
        genomes = list(uow.genomes.of_file(view.file.id or 0))
    assert {(g.annotation_bundle, g.annotation_version) for g in genomes} == {(manifest.id, "slice-2")}
    assert services.annotation.outdated_files("GRCh37") == []
