"""Variant searches: pages within the store's integers; frequency and score filters on every genome."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.annotate.test_preannotated import VEP_SCORED
from tests.conftest import TESTDATA
from tests.world import build_world, wait_done
from vardesk.app.composition import Services
from vardesk.app.files import UploadedBlob
from vardesk.app.variants import MAX_PAGE, VariantSearch
from vardesk.domain.access import Actor
from vardesk.domain.annotation_source import describe
from vardesk.domain.enums import Role
from vardesk.domain.errors import Invalid
from vardesk.storage.blobs import spooled_upload


def test_a_page_beyond_the_store_integers_is_invalid() -> None:
    assert VariantSearch(skip=MAX_PAGE, limit=MAX_PAGE).skip == MAX_PAGE
    assert VariantSearch(limit=None).limit is None  # no limit: every match
    for kwargs in ({"skip": 10**25}, {"skip": MAX_PAGE + 1}, {"limit": 2**64}, {"skip": -1}):
        with pytest.raises(Invalid, match="must be between 0 and"):
            VariantSearch(**kwargs)


GIAB = TESTDATA / "giab-trio-grch37" / "ashk-trio.vcf.gz"


def _import(services: Services, actor: Actor, study: str, path: Path) -> int:
    with path.open("rb") as fh, spooled_upload(services.store, fh, max_bytes=10**9) as (p, size, md5, sha):
        view = services.files.register_upload(actor, study, UploadedBlob(p, size, md5, sha), name=path.name)
    job, _ = services.indexing.index_files(actor, study, [view.file.code])
    wait_done(services, job.code)
    return view.file.id or 0


def _with_sample(vcf: str) -> str:
    """The sites-only VCF text with one sample carrying every ALT of each record."""
    out = []
    for line in vcf.splitlines():
        if line.startswith("##fileformat"):
            line += '\n##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">'
        elif line.startswith("#CHROM"):
            line += "\tFORMAT\tPATIENT1"
        elif not line.startswith("#"):
            n_alts = len(line.split("\t")[4].split(","))
            line += "\tGT\t" + ("0/1" if n_alts == 1 else "1/2")
        out.append(line)
    return "\n".join(out) + "\n"


def test_pipeline_frequencies_and_scores_are_kept_recorded_and_queryable(
    services: Services, tmp_path: Path
) -> None:
    """A VEP-annotated genome keeps its gnomAD and scores (its annotation source names the fields), and
    the frequency and score filters use them; a BCSQ genome with no frequency at all keeps every variant
    under a frequency filter (an unknown frequency never drops a candidate) and matches no score filter."""
    actor = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    services.projects.create_project(actor, {"id": "vep", "organism": {"assembly": "GRCh38"}})
    services.projects.create_project(actor, {"id": "giab", "organism": {"assembly": "GRCh37"}})
    services.start_executor()
    vcf = tmp_path / "patient1.vep.vcf"
    vcf.write_text(_with_sample(VEP_SCORED))
    file_id = _import(services, actor, "vep:default", vcf)
    with services.ctx.uow() as uow:
        (genome,) = uow.genomes.of_file(file_id)
    source = describe(genome)
    assert source["source"] == "pipeline" and source["tag"] == "CSQ"
    assert source["fields"]["revel"] == "CSQ/REVEL"
    assert source["fields"]["gnomad_nhomalt"] == "CSQ/gnomADe_nhomalt, CSQ/gnomADg_nhomalt"

    def found(study: str, **filters: object) -> list[tuple[int, str]]:
        page = services.variants.search(actor, study, VariantSearch(count=True, **filters))  # type: ignore[arg-type]
        assert page.num_matches == len(page.hits)
        return [(h.row["pos"], h.row["alt"]) for h in page.hits]

    everything = found("vep:default")
    assert everything == [(117530975, "A"), (117530975, "T"), (117531000, "G")]
    # 0.0012 is not rare enough for 0.001; the stop-gain and the MAX_AF-only site have no gnomAD frequency
    assert found("vep:default", max_af=0.001) == [(117530975, "T"), (117531000, "G")]
    assert found("vep:default", max_af=0.01) == everything
    assert found("vep:default", scores=[[("revel", ">", 0.5)]]) == [(117530975, "A")]
    assert found("vep:default", scores=[[("cadd_phred", ">", 30)]]) == [(117530975, "T")]
    assert found("vep:default", scores=[[("spliceai_max", ">=", 0.1), ("alphamissense", ">", 0.9)]]) == [
        (117530975, "A"),
        (117530975, "T"),
    ]
    hit = services.variants.search(actor, "vep:default", VariantSearch(scores=[[("revel", ">", 0.5)]])).hits[
        0
    ]
    assert hit.row["gnomad_nhomalt"] == 5 and hit.row["gnomad_genomes_af"] == pytest.approx(0.0009)

    _import(services, actor, "giab:default", GIAB)
    total = services.variants.search(actor, "giab:default", VariantSearch(count=True, limit=1)).num_matches
    assert total > 9000
    rare = services.variants.search(actor, "giab:default", VariantSearch(count=True, limit=5, max_af=0.01))
    assert rare.num_matches == total and len(rare.hits) == 5
    assert all(h.row["gnomad_af"] is None for h in rare.hits)
    scored = services.variants.search(
        actor, "giab:default", VariantSearch(count=True, scores=[[("revel", ">", 0.0)]])
    )
    assert scored.num_matches == 0
