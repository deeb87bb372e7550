"""Vectorised keys equal the reference encoder; unsorted input is written in key order."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from vardesk.domain import variant_key
from vardesk.ingest.pipeline import ingest_vcf
from vardesk.variants.keys import encode_keys
from vardesk.variants.schema import GENOTYPE_SCHEMA


def test_encode_keys_matches_encode_on_varied_alleles():
    rng = np.random.default_rng(7)
    chroms = ["1", "chr2", "X", "chrY", "MT", "chrM", "GL000192.1", "chrUn_x", "22"]
    letters = np.array(list("ACGTNacgt*"))
    rows = []
    for _ in range(3000):
        ref = "".join(rng.choice(letters[:9], rng.integers(1, 10)))
        alt = "".join(rng.choice(letters, rng.integers(1, 10))) if rng.random() < 0.9 else "<DEL>"
        rows.append((str(rng.choice(chroms)), int(rng.integers(0, variant_key.MAX_POS)), ref, alt))
    keys = encode_keys(
        pa.array([r[0] for r in rows]),
        np.array([r[1] for r in rows]),
        pa.array([r[2] for r in rows]),
        pa.array([r[3] for r in rows]),
    )
    assert [int(k) for k in keys] == [variant_key.encode(*r) for r in rows]


def test_unsorted_contigs_are_resorted_by_key(tmp_path):
    header = (
        "##fileformat=VCFv4.2\n##contig=<ID=chr2,length=242193529>\n##contig=<ID=chr1,length=248956422>\n"
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\n"
    )
    body = "".join(
        f"{c}\t{p}\t.\tA\tG\t1\tPASS\tK={p};F\tGT\t0/1\n" for c in ("chr2", "chr1") for p in (10, 20, 30)
    )
    src = tmp_path / "u.vcf"
    src.write_text(header + body)
    result = ingest_vcf(src, tmp_path / "out")
    table = pq.read_table(result.samples[0].genotypes_path)
    assert [(r["chrom"], r["pos"]) for r in table.select(["chrom", "pos"]).to_pylist()] == [
        ("1", 10), ("1", 20), ("1", 30), ("2", 10), ("2", 20), ("2", 30)
    ]  # fmt: skip
    assert table.schema.field("info").type == GENOTYPE_SCHEMA.field("info").type
    assert table.column("info")[0].as_py() == [("K", "10"), ("F", None)]
    assert not list(tmp_path.glob("out/genotypes/*.part"))
