"""PM2 (ClinGen SVI 2020: supporting), BA1 (Ghosh et al. 2018: > 5 %, >= 2,000 alleles), BS1, BS2."""

from __future__ import annotations

from dataclasses import replace

from tests.analysis.acmg.builders import AD, AR, XLR, gene, gnomad, trio, variant_input
from vardesk.analysis.acmg import DEFAULT_CONFIG, PopulationData, Status, Strength
from vardesk.analysis.acmg.population import assign_ba1, assign_bs1, assign_bs2, assign_pm2

CFG = DEFAULT_CONFIG


def test_pm2_absent_is_supporting_with_coverage_caveat() -> None:
    inp = variant_input("missense_variant", population=PopulationData(found=False, version="4.1"))
    e = assign_pm2(inp, CFG, {})
    assert (e.status, e.strength, e.label) == (Status.MET, Strength.SUPPORTING, "PM2_Supporting")
    assert any("Coverage" in c for c in e.caveats)
    assert e.data_sources == {"gnomAD": "4.1"}
    low = replace(inp, population=PopulationData(found=False, mean_depth=8.0))
    assert any("Mean depth 8" in c for c in assign_pm2(low, CFG, {}).caveats)


def test_pm2_thresholds_by_inheritance() -> None:
    rare = variant_input("missense_variant", population=gnomad(af=0.00002, af_grpmax=0.00005))
    assert assign_pm2(rare, CFG, {}).met
    dominant = replace(rare, population=gnomad(af=0.0001, af_grpmax=0.0002))
    assert assign_pm2(dominant, CFG, {}).status is Status.NOT_MET
    recessive = replace(dominant, gene=gene(inheritance=AR))
    assert assign_pm2(recessive, CFG, {}).met
    per_gene = replace(recessive, gene=gene(inheritance=AR, pm2_threshold=0.0001))
    assert assign_pm2(per_gene, CFG, {}).status is Status.NOT_MET


def test_pm2_without_population_data_is_not_evaluable() -> None:
    assert assign_pm2(variant_input("missense_variant"), CFG, {}).status is Status.NOT_EVALUABLE


def test_ba1() -> None:
    common = variant_input("missense_variant", population=gnomad(af=0.07, faf95=0.06))
    e = assign_ba1(common, CFG, {})
    assert (e.status, e.strength) == (Status.MET, Strength.STAND_ALONE)
    assert e.thresholds["metric"] == "faf95"
    at_limit = replace(common, population=gnomad(faf95=0.05))
    assert assign_ba1(at_limit, CFG, {}).status is Status.NOT_MET  # "greater than 5 %"
    small = replace(common, population=PopulationData(found=True, faf95=0.2, an=1000))
    assert assign_ba1(small, CFG, {}).status is Status.NOT_MET
    exempt = replace(CFG, ba1_exceptions=frozenset({common.variant.id}))
    assert assign_ba1(common, exempt, {}).status is Status.NOT_MET
    assert assign_ba1(variant_input("missense_variant"), CFG, {}).status is Status.NOT_EVALUABLE


def test_bs1() -> None:
    inp = variant_input("missense_variant", population=gnomad(faf95=0.02))
    assert assign_bs1(inp, CFG, {}).met  # dominant default 1 %
    assert assign_bs1(replace(inp, population=gnomad(faf95=0.005)), CFG, {}).status is Status.NOT_MET
    recessive = replace(inp, gene=gene(inheritance=AR))
    assert assign_bs1(recessive, CFG, {}).status is Status.NOT_EVALUABLE
    tuned = replace(inp, population=gnomad(faf95=0.005), gene=gene(inheritance=AR, bs1_threshold=0.003))
    assert assign_bs1(tuned, CFG, {}).met


def test_bs2_from_population_counts() -> None:
    ar = variant_input("missense_variant", gene=gene(inheritance=AR), population=gnomad(af=0.001, nhomalt=3))
    assert assign_bs2(ar, CFG, {}).met
    assert assign_bs2(replace(ar, population=gnomad(af=0.001, nhomalt=1)), CFG, {}).status is Status.NOT_MET
    ad = replace(ar, gene=gene(inheritance=AD), population=gnomad(ac=10))
    assert assign_bs2(ad, CFG, {}).status is Status.NOT_EVALUABLE  # penetrance not known
    ad_full = replace(ad, gene=gene(inheritance=AD, fully_penetrant=True))
    assert assign_bs2(ad_full, CFG, {}).met
    xl = replace(ar, gene=gene(inheritance=XLR), population=gnomad(nhemi=3))
    assert assign_bs2(xl, CFG, {}).met
    assert assign_bs2(replace(ar, population=None), CFG, {}).status is Status.NOT_EVALUABLE


def test_bs2_from_a_healthy_adult_relative() -> None:
    fam = trio(proband=2, mother=2, father=1)
    fam = replace(fam, members=tuple(replace(m, adult=True) for m in fam.members))
    inp = variant_input("missense_variant", gene=gene(inheritance=AR), family=fam)
    e = assign_bs2(inp, CFG, {})
    assert e.met and "mum" in e.explanation


def test_pm2_recessive_ceiling_is_the_vcep_0_07_percent() -> None:
    # ClinGen Hearing Loss VCEP (Oza et al. 2018, Hum Mutat 39:1593): AR PM2 at grpmax <= 0.0007
    at = variant_input(
        "missense_variant", population=gnomad(af=0.0005, af_grpmax=0.0007), gene=gene(inheritance=AR)
    )
    assert assign_pm2(at, CFG, {}).met
    above = replace(at, population=gnomad(af=0.0005, af_grpmax=0.0008))
    assert assign_pm2(above, CFG, {}).status is Status.NOT_MET


def test_ba1_exception_list_by_gene_and_c_change() -> None:
    # Ghosh et al. 2018 (Hum Mutat 39:1525) Table 3: HFE c.845G>A (p.Cys282Tyr) is exempt from BA1
    common = gnomad(af=0.06, af_grpmax=0.08)
    hfe = variant_input(
        "missense_variant",
        tc={"hgvs_c": "ENST00000357618.10:c.845G>A"},
        gene=gene(symbol="HFE", inheritance=AR),
        population=common,
    )
    e = assign_ba1(hfe, CFG, {})
    assert e.status is Status.NOT_MET and "exception" in e.explanation
    other = replace(hfe, gene=gene(symbol="GENE1"))
    assert assign_ba1(other, CFG, {}).met
