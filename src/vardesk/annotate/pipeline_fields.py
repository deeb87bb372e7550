"""Population frequencies and in-silico scores a lab's pipeline wrote into a VCF, as annotation columns.

The fields are found by name, case-insensitively, in VEP's ``CSQ`` field list and in the ``INFO`` header:

* gnomAD — ``gnomADe_*`` (exomes), ``gnomADg_*`` (genomes), ``gnomAD_*``/``gnomad4_*`` (cohort not named,
  or ``_joint``), ``*_exomes``/``*_genomes`` suffixes; the measures ``AF``, ``AC``, ``AN``, ``nhomalt``,
  ``AF_grpmax``/``AF_popmax`` and the per-group ``<POP>_AF``/``AF_<pop>``; plain INFO ``AF_popmax``,
  ``AF_grpmax`` and ``nhomalt``; VEP's ``MAX_AF`` (every population of every source) as the group maximum
  only when no gnomAD group frequency is there. Never the call set's own INFO ``AF``.
* REVEL (``REVEL``, ``REVEL_score``), CADD (``CADD_PHRED``, ``CADD_phred``), AlphaMissense
  (``am_pathogenicity``, ``AlphaMissense``, ``AlphaMissense_score``), SpliceAI (VEP's plugin fields
  ``SpliceAI_pred_DS_AG|AL|DG|DL`` and the INFO string ``SpliceAI=ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|…``);
  a ``dbNSFP_`` prefix (SnpSift) is allowed.

Exomes and genomes: both frequencies are kept (``gnomad_exomes_af``, ``gnomad_genomes_af``); the global
``gnomad_af`` and ``gnomad_af_grpmax`` are the cohort-unnamed (joint) value when the pipeline gives one,
else the larger of exomes and genomes (the conservative value for benign frequency evidence); ``AC``,
``AN`` and ``nhomalt`` are the joint count, else the sum of exomes and genomes (distinct individuals).
The group maximum computed from per-group frequencies uses gnomAD's groups for it (AFR, AMR, EAS, NFE,
SAS: not the founder or remaining groups). Scores are the maximum over the allele's transcripts (VEP
entries) and values (``&``-joined). Values are per allele: CSQ entries by their ``Allele``, INFO fields of
``Number=A`` (``R``) by the ALT's index; a single-valued INFO field of a multi-allelic record is not
attributed to any allele.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pysam

POPULATION_FIELDS = (
    pa.field("gnomad_exomes_af", pa.float32()),
    pa.field("gnomad_genomes_af", pa.float32()),
)
SCORE_FIELDS = (
    pa.field("revel", pa.float32()),
    pa.field("cadd_phred", pa.float32()),
    pa.field("spliceai_max", pa.float32()),
    pa.field("alphamissense", pa.float32()),
)
# column → the pipeline's fields it was read from ("CSQ/gnomADe_AF, INFO/AF_grpmax"): the same for every
# row of a file; None for rows Vardesk annotated from a bundle
SOURCES_FIELD = pa.field("pipeline_fields", pa.map_(pa.string(), pa.string()))
NEW_FIELDS = (*POPULATION_FIELDS, *SCORE_FIELDS, SOURCES_FIELD)
GNOMAD = ("gnomad_af", "gnomad_ac", "gnomad_an", "gnomad_nhomalt", "gnomad_af_grpmax")
COLUMNS = (*GNOMAD, *(f.name for f in POPULATION_FIELDS), *(f.name for f in SCORE_FIELDS))

_SCORES = {
    "revel": "revel",
    "revel_score": "revel",
    "cadd_phred": "cadd_phred",
    "am_pathogenicity": "alphamissense",
    "alphamissense": "alphamissense",
    "alphamissense_score": "alphamissense",
    "alphamissense_pathogenicity": "alphamissense",
    "spliceai_ds_max": "spliceai_max",
}
_PLAIN_INFO = {"af_popmax": "grpmax", "af_grpmax": "grpmax", "nhomalt": "nhomalt"}
GRPMAX_GROUPS = frozenset({"afr", "amr", "eas", "nfe", "sas"})
_GROUPS = GRPMAX_GROUPS | {"asj", "fin", "oth", "mid", "ami", "remaining", "xx", "xy"}
_COHORT = {"exomes": "e", "exome": "e", "genomes": "g", "genome": "g", "joint": "j"}
_GNOMAD = re.compile(r"^gnomad(?:v?\d+(?:_\d+)*)?(e|g)?_(.+)$")
SPLICEAI_INFO_DEFAULT = ["ALLELE", "SYMBOL", "DS_AG", "DS_AL", "DS_DG", "DS_DL", "DP_AG", "DP_AL", "DP_DG"]


def classify(name: str, where: str) -> tuple[str, str] | None:
    """(cohort ``e``/``g``/``j``/``max``, measure ``af``/``ac``/``an``/``nhomalt``/``grpmax``/``group``) of
    a gnomAD field, (``score``, column) of a score field, or None for any other field."""
    n = re.sub(r"[.\-]", "_", name.strip().lower())
    n = n.removeprefix("dbnsfp_")
    if n in _SCORES:
        return "score", _SCORES[n]
    if re.fullmatch(r"spliceai_pred_ds_(ag|al|dg|dl)", n):
        return "score", "spliceai_max"
    if n == "max_af":
        return "max", "grpmax"
    if where == "INFO" and n in _PLAIN_INFO:
        return "j", _PLAIN_INFO[n]
    m = _GNOMAD.match(n)
    if not m:
        return None
    cohort = m.group(1) or "j"
    tokens = []
    for t in m.group(2).split("_"):
        if t in _COHORT:
            cohort = _COHORT[t]
        else:
            tokens.append(t)
    measure = _measure(tokens)
    return (cohort, measure) if measure else None


def _measure(tokens: list[str]) -> str | None:
    if tokens in (["af"], ["ac"], ["an"], ["nhomalt"]):
        return tokens[0]
    if set(tokens) & {"grpmax", "popmax"} and set(tokens) <= {"af", "grpmax", "popmax"}:
        return "grpmax"
    if len(tokens) == 2 and "af" in tokens:
        group = tokens[1] if tokens[0] == "af" else tokens[0]
        return "group" if group in GRPMAX_GROUPS else None
    return None


@dataclass(frozen=True)
class _Field:
    where: str  # "CSQ", "INFO" or "SPLICEAI" (the INFO SpliceAI string)
    name: str
    cohort: str
    measure: str
    number: Any = None


def _numbers(text: str) -> list[float]:
    out = []
    for part in re.split(r"[&,]", text):
        part = part.strip()
        if part and part not in (".", "-"):
            try:
                out.append(float(part))
            except ValueError:
                continue
    return out


class PipelineFields:
    """The population and score fields of one VCF header; :meth:`values` reads them for one ALT."""

    def __init__(self, header: pysam.VariantHeader, tag: str, csq_fields: Sequence[str]) -> None:
        self.fields: list[_Field] = []
        if tag == "CSQ":
            for name in csq_fields:
                if (kind := classify(name, "CSQ")) is not None:
                    self.fields.append(_Field("CSQ", name, *kind))
        self.spliceai: list[str] | None = None
        for name in header.info:
            if name == tag:
                continue
            info = header.info[name]
            if name.lower() == "spliceai" and info.type == "String":
                m = re.search(r"Format:\s*(\S+)", info.description or "")
                self.spliceai = m.group(1).split("|") if m else SPLICEAI_INFO_DEFAULT
                self.fields.append(_Field("SPLICEAI", name, "score", "spliceai_max"))
            elif (kind := classify(name, "INFO")) is not None:
                self.fields.append(_Field("INFO", name, *kind, info.number))

    def sources(self) -> dict[str, str]:
        """Column → the fields it reads (``CSQ/REVEL_score``, ``INFO/SpliceAI``), for the declared fields."""
        out: dict[str, list[str]] = {}
        for f in self.fields:
            for column in _columns_of(f):
                out.setdefault(column, []).append(f"{'INFO' if f.where == 'SPLICEAI' else f.where}/{f.name}")
        return {c: ", ".join(dict.fromkeys(v)) for c, v in sorted(out.items())}

    def values(
        self, rec: pysam.VariantRecord, alt_index: int, entries: Iterable[Mapping[str, str]]
    ) -> dict[str, float | int | None]:
        """The columns' values for ALT number ``alt_index`` (0-based) of ``rec``, from the CSQ
        ``entries`` of that allele and the record's INFO fields."""
        entries = list(entries)
        found: dict[tuple[str, str], float] = {}
        for f in self.fields:
            vals = self._read(f, rec, alt_index, entries)
            if vals:
                key = (f.cohort, f.measure)
                found[key] = max([*vals, found.get(key, float("-inf"))])
        return combine(found)

    def _read(
        self, f: _Field, rec: pysam.VariantRecord, alt_index: int, entries: list[Mapping[str, str]]
    ) -> list[float]:
        if f.where == "CSQ":
            return [v for e in entries for v in _numbers(e.get(f.name) or "")]
        raw = rec.info.get(f.name)
        if raw is None:
            return []
        if f.where == "SPLICEAI":
            return self._spliceai(raw, (rec.alts or ())[alt_index])
        values = list(raw) if isinstance(raw, tuple) else [raw]
        n_alts = len(rec.alts or ())
        if f.number == "A" or (f.number == "." and len(values) == n_alts > 1 and f.cohort != "score"):
            values = values[alt_index : alt_index + 1] if len(values) == n_alts else []
        elif f.number == "R":
            values = values[alt_index + 1 : alt_index + 2] if len(values) == n_alts + 1 else []
        elif n_alts > 1 and f.cohort != "score":
            values = []  # one value for several alleles: belongs to none of them
        return [v for x in values if x is not None for v in _numbers(str(x))]

    def _spliceai(self, raw: Any, alt: str) -> list[float]:
        fmt = self.spliceai or SPLICEAI_INFO_DEFAULT
        out: list[float] = []
        for item in raw if isinstance(raw, tuple) else (raw,):
            d = dict(zip(fmt, str(item).split("|"), strict=False))
            if d.get("ALLELE") == alt:
                out += [v for k in ("DS_AG", "DS_AL", "DS_DG", "DS_DL") for v in _numbers(d.get(k) or "")]
        return out


def _columns_of(f: _Field) -> tuple[str, ...]:
    if f.cohort == "score":
        return (f.measure,)
    if f.measure in ("grpmax", "group"):
        return ("gnomad_af_grpmax",)
    if f.measure == "af":
        named = {"e": ("gnomad_exomes_af",), "g": ("gnomad_genomes_af",)}.get(f.cohort, ())
        return ("gnomad_af", *named)
    return (f"gnomad_{f.measure}",)


def combine(found: Mapping[tuple[str, str], float]) -> dict[str, float | int | None]:
    """The annotation columns of one allele from its (cohort, measure) → value readings."""
    g = found.get

    def pick(measure: str, how: Any) -> float | None:
        if g(("j", measure)) is not None:
            return g(("j", measure))
        vals = [v for c in ("e", "g") if (v := g((c, measure))) is not None]
        return how(vals) if vals else None

    groups = [v for (c, m), v in found.items() if m in ("grpmax", "group") and c != "max"]
    grpmax = g(("j", "grpmax"))
    if grpmax is None:
        grpmax = max(groups) if groups else g(("max", "grpmax"))
    out: dict[str, float | int | None] = {
        "gnomad_af": pick("af", max),
        "gnomad_af_grpmax": grpmax,
        "gnomad_exomes_af": g(("e", "af")),
        "gnomad_genomes_af": g(("g", "af")),
    }
    for measure in ("ac", "an", "nhomalt"):
        v = pick(measure, sum)
        out[f"gnomad_{measure}"] = None if v is None else int(v)
    for f in SCORE_FIELDS:
        out[f.name] = g(("score", f.name))
    return out
