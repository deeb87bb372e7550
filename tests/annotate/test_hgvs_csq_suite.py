"""p. predictions checked against the protein changes bcftools csq expects in the csq suite.

bcftools writes ``POS REF>POS ALT`` amino acid strings (``146M>146T``, ``430YKE>430*``, a
synonymous ``145L``; for frameshifts the reference to its stop and the variant protein as far as
bcftools translates). Its strings are not 3'-shifted and it never reads past the CDS end, so
the comparison is on what both must agree on:

* the reference protein: bcftools' REF residues must be ours at POS;
* in-frame changes: applying our description to the reference protein must give the same
  variant protein as splicing bcftools' ALT into it (independent of where either puts a repeat);
* frameshifts: first changed residue and replacement, and the new stop when bcftools reaches it
  (when it does not, ours must lie beyond what bcftools shows, in the 3' UTR, or be ``?``);
* stop loss: the stop's position and the residue replacing it;
* start loss: HGVS ``p.(Met1?)`` where bcftools names the residue change at Met1.

Expectations that combine several variants of a haplotype are left out; ``EXPL`` (bcftools'
single-variant answer) is used where the suite gives one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pysam
import pytest

from vardesk.annotate.gff3 import read_gff3
from vardesk.annotate.hgvs import HgvsFormatter
from vardesk.domain.variant_key import canonical_chrom

CSQ = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "csq-suite"
pytestmark = pytest.mark.skipif(not CSQ.is_dir(), reason="shared/testdata not beside the checkout")


def _cases() -> list[tuple[str, object, str, tuple[int, str, str]]]:
    """(label, formatter-and-transcript, ..) for every EXP entry with a bcftools protein change."""
    out = []
    for vcf in sorted(CSQ.glob("*/*.vcf")):
        d = vcf.parent
        fas = list(d.glob("*.fa"))
        gffs = [g for g in d.glob("*.gff") if g.stem == vcf.stem] or [
            g for g in d.glob("*.gff") if g.name != "short.gff"
        ]
        if not fas or len(gffs) != 1:
            continue
        fa = pysam.FastaFile(str(fas[0]))
        names = {canonical_chrom(n): n for n in fa.references}

        def fetch(chrom: str, start: int, end: int, fa=fa, names=names) -> str:  # noqa: B008
            return fa.fetch(names[chrom], start - 1, end)

        fmt = HgvsFormatter(fetch)
        txs = {t.id: t for g in read_gff3(gffs[0]) for t in g.transcripts}
        for line in vcf.read_text().splitlines():
            if line.startswith("#"):
                continue
            f = line.split("\t")
            # EXPL is the single-variant expectation (bcftools csq -l); EXP may combine the
            # variants of a haplotype ("@POS" or a "+"-joined nucleotide change): skip those.
            m = re.search(r"EXPL=([^;\t]*)", f[7]) or re.search(r"EXP=([^;\t]*)", f[7])
            if not m:
                continue
            for csq in m.group(1).split(","):
                p = csq.split("|")
                if len(p) < 7 or not p[5] or p[2] not in txs or "+" in p[6]:
                    continue
                b = re.fullmatch(r"(\d+)([A-Z*]+)(?:>(\d+)([A-Z*]+))?", p[5])
                assert b, p[5]
                bref = b.group(2)
                balt = b.group(4) if b.group(4) is not None else bref
                t = txs[p[2]]
                for alt in f[4].split(","):
                    label = f"{vcf.relative_to(CSQ)}:{f[1]}{f[3]}>{alt}:{p[2]}"
                    out.append((label, (fmt, t, int(f[1]), f[3], alt), p[0], (int(b.group(1)), bref, balt)))
    return out


def _truncate(prot: str) -> str:
    k = prot.find("*")
    return prot if k < 0 else prot[: k + 1]


def _apply(ref: str, short: str) -> str | None:
    """The variant protein our (one-letter) description implies, for in-frame kinds."""
    if m := re.fullmatch(r"([A-Z*])(\d+)=", short):
        return _truncate(ref)
    if m := re.fullmatch(r"([A-Z*])(\d+)([A-Z*])", short):
        i = int(m.group(2)) - 1
        assert ref[i] == m.group(1)
        return _truncate(ref[:i] + m.group(3) + ref[i + 1 :])
    if m := re.fullmatch(r"([A-Z])(\d+)(?:_([A-Z*])(\d+))?(del|dup|delins([A-Z*]+))", short):
        i = int(m.group(2)) - 1
        j = int(m.group(4)) - 1 if m.group(4) else i
        assert ref[i] == m.group(1) and (not m.group(3) or ref[j] == m.group(3))
        new = {"del": "", "dup": ref[i : j + 1] * 2}.get(m.group(5), m.group(6))
        return _truncate(ref[:i] + new + ref[j + 1 :])
    if m := re.fullmatch(r"([A-Z])(\d+)_([A-Z])(\d+)ins([A-Z*]+)", short):
        i = int(m.group(2))
        assert ref[i - 1] == m.group(1) and ref[i] == m.group(3) and int(m.group(4)) == i + 1
        return _truncate(ref[:i] + m.group(5) + ref[i:])
    return None


def _agrees(ref: str, short: str, bpos: int, bref: str, balt: str) -> bool:
    i0 = bpos - 1
    if ref[i0 : i0 + len(bref)] != bref[: len(ref) - i0]:
        return False  # our reference protein differs from bcftools'
    k = 0
    while k < min(len(bref), len(balt)) and bref[k] == balt[k]:
        k += 1
    if short == "M1?":
        return bpos == 1 and bref[0] == "M"
    if m := re.fullmatch(r"([A-Z])(\d+)([A-Z]?)fs\*(\d+|\?)", short):
        pos = int(m.group(2))
        if pos != bpos + k or (m.group(3) and m.group(3) != balt[k]):
            return False
        if balt.endswith("*"):
            return m.group(4) == str(bpos + len(balt) - 1 - pos + 1)
        return m.group(4) == "?" or pos + int(m.group(4)) - 1 > bpos + len(balt) - 1
    if m := re.fullmatch(r"\*(\d+)([A-Z])ext\*(\d+|\?)", short):
        return int(m.group(1)) == bpos + k and bref[k] == "*" and balt[k] == m.group(2)
    mine = _apply(ref, short)
    theirs = _truncate(ref[:i0] + balt + ref[i0 + len(bref) :])
    return mine is not None and mine == theirs


def test_protein_changes_agree_with_bcftools() -> None:
    cases = _cases()
    assert len(cases) >= 55
    agree, untrusted, disagree = [], [], []
    for label, (fmt, t, pos, ref, alt), _csq, (bpos, bref, balt) in cases:
        r = fmt.format(t, pos, ref, alt)
        prot = fmt.reference_protein(t)
        if prot is None:
            assert r.hgvs_p is None
            untrusted.append(label)
            continue
        assert r.protein_change_short is not None, label
        ok = _agrees(prot, r.protein_change_short, bpos, bref, balt)
        (agree if ok else disagree).append((label, r.hgvs_p, f"{bpos}{bref}>{bpos}{balt}"))
    # incomplete-start models (GFF3 phase != 0) and the ribosomal-slippage ORF get no p.
    assert {u.split(":")[0].split("/")[0] for u in untrusted} <= {
        "EMN908947",
        "ENST00000341065",
        "ENST00000420190",
        "ENST00000520795",
        "ENST00000571540",
    }
    assert disagree == []
    assert len(agree) >= 45
    print(f"p. agreement with bcftools: {len(agree)}/{len(cases)}; no p. (untrusted CDS) {len(untrusted)}")
