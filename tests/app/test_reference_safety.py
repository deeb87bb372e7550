"""Reference bundles are used only where they are enabled; synthetic ones only by the demo workspace; and a
bundle annotates a genome only when its contigs and REF alleles match."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import TESTDATA
from tests.world import build_world, wait_done
from vardesk.annotate.bundle import build_bundle, install_bundle
from vardesk.app.composition import Services
from vardesk.app.files import UploadedBlob
from vardesk.domain.annotation_source import SYNTHETIC_BANNER, describe
from vardesk.domain.enums import Role
from vardesk.domain.errors import Conflict, Unprocessable
from vardesk.domain.models import BundleEnablement, Genome
from vardesk.reports.model import ReportStatus
from vardesk.storage.blobs import spooled_upload
from vardesk.synthetic.loci import build_loci_bundle

SLICE = TESTDATA / "reference-slices" / "grch37-SAMD11"
SAMD11_VCF = SLICE / "ashk_SAMD11.vcf.gz"  # GIAB trio variants in SAMD11, with BCSQ
GIAB = TESTDATA / "giab-trio-grch37" / "ashk-trio.vcf.gz"


def slice_bundle(out: Path, version: str = "slice-1") -> Path:
    build_bundle(
        build="GRCh37",
        gff3=SLICE / "SAMD11.grch37.gff3",
        fasta=SLICE / "grch37_chr1_860k.fa.gz",
        out=out,
        version=version,
    )
    return out


def index(services: Services, ws: str, vcf: Path, project: str = "p") -> list[Genome]:
    actor = services.candidates.actor_of(_analyst(services, ws))
    try:
        services.projects.create_project(actor, {"id": project, "organism": {"assembly": "GRCh37"}})
    except Conflict:  # already there
        pass
    with vcf.open("rb") as fh, spooled_upload(services.store, fh, max_bytes=10**9) as (p, size, md5, sha):
        view = services.files.register_upload(
            actor, f"{project}:default", UploadedBlob(p, size, md5, sha), name=vcf.name
        )
    services.start_executor()
    job, _ = services.indexing.index_files(actor, f"{project}:default", [view.file.code])
    wait_done(services, job.code)
    with services.ctx.uow() as uow:
        return list(uow.genomes.of_file(view.file.id or 0))


def _analyst(services: Services, ws: str) -> int:
    with services.ctx.uow() as uow:
        w = uow.workspaces.by_code(ws)
        assert w is not None
        user = uow.users.by_email(w.id or 0, f"analyst@{ws}.example.org")
        assert user is not None and user.id is not None
        return user.id


def test_a_synthetic_bundle_is_refused_outside_the_demo_workspace(services: Services, tmp_path: Path) -> None:
    build_world(services, ("lab-a", "demo"))
    with pytest.raises(Unprocessable, match="SYNTHETIC .NOT HUMAN.*demo workspace"):
        services.annotation.install(build_loci_bundle(tmp_path / "loci"), workspace="lab-a")
    manifest = services.annotation.bundles()[0]
    assert manifest.synthetic and manifest.is_synthetic
    with pytest.raises(Unprocessable, match="never for the server default"):
        services.annotation.enable(manifest.id, default=True)
    with services.ctx.uow() as uow:
        lab_a = uow.workspaces.by_code("lab-a")
        demo = uow.workspaces.by_code("demo")
        assert lab_a is not None and demo is not None
    assert services.annotation.bundle_for("GRCh37", lab_a.id or 0) is None  # installed, enabled nowhere
    row = services.annotation.enable(manifest.id, workspace="demo", actor="admin@demo")
    assert (row.scope, row.workspace_id, row.synthetic, row.actor) == (
        "workspace",
        demo.id,
        True,
        "admin@demo",
    )
    assert services.annotation.bundle_for("GRCh37", demo.id or 0).id == manifest.id  # type: ignore[union-attr]
    assert services.annotation.bundle_for("GRCh37", lab_a.id or 0) is None
    assert services.annotation.enablements()[manifest.id] == [
        {
            "scope": "workspace",
            "workspace": "demo",
            "by": "admin@demo",
            "at": row.at.isoformat(timespec="seconds"),
        }
    ]


def test_a_workspace_bundle_is_not_used_for_another_workspace(services: Services, tmp_path: Path) -> None:
    build_world(services, ("lab-a", "lab-b"))
    manifest = services.annotation.install(slice_bundle(tmp_path / "b"), workspace="lab-a")
    (a,) = {g.annotation_bundle for g in index(services, "lab-a", SAMD11_VCF)}
    b_genomes = index(services, "lab-b", SAMD11_VCF)
    assert a == manifest.id
    assert all(g.annotation_bundle.startswith("vcf:") for g in b_genomes)  # lab-b: its own BCSQ
    assert all(g.annotation_version == "BCSQ" for g in b_genomes)
    assert "no reference bundle is enabled for GRCh37" in b_genomes[0].annotation_info["note"]  # type: ignore[index]
    # the server default reaches every workspace; lab-a keeps its own bundle
    services.annotation.enable(manifest.id, default=True)
    assert services.annotation.outdated_files("GRCh37") == sorted({g.file_id for g in b_genomes})


def test_an_enabled_bundle_that_does_not_match_the_genome_is_not_used(
    services: Services, tmp_path: Path
) -> None:
    """Even enabled (here forced past the refusal), the synthetic GRCh37-labelled bundle never annotates
    real GRCh37 data: its contigs and sequence do not match, so the VCF's own BCSQ annotation is used."""
    world = build_world(services, ("lab-a",))
    manifest = install_bundle(build_loci_bundle(tmp_path / "loci"), services.store.local_path("bundles"))
    with services.ctx.uow() as uow:
        uow.bundle_enablements.add(
            BundleEnablement(
                bundle_id=manifest.id,
                build="GRCh37",
                scope="workspace",
                workspace_id=world.member("lab-a", Role.ADMIN).actor.workspace_id,
                synthetic=True,
                actor="test",
            )
        )
        uow.commit()
    genomes = index(services, "lab-a", GIAB)
    assert {g.annotation_version for g in genomes} == {"BCSQ"}
    info = genomes[0].annotation_info or {}
    assert info["rejected_bundle"] == manifest.id and info["source"] == "pipeline"
    assert "contigs" in info["note"] and info["check"]["on_missing_contigs"] == info["check"]["variants"]
    assert services.annotation.outdated_files("GRCh37") == []  # the rejection is not offered again


def test_bundles_installed_while_global_are_adopted(services: Services, tmp_path: Path) -> None:
    """A non-synthetic bundle installed before per-workspace enablement becomes the server default of its
    build (existing laboratories keep working); a synthetic one is enabled for the demo workspace only."""
    build_world(services, ("lab-a", "demo"))
    real = install_bundle(slice_bundle(tmp_path / "b"), services.store.local_path("bundles"))
    older = install_bundle(slice_bundle(tmp_path / "c", "slice-0"), services.store.local_path("bundles"))
    synthetic = install_bundle(build_loci_bundle(tmp_path / "loci"), services.store.local_path("bundles"))
    enabled = services.annotation.enablements()
    newest = max((real, older), key=lambda m: (m.created, m.version))
    other = older if newest is real else real
    assert [(e["scope"], e["workspace"], e["by"]) for e in enabled[newest.id]] == [
        ("default", None, "migration")
    ]
    assert enabled[other.id] == []  # recorded as installed; one default per build
    assert [(e["scope"], e["workspace"]) for e in enabled[synthetic.id]] == [("workspace", "demo")]
    with services.ctx.uow() as uow:
        lab_a = uow.workspaces.by_code("lab-a")
        assert lab_a is not None
    assert services.annotation.bundle_for("GRCh37", lab_a.id or 0).id == newest.id  # type: ignore[union-attr]


def test_a_genome_annotated_by_a_synthetic_bundle_while_bundles_were_global(
    services: Services, tmp_path: Path
) -> None:
    """The defect this guards against: before per-workspace enablement a lab's genome could be annotated by
    the demo's synthetic GRCh37 bundle. Such a genome is shown as synthetic, its case cannot be signed or
    reported as a result, and re-annotation is offered (here: back to the VCF's own BCSQ)."""
    world = build_world(services, ("lab-a",))
    loci = install_bundle(build_loci_bundle(tmp_path / "loci"), services.store.local_path("bundles"))
    analyst = world.member("lab-a", Role.ANALYST).actor
    genomes = index(services, "lab-a", SAMD11_VCF)
    services.cases.create(
        analyst,
        "p:default",
        {
            "id": "OLD",
            "type": "exome",
            "members": [{"relation": "PROBAND", "sample": "HG002", "sex": "MALE", "affected": "AFFECTED"}],
        },
    )

    def analysed() -> bool:
        with services.ctx.uow() as uow:
            case = next(iter(uow.cases.in_studies([genomes[0].study_id])))
            return case.status == "READY TO REVIEW" and case.analysis_result == "INTERPRETABLE"

    deadline = time.time() + 60
    while not analysed():
        assert time.time() < deadline
        time.sleep(0.1)
    with services.ctx.uow() as uow:  # what the global-bundle era left behind
        for g in uow.genomes.of_file(genomes[0].file_id):
            g.annotation_bundle, g.annotation_version, g.annotation_info = loci.id, loci.version, None
        uow.commit()
        legacy = list(uow.genomes.of_file(genomes[0].file_id))
    assert describe(legacy[0])["synthetic"] is True
    text = services.reports.document(
        services.cases.get(analyst, "OLD", "p:default"), [], ReportStatus.PREVIEW, {}
    )
    assert text.summary == "NOT INTERPRETABLE" and "synthetic (NOT HUMAN)" in text.not_interpretable_reason
    assert text.synthetic_banner == SYNTHETIC_BANNER
    director = world.member("lab-a", Role.DIRECTOR).actor
    with pytest.raises(Unprocessable, match="not interpretable.*synthetic"):
        services.cases.approve(director, "OLD", "p:default")

    assert services.annotation.outdated_files("GRCh37") == [genomes[0].file_id]
    assert services.annotation.annotate_file(genomes[0].file_id)["tag"] == "BCSQ"
    with services.ctx.uow() as uow:
        assert {describe(g)["label"] for g in uow.genomes.of_file(genomes[0].file_id)} == {"pipeline: BCSQ"}
