"""The synthetic (NOT HUMAN) reference bundle: deterministic, valid gene models, usable by annotation."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pysam
import pytest

from vardesk.annotate.bundle import Bundle, load_bundle, verify_bundle
from vardesk.annotate.consequences import parse_bcsq, run_csq
from vardesk.annotate.engine import annotate_variants
from vardesk.annotate.gff3 import read_gff3
from vardesk.annotate.hgvs import HgvsFormatter
from vardesk.annotate.lookups import lookup_clinvar, lookup_gnomad
from vardesk.annotate.sources import review_stars, variants_from_vcf
from vardesk.domain import variant_key
from vardesk.domain.transcript import Transcript
from vardesk.synthetic.bundle import NOT_HUMAN, build_demo_bundle, disease_genes


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_bundle(tmp_path_factory.mktemp("syn") / "demo", seed=0)


@pytest.fixture(scope="module")
def bundle(demo: Path) -> Bundle:
    return load_bundle(demo)


@pytest.fixture(scope="module")
def models(demo: Path) -> list[Transcript]:
    return [t for g in read_gff3(demo.parent / "sources" / "genes.gff3.gz") for t in g.transcripts]


def _sources(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "sources").iterdir())}


def test_same_seed_same_files_other_seed_other_files(demo: Path, tmp_path: Path) -> None:
    again = build_demo_bundle(tmp_path / "again", seed=0)
    other = build_demo_bundle(tmp_path / "other", seed=1)
    assert _sources(demo.parent) == _sources(again.parent)
    a, b = load_bundle(demo).manifest, load_bundle(again).manifest
    tables = [f for f in a.files if f.endswith(".parquet")]
    assert len(tables) == 4 and {f: a.files[f] for f in tables} == {f: b.files[f] for f in tables}
    assert a.id == b.id == "GRCh38-synthetic-not-human-demo-s0"
    assert _sources(other.parent)["reference.fa.gz"] != _sources(demo.parent)["reference.fa.gz"]
    verify_bundle(demo)
    # a second call reuses the built bundle
    assert build_demo_bundle(demo.parent, seed=0) == demo


def test_everything_says_not_human(demo: Path, bundle: Bundle) -> None:
    src = demo.parent / "sources"
    with pysam.FastaFile(str(src / "reference.fa.gz")) as fa:
        assert list(fa.references) == ["1", "2", "3"]
    with gzip.open(src / "reference.fa.gz", "rt") as fh:
        assert NOT_HUMAN in fh.readline()
    for vcf in ("gnomad.vcf.gz", "clinvar.vcf.gz"):
        with pysam.VariantFile(str(src / vcf)) as vf:
            assert f"##reference={NOT_HUMAN}" in str(vf.header)
    with gzip.open(src / "genes.gff3.gz", "rt") as fh:
        assert NOT_HUMAN in fh.read(300)
    assert any("NOT HUMAN" in n for n in bundle.manifest.notes)
    assert NOT_HUMAN in bundle.version


def test_gene_models_are_realistic_and_named_after_disease_genes(
    bundle: Bundle, models: list[Transcript]
) -> None:
    genes = pq.read_table(bundle.path / "genes.parquet").to_pylist()
    assert 100 <= len(genes) <= 300
    known = {s for s, _, _ in disease_genes()}
    named = [g for g in genes if g["symbol"] in known]
    assert len(named) >= 100 and len({g["symbol"] for g in genes}) == len(genes)
    assert {g["hgnc_id"] for g in genes if g["symbol"] == "BRCA1"} <= {"HGNC:1100"}
    assert sum(g["hgnc_id"] is not None for g in genes) >= 5
    assert Counter(g["strand"] for g in genes).keys() == {"+", "-"}
    assert sum(len(g["transcripts"]) > 1 for g in genes) >= 40
    assert all(g["canonical_transcript"] in g["transcripts"] for g in genes)
    coding = [t for t in models if t.is_coding]
    assert all(t.is_canonical for t in models if t.is_mane_select)
    assert sum(t.is_mane_select for t in coding) >= 100
    assert (
        np.mean([len(t.exons) for t in coding]) > 4
        and sum(len(t.exons) == 1 for t in coding) < len(coding) / 5
    )
    assert {t.biotype for t in models} >= {"protein_coding", "lncRNA", "retained_intron"}


def test_every_cds_starts_with_atg_ends_with_one_stop(bundle: Bundle, models: list[Transcript]) -> None:
    with pysam.FastaFile(str(bundle.fasta)) as fa:
        fmt = HgvsFormatter(lambda c, s, e: fa.fetch(c, s - 1, e))
        coding = [t for t in models if t.is_coding]
        assert len(coding) > 150
        for t in coding:
            assert t.cds_phase == 0 and t.cds_length % 3 == 0, t.id
            protein = fmt.reference_protein(t)
            assert protein is not None and protein.startswith("M") and protein.endswith("*"), t.id
            assert "*" not in protein[:-1] and len(protein) * 3 == t.cds_length, t.id
            # 5' and 3' UTRs exist on the canonical transcripts
            if t.is_canonical:
                assert t.cds_tx_start is not None and t.cds_tx_start > 1 and t.cds_length < t.length


def test_cds_phases_in_the_gff(demo: Path) -> None:
    parts: dict[str, list[tuple[int, int, str, int]]] = {}
    with gzip.open(demo.parent / "sources" / "genes.gff3.gz", "rt") as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            if len(f) == 9 and f[2] == "CDS":
                tid = f[8].split("Parent=transcript:")[1].split(";")[0]
                parts.setdefault(tid, []).append((int(f[3]), int(f[4]), f[6], int(f[7])))
    assert len(parts) > 150
    multi = 0
    for cds in parts.values():
        cds.sort(reverse=cds[0][2] == "-")
        done = 0
        for s, e, _, phase in cds:
            assert phase == (3 - done % 3) % 3
            done += e - s + 1
        multi += len(cds) > 1 and any(p for *_, p in cds)
    assert multi > 50  # non-zero phases are exercised


def _stop_gained_site(models: list[Transcript], fa: pysam.FastaFile) -> tuple[Transcript, int, str, str, int]:
    """A minus-strand canonical transcript, a codon one base from a stop, the SNV making the stop."""
    comp = {"A": "T", "C": "G", "G": "C", "T": "A"}
    fmt = HgvsFormatter(lambda c, s, e: fa.fetch(c, s - 1, e))
    t = next(t for t in models if t.is_coding and t.strand == -1 and t.is_canonical and len(t.exons) > 3)
    ts = fmt._tx_seq(t)
    cds = ts.mrna[ts.cds_off : ts.cds_off + ts.cds_len]
    k = next(k for k in range(10, len(cds) // 3) if cds[3 * k : 3 * k + 3] in ("TGG", "CAG", "CAA", "CGA"))
    codon = cds[3 * k : 3 * k + 3]
    j, new = (1, "A") if codon == "TGG" else (0, "T")
    tx_pos = ts.cds_off + 3 * k + j + 1  # 1-based transcript position
    gpos = next(p for p in range(t.start, t.end + 1) if t.tx_position(p) == (tx_pos, 0))
    ref = fa.fetch(t.chrom, gpos - 1, gpos)
    assert comp[ref] == codon[j]
    return t, gpos, ref, comp[new], k + 1


def test_csq_and_engine_on_a_placed_stop_gained(
    bundle: Bundle, models: list[Transcript], tmp_path: Path
) -> None:
    with pysam.FastaFile(str(bundle.fasta)) as fa:
        t, pos, ref, alt, aa = _stop_gained_site(models, fa)
    key = variant_key.encode(t.chrom, pos, ref, alt)
    v = pa.table(
        {"key": [key], "chrom": [t.chrom], "pos": pa.array([pos], pa.int32()), "ref": [ref], "alt": [alt]}
    )
    tx = parse_bcsq(run_csq(v, bundle), pq.read_table(bundle.path / "transcripts.parquet"))
    row = next(r for r in tx.to_pylist() if r["transcript_id"] == t.id)
    assert row["consequence"] == "stop_gained" and row["impact"] == "HIGH"
    stats = annotate_variants(v, bundle, tmp_path / "annotations" / "part-000000.parquet")
    out = pq.read_table(stats.part).to_pylist()[0]
    assert out["consequence"] == "stop_gained" and out["gene_symbol"] == t.gene_symbol
    assert out["transcript_id"] == t.id and out["hgvs_p"].endswith(f"{aa}Ter)")


def test_csq_agrees_with_the_clinvar_molecular_consequences(demo: Path, bundle: Bundle) -> None:
    rows, mc = [], []
    with pysam.VariantFile(str(demo.parent / "sources" / "clinvar.vcf.gz")) as vf:
        for r in vf:
            if len(r.ref) == 1 and len(r.alts[0]) == 1:
                rows.append((r.chrom, r.pos, r.ref, r.alts[0]))
                mc.append(r.info["MC"][0].split("|")[1])
    keys = [variant_key.encode(*x) for x in rows]
    v = pa.table(
        {"key": keys, "chrom": [x[0] for x in rows], "pos": pa.array([x[1] for x in rows], pa.int32()),
         "ref": [x[2] for x in rows], "alt": [x[3] for x in rows]}
    )  # fmt: skip
    tx = parse_bcsq(run_csq(v, bundle), pq.read_table(bundle.path / "transcripts.parquet"))
    canon: dict[int, list[str]] = {}
    for r in tx.to_pylist():
        if r["canonical"]:
            canon.setdefault(r["key"], []).extend(r["consequences"])
    same = ("missense_variant", "synonymous_variant", "splice_donor_variant")
    expect = {"nonsense": "stop_gained"} | {m: m for m in same}
    checked = Counter()
    for k, m in zip(keys, mc, strict=True):
        if m in expect:
            assert expect[m] in canon.get(k, []), (variant_key.decode(k), m, canon.get(k))
            checked[m] += 1
        elif m == "intron_variant":
            assert (
                k not in canon or "intron_variant" in canon[k] or set(canon[k]) == {"splice_region_variant"}
            )
    assert min(checked.values()) >= 50 and len(checked) == 4


def test_clinvar_pathogenic_on_lof_and_review_stars(demo: Path, bundle: Bundle) -> None:
    by_mc: dict[str, Counter] = {}
    with pysam.VariantFile(str(demo.parent / "sources" / "clinvar.vcf.gz")) as vf:
        for r in vf:
            sig = r.info["CLNSIG"][0]
            by_mc.setdefault(r.info["MC"][0].split("|")[1], Counter())[sig] += 1
            assert r.info["GENEINFO"].split(":")[0] in {s for s, _, _ in disease_genes()}

    def plp(c: Counter) -> float:
        return sum(n for s, n in c.items() if "athogenic" in s and "Conflicting" not in s) / sum(c.values())

    assert plp(by_mc["nonsense"]) > 0.8 and plp(by_mc["frameshift_variant"]) > 0.8
    assert 0.1 < plp(by_mc["missense_variant"]) < 0.4 and plp(by_mc["synonymous_variant"]) == 0
    clin = pq.read_table(bundle.clinvar)
    stars = [review_stars(s.replace(" ", "_")) for s in clin["clinvar_review_status"].to_pylist()]
    assert stars == clin["clinvar_stars"].to_pylist() and set(stars) >= {0, 1, 2, 3}


def test_gnomad_lookup_returns_the_generated_frequencies(demo: Path, bundle: Bundle) -> None:
    rows = []
    with pysam.VariantFile(str(demo.parent / "sources" / "gnomad.vcf.gz")) as vf:
        for i, r in enumerate(vf):
            if i % 37 == 0 and len(r.ref) == len(r.alts[0]) == 1:
                rows.append(
                    (variant_key.encode(r.chrom, r.pos, r.ref, r.alts[0]), r.info["AF"][0], r.info["AC"][0])
                )
    keys = pa.array(sorted({k for k, _, _ in rows}), pa.int64())
    got = {r["key"]: r for r in lookup_gnomad(keys, bundle.gnomad).to_pylist()}
    assert len(got) == len(keys) > 500
    for k, af, ac in rows:
        assert got[k]["ac"] == ac and got[k]["af"] == pytest.approx(af, rel=1e-5)
    afs = pq.read_table(bundle.gnomad, columns=["af", "ac"])
    af = afs["af"].to_numpy()
    assert (af < 0.001).mean() > 0.8 and 0.3 < (afs["ac"].to_numpy() == 1).mean() < 0.7 and (af > 0.05).any()
    # ClinVar records come back through the ClinVar lookup
    clin = pq.read_table(bundle.clinvar, columns=["key", "clinvar_significance"])
    hit = lookup_clinvar(clin["key"][:50], bundle.clinvar)
    assert hit["clinvar_significance"].to_pylist() == clin["clinvar_significance"][:50].to_pylist()


def test_lookup_streams_sorted_tables_and_falls_back_to_a_join(bundle: Bundle, tmp_path: Path) -> None:
    table = pq.read_table(bundle.gnomad)
    rng = np.random.default_rng(5)
    picked = table["key"].to_numpy()[rng.choice(len(table), 300, replace=False)]
    query = pa.array(np.concatenate([picked, picked[:10], picked[:50] ^ (1 << 21)]), pa.int64())
    streamed = lookup_gnomad(query, bundle.gnomad)
    shuffled = tmp_path / "unsorted.parquet"
    pq.write_table(table.take(pa.array(rng.permutation(len(table)))), shuffled, row_group_size=5000)
    joined = lookup_gnomad(query, shuffled)
    assert streamed.column_names == ["key", "af", "ac", "an", "nhomalt", "af_grpmax", "faf95"]
    assert len(streamed) == len(joined) == 310  # repeated keys repeat, absent alleles are left out
    assert streamed["key"].to_pylist() == sorted(streamed["key"].to_pylist())
    assert streamed.equals(joined.sort_by("key"))


def test_generated_vcf_ingests_and_annotates_on_the_demo_bundle(
    bundle: Bundle, demo: Path, tmp_path: Path
) -> None:
    from vardesk.ingest.pipeline import ingest_vcf
    from vardesk.synthetic.vcf import generate_vcf

    vcf = tmp_path / "sample.vcf.gz"
    generate_vcf(vcf, records=4000, seed=2, fasta=demo.parent / "sources" / "reference.fa.gz")
    result = ingest_vcf(vcf, tmp_path / "genome", expected_build="GRCh38", reference_fasta=bundle.fasta)
    variants = pq.read_table(result.samples[0].genotypes_path, columns=["key", "chrom", "pos", "ref", "alt"])
    stats = annotate_variants(variants, bundle, tmp_path / "annotations" / "part-000000.parquet", workers=2)
    out = pq.read_table(stats.part)
    assert len(out) == len(set(variants["key"].to_pylist())) == stats.annotated
    assert out["key"].to_pylist() == sorted(out["key"].to_pylist())
    rows = out.to_pylist()
    coding = [
        r for r in rows if r["consequence"] in ("missense_variant", "synonymous_variant", "stop_gained")
    ]
    assert len(coding) > 20 and all(r["hgvs_c"].startswith("c.") and r["hgvs_p"] for r in coding)
    assert all(r["gene_symbol"] for r in coding) and all(r["bundle_id"] == bundle.id for r in rows)
    # a second genome with the same variants adds nothing
    again = annotate_variants(variants, bundle, tmp_path / "annotations" / "part-000001.parquet")
    assert again.annotated == 0 and again.already_annotated == len(out)


def test_hgvs_worker_processes_format_like_one_process(
    bundle: Bundle, demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vardesk.annotate import hgvs_bulk
    from vardesk.synthetic.vcf import generate_vcf

    vcf = tmp_path / "s.vcf.gz"
    generate_vcf(vcf, records=3000, seed=3, fasta=demo.parent / "sources" / "reference.fa.gz")
    variants = variants_from_vcf(vcf, bundle.fasta)
    one = annotate_variants(variants, bundle, tmp_path / "one" / "part-000000.parquet", workers=1)
    monkeypatch.setattr(hgvs_bulk, "PARALLEL_MIN_PAIRS", 0)
    two = annotate_variants(variants, bundle, tmp_path / "two" / "part-000000.parquet", workers=2)
    a, b = pq.read_table(one.part), pq.read_table(two.part)
    assert a.equals(b) and a["hgvs_c"].null_count < len(a)
