from __future__ import annotations

import random

import pytest

from vardesk.domain import variant_key as vk


def test_round_trip_of_short_alleles() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        lr, la = rng.randint(1, 6), rng.randint(1, 5)
        ref = "".join(rng.choice("ACGT") for _ in range(lr))
        alt = "".join(rng.choice("ACGT") for _ in range(la))
        chrom = rng.choice(["1", "chr2", "X", "chrY", "MT", "chrM", "22"])
        pos = rng.randint(1, vk.MAX_POS)
        key = vk.encode(chrom, pos, ref, alt)
        assert key >= 0
        assert vk.decode(key) == (vk.canonical_chrom(chrom), pos, ref, alt)


def test_keys_sort_by_chromosome_then_position() -> None:
    keys = [
        vk.encode("1", 100, "A", "G"),
        vk.encode("1", 101, "T", "TTTTTTT"),
        vk.encode("2", 1, "C", "A"),
        vk.encode("X", 5, "G", "A"),
        vk.encode("Y", 5, "G", "A"),
        vk.encode("MT", 1, "A", "C"),
    ]
    assert keys == sorted(keys)


def test_long_or_ambiguous_alleles_are_hashed_and_distinct() -> None:
    a = vk.encode("7", 1000, "A" * 20, "A")
    b = vk.encode("7", 1000, "A" * 21, "A")
    n = vk.encode("7", 1000, "N", "A")
    assert len({a, b, n}) == 3
    for key in (a, b, n):
        assert vk.decode(key) == ("7", 1000, None, None)


def test_chr_prefix_and_mito_names_share_a_key() -> None:
    assert vk.encode("chr1", 5, "A", "C") == vk.encode("1", 5, "A", "C")
    assert vk.encode("chrM", 5, "A", "C") == vk.encode("MT", 5, "A", "C") == vk.encode("M", 5, "A", "C")


def test_other_contigs_include_the_contig_in_the_hash() -> None:
    assert vk.encode("GL000220.1", 5, "A", "C") != vk.encode("GL000221.1", 5, "A", "C")
    assert vk.decode(vk.encode("GL000220.1", 5, "A", "C"))[0] is None


def test_region_bounds_cover_exactly_the_region() -> None:
    lo, hi = vk.region_bounds("chr3", 100, 200)
    inside = [vk.encode("3", p, "A", r) for p in (100, 150, 200) for r in ("C", "GTTTTTT")]
    outside = [vk.encode("3", 99, "A", "C"), vk.encode("3", 201, "A", "C"), vk.encode("4", 150, "A", "C")]
    assert all(lo <= k <= hi for k in inside)
    assert not any(lo <= k <= hi for k in outside)


def test_position_out_of_range() -> None:
    with pytest.raises(ValueError):
        vk.encode("1", vk.MAX_POS + 1, "A", "C")
