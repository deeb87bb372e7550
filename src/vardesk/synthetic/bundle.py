"""A deterministic synthetic reference bundle — NOT HUMAN — for the demo, tests and benchmarks.

    python -m vardesk.synthetic.bundle OUT_DIR [--scale demo|bench] [--seed 0]

``build_demo_bundle`` writes, from one seed:

* ``sources/reference.fa.gz`` (+ ``.fai``/``.gzi``): a random genome (41 % GC) on contigs ``1``..``N``,
  with genes written into it, bgzipped; every FASTA header says ``synthetic-not-human``;
* ``sources/genes.gff3.gz``: Ensembl-dialect GFF3 (``gene:``/``transcript:`` ids ``ENSSYNG…``/
  ``ENSSYNT…``), genes named with real HGNC symbols of well-known Mendelian disease genes (then
  ``SYNGENE…`` / ``SYNLNC…`` placeholders), multi-exon transcripts on both strands with UTRs,
  GT/AG introns, log-normal exon and intron lengths, alternative isoforms (exon skipping, shorter
  UTRs, retained introns, processed transcripts), one ``Ensembl_canonical`` (and, when coding,
  ``MANE_Select``) transcript per gene, correct CDS phases, an ATG start and one stop codon at
  the end of every CDS;
* ``sources/gnomad.vcf.gz``: gnomAD-style sites (AC, AN, AF, nhomalt, AF_grpmax, fafmax_faf95_max)
  with a realistic, mostly rare, frequency spectrum;
* ``sources/clinvar.vcf.gz``: ClinVar-style records (CLNSIG, CLNREVSTAT, CLNDN, GENEINFO,
  ALLELEID, MC) in the disease genes: pathogenic mostly on nonsense, frameshift and splice-donor
  changes, missense of every class, benign synonymous and intronic changes;
* ``bundle/``: the bundle ``vardesk.annotate.bundle.build_bundle`` builds from those files.

Scales: ``demo`` (~3 Mb, ~200 genes, builds in seconds) and ``bench`` (~200 Mb, ~1 gene per
100 kb, ~3 transcripts per gene, 5 million gnomAD sites).
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pysam

from vardesk.annotate.bundle import build_bundle, read_manifest
from vardesk.annotate.hgvs_protein import CODON_TABLE
from vardesk.synthetic.genome import (
    NOT_HUMAN,
    SCALES,
    SynGene,
    coding_sequence,
    disease_genes,
    place_genes,
    write_fasta,
    write_gff,
)
from vardesk.synthetic.vcf import BgzfWriter

__all__ = ["NOT_HUMAN", "SCALES", "build_demo_bundle", "disease_genes"]
_BASES = np.frombuffer(b"ACGT", dtype=np.uint8)


@dataclass
class _Site:
    chrom: str
    pos: int
    ref: str
    alt: str
    kind: str
    clnsig: str
    revstat: str
    gene: SynGene


_MC = {
    "nonsense": "SO:0001587|nonsense",
    "frameshift": "SO:0001589|frameshift_variant",
    "splice": "SO:0001575|splice_donor_variant",
    "missense": "SO:0001583|missense_variant",
    "synonymous": "SO:0001819|synonymous_variant",
    "intron": "SO:0001627|intron_variant",
}
_KINDS = (
    ["nonsense", "frameshift", "splice", "missense", "synonymous", "intron"],
    [0.2, 0.12, 0.08, 0.35, 0.15, 0.1],
)
_CLNSIG = {
    "lof": (
        ["Pathogenic", "Likely_pathogenic", "Pathogenic/Likely_pathogenic", "Uncertain_significance"],
        [0.6, 0.2, 0.12, 0.08],
    ),
    "missense": (
        ["Uncertain_significance", "Pathogenic", "Likely_pathogenic",
         "Conflicting_classifications_of_pathogenicity", "Likely_benign", "Benign"],
        [0.5, 0.1, 0.1, 0.1, 0.13, 0.07],
    ),
    "benign": (
        ["Benign", "Likely_benign", "Benign/Likely_benign", "Uncertain_significance"],
        [0.45, 0.35, 0.15, 0.05],
    ),
}  # fmt: skip
_REVSTAT = (
    ["criteria_provided,_single_submitter", "criteria_provided,_multiple_submitters,_no_conflicts",
     "no_assertion_criteria_provided", "reviewed_by_expert_panel", "practice_guideline"],
    [0.5, 0.27, 0.12, 0.1, 0.01],
)  # fmt: skip
_COMP_B = {"A": "T", "C": "G", "G": "C", "T": "A"}


def _pick(rng: np.random.Generator, choices: tuple[list[str], list[float]]) -> str:
    return str(choices[0][int(rng.choice(len(choices[0]), p=choices[1]))])


def _snv(g: SynGene, seqs: dict[str, np.ndarray], off: int, alt_tx: str) -> tuple[int, str, str]:
    pos = g.gpos(off)
    ref = chr(seqs[g.chrom][pos - 1])
    return pos, ref, alt_tx if g.strand == 1 else _COMP_B[alt_tx]


def _clinvar_site(
    rng: np.random.Generator, g: SynGene, seqs: dict[str, np.ndarray], kind: str
) -> _Site | None:
    t = g.txs[0]
    assert t.cds is not None
    cds = coding_sequence(g.premrna, t.exons, t.cds).decode()
    offs = np.concatenate(
        [np.arange(max(a, t.cds[0]), min(b, t.cds[1])) for a, b in t.exons if b > t.cds[0] and a < t.cds[1]]
    )
    ncod = len(cds) // 3
    pos = 0
    ref = alt = ""
    if kind in ("nonsense", "missense", "synonymous"):
        for _ in range(40):
            k = int(rng.integers(1, ncod - 1))
            j = int(rng.integers(0, 3))
            codon = cds[3 * k : 3 * k + 3]
            b = "ACGT"[int(rng.integers(0, 4))]
            if b == codon[j]:
                continue
            aa0, aa1 = CODON_TABLE[codon], CODON_TABLE[codon[:j] + b + codon[j + 1 :]]
            got = "nonsense" if aa1 == "*" else "synonymous" if aa0 == aa1 else "missense"
            if got == kind:
                pos, ref, alt = _snv(g, seqs, int(offs[3 * k + j]), b)
                break
        else:
            return None
    elif kind == "frameshift":
        gp = g.gpos(int(offs[int(rng.integers(3, len(offs) - 3))]))
        s = seqs[g.chrom]
        pos, ref, alt = gp - 1, s[gp - 2 : gp].tobytes().decode(), chr(s[gp - 2])
    elif len(t.exons) < 2:
        return None
    elif kind == "splice":
        k = int(rng.integers(0, len(t.exons) - 1))
        pos, ref, alt = _snv(
            g, seqs, t.exons[k][1] + int(rng.integers(0, 2)), "ACGT"[int(rng.integers(0, 4))]
        )
        if alt == ref:
            return None
    else:  # intron
        k = int(rng.integers(0, len(t.exons) - 1))
        lo, hi = t.exons[k][1] + 20, t.exons[k + 1][0] - 20
        if hi <= lo:
            return None
        pos, ref, alt = _snv(g, seqs, int(rng.integers(lo, hi)), "ACGT"[int(rng.integers(0, 4))])
        if alt == ref:
            return None
    group = (
        "lof"
        if kind in ("nonsense", "frameshift", "splice")
        else "missense"
        if kind == "missense"
        else "benign"
    )
    sig = _pick(rng, _CLNSIG[group])
    rev = _pick(rng, _REVSTAT)
    if sig.startswith("Conflicting"):
        rev = "criteria_provided,_conflicting_classifications"
    return _Site(g.chrom, pos, ref, alt, kind, sig, rev, g)


def _clinvar(
    rng: np.random.Generator, genes: list[SynGene], seqs: dict[str, np.ndarray], per_gene: int
) -> list[_Site]:
    sites: dict[tuple[str, int, str, str], _Site] = {}
    for g in genes:
        if g.ncbi is None or g.txs[0].cds is None:
            continue
        for _ in range(per_gene):
            site = _clinvar_site(rng, g, seqs, _pick(rng, _KINDS))
            if site is not None:
                sites.setdefault((site.chrom, site.pos, site.ref, site.alt), site)
    order = {c: i for i, c in enumerate(seqs)}
    return sorted(sites.values(), key=lambda s: (order[s.chrom], s.pos, s.ref, s.alt))


def _vcf_header(seqs: dict[str, np.ndarray], source: str, info: list[str]) -> str:
    lines = ["##fileformat=VCFv4.2", f"##source={source}", f"##reference={NOT_HUMAN}"]
    lines += [f"##contig=<ID={c},length={len(s)}>" for c, s in seqs.items()]
    lines += info
    return "\n".join([*lines, "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]) + "\n"


def _write_clinvar(sites: list[_Site], seqs: dict[str, np.ndarray], path: Path) -> None:
    info = [
        '##INFO=<ID=ALLELEID,Number=1,Type=Integer,Description="the ClinVar Allele ID">',
        '##INFO=<ID=CLNDN,Number=.,Type=String,Description="ClinVar\'s preferred disease name">',
        '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review status">',
        '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Clinical significance">',
        '##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene(s): symbol:NCBI gene id">',
        '##INFO=<ID=MC,Number=.,Type=String,Description="comma separated list of molecular consequence">',
    ]
    with BgzfWriter(path) as out:
        out.write(_vcf_header(seqs, f"ClinVar-style synthetic records ({NOT_HUMAN})", info).encode())
        for i, s in enumerate(sites):
            benign = "enign" in s.clnsig
            dn = "not_specified|not_provided" if benign else f"{s.gene.symbol}-related_disorder|not_provided"
            out.write(
                f"{s.chrom}\t{s.pos}\t{900000 + i}\t{s.ref}\t{s.alt}\t.\t.\tALLELEID={100000 + i};CLNDN={dn};"
                f"CLNREVSTAT={s.revstat};CLNSIG={s.clnsig};GENEINFO={s.gene.symbol}:{s.gene.ncbi};"
                f"MC={_MC[s.kind]}\n".encode()
            )


def _strs(lengths: np.ndarray, data: np.ndarray) -> pa.Array:
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return pa.LargeStringArray.from_buffers(len(lengths), pa.py_buffer(offsets), pa.py_buffer(data.tobytes()))


def _alleles(rng: np.random.Generator, seq: np.ndarray, pos: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """REF/ALT of SNVs (90 %), 1–4 bp deletions and insertions at 1-based ``pos`` of ``seq``."""
    n = len(pos)
    u = rng.random(n)
    kind = np.select([u < 0.9, u < 0.95], [0, 1], 2)  # snv, deletion, insertion
    size = rng.integers(1, 5, n)
    lr = np.where(kind == 1, 1 + size, 1)
    idx = np.repeat(pos - 1, lr) + (np.arange(lr.sum()) - np.repeat(np.cumsum(lr) - lr, lr))
    ref_b = seq[np.minimum(idx, len(seq) - 1)]
    first = seq[pos - 1]
    code = np.searchsorted(_BASES, first)
    la = np.where(kind == 2, 1 + size, 1)
    alt_b = _BASES[rng.integers(0, 4, int(la.sum()))]
    starts = np.cumsum(la) - la
    alt_b[starts] = np.where(kind == 0, _BASES[(code + rng.integers(1, 4, n)) % 4], first)
    return _strs(lr, ref_b), _strs(la, alt_b)


def _text(lines: pa.Array) -> bytes:
    """Newline-terminated lines of a string array as one bytes object (no Python loop)."""
    if len(lines) == 0:
        return b""
    nl = pa.scalar("\n", pa.large_string())
    arr = pc.binary_join_element_wise(lines.cast(pa.large_string()), nl, pa.scalar("", pa.large_string()))
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    return arr.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]


def _join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


def _frequencies(rng: np.random.Generator, n: int, common: np.ndarray | None = None) -> dict[str, pa.Array]:
    """gnomAD-like INFO values: most sites rare (~half singletons), a few common."""
    an = (2 * rng.integers(60_000, 76_000, n)).astype(np.int64)
    log_af = -5.3 + 5.0 * rng.random(n) ** 6
    if common is not None:
        log_af = np.where(common, rng.uniform(-3, -0.4, n), log_af)
    ac = np.maximum(1, np.round(10**log_af * an)).astype(np.int64)
    af = ac / an
    nhom = np.floor(an / 2 * af**2 * rng.uniform(0.8, 1.2, n)).astype(np.int64)
    grpmax = np.minimum(1.0, af * (1 + rng.lognormal(-0.5, 0.6, n)))
    faf = np.clip(af * (1 - 1.96 / np.sqrt(ac)), 0, None) * (ac > 1)

    def num(x: np.ndarray, typ: pa.DataType) -> pa.Array:
        return pc.cast(pa.array(x, typ), pa.string())

    return {
        "AC": num(ac, pa.int64()),
        "AN": num(an, pa.int64()),
        "AF": num(af.astype(np.float32), pa.float32()),
        "nhomalt": num(nhom, pa.int64()),
        "AF_grpmax": num(grpmax.astype(np.float32), pa.float32()),
        "fafmax_faf95_max": num(faf.astype(np.float32), pa.float32()),
    }


def _write_gnomad(
    rng: np.random.Generator, seqs: dict[str, np.ndarray], n_sites: int, clinvar: list[_Site], path: Path
) -> None:
    info_defs = [
        '##INFO=<ID=AC,Number=A,Type=Integer,Description="Alternate allele count">',
        '##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles">',
        '##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency">',
        '##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="Count of homozygous individuals">',
        '##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="Maximum AF across groups">',
        '##INFO=<ID=fafmax_faf95_max,Number=A,Type=Float,Description="Max filtering AF (95% CI)">',
    ]  # fmt: skip
    total = sum(len(s) for s in seqs.values())
    with BgzfWriter(path) as out:
        out.write(_vcf_header(seqs, f"gnomAD-style synthetic sites ({NOT_HUMAN})", info_defs).encode())
        for chrom, seq in seqs.items():
            k = int(round(n_sites * len(seq) / total))
            pos = np.sort(rng.integers(2, len(seq) - 10, k))
            ref, alt = _alleles(rng, seq, pos)
            known = [
                s
                for s in clinvar
                if s.chrom == chrom and rng.random() < (0.9 if "enign" in s.clnsig else 0.3)
            ]
            common = np.concatenate([np.zeros(k, bool), np.array(["enign" in s.clnsig for s in known], bool)])
            pos = np.concatenate([pos, np.array([s.pos for s in known], np.int64)])
            ref = pa.concat_arrays([ref, pa.array([s.ref for s in known], pa.large_string())])
            alt = pa.concat_arrays([alt, pa.array([s.alt for s in known], pa.large_string())])
            # one row per (pos, ref, alt), sorted by position
            ids = pa.table({"pos": pos, "ref": ref, "alt": alt, "i": np.arange(len(pos))})
            first = ids.group_by(["pos", "ref", "alt"], use_threads=False).aggregate([("i", "min")])
            keep = np.sort(first["i_min"].to_numpy())
            order = pa.array(keep[np.argsort(pos[keep], kind="stable")])
            f = _frequencies(rng, len(pos), common)
            info = _join(*[_join(f"{key}=", val) for key, val in f.items()], sep=";")
            dot = pa.scalar(".")
            ref, alt = ref.cast(pa.string()), alt.cast(pa.string())
            line = _join(
                chrom, pc.cast(pa.array(pos), pa.string()), dot, ref, alt, dot, "PASS", info, sep="\t"
            )
            line = pc.take(line, order)
            for i in range(0, len(line), 500_000):
                out.write(_text(line[i : i + 500_000]))


def build_demo_bundle(out_dir: Path, *, seed: int = 0, scale: str = "demo", build: str = "GRCh38") -> Path:
    """Generate the synthetic sources under ``out_dir/sources`` and build ``out_dir/bundle``.

    Returns the bundle directory. Idempotent: an existing bundle of the same seed and scale is reused.
    ``build`` is the build label of the bundle (the product matches genomes to bundles by it); the
    bundle's version, notes and every source file say the data is synthetic and not human.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {sorted(SCALES)}")
    sc = SCALES[scale]
    out_dir = Path(out_dir)
    bundle_dir = out_dir / "bundle"
    version = f"{NOT_HUMAN}-{scale}-s{seed}"
    if (bundle_dir / "manifest.json").is_file() and read_manifest(bundle_dir).version == version:
        return bundle_dir
    src = out_dir / "sources"
    src.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, sorted(SCALES).index(scale)])
    seqs, genes = place_genes(rng, sc)
    fasta, gff = src / "reference.fa.gz", src / "genes.gff3.gz"
    gnomad, clinvar = src / "gnomad.vcf.gz", src / "clinvar.vcf.gz"
    write_fasta(seqs, fasta, seed)
    write_gff(genes, {c: len(s) for c, s in seqs.items()}, gff)
    sites = _clinvar(rng, genes, seqs, sc.clinvar_per_gene)
    _write_clinvar(sites, seqs, clinvar)
    _write_gnomad(rng, seqs, sc.gnomad_sites, sites, gnomad)
    for vcf in (clinvar, gnomad):
        pysam.tabix_index(str(vcf), preset="vcf", force=True)
    if bundle_dir.exists():
        shutil.rmtree(bundle_dir)
    n_tx = sum(len(g.txs) for g in genes)
    build_bundle(
        build=build,
        gff3=gff,
        fasta=fasta,
        out=bundle_dir,
        gnomad=[gnomad],
        clinvar=clinvar,
        version=version,
        synthetic=True,
        notes=[
            "SYNTHETIC, NOT HUMAN: a random genome with made-up gene models, population frequencies and "
            "ClinVar-style records, for demos, tests and benchmarks only; never use it for a patient.",
            f"generated by vardesk.synthetic.bundle (scale={scale}, seed={seed}): {len(seqs)} contigs, "
            f"{sum(len(s) for s in seqs.values())} bp, {len(genes)} genes, {n_tx} transcripts, "
            f"{len(sites)} ClinVar-style records",
            "gene symbols are real HGNC symbols of Mendelian disease genes placed at random; "
            "their sequences, structures and variants are invented",
        ],
    )
    return bundle_dir


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the synthetic (NOT HUMAN) reference bundle.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(build_demo_bundle(args.out, seed=args.seed, scale=args.scale))


if __name__ == "__main__":
    main()
