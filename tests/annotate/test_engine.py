from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pysam
import pytest

from vardesk.annotate.bundle import build_bundle, install_bundle, list_bundles, load_bundle, verify_bundle
from vardesk.annotate.consequences import run_csq
from vardesk.annotate.engine import annotate_variants, annotation_dir, next_part
from vardesk.annotate.lookups import inhouse_counts, lookup_clinvar, lookup_gnomad
from vardesk.annotate.sources import review_stars, variants_from_vcf
from vardesk.domain import variant_key
from vardesk.domain.errors import Conflict, Invalid


def _reference_with_sites(testdata: Path, out: Path, length: int = 1_300_000) -> Path:
    """GRCh37 chr1 slice (SAMD11) padded with N, carrying the ClinVar and gnomAD slices' REF bases."""
    with pysam.FastaFile(str(testdata / "reference-slices/grch37-SAMD11/grch37_chr1_860k.fa.gz")) as fa:
        seq = bytearray(fa.fetch("1").encode())
    seq += b"N" * (length - len(seq))
    for vcf in (testdata / "clinvar/clinvar_20191007.vcf.gz", testdata / "population/h1000.vcf.gz"):
        with gzip.open(vcf, "rt") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                f = line.split("\t", 5)
                if f[0] == "1" and int(f[1]) + len(f[3]) < length:
                    p = int(f[1]) - 1
                    seq[p : p + len(f[3])] = f[3].encode()
    with open(out, "w") as fh:
        fh.write(">chr1 padded slice\n")
        for i in range(0, len(seq), 60):
            fh.write(seq[i : i + 60].decode() + "\n")
    return out


@pytest.fixture(scope="module")
def grch37_bundle(testdata: Path, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("bundle")
    fasta = _reference_with_sites(testdata, tmp / "ref.fa")
    build_bundle(
        build="GRCh37",
        gff3=testdata / "reference-slices/grch37-SAMD11/SAMD11.grch37.gff3",
        fasta=fasta,
        out=tmp / "b",
        gnomad=[testdata / "population/h1000.vcf.gz"],
        clinvar=testdata / "clinvar/clinvar_20191007.vcf.gz",
        version="t1",
    )
    return load_bundle(tmp / "b")


def test_bundle_manifest_and_tables(grch37_bundle, testdata: Path) -> None:
    m = grch37_bundle.manifest
    assert m.id == "GRCh37-t1" and m.build == "GRCh37"
    kinds = {s.kind: s for s in m.sources}
    assert set(kinds) == {"fasta", "gff3", "gnomad", "clinvar"}
    clinvar_src = testdata / "clinvar/clinvar_20191007.vcf.gz"
    assert kinds["clinvar"].size == clinvar_src.stat().st_size and len(kinds["clinvar"].sha256) == 64
    assert m.contigs == ["1"]  # chr1 canonicalised
    verify_bundle(grch37_bundle.path)
    genes = pq.read_table(grch37_bundle.path / "genes.parquet").to_pylist()
    assert [g["symbol"] for g in genes] == ["SAMD11"]
    assert genes[0]["canonical_transcript"] in genes[0]["transcripts"]
    clin = pq.read_table(grch37_bundle.clinvar)
    keys = clin["key"].to_pylist()
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    # every ClinVar record with a REF we placed imports (no ##contig lines in the source)
    assert m.stats["clinvar"]["records_in"] == 72
    assert len(clin) >= 70


def test_clinvar_significance_through_annotation(grch37_bundle, tmp_path: Path) -> None:
    # ClinVar row: 1 949422 G>A, CLNSIG=Benign, criteria_provided,_single_submitter, VCV 475283
    key = variant_key.encode("1", 949422, "G", "A")
    variants = pa.table(
        {"key": [key], "chrom": ["1"], "pos": pa.array([949422], pa.int32()), "ref": ["G"], "alt": ["A"]}
    )
    out = annotation_dir(tmp_path, grch37_bundle)
    stats = annotate_variants(variants, grch37_bundle, next_part(out))
    assert stats.annotated == 1 and stats.clinvar_hits == 1
    row = pq.read_table(stats.part).to_pylist()[0]
    assert row["clinvar_significance"] == "Benign"
    assert row["clinvar_id"] == "475283"
    assert row["clinvar_review_status"] == "criteria provided, single submitter"
    assert row["clinvar_stars"] == 1
    assert row["bundle_id"] == grch37_bundle.id
    looked = lookup_clinvar(pa.array([key, key + 1], pa.int64()), grch37_bundle.clinvar).to_pylist()
    assert [r["key"] for r in looked] == [key]


def test_gnomad_slice_lookup(grch37_bundle, testdata: Path) -> None:
    recs = []
    with pysam.VariantFile(str(testdata / "population/h1000.vcf.gz")) as vf:
        for rec in vf:
            recs.append(
                (
                    rec.chrom,
                    rec.pos,
                    rec.ref,
                    rec.alts[0],
                    rec.info["AF"][0],
                    rec.info["AN"],
                    rec.info["nhomalt"][0],
                )
            )
    keys = [variant_key.encode(c, p, r, a) for c, p, r, a, *_ in recs]
    got = {r["key"]: r for r in lookup_gnomad(pa.array(keys, pa.int64()), grch37_bundle.gnomad).to_pylist()}
    assert len(got) == len(recs) > 0
    for k, (*_, af, an, nhom) in zip(keys, recs, strict=True):
        assert got[k]["af"] == pytest.approx(af, rel=1e-6)
        assert got[k]["an"] == an and got[k]["nhomalt"] == nhom
    # popmax-era field name is picked up as af_grpmax
    assert grch37_bundle.manifest.stats["gnomad"]["fields"]["af_grpmax"] == "AF_popmax"


def test_samd11_consequences_match_giab_bcsq(
    grch37_bundle, testdata: Path, vcf_records, tmp_path: Path
) -> None:
    vcf = testdata / "reference-slices/grch37-SAMD11/ashk_SAMD11.vcf.gz"
    table, recs = vcf_records(vcf)
    raw = dict(zip(*(run_csq(table, grch37_bundle)[c].to_pylist() for c in ("key", "bcsq")), strict=True))
    agree = 0
    for rec in recs:
        key = variant_key.encode(rec["chrom"], rec["pos"], rec["ref"], rec["alts"][0])
        theirs = rec["info"]["BCSQ"]
        theirs = sorted(theirs if isinstance(theirs, tuple) else theirs.split(","))
        # the slice holds one SAMD11 transcript; every call we make is one of the trio's calls
        agree += bool(raw[key]) and set(raw[key].split(",")) <= set(theirs)
    assert agree == len(recs) == 7
    # and the annotation rows carry the worst consequence, gene and HGVS
    stats = annotate_variants(table, grch37_bundle, tmp_path / "a" / "part-0.parquet")
    rows = {r["pos"]: r for r in pq.read_table(stats.part).to_pylist()}
    assert rows[877831]["consequence"] == "missense_variant" and rows[877831]["impact"] == "MODERATE"
    assert rows[877831]["gene_symbol"] == "SAMD11" and rows[877831]["gene_id"] == "ENSG00000187634"
    assert rows[877831]["hgvs_p"] == "p.(Trp250Arg)" and rows[877831]["hgvs_c"].startswith("c.")
    assert rows[866319]["consequence"] == "intron_variant" and rows[866319]["gene_id"] == "ENSG00000187634"


def test_append_only_parts(grch37_bundle, testdata: Path, tmp_path: Path) -> None:
    vcf = testdata / "reference-slices/grch37-SAMD11/ashk_SAMD11.vcf.gz"
    v = variants_from_vcf(vcf, grch37_bundle.fasta)
    out = annotation_dir(tmp_path, grch37_bundle)
    first = annotate_variants(v.slice(0, 3), grch37_bundle, next_part(out))
    second = annotate_variants(v, grch37_bundle, next_part(out))
    third = annotate_variants(v, grch37_bundle, next_part(out))
    assert (first.annotated, second.annotated, second.already_annotated) == (3, len(v) - 3, 3)
    assert third.annotated == 0 and third.part is None
    parts = sorted(out.glob("*.parquet"))
    assert len(parts) == 2
    keys = pq.read_table(parts).column("key").to_pylist()
    assert sorted(keys) == sorted(v["key"].to_pylist())


def test_install_and_list(grch37_bundle, tmp_path: Path) -> None:
    m = install_bundle(grch37_bundle.path, tmp_path / "bundles")
    assert install_bundle(grch37_bundle.path, tmp_path / "bundles").id == m.id  # idempotent
    assert [b.id for b in list_bundles(tmp_path / "bundles")] == [m.id]
    installed = tmp_path / "bundles" / m.id
    (installed / "genes.parquet").write_bytes(b"x")
    with pytest.raises(Invalid):
        verify_bundle(installed)
    with pytest.raises(Conflict):
        build_bundle(
            build="GRCh37",
            gff3=grch37_bundle.path / "gff" / "1.gff3.gz",
            fasta=grch37_bundle.fasta,
            out=installed,
        )


def test_review_stars() -> None:
    assert review_stars("practice_guideline") == 4
    assert review_stars("reviewed_by_expert_panel") == 3
    assert review_stars("criteria_provided,_multiple_submitters,_no_conflicts") == 2
    assert review_stars("criteria_provided,_conflicting_interpretations") == 1
    assert review_stars("no_assertion_criteria_provided") == 0
    assert review_stars(None) == 0


def test_inhouse_counts(tmp_path: Path) -> None:
    def genome(name: str, rows: list[tuple[int, int]]) -> Path:
        p = tmp_path / f"{name}.parquet"
        pq.write_table(
            pa.table(
                {
                    "key": pa.array([k for k, _ in rows], pa.int64()),
                    "zygosity": pa.array([z for _, z in rows], pa.int8()),
                }
            ),
            p,
        )
        return p

    a = genome("A", [(1, 1), (2, 2), (3, 0)])
    b = genome("B", [(1, 2), (2, 3)])
    c = genome("C", [(1, 1), (4, -1)])
    got = {r["key"]: r for r in inhouse_counts([a, b, c], exclude="C").to_pylist()}
    assert got[1]["carriers"] == 2 and got[1]["homozygotes"] == 1 and got[1]["genomes"] == 2
    assert got[2]["carriers"] == 2 and got[2]["hemizygotes"] == 1
    assert 3 not in got and 4 not in got
    all3 = {r["key"]: r for r in inhouse_counts([a, b, c], exclude=None).to_pylist()}
    assert all3[1]["carriers"] == 3
