from __future__ import annotations

import random

import pyarrow as pa

from vardesk.annotate.keys import encode_arrays, with_keys
from vardesk.domain import variant_key


def test_vectorised_keys_equal_the_reference_encoder() -> None:
    rng = random.Random(11)
    chroms = ["1", "chr2", "X", "chrY", "MT", "chrM", "GL000220.1", "MN908947.3", "22"]
    rows = []
    for _ in range(20_000):
        lr, la = rng.choice([1, 1, 1, 2, 3, 7, 8, 12]), rng.choice([1, 1, 2, 4, 7, 9])
        ref = "".join(rng.choice("ACGTN" if rng.random() < 0.02 else "ACGT") for _ in range(lr))
        alt = "".join(rng.choice("ACGT") for _ in range(la))
        rows.append((rng.choice(chroms), rng.randint(1, variant_key.MAX_POS), ref, alt))
    chrom, pos, ref, alt = (pa.array(c) for c in zip(*rows, strict=True))
    got = encode_arrays(chrom, pos, ref, alt).to_pylist()
    want = [variant_key.encode(*r) for r in rows]
    assert got == want


def test_with_keys_canonicalises_chromosomes() -> None:
    t = with_keys(
        pa.table(
            {"chrom": ["chr1", "chrM", "X"], "pos": [5, 6, 7], "ref": ["A", "C", "G"], "alt": ["T", "G", "A"]}
        )
    )
    assert t.column("chrom").to_pylist() == ["1", "MT", "X"]
    assert t.column("key").to_pylist() == [
        variant_key.encode("1", 5, "A", "T"),
        variant_key.encode("MT", 6, "C", "G"),
        variant_key.encode("X", 7, "G", "A"),
    ]
