"""Readers of the gene-level files an administrator adds to a bundle for the ACMG/AMP assigners.

Framework-free: each reader takes a path and the version the administrator gives (the file's name when
none is given) and returns typed facts that carry it, so every classification can name what it used.

* gnomAD gene constraint: v2.1.1 ``gnomad.v2.1.1.lof_metrics.by_gene.txt`` (columns ``gene``,
  ``transcript``, ``pLI``, ``oe_lof_upper`` = LOEUF, optional ``canonical``) or v4
  ``gnomad.v4.1.constraint_metrics.tsv`` (``gene``, ``transcript``, ``mane_select``,
  ``lof.oe_ci.upper``, ``lof.pLI``; one row per transcript, the MANE Select row kept, else the first).
* ClinGen dosage sensitivity: ``ClinGen_gene_curation_list_GRCh38.tsv`` (``#`` comment lines, then the
  header ``#Gene Symbol``, ``Gene ID``, …, ``Haploinsufficiency Score``, ``Triplosensitivity Score``).
* ClinGen gene–disease validity: the CSV export (title rows, then ``GENE SYMBOL``, ``GENE ID (HGNC)``,
  ``DISEASE LABEL``, ``MOI``, ``CLASSIFICATION``, …; ``+++`` separator rows skipped).
* Hotspots and critical domains: a BED file ``chrom start end name [gene]`` (0-based, half-open).
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vardesk.domain.enums import Inheritance
from vardesk.domain.errors import Invalid

CONSTRAINT = "gene_constraint"
DOSAGE = "clingen_dosage"
VALIDITY = "clingen_validity"
HOTSPOTS = "hotspots"
KINDS = (CONSTRAINT, DOSAGE, VALIDITY, HOTSPOTS)


@dataclass(frozen=True)
class SourceVersion:
    """One file behind gene facts: its kind, the name the administrator gave it, its version."""

    kind: str
    name: str
    version: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.version})" if self.version != self.name else self.name


@dataclass(frozen=True)
class GeneConstraint:
    symbol: str
    transcript: str | None
    pli: float | None
    loeuf: float | None  # upper bound of the observed/expected LoF ratio's 90 % CI
    source: SourceVersion


@dataclass(frozen=True)
class DosageSensitivity:
    """ClinGen scores: 0 no evidence, 1 little, 2 some, 3 sufficient, 30 autosomal recessive,
    40 dosage sensitivity unlikely; None: not yet evaluated."""

    symbol: str
    gene_id: str | None
    haploinsufficiency: int | None
    triplosensitivity: int | None
    source: SourceVersion


@dataclass(frozen=True)
class GeneValidity:
    symbol: str
    hgnc_id: str | None
    disease: str
    moi: str  # as written: AD, AR, XL, SD, MT, UD, …
    classification: str  # Definitive, Strong, Moderate, Limited, Disputed, Refuted, …
    source: SourceVersion

    @property
    def inheritance(self) -> Inheritance | None:
        return MOI.get(self.moi.strip().upper())

    @property
    def established(self) -> bool:
        """Definitive, Strong or Moderate: a gene–disease relationship ACMG evidence may build on."""
        return self.classification.strip().lower() in ("definitive", "strong", "moderate")


@dataclass(frozen=True)
class Hotspot:
    chrom: str
    start: int  # 0-based
    end: int  # exclusive
    name: str
    gene: str | None
    source: SourceVersion

    def contains(self, chrom: str, pos: int) -> bool:
        """Whether the 1-based ``pos`` lies in the region."""
        return _chrom(chrom) == self.chrom and self.start < pos <= self.end


MOI: dict[str, Inheritance] = {
    "AD": Inheritance.AUTOSOMAL_DOMINANT,
    "AUTOSOMAL DOMINANT": Inheritance.AUTOSOMAL_DOMINANT,
    "SD": Inheritance.AUTOSOMAL_DOMINANT,  # semidominant: heterozygotes affected
    "AR": Inheritance.AUTOSOMAL_RECESSIVE,
    "AUTOSOMAL RECESSIVE": Inheritance.AUTOSOMAL_RECESSIVE,
    "XL": Inheritance.X_LINKED,
    "X-LINKED": Inheritance.X_LINKED,
    "XLR": Inheritance.X_LINKED_RECESSIVE,
    "XLD": Inheritance.X_LINKED_DOMINANT,
    "MT": Inheritance.MITOCHONDRIAL,
    "MITOCHONDRIAL": Inheritance.MITOCHONDRIAL,
}


def _chrom(c: str) -> str:
    c = c.strip()
    c = c[3:] if c.lower().startswith("chr") else c
    return "MT" if c.upper() in ("M", "MT") else c.upper() if c.upper() in ("X", "Y") else c


def _source(kind: str, path: Path, version: str | None) -> SourceVersion:
    return SourceVersion(kind=kind, name=path.name, version=(version or "").strip() or path.name)


def _lines(path: Path) -> Iterator[str]:
    path = Path(path)
    if not path.is_file():
        raise Invalid(f"gene knowledge file not found: {path}")
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    yield from io.StringIO(raw.decode("utf-8-sig")).read().splitlines()


def _float(text: str | None) -> float | None:
    if text is None or text.strip() in ("", "NA", "nan", "NaN", "."):
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    f = _float(text)
    return None if f is None else int(f)


def _truthy(text: str | None) -> bool:
    return (text or "").strip().lower() in ("true", "1", "yes", "t")


def _need(header: list[str], columns: tuple[str, ...], path: Path, what: str) -> dict[str, int]:
    missing = [c for c in columns if c not in header]
    if missing:
        raise Invalid(f"{path.name}: not {what} (missing column(s) {', '.join(missing)})")
    return {c: header.index(c) for c in header}


def read_gnomad_constraint(path: Path, version: str | None = None) -> dict[str, GeneConstraint]:
    """Gene symbol → constraint (v2.1.1 or v4 layout, recognised by its columns)."""
    path = Path(path)
    rows = csv.reader(_lines(path), delimiter="\t")
    header = next(rows, [])
    src = _source(CONSTRAINT, path, version)
    if "lof.oe_ci.upper" in header:
        col = _need(
            header, ("gene", "transcript", "lof.oe_ci.upper", "lof.pLI"), path, "gnomAD v4 constraint"
        )
        loeuf, pli, mane = col["lof.oe_ci.upper"], col["lof.pLI"], col.get("mane_select")
    else:
        col = _need(header, ("gene", "transcript", "pLI", "oe_lof_upper"), path, "gnomAD v2 constraint")
        loeuf, pli, mane = col["oe_lof_upper"], col["pLI"], col.get("canonical")
    out: dict[str, GeneConstraint] = {}
    preferred: set[str] = set()
    for r in rows:
        if len(r) < len(header):
            continue
        symbol = r[col["gene"]].strip()
        if not symbol or symbol in preferred:
            continue
        is_preferred = mane is not None and _truthy(r[mane])
        if symbol in out and not is_preferred:
            continue
        out[symbol] = GeneConstraint(
            symbol, r[col["transcript"]] or None, _float(r[pli]), _float(r[loeuf]), src
        )
        if is_preferred:
            preferred.add(symbol)
    return out


def read_clingen_dosage(path: Path, version: str | None = None) -> dict[str, DosageSensitivity]:
    """Gene symbol → ClinGen haploinsufficiency and triplosensitivity scores."""
    path = Path(path)
    header: list[str] | None = None
    body: list[str] = []
    for line in _lines(path):
        if header is None:
            if line.startswith("#Gene Symbol"):
                header = line.lstrip("#").split("\t")
            continue
        if line and not line.startswith("#"):
            body.append(line)
    if header is None:
        raise Invalid(f"{path.name}: not a ClinGen gene curation list (no '#Gene Symbol' header line)")
    col = _need(
        header,
        ("Gene Symbol", "Haploinsufficiency Score", "Triplosensitivity Score"),
        path,
        "a ClinGen gene curation list",
    )
    src = _source(DOSAGE, path, version)
    out: dict[str, DosageSensitivity] = {}
    for r in csv.reader(body, delimiter="\t"):
        if len(r) <= max(col["Haploinsufficiency Score"], col["Triplosensitivity Score"]):
            continue
        symbol = r[col["Gene Symbol"]].strip()
        gid = r[col["Gene ID"]].strip() if "Gene ID" in col else None
        out[symbol] = DosageSensitivity(
            symbol,
            gid or None,
            _int(r[col["Haploinsufficiency Score"]]),
            _int(r[col["Triplosensitivity Score"]]),
            src,
        )
    return out


def read_clingen_validity(path: Path, version: str | None = None) -> dict[str, tuple[GeneValidity, ...]]:
    """Gene symbol → its ClinGen gene–disease validity curations."""
    path = Path(path)
    rows = csv.reader(_lines(path))
    header: list[str] | None = None
    for r in rows:
        if r and r[0].strip().upper() == "GENE SYMBOL":
            header = [c.strip().upper() for c in r]
            break
    if header is None:
        raise Invalid(f"{path.name}: not a ClinGen gene-disease validity export (no 'GENE SYMBOL' header)")
    col = _need(header, ("GENE SYMBOL", "DISEASE LABEL", "MOI", "CLASSIFICATION"), path, "a validity export")
    src = _source(VALIDITY, path, version)
    out: dict[str, list[GeneValidity]] = {}
    for r in rows:
        if len(r) < len(header) or r[0].startswith("+"):
            continue
        symbol = r[col["GENE SYMBOL"]].strip()
        hgnc = r[col["GENE ID (HGNC)"]].strip() if "GENE ID (HGNC)" in col else ""
        out.setdefault(symbol, []).append(
            GeneValidity(
                symbol,
                hgnc or None,
                r[col["DISEASE LABEL"]].strip(),
                r[col["MOI"]].strip(),
                r[col["CLASSIFICATION"]].strip(),
                src,
            )
        )
    return {k: tuple(v) for k, v in out.items()}


def read_hotspots_bed(path: Path, version: str | None = None) -> tuple[Hotspot, ...]:
    """Hotspot / critical-domain regions of a BED file (track, browser and # lines skipped)."""
    path = Path(path)
    src = _source(HOTSPOTS, path, version)
    out = []
    for n, line in enumerate(_lines(path), 1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        f = line.split("\t")
        if len(f) < 4:
            raise Invalid(f"{path.name} line {n}: a hotspot BED line needs chrom, start, end and name")
        try:
            start, end = int(f[1]), int(f[2])
        except ValueError:
            raise Invalid(f"{path.name} line {n}: start and end must be integers") from None
        if start < 0 or end <= start:
            raise Invalid(f"{path.name} line {n}: empty or negative interval {start}-{end}")
        gene = f[4].strip() if len(f) > 4 and f[4].strip() else None
        out.append(Hotspot(_chrom(f[0]), start, end, f[3].strip(), gene, src))
    return tuple(out)


@dataclass(frozen=True)
class GeneKnowledge:
    """Everything read from a bundle's gene-knowledge files; empty parts when a file is absent."""

    constraint: dict[str, GeneConstraint] = field(default_factory=dict)
    dosage: dict[str, DosageSensitivity] = field(default_factory=dict)
    validity: dict[str, tuple[GeneValidity, ...]] = field(default_factory=dict)
    hotspots: tuple[Hotspot, ...] = ()
    sources: tuple[SourceVersion, ...] = ()

    def hotspots_at(self, chrom: str, pos: int, gene: str | None = None) -> tuple[Hotspot, ...]:
        return tuple(
            h
            for h in self.hotspots
            if h.contains(chrom, pos) and (h.gene is None or gene is None or h.gene == gene)
        )

    @property
    def empty(self) -> bool:
        return not self.sources


READERS = {
    CONSTRAINT: read_gnomad_constraint,
    DOSAGE: read_clingen_dosage,
    VALIDITY: read_clingen_validity,
    HOTSPOTS: read_hotspots_bed,
}


def load_gene_knowledge(files: dict[str, tuple[Path, str | None]]) -> GeneKnowledge:
    """The facts of the given files: kind → (path, the administrator's version or None)."""
    unknown = set(files) - set(KINDS)
    if unknown:
        raise Invalid(f"unknown gene knowledge kind(s): {', '.join(sorted(unknown))}")
    parts: dict[str, object] = {}
    sources = []
    for kind, (path, version) in sorted(files.items()):
        parts[kind] = READERS[kind](Path(path), version)  # type: ignore[operator]
        sources.append(_source(kind, Path(path), version))
    return GeneKnowledge(
        constraint=parts.get(CONSTRAINT, {}),  # type: ignore[arg-type]
        dosage=parts.get(DOSAGE, {}),  # type: ignore[arg-type]
        validity=parts.get(VALIDITY, {}),  # type: ignore[arg-type]
        hotspots=parts.get(HOTSPOTS, ()),  # type: ignore[arg-type]
        sources=tuple(sources),
    )
