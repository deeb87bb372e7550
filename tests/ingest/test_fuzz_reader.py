"""Fuzzing the VCF reader, the validator and the ingest pipeline.

Property: a VCF (plain, gzip, BGZF, bzip2 — or garbage posing as one) is either accepted or refused with
:class:`~vardesk.domain.errors.Invalid` whose message names the problem — with the line, when a line of an
intact plain file is at fault — and never with any other exception, never slowly. A file the validator
accepts is ingested or refused the same way, and a refusal leaves nothing in the output directory.
Inputs built from a valid header with mutated records, and raw bytes; a crash found is kept as an
``@example`` case.
"""

from __future__ import annotations

import bz2
import gzip
import tempfile
import zlib
from pathlib import Path

import pysam
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzzing import decodes, fuzz_settings
from vardesk.domain.errors import Invalid
from vardesk.ingest.pipeline import ingest_vcf
from vardesk.ingest.sniff import Limits
from vardesk.ingest.validate import validate_vcf

LIMITS = Limits(max_line_bytes=4096, block_bytes=1 << 12)  # small blocks: records straddle blocks

HEADER_LINES = [
    "##contig=<ID=chr1,length=248956422>",
    "##contig=<ID=chrX,length=156040895>",
    "##contig=<ID=chrM,length=16569>",
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '##INFO=<ID=END,Number=1,Type=Integer,Description="End of a block">',
    '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
    '##FORMAT=<ID=PS,Number=1,Type=Integer,Description="Phase set">',
    '##FORMAT=<ID=AF,Number=A,Type=Float,Description="VAF">',
    '##FORMAT=<ID=MIN_DP,Number=1,Type=Integer,Description="Block depth">',
    '##ALT=<ID=NON_REF,Description="Any other allele">',
]

NUM = st.integers(min_value=0, max_value=300).map(str)
WEIRD = st.sampled_from(
    [
        "",
        ".",
        "-1",
        "0",
        "+5",
        "1e5",
        "nan",
        "inf",
        "-",
        "1,",
        ",1",
        "1,,2",
        "٣",
        "1.5",
        "99999999999999999999",
        "2147483647",
        "-2147483649",
        " 1",
        "\\",
        ";",
        ":",
        "=",
        "<",
        ">",
        "[",
        "]",
        "*",
        "é",
        "\u2028",
    ]
)
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\t\n"), max_size=12)


def field(good: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Mostly a good value, sometimes an odd one or any text."""
    return st.one_of(good, good, good, WEIRD, TEXT)


CHROM = field(st.sampled_from(["chr1", "chrX", "chrM", "chr2", "1", "X", "MT", "chrUn_gl000220"]))
POS = field(st.one_of(st.integers(1, 20000).map(str), st.sampled_from(["248956422", "248956423", "16570"])))
BASES = st.text(alphabet="ACGTN", min_size=1, max_size=6)
REF = field(BASES)
ALT = field(
    st.one_of(
        st.lists(BASES, min_size=1, max_size=3).map(",".join),
        st.sampled_from([".", "<NON_REF>", "<*>", "A,<NON_REF>", "*", "G]chr1:100]", "<DEL>", "A.", ".A"]),
    )
)
QUAL = field(st.one_of(NUM, st.sampled_from([".", "50.5", "1e3"])))
FILTER = field(st.sampled_from(["PASS", ".", "LowQual", "q10;s50"]))
INFO = field(
    st.lists(
        st.one_of(
            st.builds("DP={}".format, field(NUM)),
            st.builds("END={}".format, field(st.integers(1, 30000).map(str))),
            st.builds("AF={}".format, field(st.sampled_from(["0.5", "0.1,0.2", "."]))),
            st.sampled_from(["DB", "X=1", "=", ";", "END", "END="]),
        ),
        max_size=3,
    ).map(lambda items: ";".join(items) or ".")
)
TAG_VALUES = {
    "GT": field(
        st.sampled_from(
            [
                "0/1",
                "1/1",
                "0|1",
                "1|0",
                "./.",
                ".",
                "0",
                "1",
                "1/2",
                "2/2",
                "0/3",
                "0/1/2",
                ".|1",
                "1/.",
                "0/1|2",
                "a/b",
                "/",
                "|",
                "0/",
            ]
        )
    ),
    "AD": field(st.lists(NUM, min_size=1, max_size=4).map(",".join)),
    "DP": field(NUM),
    "GQ": field(st.one_of(NUM, st.just("99.5"))),
    "PS": field(NUM),
    "AF": field(st.sampled_from(["0.5", "0.25,0.75", ".", "1"])),
    "MIN_DP": field(NUM),
}
FORMAT_KEYS = st.lists(st.sampled_from(sorted(TAG_VALUES)), unique=True, max_size=5)


@st.composite
def record(draw: st.DrawFn, samples: int) -> str:
    keys = draw(FORMAT_KEYS)
    if draw(st.booleans()) and "GT" in keys:
        keys.remove("GT")
        keys.insert(0, "GT")
    cols = [
        draw(CHROM),
        draw(POS),
        draw(st.sampled_from([".", "rs1", "id;2"])),
        draw(REF),
        draw(ALT),
        draw(QUAL),
        draw(FILTER),
        draw(INFO),
    ]
    if samples:
        fmt = ":".join(keys) or draw(st.sampled_from([".", "GT", ""]))
        cols.append(fmt)
        for _ in range(samples):
            values = [draw(TAG_VALUES[k]) for k in keys] if keys else [draw(TAG_VALUES["GT"])]
            cut = draw(st.integers(0, len(values)))  # trailing fields may be dropped
            cols.append(":".join(values[: max(cut, 1)]))
    if draw(st.integers(0, 9)) == 0:  # wrong column count
        if draw(st.booleans()) and len(cols) > 1:
            del cols[draw(st.integers(0, len(cols) - 1))]
        else:
            cols.insert(draw(st.integers(0, len(cols))), draw(TEXT))
    return "\t".join(cols)


def bgzip(data: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.vcf.gz"
        with pysam.BGZFile(str(path), "wb") as fh:
            fh.write(data)
        return path.read_bytes()


COMPRESS = {
    "plain": lambda b: b,
    "gzip": gzip.compress,
    "bgzf": bgzip,
    "bzip2": bz2.compress,
    "zlib-raw": lambda b: zlib.compress(b)[2:],  # deflate without a gzip header: plain garbage
}


@st.composite
def vcf_file(draw: st.DrawFn) -> tuple[bytes, str, int]:
    """(file bytes, compression, lines of text — 0 when the header, encoding or compression is broken)."""
    samples = draw(st.integers(0, 3))
    version = draw(st.sampled_from(["4.1", "4.2", "4.3", "4.5"]))
    meta = draw(st.lists(st.sampled_from(HEADER_LINES), unique=True, min_size=0, max_size=len(HEADER_LINES)))
    names = [f"S{i}" for i in range(samples)]
    chrom_line = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO" + (
        "\tFORMAT\t" + "\t".join(names) if samples else ""
    )
    records = draw(st.lists(record(samples), min_size=0, max_size=12))
    lines = [f"##fileformat=VCFv{version}", *meta, chrom_line, *records]
    intact = True
    if draw(st.integers(0, 5)) == 0:  # break the header
        i = draw(st.integers(0, len(meta) + 1))
        lines[i] = draw(
            st.one_of(TEXT, st.sampled_from(["", "#", "##", "##INFO=<ID=X>", "##contig=<ID=chr1>"]))
        )
        intact = False
    eol = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    text = eol.join(lines) + draw(st.sampled_from([eol, "", eol * 3]))
    data = text.encode()
    if draw(st.integers(0, 5)) == 0:  # bad encoding: bytes spliced into the text
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        intact = False
    compression = draw(st.sampled_from(sorted(COMPRESS)))
    data = COMPRESS[compression](data)
    if compression != "plain" and draw(st.integers(0, 3)) == 0:  # truncated or flipped compressed bytes
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]
        elif data:
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        intact = False
    intact = intact and eol != "\r" and compression != "zlib-raw"
    return data, compression, text.count("\n") + 1 if intact else 0


def check(data: bytes, *, lines: int = 0) -> None:
    """Validate, then ingest what validates; only clean refusals, with a line where a line is at fault."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.vcf"
        path.write_bytes(data)
        header, error = decodes(validate_vcf, path, expected_build="GRCh38", **_limits())
        if error is not None:
            assert isinstance(error, Invalid), repr(error)
            if lines:  # an intact file: the refusal names a line of it
                line = error.details.get("line")
                assert isinstance(line, int) and 1 <= line <= lines, (error.message, line)
            return
        out = Path(tmp) / "out"
        _, error = decodes(ingest_vcf, path, out, expected_build="GRCh38", limits=LIMITS)
        if error is not None:
            assert isinstance(error, Invalid), repr(error)
            assert not out.exists() or not any(out.iterdir())
            assert [p.name for p in Path(tmp).iterdir()] == ["in.vcf"], "ingest left files behind"


def _limits() -> dict[str, int]:
    return {"max_line_bytes": LIMITS.max_line_bytes}


@fuzz_settings(200)
@given(vcf_file())
def test_structured_vcfs_are_accepted_or_refused_with_a_line(case: tuple[bytes, str, int]) -> None:
    data, _, lines = case
    check(data, lines=lines)


@fuzz_settings(300)
@given(
    st.one_of(st.binary(max_size=600), st.binary(max_size=200).map(lambda b: b"##fileformat=VCFv4.2\n" + b))
)
@example(b"\x1f\x8b")
@example(b"BZh9")
def test_raw_bytes_are_accepted_or_refused(data: bytes) -> None:
    check(data)


@fuzz_settings(150)
@given(st.binary(max_size=300), st.sampled_from(["gzip", "bgzf", "bzip2"]))
def test_compressed_garbage_is_refused(data: bytes, compression: str) -> None:
    check(COMPRESS[compression](data))
