"""Streaming VCF reader: header first, then validated body chunks as Arrow string tables.

The body is read in blocks of a few MiB cut at line boundaries; each block is checked with
vectorised byte and Arrow operations (control bytes, line length, column count, POS, REF, ALT,
QUAL, empty fields, contig names and lengths) and parsed by the Arrow CSV reader. A failing check
is reported as :class:`Invalid` with the 1-based line number of the first offending line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from vardesk.domain.errors import Invalid
from vardesk.ingest.header import HeaderInfo, HeaderParser
from vardesk.ingest.sniff import Limits, decompressed_blocks

_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 13)) + b"\x7f"
_CONTROL_RE = re.compile(b"[" + re.escape(_CONTROL) + b"]")
_IUPAC = b"ACGTNRYSWKMBDHVacgtnryswkmbdhv"
_PLAIN_ALT = b"ACGTNacgtn*,"
_ALLELE = (
    r"(?:[ACGTNRYSWKMBDHVacgtnryswkmbdhv]+|\*|<[^<>,\s]+>|"
    r"[ACGTNacgtn]*[\[\]][^\[\],\s]+[\[\]][ACGTNacgtn]*|\.[ACGTNacgtn]+|[ACGTNacgtn]+\.)"
)
_ALT_RE = rf"^(?:\.|{_ALLELE}(?:,{_ALLELE})*)$"
_QUAL_RE = r"^(?:\.|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:[Nn]a[Nn]|[Ii]nf))$"
_CHROM_BAD = re.compile(r"[\s,\"'`()\[\]{}<>*=]|^#")
MAX_POS = (1 << 31) - 2


@dataclass
class Chunk:
    """A validated block of records: ``table`` has one string column per VCF column."""

    first_line: int
    table: pa.Table


def _excerpt(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:40] + "…")


class VcfReader:
    """Open ``path`` (any compression), parse and check the header; :meth:`chunks` streams the body."""

    def __init__(self, path: Path | str, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        comp, self._blocks, self._counter = decompressed_blocks(path, self.limits)
        self._carry = b""
        self._line = 0
        self.header = self._read_header()
        self.header.compression = comp.value
        # samples are S0, S1, … internally (a sample may be called "POS")
        self._names = ["CHROM", *self.header.columns[1:9]] + [
            f"S{i}" for i in range(len(self.header.samples))
        ]
        self._ncols = len(self._names)
        self._contig_len = {k: v for k, v in self.header.contigs.items() if v}
        self._chroms_seen: set[str] = set()
        self.records = 0
        self.gvcf_records = False

    @property
    def bytes_read(self) -> int:
        """Bytes of the (compressed) file behind the records handed out so far (not those read ahead)."""
        consumed = self._counter.consumed
        return self._counter.read if consumed is None else consumed

    # -- header -------------------------------------------------------------------------------
    def _next_block(self) -> bytes | None:
        return next(self._blocks, None)

    def _read_header(self) -> HeaderInfo:
        parser = HeaderParser()
        buf = b""
        pos = 0
        got_any = False
        while True:
            nl = buf.find(b"\n", pos)
            if nl < 0:
                more = self._next_block()
                if more is None:
                    if not got_any and not buf:
                        raise Invalid("empty file")
                    if buf[pos:].strip():
                        nl = len(buf)
                        buf += b"\n"
                    else:
                        raise Invalid("no #CHROM header line (file ends inside the header)", line=self._line)
                else:
                    got_any = True
                    buf = buf[pos:] + more
                    pos = 0
                    if len(buf) > self.limits.max_line_bytes and buf.find(b"\n") < 0:
                        raise Invalid(
                            f"line longer than the limit of {self.limits.max_line_bytes} bytes",
                            line=self._line + 1,
                        )
                    continue
            raw = buf[pos:nl]
            pos = nl + 1
            self._line += 1
            line = self._line
            if b"\x00" in raw or _CONTROL_RE.search(raw):
                raise Invalid("binary content: not a VCF text file", line=line)
            if len(raw) > self.limits.max_line_bytes:
                raise Invalid(f"line longer than the limit of {self.limits.max_line_bytes} bytes", line=line)
            text = raw.decode("utf-8", errors="replace").rstrip("\r")
            if line == 1 and not text.startswith("##fileformat="):
                if _CONTROL_RE.search(buf[:1024]):
                    raise Invalid("binary content: not a VCF text file", line=1)
                parser.meta_line(text, 1)
            if text.startswith("##"):
                parser.meta_line(text, line)
            elif text.startswith("#"):
                header = parser.chrom_line(text, line)
                self._carry = buf[pos:]
                return header
            elif not text.strip():
                raise Invalid("empty line in the header", line=line)
            else:
                raise Invalid("record before the #CHROM header line (missing #CHROM line)", line=line)

    # -- body ---------------------------------------------------------------------------------
    def _body_blocks(self) -> Iterator[bytes]:
        """Blocks of whole lines, each ending with a newline."""
        carry = self._carry
        self._carry = b""
        limit = self.limits.max_line_bytes
        while True:
            more = self._next_block()
            if more is None:
                break
            buf = carry + more if carry else more
            cut = buf.rfind(b"\n")
            if cut < 0:
                carry = buf
                if len(carry) > limit:
                    raise Invalid(f"line longer than the limit of {limit} bytes", line=self._line + 1)
                continue
            carry = buf[cut + 1 :]
            if len(carry) > limit:
                raise Invalid(f"line longer than the limit of {limit} bytes", line=self._line + 1)
            yield buf[: cut + 1]
        if carry.strip():
            yield carry + b"\n"

    def chunks(self) -> Iterator[Chunk]:
        pending_blank: int | None = None
        for block in self._body_blocks():
            first = self._line + 1
            body, nrec, blank_tail, total = self._check_bytes(block, first)
            if pending_blank is not None and nrec:
                raise Invalid("empty line", line=pending_blank)
            if blank_tail is not None and pending_blank is None:
                pending_blank = first + blank_tail
            self._line = first - 1 + total
            if not nrec:
                continue
            table = self._parse(body, first)
            self._check_columns(table, first)
            self.records += table.num_rows
            yield Chunk(first, table)

    def _check_bytes(self, block: bytes, first: int) -> tuple[bytes, int, int | None, int]:
        """Byte checks; (block without trailing blank lines, records, first trailing blank, lines)."""
        has_cr = b"\r" in block
        if len(block.translate(None, _CONTROL)) != len(block) or (
            has_cr and block.count(b"\r") != block.count(b"\r\n")
        ):
            m = _CONTROL_RE.search(block)
            at = m.start() if m else block.find(b"\r")
            while block.find(b"\r\n", at) == at and at >= 0:
                at = block.find(b"\r", at + 1)
            line = first + block.count(b"\n", 0, at)
            raise Invalid("binary or control characters in a record (corrupt or not a text VCF)", line=line)
        arr = np.frombuffer(block, dtype=np.uint8)
        nl = np.flatnonzero(arr == 10)
        total = len(nl)
        starts = np.empty_like(nl)
        starts[0] = 0
        starts[1:] = nl[:-1] + 1
        lengths = nl - starts
        content = lengths - (arr[np.maximum(nl - 1, 0)] == 13) if has_cr else lengths
        blank = np.flatnonzero(content == 0)
        blank_tail: int | None = None
        if len(blank):
            # blank lines are only tolerated at the very end of the file
            tail_start = len(content)
            while tail_start > 0 and content[tail_start - 1] == 0:
                tail_start -= 1
            if blank[0] < tail_start:
                raise Invalid("empty line", line=first + int(blank[0]))
            blank_tail = tail_start
            block = block[: int(starts[tail_start])] if tail_start else b""
            nl, lengths = nl[:tail_start], lengths[:tail_start]
        n = len(nl)
        if n and int(lengths.max()) > self.limits.max_line_bytes:
            i = int(np.argmax(lengths > self.limits.max_line_bytes))
            raise Invalid(f"line longer than the limit of {self.limits.max_line_bytes} bytes", line=first + i)
        return block, n, blank_tail, total

    def _column_counts(self, block: bytes, first: int) -> None:
        """Locate the first record whose column count differs from the header's (slow path)."""
        arr = np.frombuffer(block, dtype=np.uint8)
        nl = np.flatnonzero(arr == 10)
        if len(nl):
            tabs = np.flatnonzero(arr == 9)
            per_line = np.diff(np.searchsorted(tabs, nl), prepend=0)
            bad = np.flatnonzero(per_line != self._ncols - 1)
            if len(bad):
                i = int(bad[0])
                got = int(per_line[i]) + 1
                raise Invalid(
                    f"record has {got} tab-separated columns but the #CHROM header line has {self._ncols}",
                    line=first + i,
                )

    def _parse(self, block: bytes, first: int) -> pa.Table:
        try:
            return pacsv.read_csv(
                pa.py_buffer(block),
                read_options=pacsv.ReadOptions(
                    column_names=self._names, block_size=max(1 << 20, len(block) // 2 + 1)
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter="\t",
                    quote_char=False,
                    double_quote=False,
                    escape_char=False,
                    newlines_in_values=False,
                    ignore_empty_lines=False,
                ),  # fmt: skip
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in self._names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),  # fmt: skip
            )
        except pa.ArrowInvalid as exc:
            self._column_counts(block, first)
            raise Invalid(f"unreadable records: {exc}", line=first) from None

    def _check_columns(self, t: pa.Table, first: int) -> None:
        errors: list[tuple[int, str]] = []

        def first_true(mask: pa.Array | pa.ChunkedArray) -> int | None:
            if not pc.any(mask).as_py():
                return None
            return int(pc.index(mask, True).as_py())

        def report(mask: pa.Array | pa.ChunkedArray, fmt: str, col: str | None = None) -> None:
            i = first_true(mask)
            if i is not None:
                value = t[col][i].as_py() if col else None
                errors.append((i, fmt.format(v=_excerpt(value))))

        for col in self._names[1:]:
            report(pc.equal(pc.binary_length(t[col]), 0), f"empty {col} field", None)
        chrom = t["CHROM"]
        for value in pc.unique(chrom).to_pylist():
            if value in self._chroms_seen:
                continue
            if not value or _CHROM_BAD.search(value):
                what = "header line after the first record" if value.startswith("#") else "invalid CHROM"
                report(pc.equal(chrom, value), what + " {v}", "CHROM")
            self._chroms_seen.add(value)
        try:
            pos = pc.cast(t["POS"], pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            report(
                pc.invert(pc.match_substring_regex(t["POS"], r"^\+?[0-9]+$")),
                "POS {v} is not a number",
                "POS",
            )
            pos = None
        if pos is not None:
            report(pc.or_(pc.less(pos, 0), pc.greater(pos, MAX_POS)), "POS {v} is out of range", "POS")
            if self._contig_len:
                lengths = pc.take(
                    pa.array(list(self._contig_len.values()), pa.int64()),
                    pc.index_in(chrom, pa.array(list(self._contig_len))),
                )
                i = first_true(pc.greater(pos, lengths))
                if i is not None:
                    contig = chrom[i].as_py()
                    errors.append(
                        (
                            i,
                            f"POS {_excerpt(t['POS'][i].as_py())} is beyond the end of contig {contig} "
                            f"(length {self._contig_len[contig]} in the ##contig header line)",
                        )
                    )
        ref = pc.cast(t["REF"], pa.binary()).combine_chunks() if t.num_rows else None
        if ref is not None and ref.buffers()[2] is not None:
            data = ref.buffers()[2].to_pybytes()
            if data.translate(None, _IUPAC):
                report(
                    pc.invert(pc.match_substring_regex(t["REF"], f"^[{_IUPAC.decode()}]+$")),
                    "REF {v} has characters other than A, C, G, T, N",
                    "REF",
                )
        alt = t["ALT"]
        alt_data = pc.cast(alt, pa.binary()).combine_chunks()
        buf = alt_data.buffers()[2].to_pybytes() if alt_data.buffers()[2] is not None else b""
        if (
            buf.translate(None, _PLAIN_ALT)
            or b",," in buf
            or pc.any(pc.match_substring_regex(alt, "^,|,$")).as_py()
        ):
            report(
                pc.invert(pc.match_substring_regex(alt, _ALT_RE)), "ALT {v} is not a valid allele list", "ALT"
            )
            if b"<" in buf:
                gv = pc.or_(pc.match_substring(alt, "<NON_REF>"), pc.match_substring(alt, "<*>"))
                self.gvcf_records = self.gvcf_records or bool(pc.any(gv).as_py())
        qual = t["QUAL"]
        try:
            pc.cast(pc.if_else(pc.equal(qual, "."), pa.scalar(None, pa.string()), qual), pa.float64())
        except pa.ArrowInvalid:
            report(pc.invert(pc.match_substring_regex(qual, _QUAL_RE)), "QUAL {v} is not a number", "QUAL")
        if errors:
            i, message = min(errors, key=lambda e: e[0])
            raise Invalid(message, line=first + i)

    def close(self) -> None:
        close = getattr(self._blocks, "close", None)
        if close:
            close()

    def __enter__(self) -> VcfReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
