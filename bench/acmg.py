"""ACMG/AMP rules on real publicly classified variants, without their ClinVar significance in the input.

    python bench/acmg.py CLINVAR.vcf.gz [--build GRCh38] [--limit N]

Input: a ClinVar VCF (NCBI's ``clinvar.vcf.gz`` or any copy of it). The variants evaluated are those with a
review status of two stars or more (``criteria_provided,_multiple_submitters,_no_conflicts``,
``reviewed_by_expert_panel``, ``practice_guideline``) and a significance of Pathogenic, Likely pathogenic,
Pathogenic/Likely pathogenic, Benign, Likely benign or Benign/Likely benign. Each is rewritten as a
pipeline-annotated VCF record — VEP-style ``CSQ`` with ``Consequence`` from ``MC`` and ``SYMBOL`` from
``GENEINFO``; ``gnomADe_AF`` from ``AF_EXAC``, ``MAX_AF`` the largest of ``AF_EXAC``/``AF_ESP``/``AF_TGP`` —
and **every ClinVar field is dropped** (``CLNSIG``, ``CLNREVSTAT``, ``CLNDN``…), so the figure measures the
rules, not a lookup. This is the thin input (consequence, gene and population AF; no HGVS, no predictors, no
gene knowledge): the classification must degrade towards VUS, never towards the opposite class.

The public copy used for the figures in the notes: the GitHub repository ``astone0411/VCFannotate-Streamlit``
at commit ``aef3f3a22dc3a3bfda9dde9ccbc4064299d8821b``, file ``clinvar.vcf.gz`` (ClinVar GRCh38, 2026-02-26,
69,303 records of chromosomes 1, 2, 3, 5, 7, 11, 13, 16, 17, 22). Bring it with ``git clone`` (or the
project's mirror tooling) and ``git show HEAD:clinvar.vcf.gz > clinvar.vcf.gz``; never commit it.

Prints the machine, counts per truth class, P/LP called P/LP, B/LB called B/LB, calls in the opposite
direction, VUS rate and how often each criterion fired, and the run time.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import machine  # noqa: E402
from vardesk.app.acmg_classify import classify_vcf  # noqa: E402

TWO_STARS = {
    "criteria_provided,_multiple_submitters,_no_conflicts",
    "reviewed_by_expert_panel",
    "practice_guideline",
}
TRUTH = {
    "Pathogenic": "P/LP",
    "Likely_pathogenic": "P/LP",
    "Pathogenic/Likely_pathogenic": "P/LP",
    "Benign": "B/LB",
    "Likely_benign": "B/LB",
    "Benign/Likely_benign": "B/LB",
}
CALL = {
    "Pathogenic": "P/LP",
    "Likely pathogenic": "P/LP",
    "Uncertain significance": "VUS",
    "Likely benign": "B/LB",
    "Benign": "B/LB",
}
CSQ_FORMAT = "Allele|Consequence|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|gnomADe_AF|MAX_AF"
HEADER = (
    "##fileformat=VCFv4.2\n"
    f'##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. '
    f'Format: {CSQ_FORMAT}">\n'
)


def _info(text: str) -> dict[str, str]:
    return dict(f.split("=", 1) if "=" in f else (f, "") for f in text.split(";"))


def convert(source: Path, out: Path, limit: int | None) -> dict[tuple[str, int, str, str], str]:
    """Write the evaluated variants as a pipeline-annotated VCF without ClinVar fields; their truth."""
    truth: dict[tuple[str, int, str, str], str] = {}
    contigs: list[str] = []
    rows: list[str] = []
    with gzip.open(source, "rt") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            chrom, pos, _id, ref, alt, _q, _f, info = line.rstrip("\n").split("\t")[:8]
            f = _info(info)
            sig = TRUTH.get(f.get("CLNSIG", ""))
            if sig is None or f.get("CLNREVSTAT") not in TWO_STARS or alt in (".", "") or "," in alt:
                continue
            if not set(ref + alt) <= set("ACGT"):
                continue
            mc = [m.split("|", 1)[1] for m in f.get("MC", "").split(",") if "|" in m]
            gene = f.get("GENEINFO", "").split(":")[0].split("|")[0]
            if not mc or not gene:
                continue
            afs = [float(f[k]) for k in ("AF_EXAC", "AF_ESP", "AF_TGP") if f.get(k)]
            csq = "|".join(
                [
                    alt if len(ref) == len(alt) == 1 else alt[1:] or "-",
                    "&".join(mc),
                    gene,
                    "",
                    "Transcript",
                    "",
                    "protein_coding",
                    f.get("AF_EXAC", ""),
                    str(max(afs)) if afs else "",
                ]
            )
            if chrom not in contigs:
                contigs.append(chrom)
            rows.append(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\tCSQ={csq}")
            truth[(chrom, int(pos), ref, alt)] = sig
            if limit and len(truth) >= limit:
                break
    with out.open("w") as w:
        w.write(HEADER)
        w.writelines(f"##contig=<ID={c}>\n" for c in contigs)
        w.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        w.writelines(r + "\n" for r in rows)
    return truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("clinvar", type=Path)
    ap.add_argument("--build", default="GRCh38")
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        vcf = Path(tmp) / "thin.vcf"
        truth = convert(args.clinvar, vcf, args.limit)
        started = time.perf_counter()
        confusion: collections.Counter[tuple[str, str]] = collections.Counter()
        fired: collections.Counter[str] = collections.Counter()
        for rec in classify_vcf(vcf, build=args.build):
            key = (str(rec["chrom"]), int(rec["pos"]), str(rec["ref"]), str(rec["alt"]))
            if key not in truth:
                continue
            confusion[(truth[key], CALL[rec["classification"]])] += 1
            fired.update({c["code"] for c in rec["criteria"]})
        took = time.perf_counter() - started
    n = sum(confusion.values())
    print(f"variants classified: {n} in {took:.1f} s ({n / took:.0f}/s); mode: thin (consequence, gene, AF)")
    for t in ("P/LP", "B/LB"):
        total = sum(v for (tt, _c), v in confusion.items() if tt == t)
        if not total:
            continue
        same = confusion[(t, t)]
        opposite = confusion[(t, "B/LB" if t == "P/LP" else "P/LP")]
        vus = confusion[(t, "VUS")]
        print(
            f"truth {t}: {total}; called {t} {same} ({100 * same / total:.1f} %), VUS {vus} "
            f"({100 * vus / total:.1f} %), opposite {opposite} ({100 * opposite / total:.2f} %)"
        )
    print("criteria fired:", ", ".join(f"{c} {k} ({100 * k / n:.1f} %)" for c, k in fired.most_common()))


if __name__ == "__main__":
    main()
