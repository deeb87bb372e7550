"""Classify every allele of a VCF by the ACMG/AMP rules, without a case: one record per allele, streamed.

The VCF is read with pysam record by record and handed on in chunks of :data:`CHUNK_RECORDS` records,
so memory does not grow with the file. Each chunk is annotated by one of the existing paths and each
allele goes through ``vardesk.analysis.acmg`` (``input_from_annotation`` → ``assess``):

* **pipeline** (default): the VCF's own VEP ``CSQ`` / snpEff ``ANN`` / bcftools ``BCSQ``, read by
  :func:`vardesk.annotate.preannotated.read_preannotated` on a scratch VCF holding the chunk — every
  column that reader keeps (and that ``input_from_annotation`` reads) reaches the evidence;
* **bundle**: the installed reference bundle, through :func:`vardesk.annotate.engine.annotate_variants`
  on the chunk's normalised alleles (consequences, HGVS, gnomAD, ClinVar of the bundle).

gnomAD is declared to the evidence (so that *absent from gnomAD* counts for PM2) only when the source
really carries it: the bundle's manifest lists gnomAD, or the pipeline reader yields gnomAD columns and
the VCF's header names gnomAD. The class is the ClinGen SVI points classifier's.

Records come out in the VCF's order, with the VCF's own CHROM/POS/REF/ALT. A malformed record stops the
run with :class:`Invalid` naming its line number. Nothing is stored: no case, no catalog row.
"""

from __future__ import annotations

import gzip
import json
import re
import tempfile
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pysam

from vardesk.analysis.acmg import (
    Assessment,
    FamilyData,
    FamilyMember,
    PointsClassifier,
    Relation,
    Sex,
    assess,
    input_from_annotation,
)
from vardesk.analysis.acmg.classifiers import points_of
from vardesk.annotate import compatibility
from vardesk.annotate.bundle import Bundle
from vardesk.annotate.engine import annotate_variants
from vardesk.annotate.preannotated import detect, read_preannotated
from vardesk.domain import variant_key
from vardesk.domain.acmg import Strength
from vardesk.domain.enums import Classification
from vardesk.domain.errors import Invalid
from vardesk.ingest.normalize import Normaliser

CHUNK_RECORDS = 5_000
BUILDS = ("GRCh37", "GRCh38")
SEXES = {"male": Sex.MALE, "female": Sex.FEMALE}
FIELDS = ("chrom", "pos", "ref", "alt", "gene", "consequence", "criteria", "points", "classification")
CLASSES = tuple(c.value for c in Classification)  # the five ACMG/AMP classes, in order
SYSTEM = PointsClassifier.name
_STRENGTH = {
    Strength.STAND_ALONE: "Stand-alone",
    Strength.VERY_STRONG: "Very strong",
    Strength.STRONG: "Strong",
    Strength.MODERATE: "Moderate",
    Strength.SUPPORTING: "Supporting",
}
_GNOMAD_COLUMNS = (
    "gnomad_af",
    "gnomad_af_grpmax",
    "gnomad_faf95",
    "gnomad_ac",
    "gnomad_an",
    "gnomad_nhomalt",
)
_GNOMAD_NAME = re.compile(r"gnomad", re.IGNORECASE)


@dataclass(frozen=True)
class _Record:
    line: int
    chrom: str
    pos: int
    ref: str
    alts: tuple[str, ...]


@dataclass(frozen=True)
class _Chunk:
    records: list[_Record]
    lines: list[str]


def criteria_doc(a: Assessment) -> list[dict[str, Any]]:
    """The met criteria as ``{code, strength, points}`` (points signed: benign negative)."""
    return [{"code": e.criterion, "strength": _STRENGTH[e.strength], "points": points_of(e)} for e in a.met]


def _header_lines(path: Path) -> int:
    """How many header lines (``#``) the file starts with: record ``i`` (from 0) is on line header + i + 1."""
    with path.open("rb") as fh:
        opener = gzip.open if fh.read(2) == b"\x1f\x8b" else open
    n = 0
    with opener(path, "rt", errors="replace") as fh:  # type: ignore[operator]
        for line in fh:
            if not line.startswith("#"):
                break
            n += 1
    return n


def _open(path: Path) -> pysam.VariantFile:
    try:
        return pysam.VariantFile(str(path))
    except (OSError, ValueError) as exc:
        raise Invalid(f"{path.name} is not a readable VCF: {exc}") from None


def _chunks(vf: pysam.VariantFile, first_line: int, size: int) -> Iterator[_Chunk]:
    """The VCF's records in chunks; a record pysam/htslib cannot parse → :class:`Invalid` with its line."""
    line = first_line
    records: list[_Record] = []
    lines: list[str] = []
    it = iter(vf)
    while True:
        line += 1
        try:
            rec = next(it)
        except StopIteration:
            break
        except (OSError, ValueError) as exc:
            raise Invalid(f"malformed VCF record at line {line}: {exc}", line=line) from None
        alts = tuple(a for a in (rec.alts or ()) if a not in ("*", "."))
        records.append(_Record(line, rec.chrom, rec.pos, rec.ref or "", alts))
        lines.append(str(rec))
        if len(records) >= size:
            yield _Chunk(records, lines)
            records, lines = [], []
    if records:
        yield _Chunk(records, lines)


def _by_allele(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, int, str, str], deque[dict[str, Any]]]:
    out: dict[tuple[str, int, str, str], deque[dict[str, Any]]] = defaultdict(deque)
    for r in rows:
        out[(str(r["chrom"]), int(r["pos"]), str(r["ref"]), str(r["alt"]))].append(r)
    return out


def _pipeline_gnomad(header: pysam.VariantHeader, tag: str) -> bool:
    """Does the VCF's header name gnomAD (an INFO field, or a field of its CSQ/ANN/BCSQ)?"""
    if any(_GNOMAD_NAME.search(k) for k in header.info):
        return True
    return bool(_GNOMAD_NAME.search(header.info[tag].description or ""))


class _Pipeline:
    """Annotation from the VCF's own CSQ/ANN/BCSQ, one scratch VCF per chunk."""

    def __init__(self, header: pysam.VariantHeader, work: Path, name: str) -> None:
        tag = detect(header)
        if tag is None:
            raise Invalid(
                f"{name} carries no CSQ, ANN or BCSQ annotation: annotate it first, or give --bundle"
            )
        self.tag = tag
        self.header_text = str(header)
        self.header_gnomad = _pipeline_gnomad(header, tag)
        self.scratch = work / "chunk.vcf"
        self.gnomad_version: str | None = None
        self.clinvar_version: str | None = None
        self.source = {"CSQ": "VEP CSQ", "ANN": "snpEff ANN", "BCSQ": "bcftools BCSQ"}[tag]

    def rows(self, chunk: _Chunk) -> list[dict[str, Any]]:
        with self.scratch.open("w") as fh:
            fh.write(self.header_text)
            fh.write("".join(chunk.lines))
        table: pa.Table = read_preannotated(self.scratch, self.tag)
        if self.header_gnomad and any(c in table.column_names for c in _GNOMAD_COLUMNS):
            self.gnomad_version = f"gnomAD from the VCF's annotation ({self.source})"
        return table.to_pylist()


class _BundleSource:
    """Annotation by an installed bundle: the chunk's normalised alleles through the annotation engine."""

    def __init__(self, bundle: Bundle, work: Path) -> None:
        self.bundle = bundle
        self.work = work
        self.normaliser = Normaliser(bundle.fasta)
        kinds = {getattr(s, "kind", "") for s in bundle.manifest.sources}
        label = f"{bundle.id} ({bundle.version})"
        self.gnomad_version = label if "gnomad" in kinds else None
        self.clinvar_version = label if "clinvar" in kinds else None
        self.checked = False

    def rows(self, chunk: _Chunk) -> list[dict[str, Any]]:
        keys: dict[int, tuple[str, int, str, str]] = {}
        original: dict[tuple[str, int, str, str], tuple[str, int, str, str]] = {}
        for r in chunk.records:
            chrom = variant_key.canonical_chrom(r.chrom)
            for alt in r.alts:
                if alt.startswith("<") or "[" in alt or "]" in alt:
                    continue  # symbolic / breakend alleles: no sequence to annotate
                ref, alt_n, pos = self.normaliser.one(chrom, r.pos, r.ref.upper(), alt.upper())
                key = variant_key.encode(chrom, pos, ref, alt_n)
                keys[key] = (chrom, pos, ref, alt_n)
                original[(r.chrom, r.pos, r.ref, alt)] = (chrom, pos, ref, alt_n)
        if not keys:
            return []
        order = sorted(keys)
        variants = pa.table(
            {
                "key": pa.array(order, pa.int64()),
                "chrom": [keys[k][0] for k in order],
                "pos": pa.array([keys[k][1] for k in order], pa.int32()),
                "ref": [keys[k][2] for k in order],
                "alt": [keys[k][3] for k in order],
            }
        )
        if not self.checked:
            fit = compatibility.check(variants, str(self.bundle.fasta))
            if not fit.ok:
                raise Invalid(f"bundle {self.bundle.id} does not match the VCF: {fit.reason}")
            self.checked = True
        part = self.work / "chunk.parquet"
        annotate_variants(variants, self.bundle, part, known=[])
        annotated = {int(r["key"]): r for r in pq.read_table(part).to_pylist()} if part.exists() else {}
        part.unlink(missing_ok=True)
        out = []
        for (chrom, pos, ref, alt), norm in original.items():
            row = annotated.get(variant_key.encode(*norm))
            # the VCF's own coordinates on the record; the annotation of the normalised allele
            out.append({**(row or {}), "chrom": chrom, "pos": pos, "ref": ref, "alt": alt})
        return out

    def close(self) -> None:
        self.normaliser.close()


def _family(sex: Sex | None) -> FamilyData | None:
    if sex is None:
        return None
    return FamilyData(members=(FamilyMember(id="sample", relation=Relation.PROBAND, sex=sex),))


def _record(
    row: dict[str, Any] | None, r: _Record, alt: str, build: str, source: Any, family: FamilyData | None
) -> dict[str, Any]:
    base = {"chrom": r.chrom, "pos": r.pos, "ref": r.ref, "alt": alt}
    row = {**(row or {}), **base}
    more: dict[str, Any] = {"family": family} if family is not None else {}
    a = assess(
        input_from_annotation(
            row,
            build=build,
            gnomad_version=source.gnomad_version,
            clinvar_version=source.clinvar_version,
            **more,
        )
    )
    result = a.result(SYSTEM)
    return {
        **base,
        "gene": row.get("gene_symbol"),
        "consequence": row.get("consequence"),
        "criteria": criteria_doc(a),
        "points": result.points,
        "classification": result.classification.value,
    }


def classify_vcf(
    vcf: Path | str,
    *,
    build: str,
    sex: str | None = None,
    bundle: Bundle | None = None,
    chunk_records: int = CHUNK_RECORDS,
) -> Iterator[dict[str, Any]]:
    """One record per ALT allele of ``vcf``, in file order, each as soon as its chunk is classified.

    ``build`` is GRCh37 or GRCh38; ``sex`` (``male``/``female``) is the sample's, given to the evidence
    as the proband's; ``bundle`` annotates instead of the VCF's own annotation.
    """
    if build not in BUILDS:
        raise Invalid(f"unknown genome build {build!r}: give one of {', '.join(BUILDS)}")
    if sex is not None and sex.lower() not in SEXES:
        raise Invalid(f"unknown sex {sex!r}: give male or female")
    if bundle is not None and bundle.manifest.build != build:
        raise Invalid(f"bundle {bundle.id} is for {bundle.manifest.build}, not {build}")
    path = Path(vcf)
    if not path.is_file():
        raise Invalid(f"input VCF {path} does not exist or is not a file")
    family = _family(SEXES[sex.lower()] if sex else None)
    first = _header_lines(path)
    quiet = pysam.set_verbosity(0)  # our message names the line; htslib's own would only repeat it
    try:
        with _open(path) as vf, tempfile.TemporaryDirectory(prefix="vardesk-acmg-") as tmp:
            source: Any = (
                _BundleSource(bundle, Path(tmp)) if bundle else _Pipeline(vf.header, Path(tmp), path.name)
            )
            for chunk in _chunks(vf, first, chunk_records):
                rows = _by_allele(source.rows(chunk))
                for r in chunk.records:
                    for alt in r.alts:
                        found = rows.get(
                            (variant_key.canonical_chrom(r.chrom), r.pos, r.ref, alt)
                        ) or rows.get((r.chrom, r.pos, r.ref, alt))
                        row = (found.popleft() if len(found) > 1 else found[0]) if found else None
                        yield _record(row, r, alt, build, source, family)
            if isinstance(source, _BundleSource):
                source.close()
    finally:
        pysam.set_verbosity(quiet)


TSV_HEADER = "\t".join(FIELDS) + "\n"


def jsonl_line(record: dict[str, Any]) -> str:
    return json.dumps(record, separators=(",", ":")) + "\n"


def tsv_line(record: dict[str, Any]) -> str:
    """One TSV row; ``criteria`` as ``CODE:Strength:points`` joined by ``;``, missing values empty."""
    crit = ";".join(f"{c['code']}:{c['strength']}:{c['points']}" for c in record["criteria"])
    values = [*(record[f] for f in FIELDS[:6]), crit, record["points"], record["classification"]]
    return "\t".join("" if v is None else str(v) for v in values) + "\n"
