"""Case-free gene ranking of a VCF (``vardesk rank``): ingest, annotate, find the family's candidates and
rank their genes with HPO terms, in a scratch directory — no catalog case, file or genome is created.

The steps are the case analysis' own (``ingest.ingest_vcf``, ``AnnotationService.annotate_local``,
``analysis.inheritance.find_candidates`` under the default filter preset, ``rank_candidates``), so a
gene ranks here as it would in a case of the same family and terms. It runs as the local operator on a
local file, like ``vardesk bundle build``; nothing of it is stored, so nothing is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vardesk.analysis.inheritance import Candidate, find_candidates
from vardesk.analysis.pedigree import Member, Pedigree
from vardesk.analysis.prioritise import Model, PrioritiseConfig, RankedGene
from vardesk.analysis.prioritise.modes import ALLOWED
from vardesk.app.annotation import AnnotationService
from vardesk.app.cases.case_analysis import query_from_preset
from vardesk.app.cases.prioritisation import gene_doc, rank_candidates
from vardesk.domain.enums import Affected, Inheritance, Sex
from vardesk.domain.errors import Invalid
from vardesk.ingest.pipeline import ingest_vcf
from vardesk.interchange.ped import read_ped
from vardesk.knowledge.hpo import check_phenotype_ids, hpo_ontology
from vardesk.storage.blobs import BlobStore

AUTO = "auto"
MODES: dict[str, frozenset[Model] | None] = {
    AUTO: None,
    **{m.value: ALLOWED[m] for m in Inheritance if m in ALLOWED},
    "DE_NOVO": frozenset({Model.DE_NOVO}),
}
TOP_VARIANTS = 2  # variants shown per gene: the ones its burden counts (a compound heterozygous pair)


@dataclass(frozen=True)
class RankVcf:
    vcf: Path
    hpo: list[str]
    excluded_hpo: list[str] = field(default_factory=list)
    ped: Path | None = None
    proband: str | None = None
    build: str | None = None
    bundle: str | None = None
    mode: str = AUTO
    limit: int | None = None
    # the variants ranked: None the default filter preset (rare, protein-altering or splice); [] every
    # annotated consequence (the burden weighs them); else these Sequence Ontology terms
    consequences: list[str] | None = None


@dataclass(frozen=True)
class RankedVariant:
    chrom: str
    pos: int
    ref: str
    alt: str
    consequence: str
    genotype: str  # the proband's GT

    @property
    def locus(self) -> str:
        return f"{self.chrom}:{self.pos}:{self.ref}:{self.alt}"


@dataclass(frozen=True)
class RankRow:
    gene: RankedGene
    variants: list[RankedVariant]

    def as_dict(self) -> dict[str, Any]:
        return {**gene_doc(self.gene), "top_variants": [{"variant": v.locus, **_v(v)} for v in self.variants]}


def _v(v: RankedVariant) -> dict[str, str]:
    return {"consequence": v.consequence, "genotype": v.genotype}


@dataclass(frozen=True)
class RankResult:
    build: str
    proband: str
    samples: list[str]
    terms: list[str]
    excluded: list[str]
    unknown_terms: dict[str, str]
    annotation: dict[str, Any]
    mode: str
    total: int  # genes ranked (before the limit)
    rows: list[RankRow]
    hpo_version: str


class VcfRanking:
    def __init__(self, store: BlobStore, annotation: AnnotationService) -> None:
        self.store = store
        self.annotation = annotation

    def run(self, cmd: RankVcf) -> RankResult:
        models = self._models(cmd.mode)
        if cmd.limit is not None and cmd.limit < 1:
            raise Invalid(f"--limit must be a positive number, not {cmd.limit}")
        observed = check_phenotype_ids(cmd.hpo)
        excluded = check_phenotype_ids(cmd.excluded_hpo)
        onto = hpo_ontology()
        unknown = {**onto.resolve_terms(observed).unknown, **onto.resolve_terms(excluded).unknown}
        ped = read_ped(cmd.ped, strict_parents=False) if cmd.ped is not None else None
        with self.store.scratch() as work:
            ingested = ingest_vcf(cmd.vcf, work / "genotypes", expected_build=cmd.build)
            paths = {s.name: s.genotypes_path for s in ingested.samples}
            pedigree = self._pedigree(paths, ped.records if ped else None, cmd.proband)
            used = [m.genotypes for m in pedigree.members if m.genotypes is not None]
            annotation = self.annotation.annotate_local(
                cmd.vcf, used, ingested.build, work / "annotation", cmd.bundle
            )
            candidates = list(
                find_candidates(
                    pedigree,
                    build=ingested.build,
                    query=query_from_preset(
                        {} if cmd.consequences is None else {"consequences": cmd.consequences}, []
                    ),
                    annotations=[work / "annotation"],
                )
            )
        ranked = rank_candidates(
            pedigree,
            candidates,
            observed,
            build=ingested.build,
            excluded=excluded,
            config=PrioritiseConfig(models=models),
        )
        shown = ranked if cmd.limit is None else ranked[: cmd.limit]
        by_label = {_label(c): c for c in candidates}
        rows = [RankRow(g, _variants(g, by_label, pedigree.proband)) for g in shown]
        return RankResult(
            build=ingested.build,
            proband=pedigree.proband,
            samples=list(paths),
            terms=observed,
            excluded=excluded,
            unknown_terms=unknown,
            annotation=annotation,
            mode=cmd.mode if cmd.mode == AUTO else cmd.mode.upper(),
            total=len(ranked),
            rows=rows,
            hpo_version=onto.version,
        )

    @staticmethod
    def _models(mode: str) -> frozenset[Model] | None:
        key = mode if mode == AUTO else mode.strip().upper()
        if key not in MODES:
            raise Invalid(f"mode {mode!r} is not one of {', '.join(MODES)}")
        return MODES[key]

    @staticmethod
    def _pedigree(paths: dict[str, Path], entries: list[Any] | None, proband: str | None) -> Pedigree:
        if entries is None:  # no PED: the VCF's only sample, or the one named, as an affected solo
            if proband is None and len(paths) != 1:
                raise Invalid(
                    f"the VCF has {len(paths)} samples ({', '.join(paths)}): pass --ped or --proband"
                )
            name = proband or next(iter(paths))
            if name not in paths:
                raise Invalid(f"proband {name!r} is not a sample of the VCF ({', '.join(paths)})")
            return Pedigree((Member(name, Sex.UNKNOWN, Affected.AFFECTED, genotypes=paths[name]),), name)
        families = {e.family for e in entries if e.individual in paths}
        if not families:
            raise Invalid(f"no sample of the VCF ({', '.join(paths)}) is in the PED")
        family = next(iter(sorted(families)))
        if proband is not None:
            family = next((e.family for e in entries if e.individual == proband), family)
        elif len(families) > 1:
            raise Invalid(f"the VCF's samples are in {len(families)} PED families: pass --proband")
        members = {e.individual for e in entries if e.family == family}
        genotypes = {name: p for name, p in paths.items() if name in members}
        return Pedigree.from_ped(entries, genotypes=genotypes, proband=proband, family=family)


def _label(c: Candidate) -> str:
    return f"{c.chrom}:{c.pos}{c.ref}>{c.alt}"


def _variants(g: RankedGene, by_label: dict[str, Candidate], proband: str) -> list[RankedVariant]:
    out = []
    for label in g.burden.variants[:TOP_VARIANTS]:
        c = by_label.get(label)
        if c is None:
            continue
        call = c.calls.get(proband)
        consequence = str(c.annotation.get("consequence") or c.annotation.get("consequence_terms") or "")
        out.append(
            RankedVariant(c.chrom, c.pos, c.ref, c.alt, consequence, (call.gt if call else None) or ".")
        )
    return out
