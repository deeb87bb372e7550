"""Compound heterozygous calls on slivar's ``comphet.csq.vcf`` (a real trio, BCSQ-annotated).

The file's INFO ``comphet_side=UDN810123`` names the child; UDN231974 is hom-ref and UDN971716 het at
all four records. Which parent is the father is not stated; the verdicts below do not depend on it
(we take UDN231974 as father, UDN971716 as mother, both of unknown affection status). The genes come
from the BCSQ field via ``bcftools query`` (independent of Vardesk's annotation): LGSN, CHTF18 (two
records: 788413 and 793183) and GIPC3, so CHTF18 is the only gene with two hets in the child.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.analysis.inheritance.conftest import COMPHET_VCF
from tests.ingest.conftest import run_bcftools
from vardesk.analysis.inheritance import Certainty, Mode, find_candidates
from vardesk.analysis.pedigree import Member, Pedigree
from vardesk.domain import variant_key
from vardesk.domain.enums import Affected, Sex
from vardesk.ingest.pipeline import ingest_vcf
from vardesk.variants.schema import ANNOTATION_SCHEMA

KID, DAD, MUM = "UDN810123", "UDN231974", "UDN971716"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], Path]:
    if not COMPHET_VCF.exists():
        pytest.skip("shared test data not available")
    d = tmp_path_factory.mktemp("csq")
    result = ingest_vcf(COMPHET_VCF, d / "store")
    out = run_bcftools("query", "-f", "%CHROM\t%POS\t%REF\t%ALT\t%BCSQ\n", str(COMPHET_VCF))
    keys, genes = [], []
    for line in out.splitlines():
        chrom, pos, ref, alt, bcsq = line.split("\t")
        symbols = {item.split("|")[1] for item in bcsq.split(",") if "|" in item}
        assert len(symbols) == 1
        keys.append(variant_key.encode(variant_key.canonical_chrom(chrom), int(pos), ref, alt))
        genes.append(symbols.pop())
    assert sorted(genes) == ["CHTF18", "CHTF18", "GIPC3", "LGSN"]
    n = len(keys)
    table = {"key": keys, "gene_symbol": genes, "transcripts": [[] for _ in keys]}
    table |= {c: [None] * n for c in ("consequence", "impact", "gnomad_af", "clinvar_significance")}
    ann = d / "ann.parquet"
    pq.write_table(pa.table(table, schema=ANNOTATION_SCHEMA), ann)
    return {s.name: s.genotypes_path for s in result.samples}, ann


def run(store: tuple[dict[str, Path], Path], sequenced: set[str]) -> dict[int, tuple[Certainty, list[int]]]:
    genomes, ann = store
    ped = Pedigree(
        (
            Member(KID, Sex.UNKNOWN, Affected.AFFECTED, DAD, MUM, genomes[KID]),
            Member(DAD, Sex.MALE, genotypes=genomes[DAD] if DAD in sequenced else None),
            Member(MUM, Sex.FEMALE, genotypes=genomes[MUM] if MUM in sequenced else None),
        ),
        KID,
    )
    found = list(find_candidates(ped, build="GRCh38", annotations=ann, modes=[Mode.COMPOUND_HETEROZYGOUS]))
    pos = {c.key: c.pos for c in found}
    return {c.pos: (c.modes[0].certainty, [pos[k] for k in c.modes[0].partners]) for c in found}


def test_trio_both_from_one_parent_is_not_compound(store) -> None:
    # both CHTF18 alleles come from UDN971716 (UDN231974 hom-ref): in cis
    assert run(store, {DAD, MUM}) == {}


def test_without_the_carrier_parent_the_pair_is_excluded(store) -> None:
    # UDN231974 alone, hom-ref at both: both came from the unsequenced parent, on one haplotype
    assert run(store, {DAD}) == {}


def test_without_the_hom_ref_parent_the_pair_is_uncertain(store) -> None:
    # UDN971716 alone carries both; the other (unsequenced) parent might have given one of them
    assert run(store, {MUM}) == {
        788413: (Certainty.UNCERTAIN, [793183]),
        793183: (Certainty.UNCERTAIN, [788413]),
    }


def test_child_alone_the_pair_is_possible(store) -> None:
    assert run(store, set()) == {
        788413: (Certainty.POSSIBLE, [793183]),
        793183: (Certainty.POSSIBLE, [788413]),
    }


@pytest.mark.parametrize("sequenced", [{MUM}, set()], ids=["mother", "child alone"])
def test_compound_heterozygosity_alone_equals_its_calls_among_every_mode(store, sequenced) -> None:
    # asked alone, the sides are read in one pass and kept; among every mode, in two passes
    genomes, ann = store
    ped = Pedigree(
        (
            Member(KID, Sex.UNKNOWN, Affected.AFFECTED, DAD, MUM, genomes[KID]),
            Member(DAD, Sex.MALE),
            Member(MUM, Sex.FEMALE, genotypes=genomes[MUM] if MUM in sequenced else None),
        ),
        KID,
    )
    alone = list(find_candidates(ped, build="GRCh38", annotations=ann, modes=[Mode.COMPOUND_HETEROZYGOUS]))
    every = list(find_candidates(ped, build="GRCh38", annotations=ann))
    among = [
        (c.key, m.certainty, m.partners)
        for c in every
        for m in c.modes
        if m.mode is Mode.COMPOUND_HETEROZYGOUS
    ]
    assert len(among) == 2
    assert [(c.key, c.modes[0].certainty, c.modes[0].partners) for c in alone] == among


def test_family_query_reads_the_primary_once(store) -> None:
    from vardesk.variants.family import compile_family_query
    from vardesk.variants.query import VariantQuery

    genomes, ann = store
    sql, params = compile_family_query(
        VariantQuery(), genomes, members=[KID, DAD, MUM], primary=KID, annotations=ann
    )
    files = [p for p in params if isinstance(p, str) and p.endswith(".parquet")]
    files += [f for p in params if isinstance(p, list) for f in p if isinstance(f, str)]
    assert sorted(files).count(str(genomes[KID])) == 1  # the base row, not a join of its own file
    assert str(genomes[DAD]) in files and str(genomes[MUM]) in files
    assert sql.count("WHERE key IN (SELECT key FROM b)") == 2  # members read for the base's keys only
