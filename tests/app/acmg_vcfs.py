"""Small VCFs for the ``acmg classify`` tests: real GRCh37 variants with VEP-style CSQ, and broken copies."""

from __future__ import annotations

import gzip
from pathlib import Path

CSQ_FORMAT = (
    "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|"
    "Amino_acids|CANONICAL|MANE_SELECT|gnomADe_AF|MAX_AF"
)
HEADER = f"""##fileformat=VCFv4.2
##reference=GRCh37
##contig=<ID=1,length=249250621>
##contig=<ID=7,length=159138663>
##contig=<ID=11,length=135006516>
##contig=<ID=17,length=81195210>
##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from VEP. Format: {CSQ_FORMAT}">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
"""
# BRCA1 c.68_69del (185delAG), CFTR c.1521_1523del (F508del), HBB c.20A>T (HbS) and c.20A>C (HbG-Makassar)
# in one record, MTHFR c.665C>T (the common C677T)
RECORDS = [
    ("17", 41276044, "ACT", "A", [
        "-|frameshift_variant|HIGH|BRCA1|ENSG00000012048|Transcript|ENST00000357654|protein_coding|2/23||"
        "ENST00000357654.3:c.68_69del|ENSP00000350283.3:p.Glu23ValfsTer17|E/X|YES|NM_007294.4|0.0001|0.0003",
    ]),
    ("7", 117199644, "ATCT", "A", [
        "-|inframe_deletion|MODERATE|CFTR|ENSG00000001626|Transcript|ENST00000003084|protein_coding|11/27||"
        "ENST00000003084.6:c.1521_1523del|ENSP00000003084.6:p.Phe508del|F/-|YES|NM_000492.4|0.0068|0.0131",
    ]),
    ("11", 5248232, "T", "A,C", [
        "A|missense_variant|MODERATE|HBB|ENSG00000244734|Transcript|ENST00000335295|protein_coding|1/3||"
        "ENST00000335295.4:c.20A>T|ENSP00000333994.3:p.Glu7Val|E/V|YES|NM_000518.5|0.0036|0.0466",
        "C|missense_variant|MODERATE|HBB|ENSG00000244734|Transcript|ENST00000335295|protein_coding|1/3||"
        "ENST00000335295.4:c.20A>C|ENSP00000333994.3:p.Glu7Ala|E/A|YES|NM_000518.5|0.00002|0.0001",
    ]),
    ("1", 11856378, "G", "A", [
        "A|missense_variant|MODERATE|MTHFR|ENSG00000177000|Transcript|ENST00000376592|protein_coding|5/12||"
        "ENST00000376592.1:c.665C>T|ENSP00000365777.1:p.Ala222Val|A/V|YES|NM_005957.5|0.3133|0.4489",
    ]),
]  # fmt: skip
ALLELES = [("17", 41276044, "ACT", "A"), ("7", 117199644, "ATCT", "A"), ("11", 5248232, "T", "A"),
           ("11", 5248232, "T", "C"), ("1", 11856378, "G", "A")]  # fmt: skip


def record_line(chrom: str, pos: int, ref: str, alt: str, csq: list[str]) -> str:
    return f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\tCSQ={','.join(csq)}\n"


def vep_vcf(path: Path, *, broken_after: int | None = None) -> Path:
    """The VEP-annotated VCF; with ``broken_after``, a record whose POS is not a number follows that many
    records (on line ``header + broken_after + 1``)."""
    lines = [record_line(*r) for r in RECORDS]
    if broken_after is not None:
        lines.insert(broken_after, "11\tfive\t.\tT\tA\t.\tPASS\t.\n")
    path.write_text(HEADER + "".join(lines))
    return path


def header_lines() -> int:
    return HEADER.count("\n")


def trio_with_bad_tail(trio: Path, out: Path) -> tuple[Path, int, int]:
    """The GIAB trio (BCSQ) with a truncated record appended: (path, records before it, its line)."""
    with gzip.open(trio, "rt") as fh:
        text = fh.read()
    records = sum(1 for line in text.splitlines() if line and not line.startswith("#"))
    lines = text.count("\n")
    out.write_text(text + "1\t999999\t.\tA\n")
    return out, records, lines + 1
