"""The acceptance chains' input (bench/fabric_chains): a two-record GRCh37 VCF compressed with plain gzip
(``gzip -c``, not BGZF) is indexed with or without a bundle, and the demo's synthetic GRCh37 loci bundle,
enabled for the demo workspace, annotates both records there as missense changes in the genes named there."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import duckdb

from tests.world import build_world, wait_done
from vardesk.app.composition import Services
from vardesk.app.files import UploadedBlob
from vardesk.domain.enums import GenomeState, Role
from vardesk.storage.blobs import spooled_upload
from vardesk.synthetic.loci import build_loci_bundle
from vardesk.variants.query import annotation_rows

S1 = (
    "##fileformat=VCFv4.1\n##reference=GRCh37\n"
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
    "chr7\t87160618\trs2032582\tA\tC\t1484.13\tPASS\t.\tGT\t1/1\n"
    "chr17\t41245466\t.\tG\tA\t200\tPASS\t.\tGT\t0/1\n"
)


def _index_s1(services: Services, workspace: str = "lab-a", bundle: Path | None = None) -> list:  # type: ignore[type-arg]
    actor = build_world(services, (workspace,)).member(workspace, Role.ANALYST).actor
    if bundle is not None:  # a synthetic bundle: enabled for the demo workspace only
        services.annotation.install(bundle, workspace=workspace)
    services.projects.create_project(actor, {"id": "chains", "organism": {"assembly": "GRCh37"}})
    data = gzip.compress(S1.encode())
    assert data[:2] == b"\x1f\x8b" and data[12:14] != b"BC"  # plain gzip, not BGZF
    with spooled_upload(services.store, io.BytesIO(data), max_bytes=10**6) as (p, size, md5, sha):
        view = services.files.register_upload(
            actor, "chains:default", UploadedBlob(p, size, md5, sha), name="s1.vcf.gz"
        )
    services.start_executor()
    job, _ = services.indexing.index_files(actor, "chains:default", [view.file.code])
    wait_done(services, job.code)
    with services.ctx.uow() as uow:
        return list(uow.genomes.of_file(view.file.id or 0))


def test_plain_gzip_vcf_without_a_bundle_is_indexed(services: Services) -> None:
    genomes = _index_s1(services)
    assert [g.state for g in genomes] == [GenomeState.READY]


def test_loci_bundle_annotates_the_chain_records(services: Services, tmp_path: Path) -> None:
    bundle = build_loci_bundle(tmp_path / "loci")
    (genome,) = _index_s1(services, "demo", bundle)
    manifest = services.annotation.bundle(genome.annotation_bundle).manifest
    assert manifest.build == "GRCh37" and "not-human" in manifest.version and manifest.synthetic
    assert genome.state is GenomeState.READY and genome.annotation_info["synthetic"] is True
    with services.store.materialise(genome.genotypes_key) as genotypes:
        keys = [
            k for (k,) in duckdb.sql(f"SELECT key FROM read_parquet('{genotypes}') ORDER BY key").fetchall()
        ]
    with services.annotation.annotations([genome]) as annotations:
        rows = annotation_rows(annotations, keys)
    got = sorted((r["gene_symbol"], r["consequence"]) for r in rows.values())
    assert got == [("ABCB1", "missense_variant"), ("BRCA1", "missense_variant")], rows
