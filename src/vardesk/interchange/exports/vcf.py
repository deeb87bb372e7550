"""Streaming VCF writer for variant rows with annotation columns.

Rows are written in the order given (the variant store yields them sorted by chromosome and position). Each
annotation column becomes an INFO field declared in the header; per-sample GT, AD, DP and GQ become FORMAT
fields. INFO values are percent-encoded as VCF 4.3 specifies (``%``, ``:``, ``;``, ``=``, ``,``, whitespace),
so free text such as ClinVar condition names survives a round trip through any VCF parser.

Row keys read: ``chrom``, ``pos``, ``id`` or ``rsid``, ``ref``, ``alt`` (text or list), ``qual``,
``filters`` or ``filter`` (list or text). Genotypes: ``samples`` — a mapping sample → fields or a list in
sample order, fields ``gt``, ``ad`` (list) or ``ad_ref``/``ad_alt``, ``dp``, ``gq`` (upper case accepted) —
or, with exactly one sample, those fields directly on the row (the genotype table's layout).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from vardesk.interchange.exports.rows import Row, RowSource, coalesce, format_float, iter_rows, peek

VCF_TYPES = ("Integer", "Float", "Flag", "Character", "String")

# Columns that are never INFO fields: VCF's own columns, genotype fields and the genotype table's internals.
NON_INFO_COLUMNS = frozenset(
    {
        "chrom", "pos", "id", "rsid", "ref", "alt", "qual", "filter", "filters", "samples",
        "gt", "ad", "ad_ref", "ad_alt", "dp", "gq", "key", "end", "zygosity", "phased", "phase_set", "vaf",
        "info",
    }
)  # fmt: skip

CONTIG_LENGTHS: dict[str, dict[str, int]] = {
    "GRCh37": {
        "1": 249250621, "2": 243199373, "3": 198022430, "4": 191154276, "5": 180915260, "6": 171115067,
        "7": 159138663, "8": 146364022, "9": 141213431, "10": 135534747, "11": 135006516, "12": 133851895,
        "13": 115169878, "14": 107349540, "15": 102531392, "16": 90354753, "17": 81195210, "18": 78077248,
        "19": 59128983, "20": 63025520, "21": 48129895, "22": 51304566, "X": 155270560, "Y": 59373566,
        "MT": 16569,
    },
    "GRCh38": {
        "1": 248956422, "2": 242193529, "3": 198295559, "4": 190214555, "5": 181538259, "6": 170805979,
        "7": 159345973, "8": 145138636, "9": 138394717, "10": 133797422, "11": 135086622, "12": 133275309,
        "13": 114364328, "14": 107043718, "15": 101991189, "16": 90338345, "17": 83257441, "18": 80373285,
        "19": 58617616, "20": 64444167, "21": 46709983, "22": 50818468, "X": 156040895, "Y": 57227415,
        "MT": 16569,
    },
}  # fmt: skip
CANONICAL_CONTIGS = tuple(CONTIG_LENGTHS["GRCh38"])

FORMAT_HEADER = (
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
)

_ID_RE = re.compile(r"^[A-Za-z_][0-9A-Za-z_.]*$")
_GT_RE = re.compile(r"^(\.|\d+)([/|](\.|\d+))*$")
_INT32 = (-(2**31) + 8, 2**31 - 1)  # htslib reserves the lowest values for missing / end-of-vector
# VCF 4.3 §1.2: characters with a meaning in INFO/FORMAT are written as %XX; we add space and '%' itself.
_ESCAPES = {c: f"%{ord(c):02X}" for c in "%:;=, \t\r\n"}
_ESCAPE_RE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")


@dataclass(frozen=True)
class InfoField:
    """One exported annotation column and its ``##INFO`` declaration."""

    column: str
    id: str = ""  # the INFO key; the column name made VCF-safe when empty
    number: str = "1"  # "1", "A", "R", "G", "." (lists); "0" for a Flag
    type: str = "String"
    description: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", info_id(self.column))
        if not _ID_RE.match(self.id):
            raise ValueError(f"not a valid INFO id: {self.id!r}")
        if self.type not in VCF_TYPES:
            raise ValueError(f"INFO type must be one of {', '.join(VCF_TYPES)}, not {self.type!r}")
        if self.type == "Flag" and self.number != "0":
            object.__setattr__(self, "number", "0")

    def header_line(self) -> str:
        desc = self.description or f"Vardesk annotation column {self.column}"
        return f'##INFO=<ID={self.id},Number={self.number},Type={self.type},Description="{_quoted(desc)}">'


def info_id(column: str) -> str:
    """A column name as a valid INFO key: other characters become ``_``, a leading digit gets ``_``."""
    key = re.sub(r"[^0-9A-Za-z_.]", "_", column)
    return key if _ID_RE.match(key) else "_" + key


def escape_info(text: str) -> str:
    """Percent-encode the characters VCF reserves in INFO values."""
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()], text)


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _type_of(value: Any) -> tuple[str, str] | None:
    """(Number, Type) for a Python value, None when it says nothing (missing) or cannot be INFO (maps)."""
    if value is None or isinstance(value, Mapping):
        return None
    if isinstance(value, bool):
        return "0", "Flag"
    if isinstance(value, int):
        return "1", "Integer" if _INT32[0] <= value <= _INT32[1] else "String"
    if isinstance(value, float):
        return "1", "Float"
    if isinstance(value, list | tuple):
        kinds = {_type_of(v) for v in value} - {None}
        types = {k[1] for k in kinds if k is not None}
        if not types:
            return None
        if types <= {"Integer", "Float"}:
            return ".", "Float" if "Float" in types else "Integer"
        return ".", "String"
    return "1", "String"


def infer_info_fields(rows: Sequence[Row], exclude: frozenset[str] = NON_INFO_COLUMNS) -> list[InfoField]:
    """INFO declarations for every column of ``rows`` that is not a VCF or genotype column, typed by the
    values seen: Integer, Float, Flag (bools), String; lists as ``Number=.``. Conflicting types widen
    (Integer+Float → Float, anything else → String); a column of only missing values is a String."""
    found: dict[str, set[tuple[str, str]]] = {}
    skipped: set[str] = set()
    for row in rows:
        for col, value in row.items():
            if col in exclude or col in skipped:
                continue
            if isinstance(value, Mapping):
                skipped.add(col)
                found.pop(col, None)
                continue
            kinds = found.setdefault(col, set())
            t = _type_of(value)
            if t is not None:
                kinds.add(t)
    fields = []
    for col, kinds in found.items():
        numbers = {n for n, _ in kinds}
        types = {t for _, t in kinds}
        number = "." if "." in numbers else ("0" if numbers == {"0"} else "1")
        if not types:
            typ = "String"
        elif len(types) == 1:
            typ = types.pop()
        elif types <= {"Integer", "Float"}:
            typ = "Float"
        else:
            typ, number = "String", ("." if number == "." else "1")
        fields.append(InfoField(col, number=number, type=typ))
    ids = [f.id for f in fields]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ValueError(f"columns map to the same INFO id: {', '.join(sorted(dupes))}")
    return fields


def _info_scalar(value: Any, typ: str) -> str:
    if value is None:
        return "."
    if typ == "Integer":
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{value!r} in an Integer INFO column; declare it Float")
        number = int(value)
        if not _INT32[0] <= number <= _INT32[1]:
            raise ValueError(f"{number} does not fit a VCF Integer; declare the column String")
        return str(number)
    if typ == "Float":
        f = float(value)
        return format_float(f) if math.isfinite(f) else "."
    if isinstance(value, float):
        return format_float(value) if math.isfinite(value) else "."
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape_info(str(value))


def _info_entry(field: InfoField, value: Any) -> str | None:
    if field.type == "Flag":
        return field.id if value else None
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None  # VCF cannot tell an empty string from a missing value: both are left out
    if isinstance(value, list | tuple):
        if not value:
            return None
        if field.number == "1":  # a list in a scalar column: keep every item, as text
            text = ",".join("" if v is None else str(v) for v in value)
            return f"{field.id}={_info_scalar(text, 'String')}"
        return f"{field.id}=" + ",".join(_info_scalar(v, field.type) for v in value)
    return f"{field.id}={_info_scalar(value, field.type)}"


def _int_or_dot(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "."
    return str(int(value))


def _get(fields: Mapping[str, Any], name: str) -> Any:
    value = fields.get(name)
    return fields.get(name.upper()) if value is None else value


def _sample_column(fields: Mapping[str, Any] | None, n_alts: int) -> str:
    if not fields:
        return "./.:" + ",".join(["."] * (n_alts + 1)) + ":.:."
    gt = _get(fields, "gt")
    gt = "./." if gt in (None, "") else str(gt)
    if not _GT_RE.match(gt):
        raise ValueError(f"not a VCF genotype: {gt!r}")
    ad = _get(fields, "ad")
    if ad is None and ("ad_ref" in fields or "ad_alt" in fields):
        ad = [fields.get("ad_ref"), fields.get("ad_alt")]
    ad_text = ",".join(_int_or_dot(v) for v in ad) if ad else ",".join(["."] * (n_alts + 1))
    return f"{gt}:{ad_text}:{_int_or_dot(_get(fields, 'dp'))}:{_int_or_dot(_get(fields, 'gq'))}"


def _chrom_name(chrom: str, chr_prefix: bool | None) -> str:
    if chr_prefix is None:
        return chrom
    bare = chrom[3:] if chrom.lower().startswith("chr") else chrom
    if bare in ("M", "MT"):
        bare = "M" if chr_prefix else "MT"
    return f"chr{bare}" if chr_prefix else bare


def _header(
    info: Sequence[InfoField],
    samples: Sequence[str],
    contigs: Mapping[str, int | None],
    assembly: str | None,
    filter_descriptions: Mapping[str, str],
    file_date: date | None,
    source: str,
    fileformat: str,
    chr_prefix: bool | None,
) -> Iterator[str]:
    yield f"##fileformat={fileformat}\n"
    if file_date is not None:
        yield f"##fileDate={file_date.strftime('%Y%m%d')}\n"
    yield f"##source={source}\n"
    if assembly:
        yield f"##reference={assembly}\n"
    for name, length in contigs.items():
        tail = f",length={int(length)}" if length else ""
        tail += f",assembly={assembly}" if assembly else ""
        yield f"##contig=<ID={_chrom_name(name, chr_prefix)}{tail}>\n"
    yield '##FILTER=<ID=PASS,Description="All filters passed">\n'
    for fid, desc in filter_descriptions.items():
        if fid != "PASS":
            yield f'##FILTER=<ID={fid},Description="{_quoted(desc)}">\n'
    for f in info:
        yield f.header_line() + "\n"
    for line in FORMAT_HEADER if samples else ():
        yield line + "\n"
    columns = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
    if samples:
        columns += ["FORMAT", *samples]
    yield "\t".join(columns) + "\n"


def _record(row: Row, info: Sequence[InfoField], samples: Sequence[str], chr_prefix: bool | None) -> str:
    alt = row.get("alt")
    alts = (
        [str(a) for a in alt] if isinstance(alt, list | tuple) else ([] if alt in (None, "") else [str(alt)])
    )
    rid = row.get("id", row.get("rsid"))
    if isinstance(rid, list | tuple):
        rid = ";".join(str(i) for i in rid if i) or None
    qual = row.get("qual")
    filt = row.get("filters", row.get("filter"))
    if isinstance(filt, list | tuple):
        filt = ";".join(filt) or None
    entries = [e for f in info if (e := _info_entry(f, row.get(f.column))) is not None]
    cols = [
        _chrom_name(str(row["chrom"]), chr_prefix),
        str(int(row["pos"])),
        re.sub(r"[\s;]+", "_", str(rid)) if rid else ".",
        str(row["ref"]),
        ",".join(alts) or ".",
        "." if qual is None or (isinstance(qual, float) and math.isnan(qual)) else format_float(float(qual)),
        str(filt) if filt else ".",
        ";".join(entries) or ".",
    ]
    if samples:
        cols.append("GT:AD:DP:GQ")
        per = row.get("samples")
        if per is None:
            cols.append(_sample_column(row, len(alts)))
        elif isinstance(per, Mapping):
            cols += [_sample_column(per.get(s), len(alts)) for s in samples]
        else:
            per = list(per)
            if len(per) != len(samples):
                raise ValueError(f"row has {len(per)} sample entries for {len(samples)} samples")
            cols += [_sample_column(p, len(alts)) for p in per]
    return "\t".join(cols) + "\n"


def iter_vcf(
    source: RowSource,
    *,
    samples: Sequence[str] = (),
    info: Sequence[InfoField | str] | None = None,
    assembly: str | None = None,
    contigs: Mapping[str, int | None] | Sequence[str] | None = None,
    chr_prefix: bool | None = None,
    filter_descriptions: Mapping[str, str] | None = None,
    file_date: date | None = None,
    source_name: str = "Vardesk",
    fileformat: str = "VCFv4.2",
    infer_rows: int = 1000,
) -> Iterator[str]:
    """A VCF, streamed as text chunks.

    ``info``: the annotation columns to export (names or :class:`InfoField`s; names are typed from the data);
    by default every non-VCF column of the first ``infer_rows`` rows. ``contigs``: names → lengths (or just
    names, no lengths); by default the primary assembly's 25 contigs with their lengths when ``assembly`` is
    GRCh37/GRCh38, else the canonical names without lengths. ``chr_prefix``: True writes ``chr1``/``chrM``,
    False ``1``/``MT``, None keeps names as given. Rows must already be sorted by chromosome and position.
    """
    if len(set(samples)) != len(samples):
        raise ValueError("sample names must be unique")
    if isinstance(contigs, Mapping):
        contig_map: dict[str, int | None] = dict(contigs)
    elif contigs is not None:
        contig_map = dict.fromkeys(contigs)
    elif assembly in CONTIG_LENGTHS:
        contig_map = dict(CONTIG_LENGTHS[assembly])
    else:
        contig_map = dict.fromkeys(CANONICAL_CONTIGS)

    def parts() -> Iterator[str]:
        rows = iter_rows(source)
        fields: list[InfoField]
        if info is None:
            head, rows = peek(rows, infer_rows)
            fields = infer_info_fields(head)
        elif all(isinstance(f, InfoField) for f in info):
            fields = [f for f in info if isinstance(f, InfoField)]
        else:
            head, rows = peek(rows, infer_rows)
            typed = {f.column: f for f in infer_info_fields(head, frozenset())}
            fields = [f if isinstance(f, InfoField) else typed.get(f) or InfoField(f) for f in info]
        ids = [f.id for f in fields]
        if len(set(ids)) != len(ids):
            raise ValueError("two exported columns have the same INFO id")
        yield from _header(
            fields, samples, contig_map, assembly, filter_descriptions or {}, file_date, source_name,
            fileformat, chr_prefix,
        )  # fmt: skip
        for row in rows:
            yield _record(row, fields, samples, chr_prefix)

    return coalesce(parts())
