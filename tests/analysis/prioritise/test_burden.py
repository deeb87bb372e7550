"""Burden score properties on hand-built families; expected values computed by hand."""

from __future__ import annotations

import math

import pytest

from vardesk.analysis.prioritise import (
    BurdenConfig,
    Family,
    FamilyMember,
    Genotype,
    Model,
    VariantCall,
    score_genes,
    severity_weight,
)
from vardesk.domain.enums import Affected, Sex

TRIO = Family(
    (
        FamilyMember("kid", Sex.FEMALE, Affected.AFFECTED, "dad", "mum"),
        FamilyMember("dad", Sex.MALE, Affected.UNAFFECTED),
        FamilyMember("mum", Sex.FEMALE, Affected.UNAFFECTED),
    ),
    "kid",
)
QUAD = Family((*TRIO.members, FamilyMember("sib", Sex.MALE, Affected.UNAFFECTED, "dad", "mum")), "kid")


def var(
    gene: str,
    pos: int,
    csq: str,
    af: float | None,
    gts: dict[str, int],
    *,
    ref: str = "A",
    alt: str = "G",
    chrom: str = "1",
    gt: dict[str, str] | None = None,
    **kw: object,
) -> VariantCall:
    genotypes = {
        n: Genotype(z, (gt or {}).get(n), "|" in (gt or {}).get(n, ""), None) for n, z in gts.items()
    }
    return VariantCall(chrom, pos, ref, alt, (gene,), csq, genotypes, af, **kw)  # type: ignore[arg-type]


def het_llr(p: float, w: float = 1.0) -> float:
    return math.log(w) - math.log(2 * p * (1 - p))


def test_solo_novel_stop_gained_scores_its_likelihood_ratio() -> None:
    scores = score_genes([var("G1", 10, "stop_gained", None, {"p": 1})], Family.solo("p"))
    # novel → AF floor 1e-5; het null 2p(1-p); w(stop_gained) = 1
    assert scores["G1"].score == pytest.approx(-math.log(2e-5 * (1 - 1e-5)))
    assert scores["G1"].model is Model.DOMINANT
    assert sum(t.value for t in scores["G1"].terms) == pytest.approx(scores["G1"].score)
    assert scores["G1"].variants == ("1:10A>G",)


def test_rare_de_novo_lof_in_trio_outranks_common_missense() -> None:
    variants = [
        var("LOFGENE", 10, "frameshift_variant", None, {"kid": 1}, ref="A", alt="AT"),
        var("MISGENE", 20, "missense_variant", 0.2, {"kid": 1, "dad": 1}),
    ]
    scores = score_genes(variants, TRIO)
    lof, mis = scores["LOFGENE"], scores["MISGENE"]
    assert lof.model is Model.DE_NOVO
    assert lof.score == pytest.approx(het_llr(1e-5) + math.log(20))
    assert mis.score < 0 < lof.score
    assert any("de novo" in t.label for t in lof.terms)


def test_variant_hom_alt_in_unaffected_sibling_lowers_its_gene_by_the_penalty() -> None:
    base = {"kid": 2, "dad": 1, "mum": 1}
    shared = score_genes([var("G", 5, "missense_variant", 1e-3, base | {"sib": 2})], QUAD)["G"]
    alone = score_genes([var("G", 5, "missense_variant", 1e-3, base | {"sib": 1})], QUAD)["G"]
    assert alone.model is Model.RECESSIVE_HOMOZYGOUS
    assert alone.score == pytest.approx(math.log(0.5) - math.log(1e-6))  # w(missense)=0.5, null p²
    assert shared.score == pytest.approx(alone.score - BurdenConfig().unaffected_penalty)
    assert any("unaffected sib" in t.label for t in shared.terms)


def test_compound_het_counts_only_with_two_hits_in_trans() -> None:
    p = 1e-4
    trans = [
        var("CH", 1, "stop_gained", p, {"kid": 1, "dad": 1}),
        var("CH", 2, "stop_gained", p, {"kid": 1, "mum": 1}),
    ]
    cis = [
        var("CH", 1, "stop_gained", p, {"kid": 1, "dad": 1}),
        var("CH", 2, "stop_gained", p, {"kid": 1, "dad": 1}),
    ]
    in_trans = score_genes(trans, TRIO)["CH"]
    assert in_trans.model is Model.COMPOUND_HETEROZYGOUS
    assert in_trans.score == pytest.approx(2 * het_llr(p))  # phase proven by parental origin
    assert set(in_trans.variants) == {"1:1A>G", "1:2A>G"}
    in_cis = score_genes(cis, TRIO)["CH"]
    assert in_cis.model is not Model.COMPOUND_HETEROZYGOUS
    # the best left is one het variant inherited from the unaffected father
    assert in_cis.score == pytest.approx(het_llr(p) - BurdenConfig().unaffected_penalty)
    one_hit = score_genes(trans[:1], TRIO)["CH"]
    assert one_hit.model is not Model.COMPOUND_HETEROZYGOUS


def test_compound_het_by_phase_in_a_solo() -> None:
    p = 1e-4
    solo = Family.solo("p")
    trans = [
        var("CH", 1, "stop_gained", p, {"p": 1}, gt={"p": "0|1"}),
        var("CH", 2, "stop_gained", p, {"p": 1}, gt={"p": "1|0"}),
    ]
    cis = [
        var("CH", 1, "stop_gained", p, {"p": 1}, gt={"p": "0|1"}),
        var("CH", 2, "stop_gained", p, {"p": 1}, gt={"p": "0|1"}),
    ]
    unphased = [var("CH", 1, "stop_gained", p, {"p": 1}), var("CH", 2, "stop_gained", p, {"p": 1})]
    assert score_genes(trans, solo)["CH"].score == pytest.approx(2 * het_llr(p))
    assert score_genes(cis, solo)["CH"].model is Model.DOMINANT
    assert score_genes(unphased, solo)["CH"].score == pytest.approx(2 * het_llr(p) - math.log(2))


def test_indels_ignored_when_score_indels_is_false() -> None:
    variants = [
        var("INDEL", 1, "frameshift_variant", None, {"p": 1}, ref="A", alt="AC"),
        var("SNV", 2, "stop_gained", None, {"p": 1}),
    ]
    assert set(score_genes(variants, Family.solo("p"))) == {"INDEL", "SNV"}
    assert set(score_genes(variants, Family.solo("p"), BurdenConfig(score_indels=False))) == {"SNV"}


def test_x_linked_hemizygous_male_uses_allele_frequency_as_null() -> None:
    fam = Family((FamilyMember("boy", Sex.MALE, Affected.AFFECTED),), "boy")
    g = score_genes([var("XG", 50_000_000, "stop_gained", 1e-3, {"boy": 3}, chrom="X")], fam)["XG"]
    assert g.model is Model.X_LINKED_RECESSIVE
    assert g.score == pytest.approx(-math.log(1e-3))


def test_in_house_frequency_and_in_silico_score_are_used() -> None:
    v = var("G", 1, "missense_variant", 1e-4, {"p": 1}, inhouse_af=1e-2, in_silico={"REVEL": 0.9})
    g = score_genes([v], Family.solo("p"))["G"]
    assert g.score == pytest.approx(het_llr(1e-2, 0.9))  # the larger frequency, REVEL as the weight
    assert severity_weight("missense_variant") == 0.5
    assert severity_weight("synonymous_variant&missense_variant", {"CADD": 30}) == pytest.approx(0.75)


def test_affected_sibling_sharing_the_variant_supports_it() -> None:
    fam = Family(
        (
            FamilyMember("a", Sex.FEMALE, Affected.AFFECTED),
            FamilyMember("b", Sex.MALE, Affected.AFFECTED),
        ),
        "a",
    )
    shared = score_genes([var("G", 1, "stop_gained", 1e-4, {"a": 1, "b": 1})], fam)["G"]
    missing = score_genes([var("G", 1, "stop_gained", 1e-4, {"a": 1, "b": 0})], fam)["G"]
    assert shared.score == pytest.approx(het_llr(1e-4) + math.log(2))
    assert missing.score == pytest.approx(het_llr(1e-4) - BurdenConfig().unaffected_penalty)


def test_x_linked_fit_uses_the_pseudo_autosomal_regions_of_the_genome_build() -> None:
    # chrX:2,750,000 is in GRCh38 PAR1 (10,001-2,781,479) but outside GRCh37 PAR1 (60,001-2,699,520)
    fam = Family((FamilyMember("boy", Sex.MALE, Affected.AFFECTED),), "boy")
    calls = [var("XG", 2_750_000, "stop_gained", 1e-3, {"boy": 2}, chrom="X")]
    grch37 = score_genes(calls, fam, BurdenConfig(build="GRCh37"))["XG"]
    grch38 = score_genes(calls, fam, BurdenConfig(build="GRCh38"))["XG"]
    assert grch37.model is Model.X_LINKED_RECESSIVE and grch37.score == pytest.approx(-math.log(1e-3))
    assert grch38.model is Model.RECESSIVE_HOMOZYGOUS  # diploid in the GRCh38 PAR: p² as the null
    # and the other way round near PAR2: chrX:155,000,000 is in GRCh37 PAR2, not in GRCh38's
    late = [var("XH", 155_000_000, "stop_gained", 1e-3, {"boy": 2}, chrom="X")]
    assert score_genes(late, fam, BurdenConfig(build="GRCh37"))["XH"].model is Model.RECESSIVE_HOMOZYGOUS
    assert score_genes(late, fam, BurdenConfig(build="GRCh38"))["XH"].model is Model.X_LINKED_RECESSIVE
