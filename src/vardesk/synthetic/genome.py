"""Synthetic genome and gene models (NOT HUMAN) for the synthetic reference bundle.

Random contigs (41 % GC) with genes written into them: real HGNC symbols of well-known Mendelian disease
genes (then ``SYNGENE…``/``SYNLNC…`` placeholders), multi-exon transcripts on both strands with UTRs,
GT/AG introns, log-normal exon and intron lengths, alternative isoforms (exon skipping, shorter UTRs,
retained introns, processed transcripts), one ``Ensembl_canonical`` (and, when coding, ``MANE_Select``)
transcript per gene, an ATG start and one stop codon closing every CDS. Written as a bgzipped FASTA and
an Ensembl-dialect GFF3 with correct CDS phases.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vardesk.annotate.hgvs_protein import CODON_TABLE
from vardesk.annotate.tools import index_fasta
from vardesk.synthetic.vcf import BgzfWriter

NOT_HUMAN = "synthetic-not-human"

# Well-known Mendelian disease genes: HGNC symbol and NCBI Gene id (as in the HPO gene annotations).
DISEASE_GENES = """
BRCA1:672 BRCA2:675 TP53:7157 CFTR:1080 DMD:1756 FBN1:2200 MLH1:4292 MSH2:4436 MSH6:2956 PMS2:5395
APC:324 ATM:472 PTEN:5728 RB1:5925 NF1:4763 NF2:4771 HBB:3043 HBA1:3039 HBA2:3040 PAH:5053 LDLR:3949
APOB:338 PCSK9:255738 MYH7:4625 MYBPC3:4607 TNNT2:7139 TNNI3:7137 TPM1:7168 ACTC1:70 MYL2:4633 MYL3:4634
SCN5A:6331 KCNQ1:3784 KCNH2:3757 KCNE1:3753 KCNE2:9992 RYR2:6262 CASQ2:845 PKP2:5318 DSP:1832 DSG2:1829
DSC2:1824 LMNA:4000 TTN:7273 CDH1:999 STK11:6794 VHL:7428 RET:5979 MEN1:4221 TSC1:7248 TSC2:7249
SMN1:6606 HEXA:3073 GBA1:2629 CHEK2:11200 PALB2:79728 COL1A1:1277 COL1A2:1278 COL3A1:1281 COL5A1:1289
COL5A2:1290 COL4A3:1285 COL4A4:1286 COL4A5:1287 MECP2:4204 FMR1:2332 HTT:3064 SCN1A:6323 SCN2A:6326
SCN8A:6334 KCNQ2:3785 STXBP1:6812 CDKL5:6792 GJB2:2706 GJB6:10804 RYR1:6261 CACNA1S:779 MUTYH:4595
BMPR1A:657 SMAD4:4089 EPCAM:4072 PKD1:5310 PKD2:5311 PKHD1:5314 FGFR1:2260 FGFR2:2263 FGFR3:2261
PTPN11:5781 SOS1:6654 RAF1:5894 KRAS:3845 HRAS:3265 BRAF:673 MAP2K1:5604 MAP2K2:5605 NRAS:4893
SHOC2:8036 CBL:867 RIT1:6016 TGFBR1:7046 TGFBR2:7048 SMAD3:4088 ACTA2:59 MYH11:4629 ELN:2006 NOTCH1:4851
NOTCH3:4854 JAG1:182 TBX5:6910 GATA4:2626 NKX2-5:1482 CHD7:55636 KMT2D:8085 KDM6A:7403 NIPBL:25836
SMC1A:8243 SMC3:9126 HDAC8:55869 RAD21:5885 EP300:2033 CREBBP:1387 ARID1B:57492 ANKRD11:29123 SOX9:6662
SOX10:6663 PAX3:5077 PAX6:5080 MITF:4286 EDNRB:1910 EDN3:1908 TYR:7299 OCA2:4948 TYRP1:7306
SLC45A2:51151 USH2A:7399 MYO7A:4647 CDH23:64072 PCDH15:65217 USH1C:10083 OTOF:9381 SLC26A4:5172
TMC1:117531 MYO15A:51168 RPE65:6121 RHO:6010 RPGR:6103 RP1:6101 PRPH2:5961 ABCA4:24 CEP290:80184
CRB1:23418 GUCY2D:3000 CNGB3:54714 CHM:1121 BEST1:7439 NDP:4693 ATP7B:540 ATP7A:538 HFE:3077
SERPINA1:5265 G6PD:2539 F8:2157 F9:2158 VWF:7450 FGA:2243 FGB:2244 FGG:2266 ITGA2B:3674 ITGB3:3690
GP1BA:2811 HBD:3045 ALDOB:229 GALT:2592 GALK1:2584 G6PC1:2538 SLC37A4:2542 GAA:2548 AGL:178 PYGM:5837
PYGL:5836 GBE1:2632 PFKM:5213 IDUA:3425 IDS:3423 SGSH:6448 NAGLU:4669 GNS:2799 HGSNAT:138050 GALNS:2588
GLB1:2720 ARSB:411 GUSB:2990 HEXB:3074 GM2A:2760 NPC1:4864 NPC2:10577 SMPD1:6609 GLA:2717 ASAH1:427
ARSA:410 GALC:2581 PSAP:5660 CTNS:1497 MMUT:4594 MMAA:166785 MMAB:326625 MMACHC:25974 PCCA:5095
PCCB:5096 IVD:3712 BCKDHA:593 BCKDHB:594 DBT:1629 MCCC1:56922 MCCC2:64087 HMGCL:3155 ACADM:34 ACADVL:37
ACADS:35 HADHA:3030 HADHB:3032 CPT1A:1374 CPT2:1376 SLC22A5:6584 ETFA:2108 ETFB:2109 ETFDH:2110 OTC:5009
CPS1:1373 ASS1:445 ASL:435 ARG1:383 NAGS:162417 SLC25A15:10166 FAH:2184 TAT:6898 HPD:3242 HGD:3081
CBS:875 MTHFR:4524 PTS:5805 GCH1:2643 QDPR:5860 SPR:6697 ABCD1:215 PEX1:5189 PEX6:5190 PEX7:5191
PEX10:5192 PEX12:5193 PEX26:55670 PHYH:5264 SOD1:6647 FUS:2521 TARDBP:23435 C9orf72:203228 SETX:23064
VAPB:9217 DYSF:8291 CAPN3:825 SGCA:6442 SGCB:6443 SGCG:6445 SGCD:6444 FKRP:79147 FKTN:2218 POMT1:10585
POMT2:29954 LAMA2:3908 COL6A1:1291 COL6A2:1292 COL6A3:1293 EMD:2010 FHL1:2273 DNM2:1785 MTM1:4534
NEB:4703 ACTA1:58 TPM2:7169 TPM3:7170 SELENON:57190 CHRNE:1145 CHRNA1:1134 RAPSN:5913 DOK7:285489
COLQ:8292 AGRN:375790 PMP22:5376 MPZ:4359 GJB1:2705 MFN2:9927 GDAP1:54332 NEFL:4747 HSPB1:3315
HSPB8:26353 SH3TC2:79628 PRX:57716 ATXN1:6310 ATXN2:6311 ATXN3:4287 CACNA1A:773 ATXN7:6314 FXN:2395
SACS:26278 SPG7:6687 SPAST:6683 ATL1:51062 REEP1:65055 KIF5A:3798 PARK7:11315 PINK1:65018 PRKN:5071
LRRK2:120892 SNCA:6622 VPS35:55737 APP:351 PSEN1:5663 PSEN2:5664 MAPT:4137 GRN:2896 TSHR:7253 TPO:7173
TG:7038 PAX8:7849 NKX2-1:7080 DUOX2:50506 SLC5A5:6528 CYP21A2:1589 CYP11B1:1584 CYP17A1:1586 HSD3B2:3284
STAR:6770 AR:367 SRD5A2:6716 NR5A1:2516 SRY:6736 INS:3630 GCK:2645 HNF1A:6927 HNF4A:3172 HNF1B:6928
KCNJ11:3767 ABCC8:6833 PDX1:3651 NEUROD1:4760 WFS1:7466 LEP:3952 LEPR:3953 MC4R:4160 POMC:5443
PCSK1:5122 RUNX1:861 GATA2:2624 CEBPA:1050 ELANE:1991 HAX1:10456 WAS:7454 BTK:695 IL2RG:3561 ADA:100
RAG1:5896 RAG2:5897 JAK3:3718 CD40LG:959 FOXP3:50943 AIRE:326 STAT1:6772 STAT3:6774 CYBB:1536
NCF1:653361 CYBA:1535 SLC2A1:6513 ALDH7A1:501 PNPO:55163 POLG:5428 TWNK:56652 OPA1:4976 SURF1:6834
NDUFS1:4719 NDUFS4:4724 SCO2:9997 COX15:1355 ARX:170302 DCX:1641 PAFAH1B1:5048 TUBA1A:7846 RELN:5649
FLNA:2316 TCF4:6925 ZEB2:9839 UBE3A:7337 SLC9A6:10479 FOXG1:2290 MEF2C:4208 EHMT1:79813 NSD1:64324
SETD2:29072 DNMT3A:1788 EZH2:2146 KAT6A:7994 KAT6B:23522 PIK3CA:5290 AKT1:207 GNAS:2778 GNAQ:2776
FLCN:201163 BAP1:8314 SDHA:6389 SDHB:6390 SDHC:6391 SDHD:6392 MAX:4149 TMEM127:55654 FH:2271 CDKN2A:1029
CDK4:1019 POLE:5426 POLD1:5424 NTHL1:4913 MSH3:4437 RAD51C:5889 RAD51D:5892 BRIP1:83990 BARD1:580
NPHS1:4868 NPHS2:7827 WT1:7490 PAX2:5076 UMOD:7369 CLCN5:1184 OCRL:4952 SLC3A1:6519 SLC7A9:11136
AGXT:189 GRHPR:9380 HOGA1:112817 SLC12A3:6559 SLC12A1:6557 KCNJ1:3758 CLCNKB:1188 BSND:7809 COL2A1:1280
COL11A1:1301 COL11A2:1302 COL10A1:1300 COMP:1311 MATN3:4148 ACAN:176 SLC26A2:1836 COL9A1:1297 EXT1:2131
EXT2:2132 LMX1B:4010 SHOX:6473 RUNX2:860 TWIST1:7291 MSX2:4488 EFNB1:1947 ENG:2022 ACVRL1:94 GDF2:2658
BMPR2:659 KCNK3:3777 ABCC6:368 FBLN5:10516 LTBP4:8425 ATP6V0A2:23545 PYCR1:5831 KRT5:3852 KRT14:3861
COL7A1:1294 LAMB3:3914 LAMA3:3909 LAMC2:3918 COL17A1:1308 PLEC:5339 ITGB4:3691 TGM1:7051 ALOX12B:242
ABCA12:26154 FLG:2312 LMNB1:4001 GFAP:2670 EIF2B5:8893 PLP1:5354 MLC1:23209
"""
# HGNC ids of a core subset (the others carry only their NCBI Gene id).
HGNC_IDS = """
BRCA1:1100 BRCA2:1101 TP53:11998 CFTR:1884 DMD:2928 FBN1:3603 MLH1:7127 MSH2:7325 MSH6:7329 PMS2:9122
APC:583 ATM:795 PTEN:9588 RB1:9884 NF1:7765 NF2:7773 HBB:4827 PAH:8582 LDLR:6547 APOB:603 PCSK9:20001
MYH7:7577 MYBPC3:7551 SCN5A:10593 KCNQ1:6294 KCNH2:6251 LMNA:6636 TTN:12403 CDH1:1748 STK11:11389
VHL:12687 RET:9967 MEN1:7010 TSC1:12362 TSC2:12363 SMN1:11117 CHEK2:16627 PALB2:26144 MECP2:6990
FMR1:3775 HTT:4851 GJB2:4284 RYR1:10483 MUTYH:7527 PKD1:9008 PKD2:9009 COL1A1:2197 COL1A2:2198
COL3A1:2201 SCN1A:10585 KRAS:6407 BRAF:1097 PTPN11:9644 FGFR3:3690 SMAD4:6770 G6PD:4057 F8:3546
F9:3551 HFE:4886 SERPINA1:8941 ATP7B:870 GBA1:4177 HEXA:4878 GLA:4296
"""


def disease_genes() -> list[tuple[str, int, str | None]]:
    """(symbol, NCBI Gene id, HGNC id or None) of the hard-coded disease genes, in list order."""
    hgnc = dict(x.split(":") for x in HGNC_IDS.split())
    out = []
    for item in DISEASE_GENES.split():
        sym, ncbi = item.split(":")
        out.append((sym, int(ncbi), f"HGNC:{hgnc[sym]}" if sym in hgnc else None))
    return out


@dataclass(frozen=True)
class Scale:
    contigs: tuple[int, ...]  # lengths of contigs 1..N
    gene_every: int  # mean distance between gene starts
    exons_mean: float
    intron_median: float
    intron_max: int
    alt_mean: float  # mean number of alternative transcripts per gene
    gnomad_sites: int
    clinvar_per_gene: int


SCALES: dict[str, Scale] = {
    "demo": Scale((1_400_000, 1_000_000, 600_000), 15_000, 6.0, 700.0, 4_000, 1.2, 40_000, 24),
    "bench": Scale(
        contigs=(
            30_000_000,
            27_000_000,
            24_000_000,
            22_000_000,
            20_000_000,
            19_000_000,
            17_000_000,
            16_000_000,
            15_000_000,
            14_000_000,
        ),
        gene_every=100_000,
        exons_mean=9.0,
        intron_median=1_800.0,
        intron_max=60_000,
        alt_mean=3.4,
        gnomad_sites=5_000_000,
        clinvar_per_gene=30,
    ),  # fmt: skip
}

_BASES = np.frombuffer(b"ACGT", dtype=np.uint8)
_COMP = bytes.maketrans(b"ACGTN", b"TGCAN")
_SENSE = [c for c, aa in CODON_TABLE.items() if aa != "*" and c != "ATG"]
_STOPS = ["TAA", "TAG", "TGA"]


def _revcomp(seq: bytes) -> bytes:
    return seq.translate(_COMP)[::-1]


def _random_bases(rng: np.random.Generator, n: int, gc: float = 0.41) -> np.ndarray:
    p = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]
    return _BASES[rng.choice(4, size=n, p=p)]


@dataclass
class Tx:
    """A transcript in transcript orientation: exons as [a, b) offsets into the gene's pre-mRNA."""

    tid: str
    exons: list[tuple[int, int]]
    biotype: str
    ftype: str
    cds: tuple[int, int] | None = None  # [a, b) pre-mRNA offsets of the first and past-the-last CDS base
    tags: list[str] = field(default_factory=list)


@dataclass
class SynGene:
    gid: str
    symbol: str
    ncbi: int | None
    hgnc: str | None
    biotype: str
    chrom: str
    start: int  # 1-based genomic start
    strand: int
    premrna: bytes  # transcript orientation
    txs: list[Tx]

    @property
    def end(self) -> int:
        return self.start + len(self.premrna) - 1

    def genomic(self, a: int, b: int) -> tuple[int, int]:
        """1-based inclusive genomic span of pre-mRNA offsets [a, b)."""
        if self.strand == 1:
            return self.start + a, self.start + b - 1
        return self.end - (b - 1), self.end - a

    def gpos(self, off: int) -> int:
        return self.start + off if self.strand == 1 else self.end - off


def _lognormal_int(rng: np.random.Generator, median: float, sigma: float, lo: int, hi: int) -> int:
    return int(np.clip(rng.lognormal(np.log(median), sigma), lo, hi))


def _coding_gene(rng: np.random.Generator, sc: Scale, ids: _Ids) -> tuple[bytes, list[Tx]]:
    """Pre-mRNA and transcripts of a protein-coding gene (canonical first)."""
    n = 1 if rng.random() < 0.06 else int(np.clip(2 + rng.poisson(sc.exons_mean - 2), 2, 40))
    coding = [_lognormal_int(rng, 125, 0.5, 30, 900) for _ in range(n)]
    u5, u3 = _lognormal_int(rng, 150, 0.7, 15, 900), _lognormal_int(rng, 700, 0.8, 60, 4000)
    cds_len = sum(coding)
    coding[-1] += (3 - cds_len % 3) % 3
    cds_len = sum(coding)
    codons = rng.choice(len(_SENSE), size=cds_len // 3 - 2)
    cds = b"ATG" + b"".join(_SENSE[i].encode() for i in codons) + _STOPS[rng.integers(3)].encode()
    mrna = _random_bases(rng, u5).tobytes() + cds + _random_bases(rng, u3).tobytes()
    lens = list(coding)
    lens[-1] += u3
    if n > 2 and u5 > 60 and rng.random() < 0.3:  # a non-coding first exon
        f = int(rng.integers(30, u5 - 20))
        lens = [f, u5 - f + lens[0], *lens[1:]]
    else:
        lens[0] += u5
    cds_off = u5
    pieces, exons, pos, done = [], [], 0, 0
    for i, ln in enumerate(lens):
        if i:
            il = _lognormal_int(rng, sc.intron_median, 0.9, 80, sc.intron_max)
            pieces.append(b"GT" + _random_bases(rng, il - 4, 0.38).tobytes() + b"AG")
            pos += il
        pieces.append(mrna[done : done + ln])
        exons.append((pos, pos + ln))
        pos += ln
        done += ln
    pre = b"".join(pieces)
    cds_span = (_tx_to_pre(exons, cds_off), _tx_to_pre(exons, cds_off + cds_len - 1) + 1)
    txs = [Tx(ids.tx(), exons, "protein_coding", "mRNA", cds_span)]
    for _ in range(int(rng.poisson(sc.alt_mean))):
        alt = _alternative(rng, pre, exons, cds_span, ids)
        if alt is not None and all(alt.exons != t.exons for t in txs):
            txs.append(alt)
    return pre, txs


def _tx_to_pre(exons: list[tuple[int, int]], off: int) -> int:
    for a, b in exons:
        if off < b - a:
            return a + off
        off -= b - a
    raise ValueError("offset beyond the transcript")


def spliced(pre: bytes, exons: list[tuple[int, int]]) -> bytes:
    return b"".join(pre[a:b] for a, b in exons)


def coding_sequence(pre: bytes, exons: list[tuple[int, int]], cds: tuple[int, int]) -> bytes:
    """The CDS of a transcript (transcript orientation) from its pre-mRNA offsets."""
    return b"".join(pre[max(a, cds[0]) : min(b, cds[1])] for a, b in exons if b > cds[0] and a < cds[1])


def _translates(seq: bytes) -> bool:
    if len(seq) % 3 or seq[:3] != b"ATG":
        return False
    aas = [CODON_TABLE.get(seq[i : i + 3].decode(), "X") for i in range(0, len(seq), 3)]
    return aas[-1] == "*" and "*" not in aas[:-1]


def _alternative(
    rng: np.random.Generator, pre: bytes, exons: list[tuple[int, int]], cds: tuple[int, int], ids: _Ids
) -> Tx | None:
    kind = rng.choice(
        ["skip", "utr3", "utr5", "retained_intron", "processed_transcript"], p=[0.35, 0.2, 0.15, 0.15, 0.15]
    )
    n = len(exons)
    if kind == "skip" and n >= 3:
        k = int(rng.integers(1, n - 1))
        a, b = exons[k]
        ex = exons[:k] + exons[k + 1 :]
        if cds[0] < a and b < cds[1] and _translates(coding_sequence(pre, ex, cds)):
            return Tx(ids.tx(), ex, "protein_coding", "mRNA", cds)
        return None
    if kind == "utr3" and exons[-1][1] - cds[1] > 80:
        a, b = exons[-1]
        cut = int(rng.integers(max(a, cds[1]) + 30, b - 20))
        return Tx(ids.tx(), [*exons[:-1], (a, cut)], "protein_coding", "mRNA", cds)
    if kind == "utr5" and cds[0] - exons[0][0] > 40 and exons[0][1] > cds[0]:
        a, b = exons[0]
        return Tx(
            ids.tx(), [(int(rng.integers(a + 10, cds[0] - 5)), b), *exons[1:]], "protein_coding", "mRNA", cds
        )
    if kind == "retained_intron" and n >= 3:
        k = int(rng.integers(0, n - 1))
        lo, hi = max(0, k - 1), min(n, k + 3)
        ex = [*exons[lo:k], (exons[k][0], exons[k + 1][1]), *exons[k + 2 : hi]]
        return Tx(ids.tx(), ex, "retained_intron", "transcript")
    if kind == "processed_transcript" and n >= 3:
        k = int(rng.integers(0, n - 2))
        return Tx(ids.tx(), exons[k : k + 2 + int(rng.integers(0, 2))], "processed_transcript", "transcript")
    return None


def _lnc_gene(rng: np.random.Generator, sc: Scale, ids: _Ids) -> tuple[bytes, list[Tx]]:
    n = int(rng.integers(2, 5))
    pieces, exons, pos = [], [], 0
    for i in range(n):
        if i:
            il = _lognormal_int(rng, sc.intron_median * 1.5, 0.9, 80, sc.intron_max)
            pieces.append(b"GT" + _random_bases(rng, il - 4, 0.38).tobytes() + b"AG")
            pos += il
        ln = _lognormal_int(rng, 300, 0.7, 50, 3000)
        pieces.append(_random_bases(rng, ln).tobytes())
        exons.append((pos, pos + ln))
        pos += ln
    return b"".join(pieces), [Tx(ids.tx(), exons, "lncRNA", "lnc_RNA")]


class _Ids:
    def __init__(self) -> None:
        self.g = self.t = 0

    def gene(self) -> str:
        self.g += 1
        return f"ENSSYNG{self.g:011d}"

    def tx(self) -> str:
        self.t += 1
        return f"ENSSYNT{self.t:011d}"


def place_genes(rng: np.random.Generator, sc: Scale) -> tuple[dict[str, np.ndarray], list[SynGene]]:
    """Random contigs with genes written into them (non-overlapping, both strands)."""
    ids = _Ids()
    known = disease_genes()
    pool = [known[i] for i in rng.permutation(len(known))]
    seqs: dict[str, np.ndarray] = {}
    genes: list[SynGene] = []
    n_coding = n_lnc = 0
    for ci, length in enumerate(sc.contigs, 1):
        chrom = str(ci)
        seq = _random_bases(rng, length)
        pos = int(rng.integers(2_000, sc.gene_every // 2))
        while True:
            lnc = rng.random() < 0.15
            pre, txs = _lnc_gene(rng, sc, ids) if lnc else _coding_gene(rng, sc, ids)
            if pos + len(pre) + 2_000 > length:
                break
            strand = 1 if rng.random() < 0.5 else -1
            ncbi: int | None = None
            hgnc: str | None = None
            if lnc:
                n_lnc += 1
                symbol = f"SYNLNC{n_lnc:05d}"
            elif pool:
                symbol, ncbi, hgnc = pool.pop()
            else:
                n_coding += 1
                symbol = f"SYNGENE{n_coding:05d}"
            txs[0].tags = ["basic", "Ensembl_canonical"] + (["MANE_Select"] if not lnc else [])
            for t in txs[1:]:
                t.tags = ["basic"] if t.cds else []
            biotype = "lncRNA" if lnc else "protein_coding"
            g = SynGene(ids.gene(), symbol, ncbi, hgnc, biotype, chrom, pos, strand, pre, txs)
            body = pre if strand == 1 else _revcomp(pre)
            seq[pos - 1 : pos - 1 + len(body)] = np.frombuffer(body, dtype=np.uint8)
            genes.append(g)
            pos += max(len(pre) + 1_000, int(rng.exponential(sc.gene_every)))
        seqs[chrom] = seq
    return seqs, genes


def write_fasta(seqs: dict[str, np.ndarray], path: Path, seed: int) -> None:
    with BgzfWriter(path, level=4) as out:
        for name, seq in seqs.items():
            out.write(f">{name} {NOT_HUMAN} seed={seed} length={len(seq)}\n".encode())
            width = 60
            full = len(seq) // width * width
            lines = np.hstack([seq[:full].reshape(-1, width), np.full((full // width, 1), 10, np.uint8)])
            out.write(lines.tobytes())
            if full < len(seq):
                out.write(seq[full:].tobytes() + b"\n")
    index_fasta(path)


def _gff_lines(g: SynGene, exon_ids: dict[tuple[str, int, int], str]) -> list[tuple[int, str]]:
    strand = "+" if g.strand == 1 else "-"
    rows: list[tuple[int, str]] = []

    def add(ftype: str, a: int, b: int, attrs: str, phase: str = ".") -> None:
        s, e = g.genomic(a, b)
        rows.append((s, f"{g.chrom}\tsynthetic\t{ftype}\t{s}\t{e}\t.\t{strand}\t{phase}\t{attrs}"))

    xref = ",".join(
        x for x in (f"GeneID:{g.ncbi}" if g.ncbi else "", f"HGNC:{g.hgnc}" if g.hgnc else "") if x
    )
    gattrs = (
        f"ID=gene:{g.gid};Name={g.symbol};biotype={g.biotype};description=synthetic gene ({NOT_HUMAN});"
        f"gene_id={g.gid};logic_name=synthetic;version=1" + (f";Dbxref={xref}" if xref else "")
    )
    add("gene", 0, len(g.premrna), gattrs)
    for k, t in enumerate(g.txs):
        tag = f";tag={','.join(t.tags)}" if t.tags else ""
        add(
            t.ftype, t.exons[0][0], t.exons[-1][1],
            f"ID=transcript:{t.tid};Parent=gene:{g.gid};Name={g.symbol}-{201 + k};biotype={t.biotype}"
            f"{tag};transcript_id={t.tid};version=1",
        )  # fmt: skip
        parent = f"Parent=transcript:{t.tid}"
        done = 0
        pid = t.tid[:6] + "P" + t.tid[7:]
        for rank, (a, b) in enumerate(t.exons, 1):
            eid = exon_ids.setdefault((g.gid, a, b), f"ENSSYNE{len(exon_ids) + 1:011d}")
            add("exon", a, b, f"{parent};Name={eid};exon_id={eid};rank={rank};version=1")
            if t.cds is None:
                continue
            c0, c1 = t.cds
            if a < c0:
                add("five_prime_UTR", a, min(b, c0), parent)
            if b > c0 and a < c1:
                s, e = max(a, c0), min(b, c1)
                add("CDS", s, e, f"ID=CDS:{pid};{parent};protein_id={pid}", str((3 - done % 3) % 3))
                done += e - s
            if b > c1:
                add("three_prime_UTR", max(a, c1), b, parent)
    return sorted(rows, key=lambda r: r[0])


def write_gff(genes: list[SynGene], contigs: dict[str, int], path: Path) -> None:
    text = io.StringIO()
    text.write(f"##gff-version 3\n#!genome-build {NOT_HUMAN}\n#!genome-version {NOT_HUMAN}\n")
    for name, length in contigs.items():
        text.write(f"##sequence-region   {name} 1 {length}\n")
    exon_ids: dict[tuple[str, int, int], str] = {}
    for g in genes:
        for _, line in _gff_lines(g, exon_ids):
            text.write(line + "\n")
        text.write("###\n")
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as fh:
        fh.write(text.getvalue().encode())
