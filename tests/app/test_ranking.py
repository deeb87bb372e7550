"""VcfRanking: the case-free ranking of the real GIAB trio creates no catalog entity; its family, proband
and mode choices, and the refusals, name the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TESTDATA
from tests.slices import samd11_bundle
from vardesk.app.composition import Services
from vardesk.app.ranking import RankVcf
from vardesk.domain.errors import Invalid

TRIO = TESTDATA / "giab-trio-grch37"
KEEP = ["missense_variant", "synonymous_variant"]


def test_trio_ranking_without_a_case(services: Services, tmp_path: Path) -> None:
    # without --bundle: the BCSQ annotation the trio's VCF carries; every gene is ranked (no cap at 500)
    own = services.ranking.run(RankVcf(TRIO / "ashk-trio.vcf.gz", ["HP:0001250"], ped=TRIO / "ashk-trio.ped"))
    assert own.annotation == {"source": "pipeline", "tag": "BCSQ"}
    assert own.total == len(own.rows) > 500
    assert [r.gene.rank for r in own.rows] == list(range(1, own.total + 1))
    top = services.ranking.run(
        RankVcf(TRIO / "ashk-trio.vcf.gz", ["HP:0001250"], ped=TRIO / "ashk-trio.ped", limit=3)
    )
    assert [r.gene.gene for r in top.rows] == [r.gene.gene for r in own.rows[:3]] and top.total == own.total
    services.annotation.install(samd11_bundle(tmp_path / "slice"))
    command = RankVcf(
        TRIO / "ashk-trio.vcf.gz",
        ["HP:0001250", "HP:9999999"],
        ["HP:0001263"],
        ped=TRIO / "ashk-trio.ped",
        bundle="GRCh37-slice-1",
        consequences=KEEP,
    )
    result = services.ranking.run(command)
    assert (result.build, result.proband, result.total) == ("GRCh37", "HG002", 1)
    assert result.unknown_terms == {"HP:9999999": "unknown HPO term"} and result.excluded == ["HP:0001263"]
    [row] = result.rows
    assert row.gene.gene == "SAMD11" and [v.locus for v in row.variants] == ["1:878314:G:C"]
    assert row.variants[0].genotype == "0/1" and row.variants[0].consequence == "synonymous_variant"
    with services.ctx.uow() as uow:  # nothing was recorded
        assert uow.cases.get(1) is None and uow.files.get(1) is None
        assert list(uow.genomes.ready_of_build("GRCh37")) == []
    # a solo of one of the trio's samples (no PED): the child alone, its variant still dominant
    solo = services.ranking.run(
        RankVcf(
            TRIO / "ashk-trio.vcf.gz",
            ["HP:0001250"],
            proband="HG002",
            bundle="GRCh37-slice-1",
            consequences=KEEP,
        )
    )
    assert solo.proband == "HG002" and {r.gene.gene for r in solo.rows} >= {"SAMD11"}
    with pytest.raises(Invalid, match="3 samples"):
        services.ranking.run(RankVcf(TRIO / "ashk-trio.vcf.gz", [], bundle="GRCh37-slice-1"))
    with pytest.raises(Invalid, match="mode"):
        services.ranking.run(RankVcf(TRIO / "ashk-trio.vcf.gz", [], mode="Y-linked"))
    recessive = services.ranking.run(
        RankVcf(
            TRIO / "ashk-trio.vcf.gz",
            [],
            ped=TRIO / "ashk-trio.ped",
            bundle="GRCh37-slice-1",
            consequences=KEEP,
            mode="AR",
        )
    )
    assert recessive.rows == [] and recessive.mode == "AR"
