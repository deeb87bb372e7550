"""HGVS strings for the (variant, transcript) rows that carry a transcript.

c. and p. come from the bundle's transcript models and reference (``vardesk.annotate.hgvs``); where
no model applies, p. is derived from bcftools' protein change for substitutions and synonymous
changes (``250W>250R`` → ``p.(Trp250Arg)``).
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc
import pysam

from vardesk.annotate.bundle import Bundle
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


def add_hgvs(tx: pa.Table, variants: pa.Table, bundle: Bundle) -> pa.Table:
    """``tx`` (per-transcript rows) with ``hgvs_c`` and ``hgvs_p`` columns added.

    Rows with a transcript id (csq names one for exonic and splice hits) are formatted from the
    bundle's transcript models; p. falls back to bcftools' protein change where no model applies.
    """
    n = len(tx)
    hgvs_c: list[str | None] = [None] * n
    hgvs_p = [protein_hgvs(c) for c in (tx["protein_change"].to_pylist() if n else [])]
    rows = pc.indices_nonzero(pc.is_valid(tx["transcript_id"])).to_pylist() if n else []
    if rows:
        _with_models(rows, tx, variants, bundle, hgvs_c, hgvs_p)
    return tx.append_column("hgvs_c", pa.array(hgvs_c, pa.string())).append_column(
        "hgvs_p", pa.array(hgvs_p, pa.string())
    )


def _with_models(
    rows: list[int],
    tx: pa.Table,
    variants: pa.Table,
    bundle: Bundle,
    hgvs_c: list[str | None],
    hgvs_p: list[str | None],
) -> None:
    wanted_keys = pc.unique(tx["key"].take(pa.array(rows)))
    v = variants.filter(pc.is_in(variants["key"], wanted_keys))
    cols = [v[x].to_pylist() for x in ("key", "chrom", "pos", "ref", "alt")]
    vmap = {k: (c, p, r, a) for k, c, p, r, a in zip(*cols, strict=True)}
    keys = tx["key"].to_pylist()
    tids = tx["transcript_id"].to_pylist()
    chroms = sorted({vmap[keys[i]][0] for i in rows if keys[i] in vmap})
    models: dict[str, Transcript] = {}
    for f in bundle.gff_files(chroms):
        for gene in read_gff3(f):
            for t in gene.transcripts:
                models[t.id] = t
                models[t.versioned_id] = t
    with pysam.FastaFile(str(bundle.fasta)) as fa:

        def fetch(chrom: str, start: int, end: int) -> str:
            return fa.fetch(chrom, start - 1, end)

        fmt = HgvsFormatter(fetch)
        for i in rows:
            model = models.get(tids[i])
            var = vmap.get(keys[i])
            if model is None or var is None:
                continue
            _, pos, ref, alt = var
            try:
                res = fmt.format(model, pos, ref, alt)
            except (ValueError, KeyError, IndexError):
                continue  # one odd model must not stop a genome
            hgvs_c[i] = res.hgvs_c
            hgvs_p[i] = res.hgvs_p or hgvs_p[i]
