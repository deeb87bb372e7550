"""HGVS strings for the (variant, transcript) rows that carry a transcript.

c. and p. come from the bundle's transcript models and reference (``vardesk.annotate.hgvs``); where
no model applies, p. is derived from bcftools' protein change for substitutions and synonymous
changes (``250W>250R`` → ``p.(Trp250Arg)``).

Each distinct (variant, transcript) pair is formatted once, in genomic order (so a transcript's
sequence is built once and reference bases come from a few cached 1 Mb blocks); large inputs are
split by chromosome over worker processes, each loading only the gene models of its chromosomes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections import OrderedDict
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc
import pysam

from vardesk.annotate.bundle import Bundle
from vardesk.annotate.consequences import balanced_groups
from vardesk.annotate.gff3 import read_gff3
from vardesk.annotate.hgvs import HgvsFormatter
from vardesk.domain.transcript import Transcript

AA3 = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu", "G": "Gly",
    "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe", "P": "Pro", "S": "Ser",
    "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "*": "Ter", "U": "Sec", "X": "Xaa",
}  # fmt: skip
_SUB = re.compile(r"^(\d+)([A-Z*])>(\d+)([A-Z*])$")
_SYN = re.compile(r"^(\d+)([A-Z*])$")
PARALLEL_MIN_PAIRS = 20_000  # below this, worker start-up costs more than it saves
_BLOCK = 1 << 20


def protein_hgvs(change: str | None) -> str | None:
    """p. description of a bcftools protein change for substitutions and synonymous changes."""
    if not change:
        return None
    m = _SUB.match(change)
    if m and m.group(1) == m.group(3):
        ref, alt = AA3.get(m.group(2)), AA3.get(m.group(4))
        if ref and alt:
            return f"p.({ref}{m.group(1)}{alt})"
        return None
    m = _SYN.match(change)
    if m and m.group(2) in AA3:
        return f"p.({AA3[m.group(2)]}{m.group(1)}=)"
    return None


def _fallback_p(changes: pa.ChunkedArray | pa.Array) -> pa.Array:
    """``protein_hgvs`` per row, computed once per distinct protein change."""
    enc = pc.dictionary_encode(changes.combine_chunks() if isinstance(changes, pa.ChunkedArray) else changes)
    values = pa.array([protein_hgvs(c) for c in enc.dictionary.to_pylist()], pa.string())
    return values.take(enc.indices)


def add_hgvs(tx: pa.Table, variants: pa.Table, bundle: Bundle, *, workers: int | None = None) -> pa.Table:
    """``tx`` (per-transcript rows) with ``hgvs_c`` and ``hgvs_p`` columns added.

    Rows with a transcript id (csq names one for exonic and splice hits) are formatted from the
    bundle's transcript models; p. falls back to bcftools' protein change where no model applies.
    """
    n = len(tx)
    fallback = _fallback_p(tx["protein_change"]) if n else pa.array([], pa.string())
    if n == 0 or tx["transcript_id"].null_count == n:
        return tx.append_column("hgvs_c", pa.nulls(n, pa.string())).append_column("hgvs_p", fallback)
    con = duckdb.connect()
    con.register("tx_rows", tx.select(["key", "transcript_id"]))
    con.register("variants", variants.select(["key", "chrom", "pos", "ref", "alt"]))
    pairs = con.sql(
        "SELECT DISTINCT t.key, t.transcript_id, v.chrom, v.pos, v.ref, v.alt FROM tx_rows t "
        "JOIN variants v USING (key) WHERE t.transcript_id IS NOT NULL ORDER BY t.key, t.transcript_id"
    ).to_arrow_table()
    hgvs_c, hgvs_p = format_pairs(pairs, bundle, workers=workers)
    con.register(
        "formatted",
        pa.table({"key": pairs["key"], "transcript_id": pairs["transcript_id"], "c": hgvs_c, "p": hgvs_p}),
    )
    con.register("idx", pa.table({"key": tx["key"], "transcript_id": tx["transcript_id"], "i": range(n)}))
    joined = con.sql(
        "SELECT f.c, f.p FROM idx LEFT JOIN formatted f USING (key, transcript_id) ORDER BY idx.i"
    ).to_arrow_table()
    p = pc.coalesce(joined["p"], fallback)
    return tx.append_column("hgvs_c", joined["c"]).append_column("hgvs_p", p)


def format_pairs(pairs: pa.Table, bundle: Bundle, *, workers: int | None = None) -> tuple[pa.Array, pa.Array]:
    """(hgvs_c, hgvs_p) for rows (key, transcript_id, chrom, pos, ref, alt) sorted by key."""
    workers = workers or min(2, os.cpu_count() or 1)
    chroms = pc.unique(pairs["chrom"]).to_pylist()
    if workers < 2 or len(pairs) < PARALLEL_MIN_PAIRS or len(chroms) < 2:
        c, p = _format_rows(str(bundle.fasta), [str(f) for f in bundle.gff_files(chroms)], _rows(pairs))
        return pa.array(c, pa.string()), pa.array(p, pa.string())
    vc = pc.value_counts(pairs["chrom"])
    counts = {v["values"].as_py(): v["counts"].as_py() for v in vc}
    groups = balanced_groups(counts, workers)
    masks = [pc.is_in(pairs["chrom"], pa.array(g)) for g in groups]
    env = dict(os.environ)
    src_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(x for x in (src_root, env.get("PYTHONPATH")) if x)
    c_out = pa.nulls(len(pairs), pa.string())
    p_out = pa.nulls(len(pairs), pa.string())
    with tempfile.TemporaryDirectory() as td:
        procs = []
        for i, (g, m) in enumerate(zip(groups, masks, strict=True)):
            rows_in, rows_out = Path(td) / f"in{i}.arrow", Path(td) / f"out{i}.arrow"
            sub = pairs.filter(m).select(["transcript_id", "chrom", "pos", "ref", "alt"])
            with pa.OSFile(str(rows_in), "wb") as sink, pa.ipc.new_file(sink, sub.schema) as w:
                w.write_table(sub)
            files = [str(f) for f in bundle.gff_files(g)]
            argv = [sys.executable, "-c", _CHILD, str(bundle.fasta), str(rows_in), str(rows_out), *files]
            procs.append((subprocess.Popen(argv, env=env, stderr=subprocess.PIPE), m, rows_out))
        for proc, m, rows_out in procs:
            _, err = proc.communicate()
            if proc.returncode != 0:
                raise RuntimeError(f"HGVS worker failed: {err.decode(errors='replace')[-2000:]}")
            with pa.memory_map(str(rows_out)) as src:
                res = pa.ipc.open_file(src).read_all()
            idx = pc.indices_nonzero(m)
            c_out = _scatter(c_out, idx, res["hgvs_c"])
            p_out = _scatter(p_out, idx, res["hgvs_p"])
    return c_out, p_out


_CHILD = "import sys\nfrom vardesk.annotate.hgvs_bulk import _child\n_child(sys.argv[1:])\n"


def _scatter(base: pa.Array, idx: pa.Array, values: pa.ChunkedArray) -> pa.Array:
    """``base`` with ``values`` placed at positions ``idx`` (ascending)."""
    mask = np.zeros(len(base), dtype=bool)
    mask[idx.to_numpy()] = True
    return pc.replace_with_mask(base, pa.array(mask), values.combine_chunks())


def _child(argv: list[str]) -> None:
    fasta, rows_in, rows_out, *gff_files = argv
    with pa.memory_map(rows_in) as src:
        t = pa.ipc.open_file(src).read_all()
    c, p = _format_rows(fasta, gff_files, _rows(t))
    out = pa.table({"hgvs_c": pa.array(c, pa.string()), "hgvs_p": pa.array(p, pa.string())})
    with pa.OSFile(rows_out, "wb") as sink, pa.ipc.new_file(sink, out.schema) as w:
        w.write_table(out)


def _rows(t: pa.Table) -> tuple[list[str], list[str], list[int], list[str], list[str]]:
    return (
        t["transcript_id"].to_pylist(),
        t["chrom"].to_pylist(),
        t["pos"].to_pylist(),
        t["ref"].to_pylist(),
        t["alt"].to_pylist(),
    )


class _BlockFetch:
    """Reference bases from cached 1 Mb blocks (rows arrive in genomic order)."""

    def __init__(self, fa: pysam.FastaFile, keep: int = 8) -> None:
        self._fa = fa
        self._blocks: OrderedDict[tuple[str, int], str] = OrderedDict()
        self._keep = keep

    def _block(self, chrom: str, b: int) -> str:
        hit = self._blocks.get((chrom, b))
        if hit is None:
            hit = self._fa.fetch(chrom, b * _BLOCK, (b + 1) * _BLOCK)
            self._blocks[(chrom, b)] = hit
            if len(self._blocks) > self._keep:
                self._blocks.popitem(last=False)
        return hit

    def __call__(self, chrom: str, start: int, end: int) -> str:
        b0, b1 = (start - 1) // _BLOCK, (end - 1) // _BLOCK
        if b0 == b1:
            off = b0 * _BLOCK
            return self._block(chrom, b0)[start - 1 - off : end - off]
        seq = "".join(self._block(chrom, b) for b in range(b0, b1 + 1))
        off = b0 * _BLOCK
        return seq[start - 1 - off : end - off]


def _format_rows(
    fasta: str, gff_files: list[str], rows: tuple[list[str], list[str], list[int], list[str], list[str]]
) -> tuple[list[str | None], list[str | None]]:
    """Format every (transcript, chrom, pos, ref, alt) row; runs in a worker process for large inputs."""
    models: dict[str, Transcript] = {}
    for f in gff_files:
        for gene in read_gff3(Path(f)):
            for t in gene.transcripts:
                models[t.id] = t
                models[t.versioned_id] = t
    tids, _, positions, refs, alts = rows
    hgvs_c: list[str | None] = [None] * len(tids)
    hgvs_p: list[str | None] = [None] * len(tids)
    with pysam.FastaFile(fasta) as fa:
        fmt = HgvsFormatter(_BlockFetch(fa))
        for i, (tid, pos, ref, alt) in enumerate(zip(tids, positions, refs, alts, strict=True)):
            model = models.get(tid)
            if model is None:
                continue
            try:
                res = fmt.format(model, pos, ref, alt)
            except (ValueError, KeyError, IndexError):
                continue  # one odd model must not stop a genome
            hgvs_c[i] = res.hgvs_c
            hgvs_p[i] = res.hgvs_p
    return hgvs_c, hgvs_p
