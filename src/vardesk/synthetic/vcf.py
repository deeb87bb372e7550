"""Deterministic synthetic VCFs (GATK-like, bgzipped) for tests, demos and benchmarks.

    python -m vardesk.synthetic.vcf --records 1000000 --seed 1 [--samples A B C] [--fasta ref.fa] OUT.vcf.gz

Records are spread over the real GRCh37/GRCh38 chromosomes in proportion to their lengths (or over the
contigs of ``fasta``, with REF taken from its sequence), sorted, ~88 % SNVs, ~10 % indels, ~1.5 %
multi-allelic, ~2 % missing genotypes, FORMAT ``GT:AD:DP:GQ:PL``. Three samples make a trio
(child, father, mother) whose genotypes are Mendelian-consistent except for ~0.5 % of sites.
Everything is generated with numpy in blocks, so millions of records take seconds.
"""

from __future__ import annotations

import argparse
import struct
import zlib
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vardesk.ingest.build import BUILD_LENGTHS

BLOCK_INPUT = 65280
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
_BASES = np.frombuffer(b"ACGT", dtype=np.uint8)
_CODE = np.full(256, 255, dtype=np.uint8)
_CODE[np.frombuffer(b"ACGTacgt", dtype=np.uint8)] = [0, 1, 2, 3, 0, 1, 2, 3]
_BLOCK = 200_000


def _bgzf_block(data: bytes, level: int) -> bytes:
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    body = comp.compress(data) + comp.flush()
    header = struct.pack("<BBBBIBBHBBHH", 0x1F, 0x8B, 8, 4, 0, 0, 0xFF, 6, 66, 67, 2, len(body) + 25)
    return header + body + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data))


class BgzfWriter:
    """Write bytes as BGZF (what bgzip/htslib read); blocks are deflated on ``threads`` threads."""

    def __init__(self, path: Path | str, *, level: int = 2, threads: int = 2) -> None:
        self._fh = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._level = level
        self._pool = ThreadPoolExecutor(max_workers=max(1, threads))
        self._pending = bytearray()
        self._futures: deque[Future[bytes]] = deque()

    def write(self, data: bytes) -> None:
        self._pending += data
        if len(self._pending) >= BLOCK_INPUT * 64:
            self._flush(final=False)

    def _flush(self, final: bool) -> None:
        buf = bytes(self._pending)
        cut = len(buf) if final else len(buf) - len(buf) % BLOCK_INPUT
        for i in range(0, cut, BLOCK_INPUT):
            self._futures.append(self._pool.submit(_bgzf_block, buf[i : i + BLOCK_INPUT], self._level))
        self._pending = bytearray(buf[cut:])
        while self._futures and (final or len(self._futures) > 256 or self._futures[0].done()):
            self._fh.write(self._futures.popleft().result())

    def close(self) -> None:
        if self._fh.closed:
            return
        self._flush(final=True)
        self._fh.write(BGZF_EOF)
        self._fh.close()
        self._pool.shutdown()

    def __enter__(self) -> BgzfWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _strings(lengths: np.ndarray, data: np.ndarray) -> pa.Array:
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.StringArray.from_buffers(len(lengths), pa.py_buffer(offsets), pa.py_buffer(data.tobytes()))


def _num(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def _dec(values: np.ndarray, digits: int) -> pa.Array:
    """Fixed-point decimal strings (faster than casting floats to strings)."""
    scaled = np.round(np.abs(values) * 10**digits).astype(np.int64)
    frac = pc.utf8_lpad(_num(scaled % 10**digits), digits, "0")
    text = _join(_num(scaled // 10**digits), frac, sep=".")
    return pc.if_else(pa.array(values < 0), _join("-", text), text)


def _join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


def _read_fasta(fasta: Path) -> dict[str, np.ndarray]:
    import pysam

    with pysam.FastaFile(str(fasta)) as fa:
        return {
            name: np.frombuffer(fa.fetch(name).upper().encode(), dtype=np.uint8) for name in fa.references
        }


class _Block:
    """One block of sorted records on one contig, as Arrow string columns."""

    def __init__(self, rng: np.random.Generator, chrom: str, pos: np.ndarray, seq: np.ndarray | None):
        self.rng, self.chrom, self.n = rng, chrom, len(pos)
        u = rng.random(self.n)
        self.kind = np.select([u < 0.88, u < 0.93, u < 0.985], [0, 1, 2], 3)  # snv, ins, del, multi
        dlen = rng.integers(1, 7, self.n)
        ilen = rng.integers(1, 7, self.n)
        lr = np.where(self.kind == 2, 1 + dlen, 1)
        if seq is not None:
            idx = np.repeat(pos - 1, lr) + (np.arange(lr.sum()) - np.repeat(np.cumsum(lr) - lr, lr))
            ref_bytes = seq[np.minimum(idx, len(seq) - 1)]
        else:
            ref_bytes = _BASES[rng.integers(0, 4, int(lr.sum()))]
        self.ref = _strings(lr, ref_bytes)
        first = ref_bytes[np.cumsum(lr) - lr]
        code = _CODE[first].astype(np.int64) % 4
        alt1 = _BASES[(code + rng.integers(1, 4, self.n)) % 4]
        alt2 = _BASES[(code + rng.integers(1, 4, self.n)) % 4]
        alt2 = np.where(alt2 == alt1, _BASES[(_CODE[alt1] + 1) % 4], alt2)
        la = np.select([self.kind == 0, self.kind == 1, self.kind == 2], [1, 1 + ilen, 1], 3)
        starts = np.cumsum(la) - la
        alt = _BASES[rng.integers(0, 4, int(la.sum()))]
        alt[starts] = np.where(self.kind == 0, alt1, first)
        multi = np.flatnonzero(self.kind == 3)
        alt[starts[multi]] = alt1[multi]
        alt[starts[multi] + 1] = ord(",")
        alt[starts[multi] + 2] = alt2[multi]
        self.alt = _strings(la, alt)
        self.ok = _CODE[ref_bytes].reshape(-1) != 255  # for FASTA refs: drop records touching N
        self.ok = np.add.reduceat(self.ok, np.cumsum(lr) - lr) == lr
        self.pos = pos


def _genotypes(rng: np.random.Generator, kind: np.ndarray, nsamples: int) -> np.ndarray:
    """Allele pairs (n, samples, 2) with -1 for missing; trio = child, father, mother."""
    n = len(kind)
    if nsamples == 3:
        parents = (rng.random((n, 2, 2)) < 0.45).astype(np.int8)
        none = parents.sum(axis=(1, 2)) == 0
        parents[none, 0, 1] = 1
        pick = rng.integers(0, 2, (n, 2))
        child = np.stack([parents[np.arange(n), 0, pick[:, 0]], parents[np.arange(n), 1, pick[:, 1]]], 1)
        flip = rng.random(n) < 0.005
        child[flip, 0] = 1 - child[flip, 0]
        gts = np.concatenate([child[:, None, :], parents], axis=1)
    else:
        u = rng.random((n, nsamples))
        alt_count = np.select([u < 0.55, u < 0.97], [1, 2], 0)
        gts = np.stack([(alt_count == 2), (alt_count >= 1)], axis=2).astype(np.int8)
    gts = np.sort(gts, axis=2)
    multi = kind == 3
    second = rng.random((n, nsamples)) < 0.7
    gts[..., 1] = np.where(multi[:, None] & second & (gts[..., 1] == 1), 2, gts[..., 1])
    missing = rng.random((n, nsamples)) < 0.02
    gts[missing] = -1
    return gts


def _sample_column(rng: np.random.Generator, gt: np.ndarray, multi: np.ndarray) -> pa.Array:
    n = len(gt)
    missing = gt[:, 0] < 0
    dp = np.maximum(rng.poisson(32, n), 2)
    nalt = (gt > 0).sum(axis=1)
    frac = np.select([nalt == 0, nalt == 1], [0.01, 0.5], 0.985)
    alt_d = rng.binomial(dp, frac)
    ref_d = dp - alt_d
    two = gt[:, 1] == 2
    a1 = np.where(two & (gt[:, 0] == 1), alt_d // 2, np.where(two, 0, alt_d))
    a2 = np.where(two, alt_d - a1, 0)
    ref_d = np.where(two & (gt[:, 0] == 1), ref_d // 20, ref_d)
    gq = np.minimum(99, rng.integers(5, 140, n))
    pl_hi = gq * 10 + rng.integers(0, 400, n)
    gt_s = _join(_num(gt[:, 0]), _num(gt[:, 1]), sep="/")
    ad = _join(_num(ref_d), _num(a1), sep=",")
    ad = pc.if_else(pa.array(multi), _join(ad, _num(a2), sep=","), ad)
    zero = pa.array(np.zeros(n, dtype=np.int64)).cast(pa.string())
    pl3 = [_num(pl_hi), _num(gq), zero]
    pl3 = [pc.if_else(pa.array(nalt == 0), pl3[2 - i], pl3[i]) for i in range(3)]
    het = pa.array(nalt == 1)
    pl3[1] = pc.if_else(het, zero, pl3[1])
    pl3[2] = pc.if_else(het, _num(pl_hi + rng.integers(0, 300, n)), pl3[2])
    pl = _join(*pl3, sep=",")
    pl = pc.if_else(pa.array(multi), _join(pl, _num(pl_hi + 50), _num(pl_hi + 60), _num(pl_hi), sep=","), pl)
    col = _join(gt_s, ad, _num(ref_d + a1 + a2), _num(gq), pl, sep=":")
    return pc.if_else(pa.array(missing), pa.scalar("./.:.:.:.:."), col)


def _info(rng: np.random.Generator, gts: np.ndarray, multi: np.ndarray) -> pa.Array:
    n = len(multi)
    an = (gts >= 0).sum(axis=(1, 2))
    ac1 = (gts == 1).sum(axis=(1, 2))
    ac2 = (gts == 2).sum(axis=(1, 2))
    af1 = np.round(ac1 / np.maximum(an, 1), 3)
    ac = pc.if_else(pa.array(multi), _join(_num(ac1), _num(ac2), sep=","), _num(ac1))
    af = _dec(af1, 3)
    af = pc.if_else(pa.array(multi), _join(af, _dec(ac2 / np.maximum(an, 1), 3), sep=","), af)
    dp = rng.poisson(32 * gts.shape[1], n)
    parts = [
        _join("AC=", ac), _join("AF=", af), _join("AN=", _num(an)), _join("DP=", _num(dp)),
        _join("FS=", _dec(rng.exponential(2, n), 3)),
        _join("MQ=", _dec(rng.normal(59, 2, n), 2)),
        _join("QD=", _dec(rng.uniform(2, 35, n), 2)),
        _join("SOR=", _dec(rng.uniform(0.1, 3, n), 3)),
    ]  # fmt: skip
    info = _join(*parts, sep=";")
    db = rng.random(n) < 0.3
    return pc.if_else(pa.array(db), _join(info, "DB", sep=";"), info)


def _header(
    contigs: dict[str, int], build: str, samples: Sequence[str], gvcf: bool, fasta: Path | None
) -> str:
    lines = ["##fileformat=VCFv4.2"]
    lines += [
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##FILTER=<ID=LowQual,Description="Low quality">',
        '##FILTER=<ID=VQSRTrancheSNP99.90to100.00,Description="Truth sensitivity tranche level 99.90-100">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype Quality">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled genotype likelihoods">',
        '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count in genotypes">',
        '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele Frequency">',
        '##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles in called genotypes">',
        '##INFO=<ID=DB,Number=0,Type=Flag,Description="dbSNP Membership">',
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">',
        '##INFO=<ID=FS,Number=1,Type=Float,Description="Fisher strand bias">',
        '##INFO=<ID=MQ,Number=1,Type=Float,Description="RMS Mapping Quality">',
        '##INFO=<ID=QD,Number=1,Type=Float,Description="Variant Confidence/Quality by Depth">',
        '##INFO=<ID=SOR,Number=1,Type=Float,Description="Symmetric Odds Ratio">',
    ]
    if gvcf:
        lines += [
            '##ALT=<ID=NON_REF,Description="Represents any possible alternative allele at this location">',
            '##FORMAT=<ID=MIN_DP,Number=1,Type=Integer,Description="Minimum DP observed within the block">',
            '##INFO=<ID=END,Number=1,Type=Integer,Description="Stop position of the interval">',
            "##GVCFBlock0-20=minGQ=0(inclusive),maxGQ=20(exclusive)",
        ]
    lines += [f"##contig=<ID={c},length={length}>" for c, length in contigs.items()]
    lines.append(f"##reference={fasta.resolve().as_uri() if fasta else build}")
    lines.append("##source=vardesk.synthetic.vcf (synthetic data, not a real person)")
    lines.append(
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples])
    )
    return "\n".join(lines) + "\n"


def _gvcf_blocks(
    rng: np.random.Generator, var_pos: np.ndarray, var_ref: pa.Array, seq: np.ndarray | None, nsamples: int
) -> pa.Table:
    """Reference blocks filling the gaps after each variant (to the next variant)."""
    lr = np.asarray(pc.utf8_length(var_ref).to_numpy(zero_copy_only=False), dtype=np.int64)
    start = var_pos + lr
    end = np.append(var_pos[1:] - 1, var_pos[-1] + lr[-1] + 500) if len(var_pos) else var_pos
    keep = end >= start
    start, end = start[keep], end[keep]
    n = len(start)
    if seq is not None:
        ref_b = seq[np.minimum(start - 1, len(seq) - 1)]
        ref_b = np.where(_CODE[ref_b] == 255, ord("N"), ref_b)
    else:
        ref_b = _BASES[rng.integers(0, 4, n)]
    ref = _strings(np.ones(n, dtype=np.int32), ref_b.astype(np.uint8))
    mdp = rng.poisson(25, n)
    gq = np.minimum(99, rng.integers(0, 120, n))
    smp = _join(
        "0/0", _num(mdp + 3), _num(gq), _num(mdp), _join("0", _num(gq), _num(gq * 10), sep=","), sep=":"
    )
    cols = {
        "POS": pa.array(start, pa.int64()), "ID": pa.array(["."] * n, pa.string()), "REF": ref,
        "ALT": pa.array(["<NON_REF>"] * n, pa.string()), "QUAL": pa.array(["."] * n, pa.string()),
        "FILTER": pa.array(["."] * n, pa.string()), "INFO": _join("END=", _num(end)),
        "FORMAT": pa.array(["GT:DP:GQ:MIN_DP:PL"] * n, pa.string()),
    }  # fmt: skip
    for s in range(nsamples):
        cols[f"S{s}"] = smp
    return pa.table(cols)


def generate_vcf(
    path: Path | str,
    *,
    records: int,
    seed: int = 0,
    samples: Sequence[str] = ("SAMPLE1",),
    build: str = "GRCh38",
    fasta: Path | None = None,
    gvcf: bool = False,
) -> None:
    """Write ``records`` variant records (plus reference blocks when ``gvcf``) as a bgzipped VCF."""
    rng = np.random.default_rng(seed)
    samples = list(samples)
    seqs: dict[str, np.ndarray] | None = None
    if fasta is not None:
        seqs = _read_fasta(Path(fasta))
        contigs = {name: len(s) for name, s in seqs.items()}
    else:
        prefix = "chr" if build == "GRCh38" else ""
        contigs = {
            (prefix + c if c != "MT" else (prefix + "M" if prefix else "MT")): n
            for c, n in BUILD_LENGTHS[build].items()
        }
    names = list(contigs)
    lengths = np.array([contigs[c] for c in names], dtype=np.float64)
    per = np.floor(records * lengths / lengths.sum()).astype(np.int64)
    per[0] += records - per.sum()
    with BgzfWriter(path) as out:
        out.write(_header(contigs, build, samples, gvcf, fasta).encode())
        for chrom, count in zip(names, per, strict=True):
            seq = seqs[chrom] if seqs is not None else None
            clen = int(contigs[chrom])
            gap = max(1.0, (clen - 1000) / (int(count) + 5 * np.sqrt(int(count)) + 10))
            last = 0
            remaining = int(count)
            chosen = None
            if seq is not None:  # only positions on A/C/G/T bases of the reference
                acgt = np.flatnonzero(_CODE[seq[: max(clen - 10, 0)]] != 255) + 1
                chosen = np.sort(rng.choice(acgt, size=min(int(count), len(acgt)), replace=False))
                remaining = len(chosen)
            done = 0
            while remaining > 0:
                n = min(_BLOCK, remaining)
                if chosen is not None:
                    pos = chosen[done : done + n].astype(np.int64)
                    done += n
                else:
                    steps = np.maximum(1, rng.geometric(min(1.0, 1.0 / gap), n)).astype(np.int64)
                    pos = np.maximum.accumulate(np.minimum(last + np.cumsum(steps), clen - 10))
                blk = _Block(rng, chrom, pos, seq)
                keep = blk.ok & np.append(np.diff(pos) > 0, True)
                remaining -= n
                last = int(pos[-1])
                out.write(_render(rng, blk, keep, samples, gvcf, seq))


def _render(
    rng: np.random.Generator,
    blk: _Block,
    keep: np.ndarray,
    samples: list[str],
    gvcf: bool,
    seq: np.ndarray | None,
) -> bytes:
    n = blk.n
    multi = blk.kind == 3
    gts = _genotypes(rng, blk.kind, len(samples))
    qual = _join(_num(rng.integers(20, 5000, n)), _num(rng.integers(10, 100, n)), sep=".")
    rs = rng.integers(1_000_000, 900_000_000, n)
    ids = pc.if_else(pa.array(rng.random(n) < 0.3), _join("rs", _num(rs)), pa.scalar("."))
    u = rng.random(n)
    filt = pa.array(np.select([u < 0.92, u < 0.97], ["PASS", "LowQual"], "VQSRTrancheSNP99.90to100.00"))
    alt = _join(blk.alt, "<NON_REF>", sep=",") if gvcf else blk.alt
    fmt = "GT:AD:DP:GQ:PL"
    cols = {
        "POS": pa.array(blk.pos), "ID": ids, "REF": blk.ref, "ALT": alt, "QUAL": qual, "FILTER": filt,
        "INFO": _info(rng, gts, multi), "FORMAT": pa.array([fmt] * n),
    }  # fmt: skip
    for s in range(len(samples)):
        cols[f"S{s}"] = _sample_column(rng, gts[:, s, :], multi)
    table = pa.table(cols).filter(pa.array(keep))
    if gvcf:
        table = table.set_column(
            table.schema.get_field_index("FORMAT"), "FORMAT", pa.array([fmt] * len(table))
        )
        blocks = _gvcf_blocks(rng, blk.pos[keep], blk.ref.filter(pa.array(keep)), seq, len(samples))
        schema = pa.schema(
            [(name, pa.int64() if name == "POS" else pa.string()) for name in table.column_names]
        )
        table = pa.concat_tables([table.cast(schema), blocks.cast(schema)])
        table = table.take(pc.sort_indices(table, [("POS", "ascending")]))
    pos = pc.cast(table["POS"], pa.string())
    line = _join(blk.chrom, pos, *[table[c] for c in table.column_names[1:]], sep="\t")
    return _text(line)


def _text(lines: pa.Array) -> bytes:
    """The lines of a string array, newline-terminated, as one bytes object (no Python loop)."""
    if len(lines) == 0:
        return b""
    arr = pc.binary_join_element_wise(lines, "\n", "")
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
    return arr.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a deterministic synthetic bgzipped VCF.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", nargs="+", default=["SAMPLE1"])
    parser.add_argument("--trio", action="store_true", help="three samples: HG002 HG003 HG004 style trio")
    parser.add_argument("--build", choices=["GRCh37", "GRCh38"], default="GRCh38")
    parser.add_argument("--fasta", type=Path)
    parser.add_argument("--gvcf", action="store_true")
    args = parser.parse_args(argv)
    samples = ["CHILD", "FATHER", "MOTHER"] if args.trio else args.samples
    generate_vcf(
        args.out, records=args.records, seed=args.seed, samples=samples, build=args.build,
        fasta=args.fasta, gvcf=args.gvcf,
    )  # fmt: skip


if __name__ == "__main__":
    main()
