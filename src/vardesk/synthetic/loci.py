"""A synthetic (NOT HUMAN) reference bundle with one made-up coding gene at each of a few given loci.

The Fabric acceptance chains (contracts/fabric.md §12) upload a GRCh37 VCF with two records,
``chr7:87160618 A>C`` and ``chr17:41245466 G>A``, and expect panel and exome reports with report variants.
A report variant is a candidate of the case analysis, which needs annotation (consequence, frequency),
which needs a reference bundle for the genome's build. The demo bundle is GRCh38 and tiny, so the demo also
installs this one: contigs ``7`` and ``17`` labelled GRCh37, all ``N`` except a few kilobases of random
sequence around each locus, where a three-exon protein-coding gene named after the real gene at that place
(ABCB1, BRCA1) is written so that the locus is the middle base of a codon whose reference base is the one
the VCF gives — every substitution there is a missense change. Nothing else about it is human: sequences,
gene structures and positions of exons are invented; there are no population frequencies and no ClinVar.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vardesk.annotate.bundle import build_bundle, read_manifest
from vardesk.synthetic.genome import (
    _SENSE,
    NOT_HUMAN,
    SynGene,
    Tx,
    _random_bases,
    write_fasta,
    write_gff,
)

VERSION = f"{NOT_HUMAN}-loci-1"
_FLANK = 3_000  # random sequence either side of a locus
_EXONS = ((0, 600), (1_500, 2_600), (3_400, 4_001))  # pre-mRNA offsets; the locus is at offset 2000
_LOCUS_OFF = 2_000


@dataclass(frozen=True)
class Locus:
    chrom: str
    pos: int  # 1-based
    ref: str  # one base
    symbol: str


FABRIC_CHAIN_LOCI = (Locus("7", 87_160_618, "A", "ABCB1"), Locus("17", 41_245_466, "G", "BRCA1"))


def _spliced_to_pre(off: int) -> int:
    for a, b in _EXONS:
        if off < b - a:
            return a + off
        off -= b - a
    raise ValueError("offset past the transcript")


def _gene(rng: np.random.Generator, locus: Locus, n: int) -> SynGene:
    """A + strand gene with the locus as the middle base of a C<ref>C codon (His/Gln/Arg/Pro/Leu)."""
    exon_len = [b - a for a, b in _EXONS]
    locus_spliced = exon_len[0] + (_LOCUS_OFF - _EXONS[1][0])
    cds_start = 150 + (locus_spliced - 150 - 1) % 3  # (locus - start) % 3 == 1: the codon's middle base
    cds_end = sum(exon_len[:2]) + 300  # in exon 3
    cds_end -= (cds_end - cds_start) % 3
    n_codons = (cds_end - cds_start) // 3
    codons = [_SENSE[i] for i in rng.integers(len(_SENSE), size=n_codons)]
    codons[0], codons[-1] = "ATG", "TAA"
    codons[(locus_spliced - cds_start) // 3] = f"C{locus.ref.upper()}C"
    mrna = bytearray(_random_bases(rng, sum(exon_len)).tobytes())
    mrna[cds_start:cds_end] = "".join(codons).encode()
    pre = bytearray(_random_bases(rng, _EXONS[-1][1]).tobytes())
    done = 0
    for i, (a, b) in enumerate(_EXONS):
        pre[a:b] = mrna[done : done + b - a]
        done += b - a
        if i:  # GT…AG introns
            prev = _EXONS[i - 1][1]
            pre[prev : prev + 2], pre[a - 2 : a] = b"GT", b"AG"
    assert chr(pre[_LOCUS_OFF]) == locus.ref.upper()
    tx = Tx(
        f"ENSSYNT{n:011d}",
        list(_EXONS),
        "protein_coding",
        "mRNA",
        (_spliced_to_pre(cds_start), _spliced_to_pre(cds_end - 1) + 1),
        ["Ensembl_canonical", "MANE_Select"],
    )
    return SynGene(
        gid=f"ENSSYNG{n:011d}",
        symbol=locus.symbol,
        ncbi=None,
        hgnc=None,
        biotype="protein_coding",
        chrom=locus.chrom,
        start=locus.pos - _LOCUS_OFF,
        strand=1,
        premrna=bytes(pre),
        txs=[tx],
    )


def build_loci_bundle(
    out_dir: Path, loci: tuple[Locus, ...] = FABRIC_CHAIN_LOCI, *, build: str = "GRCh37", seed: int = 0
) -> Path:
    """Sources under ``out_dir/sources``, the bundle in ``out_dir/bundle`` (reused when already built)."""
    out_dir = Path(out_dir)
    bundle_dir = out_dir / "bundle"
    if (bundle_dir / "manifest.json").is_file() and read_manifest(bundle_dir).version == VERSION:
        return bundle_dir
    rng = np.random.default_rng(seed)
    lengths: dict[str, int] = {}
    for lc in loci:
        lengths[lc.chrom] = max(lengths.get(lc.chrom, 0), lc.pos + _FLANK + 1)
    seqs = {c: np.full(n, ord("N"), np.uint8) for c, n in lengths.items()}
    genes = []
    for n, lc in enumerate(loci, 1):
        seqs[lc.chrom][lc.pos - 1 - _FLANK : lc.pos + _FLANK] = _random_bases(rng, 2 * _FLANK + 1)
        gene = _gene(rng, lc, n)
        seqs[lc.chrom][gene.start - 1 : gene.end] = np.frombuffer(gene.premrna, np.uint8)
        genes.append(gene)
    src = out_dir / "sources"
    src.mkdir(parents=True, exist_ok=True)
    fasta, gff = src / "reference.fa.gz", src / "genes.gff3.gz"
    write_fasta(seqs, fasta, seed)
    write_gff(genes, lengths, gff)
    if bundle_dir.exists():
        shutil.rmtree(bundle_dir)
    build_bundle(
        build=build,
        gff3=gff,
        fasta=fasta,
        out=bundle_dir,
        version=VERSION,
        synthetic=True,
        notes=[
            f"SYNTHETIC, NOT HUMAN, labelled {build}: contigs of N with a made-up coding gene at each of "
            + ", ".join(f"{lc.chrom}:{lc.pos} ({lc.symbol})" for lc in loci)
            + "; for demos and the Fabric acceptance chains only; never use it for a patient.",
            "no population frequencies and no ClinVar records: every variant counts as rare",
        ],
    )
    return bundle_dir
