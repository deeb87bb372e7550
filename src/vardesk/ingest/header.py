"""VCF header parsing and validation: ``##`` meta lines and the ``#CHROM`` line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vardesk.domain.errors import Invalid

FIXED_COLUMNS = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
_FILEFORMAT = re.compile(r"^##fileformat=VCFv(4\.[0-5])\s*$")
_META = re.compile(r"^##([^=\s]+)=(.*)$")
_NUMBER = re.compile(r"^(\d+|A|R|G|\.)$")
_TYPES = {"Integer", "Float", "Flag", "Character", "String"}


@dataclass(frozen=True)
class FieldDecl:
    """An ``##INFO``/``##FORMAT`` declaration."""

    id: str
    number: str
    type: str
    description: str = ""


@dataclass
class HeaderInfo:
    """What a VCF header (and, after a full pass, its body) says about the file."""

    version: str
    samples: list[str]
    compression: str = "plain"
    contigs: dict[str, int | None] = field(default_factory=dict)
    reference: str | None = None
    info: dict[str, FieldDecl] = field(default_factory=dict)
    format: dict[str, FieldDecl] = field(default_factory=dict)
    filters: dict[str, str] = field(default_factory=dict)
    alts: dict[str, str] = field(default_factory=dict)
    header_lines: int = 0
    records: int = 0
    gvcf: bool = False
    build: str | None = None
    meta: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return FIXED_COLUMNS + (["FORMAT", *self.samples] if self.samples or self.has_format else [])

    has_format: bool = False


def _split_structured(text: str, line: int) -> dict[str, str]:
    """``<ID=x,Number=1,Description="a, b">`` → dict; quoted values may hold commas and escaped quotes."""
    if not (text.startswith("<") and text.endswith(">")):
        raise Invalid(f"malformed structured header line (expected <...>): {text[:60]!r}", line=line)
    body = text[1:-1]
    out: dict[str, str] = {}
    i = 0
    n = len(body)
    while i < n:
        eq = body.find("=", i)
        if eq < 0:
            raise Invalid(f"malformed structured header line (key without '='): {text[:60]!r}", line=line)
        key = body[i:eq].strip()
        j = eq + 1
        if j < n and body[j] == '"':
            j += 1
            buf = []
            while j < n and body[j] != '"':
                if body[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(body[j])
                j += 1
            if j >= n:
                raise Invalid(f"unterminated quoted value in header line: {text[:60]!r}", line=line)
            value = "".join(buf)
            j += 1
        else:
            comma = body.find(",", j)
            comma = n if comma < 0 else comma
            value = body[j:comma]
            j = comma
        out[key] = value
        if j < n and body[j] != ",":
            raise Invalid(f"malformed structured header line near {body[j : j + 20]!r}", line=line)
        i = j + 1
    return out


class HeaderParser:
    """Feed header lines one by one (1-based numbers); finish with the ``#CHROM`` line."""

    def __init__(self) -> None:
        self.version: str | None = None
        self.info: dict[str, FieldDecl] = {}
        self.format: dict[str, FieldDecl] = {}
        self.filters: dict[str, str] = {}
        self.alts: dict[str, str] = {}
        self.contigs: dict[str, int | None] = {}
        self.reference: str | None = None
        self.gvcf_blocks = False
        self.meta: list[str] = []

    def meta_line(self, text: str, line: int) -> None:
        if line == 1:
            m = _FILEFORMAT.match(text)
            if not m:
                if text.startswith("##fileformat="):
                    raise Invalid(f"unsupported {text.strip()[:40]}: expected VCFv4.0 to VCFv4.5", line=1)
                raise Invalid("missing ##fileformat=VCFv4.x as the first line (not a VCF file?)", line=1)
            self.version = m.group(1)
            return
        m = _META.match(text)
        if not m:
            raise Invalid(f"malformed header line (expected ##key=value): {text[:60]!r}", line=line)
        key, value = m.group(1), m.group(2)
        self.meta.append(text)
        if key == "fileformat":
            raise Invalid("##fileformat appears twice", line=line)
        if key in ("INFO", "FORMAT"):
            attrs = _split_structured(value, line)
            fid = attrs.get("ID")
            if not fid:
                raise Invalid(f"##{key} line without ID", line=line)
            number, typ = attrs.get("Number", ""), attrs.get("Type", "")
            if not _NUMBER.match(number):
                raise Invalid(f"##{key} {fid} has an invalid Number {number!r}", line=line)
            if typ not in _TYPES:
                raise Invalid(f"##{key} {fid} has an invalid Type {typ!r}", line=line)
            decl = FieldDecl(fid, number, typ, attrs.get("Description", ""))
            (self.info if key == "INFO" else self.format)[fid] = decl
        elif key in ("FILTER", "ALT"):
            attrs = _split_structured(value, line)
            if not attrs.get("ID"):
                raise Invalid(f"##{key} line without ID", line=line)
            (self.filters if key == "FILTER" else self.alts)[attrs["ID"]] = attrs.get("Description", "")
        elif key == "contig":
            attrs = _split_structured(value, line)
            cid = attrs.get("ID")
            if not cid:
                raise Invalid("##contig line without ID", line=line)
            length = attrs.get("length")
            if length is not None and not length.isdigit():
                raise Invalid(f"##contig {cid} has a non-numeric length {length!r}", line=line)
            if cid in self.contigs:
                raise Invalid(f"##contig {cid} is declared twice", line=line)
            self.contigs[cid] = int(length) if length else None
        elif key == "reference":
            self.reference = value.strip()
        elif key.startswith("GVCFBlock"):
            self.gvcf_blocks = True

    def chrom_line(self, text: str, line: int) -> HeaderInfo:
        if self.version is None:
            raise Invalid("missing ##fileformat=VCFv4.x as the first line (not a VCF file?)", line=1)
        cols = text.rstrip("\r\n").split("\t")
        if cols[: len(FIXED_COLUMNS)] != FIXED_COLUMNS:
            if len(cols) == 1 and " " in text:
                raise Invalid("#CHROM header line is not tab-separated", line=line)
            raise Invalid(
                "#CHROM header line must start with " + "\\t".join(FIXED_COLUMNS) + f", got {text[:80]!r}",
                line=line,
            )
        samples = cols[9:]
        if len(cols) > 8 and cols[8] != "FORMAT":
            raise Invalid(f"9th column of the #CHROM line must be FORMAT, got {cols[8]!r}", line=line)
        seen: set[str] = set()
        for s in samples:
            if not s.strip():
                raise Invalid("empty sample name in the #CHROM line", line=line)
            if s in seen:
                raise Invalid(f"sample {s!r} is named twice in the #CHROM line", line=line)
            seen.add(s)
        info = HeaderInfo(
            version=self.version,
            samples=samples,
            contigs=self.contigs,
            reference=self.reference,
            info=self.info,
            format=self.format,
            filters=self.filters,
            alts=self.alts,
            header_lines=line,
            gvcf=self.gvcf_blocks,
            meta=self.meta,
        )
        info.has_format = len(cols) > 8
        return info
