"""A corpus of malformed VCFs: each is rejected with its precise reason and line, leaving nothing behind."""

from __future__ import annotations

import bz2
import gzip

import pytest

from tests.ingest.conftest import CHROM_LINE, HEADER
from vardesk.domain.errors import Invalid
from vardesk.ingest.pipeline import ingest_vcf
from vardesk.ingest.sniff import Limits
from vardesk.ingest.validate import validate_vcf

GOOD = "chr1\t100\t.\tA\tG\t50\tPASS\tDP=10\tGT:AD:DP:GQ\t0/1:5,5:10:99\n"
FIRST = HEADER.count("\n") + 2  # line number of the first record


def rec(pos: str = "100", ref: str = "A", alt: str = "G", qual: str = "50", chrom: str = "chr1") -> str:
    return f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t{qual}\tPASS\tDP=10\tGT:AD:DP:GQ\t0/1:5,5:10:99\n"


def vcf(*records: str, header: str = HEADER, chrom_line: str = CHROM_LINE) -> bytes:
    return (header + chrom_line + "".join(records)).encode()


def _gz(data: bytes) -> bytes:
    return gzip.compress(data)


_BIG = vcf(*[GOOD] * 2000)
_NO_CONTIGS = "".join(line + "\n" for line in HEADER.splitlines() if "contig" not in line)
_SITES_ONLY = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"

# (id, file bytes, message fragment, line or None, extra ingest keyword arguments)
CASES = [
    ("empty", b"", "empty file", None, {}),
    ("empty-gzip", _gz(b""), "empty file", None, {}),
    ("no-fileformat", vcf(GOOD, header=HEADER.split("\n", 1)[1]), "missing ##fileformat", 1, {}),
    ("old-fileformat", vcf(GOOD, header=HEADER.replace("VCFv4.2", "VCFv3.3")), "unsupported", 1, {}),
    ("no-chrom-line", HEADER.encode(), "no #CHROM header line", FIRST - 2, {}),
    ("record-before-chrom", (HEADER + GOOD).encode(), "missing #CHROM line", FIRST - 1, {}),
    (
        "chrom-line-spaces",
        vcf(GOOD, chrom_line=CHROM_LINE.replace("\t", " ")),
        "not tab-separated",
        FIRST - 1,
        {},
    ),
    (
        "chrom-line-columns",
        vcf(GOOD, chrom_line="#CHROM\tPOS\tID\tREF\tALT\n"),
        "must start with",
        FIRST - 1,
        {},
    ),
    (
        "duplicate-samples",
        vcf(chrom_line=CHROM_LINE.replace("S1\n", "S1\tS2\tS1\n")),
        "'S1' is named twice",
        FIRST - 1,
        {},
    ),
    (
        "empty-sample-name",
        vcf(chrom_line=CHROM_LINE.replace("S1\n", "\tS2\n")),
        "empty sample name",
        FIRST - 1,
        {},
    ),
    (
        "ninth-not-format",
        vcf(chrom_line=CHROM_LINE.replace("FORMAT", "FMT")),
        "must be FORMAT",
        FIRST - 1,
        {},
    ),
    (
        "too-few-columns",
        vcf(GOOD, GOOD, "chr1\t300\t.\tA\tG\t50\tPASS\tDP=3\tGT\n"),
        "has 9 tab-separated columns but the #CHROM header line has 10",
        FIRST + 2,
        {},
    ),
    (
        "too-many-columns",
        vcf(GOOD, GOOD.replace("\n", "\textra\n")),
        "has 11 tab-separated columns",
        FIRST + 1,
        {},
    ),
    ("pos-not-number", vcf(GOOD, rec(pos="12a")), "POS '12a' is not a number", FIRST + 1, {}),
    ("pos-negative", vcf(GOOD, GOOD, rec(pos="-5")), "POS '-5' is out of range", FIRST + 2, {}),
    (
        "pos-beyond-contig",
        vcf(GOOD, rec(pos="300000000")),
        "POS '300000000' is beyond the end of contig chr1 (length 248956422 in the ##contig header line)",
        FIRST + 1,
        {},
    ),
    ("ref-illegal", vcf(GOOD, rec(ref="A1")), "REF 'A1' has characters other than", FIRST + 1, {}),
    ("alt-illegal", vcf(rec(alt="G!")), "ALT 'G!' is not a valid allele list", FIRST, {}),
    ("alt-empty-allele", vcf(GOOD, rec(alt="C,,T")), "ALT 'C,,T' is not a valid allele list", FIRST + 1, {}),
    ("alt-trailing-comma", vcf(GOOD, GOOD, rec(alt="C,")), "ALT 'C,' is not a valid", FIRST + 2, {}),
    ("ref-empty", vcf(GOOD, rec(ref="")), "empty REF field", FIRST + 1, {}),
    ("qual-word", vcf(GOOD, rec(qual="high")), "QUAL 'high' is not a number", FIRST + 1, {}),
    ("chrom-with-space", vcf(GOOD, rec(chrom="chr 1")), "invalid CHROM 'chr 1'", FIRST + 1, {}),
    (
        "nul-bytes",
        vcf(GOOD, "chr1\t200\t.\tA\tG\t5\x00\x00\tPASS\tDP=1\tGT\t0/1\n"),
        "binary or control characters",
        FIRST + 1,
        {},
    ),
    (
        "lone-cr",
        vcf(GOOD, GOOD, "chr1\t200\t.\tA\tG\t5\r0\tPASS\tDP=1\tGT:AD:DP:GQ\t0/1\n"),
        "binary or control characters",
        FIRST + 2,
        {},
    ),
    ("binary-file", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary content", 1, {}),
    ("empty-line-in-body", vcf(GOOD, "\n", GOOD), "empty line", FIRST + 1, {}),
    (
        "blank-line-in-header",
        (HEADER + "\n" + CHROM_LINE + GOOD).encode(),
        "empty line in the header",
        FIRST - 1,
        {},
    ),
    (
        "header-after-records",
        vcf(GOOD, '##INFO=<ID=X,Number=1,Type=String,Description="x">\t.\t.\t.\t.\t.\t.\t.\t.\t.\n'),
        "header line after the first record",
        FIRST + 1,
        {},
    ),
    (
        "info-without-id",
        vcf(GOOD, header=HEADER + '##INFO=<Number=1,Type=Integer,Description="x">\n'),
        "##INFO line without ID",
        FIRST - 1,
        {},
    ),
    (
        "info-bad-number",
        vcf(GOOD, header=HEADER + '##INFO=<ID=X,Number=many,Type=Integer,Description="x">\n'),
        "invalid Number 'many'",
        FIRST - 1,
        {},
    ),
    (
        "format-bad-type",
        vcf(GOOD, header=HEADER + '##FORMAT=<ID=X,Number=1,Type=Int,Description="x">\n'),
        "invalid Type 'Int'",
        FIRST - 1,
        {},
    ),
    (
        "unterminated-quote",
        vcf(GOOD, header=HEADER + '##INFO=<ID=X,Number=1,Type=String,Description="open>\n'),
        "unterminated quoted value",
        FIRST - 1,
        {},
    ),
    (
        "contig-bad-length",
        vcf(GOOD, header=HEADER + "##contig=<ID=chr2,length=big>\n"),
        "non-numeric length 'big'",
        FIRST - 1,
        {},
    ),
    (
        "contig-twice",
        vcf(GOOD, header=HEADER + "##contig=<ID=chr1,length=248956422>\n"),
        "##contig chr1 is declared twice",
        FIRST - 1,
        {},
    ),
    ("meta-without-value", vcf(GOOD, header=HEADER + "##justtext\n"), "malformed header line", FIRST - 1, {}),
    (
        "line-too-long",
        vcf(GOOD, GOOD.replace("DP=10", "DP=10;X=" + "A" * 400)),
        "line longer than the limit of 300 bytes",
        FIRST + 1,
        {"limits": Limits(max_line_bytes=300)},
    ),
    ("truncated-gzip", _gz(_BIG)[:-200], "truncated gzip", None, {}),
    (
        "corrupt-gzip",
        (lambda b: b[:40] + bytes(x ^ 0x5A for x in b[40:80]) + b[80:])(_gz(_BIG)),
        "corrupt gzip data",
        None,
        {},
    ),
    ("truncated-bzip2", bz2.compress(_BIG)[:-100], "truncated bzip2", None, {}),
    (
        "decompression-bomb",
        _gz(_BIG),
        "possible decompression bomb",
        None,
        {"limits": Limits(max_ratio=20, ratio_grace_bytes=10_000)},
    ),
    (
        "build-contradiction",
        vcf(GOOD),
        "file is GRCh38 (contig chr1 length 248956422) but GRCh37 was expected",
        None,
        {"expected_build": "GRCh37"},
    ),
    (
        "build-mix",
        vcf(GOOD, header=HEADER.replace("156040895", "155270560")),
        "contig lengths mix GRCh37 and GRCh38",
        None,
        {},
    ),
    ("build-unknown", vcf(GOOD, header=_NO_CONTIGS), "cannot tell the genome build", None, {}),
    (
        "sites-only",
        vcf("chr1\t100\t.\tA\tG\t50\tPASS\tDP=10\n", chrom_line=_SITES_ONLY),
        "no sample columns",
        None,
        {},
    ),
]


@pytest.mark.parametrize(
    ("data", "message", "line", "kwargs"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_malformed_file_is_rejected_precisely_and_leaves_nothing(tmp_path, data, message, line, kwargs):
    src = tmp_path / "upload.vcf.gz"  # the name says gzip whatever the bytes are
    src.write_bytes(data)
    work = tmp_path / "work"
    work.mkdir()
    out = work / "genome"
    with pytest.raises(Invalid) as err:
        ingest_vcf(src, out, **kwargs)
    assert message in err.value.message
    assert err.value.details.get("line") == line
    assert list(work.iterdir()) == []


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c[0] in ("pos-not-number", "duplicate-samples", "truncated-gzip")],
    ids=lambda c: c[0],
)
def test_validate_vcf_reports_the_same_errors(tmp_path, case):
    _, data, message, line, _ = case
    src = tmp_path / "x.vcf"
    src.write_bytes(data)
    with pytest.raises(Invalid) as err:
        validate_vcf(src)
    assert message in err.value.message
    assert err.value.details.get("line") == line
