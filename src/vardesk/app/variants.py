"""Variant queries over a study's genomes: every face and the case analysis go through here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from vardesk.annotate.lookups import inhouse_counts
from vardesk.app.annotation import AnnotationService
from vardesk.app.context import ServiceContext, audit
from vardesk.app.projects import ProjectService, StudyView
from vardesk.domain.access import Actor
from vardesk.domain.enums import GenomeState
from vardesk.domain.errors import Invalid, NotFound
from vardesk.domain.models import Genome
from vardesk.storage.blobs import BlobStore
from vardesk.variants.query import Region, VariantQuery, count_variants, query_batches, sample_rows

CARRIER = (1, 2, 3)
MAX_PAGE = 2**31 - 1  # skip and limit of one page; the store would take up to 2**63 - 1


@dataclass
class VariantSearch:
    """A face-independent variant search over one study."""

    samples_any: list[str] = field(default_factory=list)  # variants carried by any of these
    genotypes: dict[str, list[int]] = field(default_factory=dict)  # sample → allowed zygosities
    include_samples: list[str] | None = None  # None: the samples named in the filters; ["*"]: all
    regions: list[str] = field(default_factory=list)
    ids: list[tuple[str, int, str, str]] = field(default_factory=list)
    genes: list[str] = field(default_factory=list)
    consequences: list[str] = field(default_factory=list)
    max_af: float | None = None
    clinvar: list[str] = field(default_factory=list)
    pass_only: bool = False
    min_qual: float | None = None
    skip: int = 0
    limit: int | None = 1000
    count: bool = False

    def __post_init__(self) -> None:
        """The store's OFFSET and LIMIT are 64-bit integers: a page beyond them is refused here, as a
        face's 400, not by the database as a 500."""
        for name, value in (("skip (offset)", self.skip), ("limit", self.limit)):
            if value is not None and not 0 <= value <= MAX_PAGE:
                raise Invalid(f"{name} must be between 0 and {MAX_PAGE}; got {value}")


@dataclass
class VariantHit:
    row: dict[str, Any]  # site, the primary genome's values and the annotation columns
    samples: list[tuple[str, dict[str, Any] | None]]  # included sample → its stored values (None: absent)


@dataclass
class VariantPage:
    study: StudyView
    hits: list[VariantHit]
    num_matches: int
    samples: list[str]


class VariantService:
    def __init__(
        self, ctx: ServiceContext, projects: ProjectService, annotation: AnnotationService, store: BlobStore
    ) -> None:
        self.ctx = ctx
        self.projects = projects
        self.annotation = annotation
        self.store = store

    def _genomes(self, actor: Actor, study_ref: str) -> tuple[StudyView, dict[str, Genome]]:
        with self.ctx.uow() as uow:
            study = self.projects.resolve_study(uow, actor, study_ref)
            genomes = {g.code: g for g in uow.genomes.in_study(study.study.id or 0)}
        return study, genomes

    def _plan(self, actor: Actor, study_ref: str, search: VariantSearch, files: ExitStack) -> _Plan:
        """The query plan; the genotype and annotation files it reads stay local while ``files`` is open."""
        study, genomes = self._genomes(actor, study_ref)
        named = list(dict.fromkeys([*search.samples_any, *search.genotypes]))
        unknown = [
            s for s in named + [s for s in search.include_samples or [] if s != "*"] if s not in genomes
        ]
        if unknown:
            raise NotFound(f"sample(s) {', '.join(unknown)} not found in study {study.fqn}")
        if search.include_samples == ["*"]:
            included = [c for c, g in genomes.items() if g.state is GenomeState.READY]
        elif search.include_samples is not None:
            included = list(search.include_samples)
        else:
            included = named
        involved = list(dict.fromkeys(named + included))
        not_ready = [s for s in involved if genomes[s].state is not GenomeState.READY]
        if not_ready:
            raise Invalid(
                f"sample(s) {', '.join(not_ready)} are not indexed yet (state "
                f"{', '.join(genomes[s].state.value for s in not_ready)})"
            )
        pool = involved or [c for c, g in genomes.items() if g.state is GenomeState.READY]
        local = files.enter_context(self.store.materialise_many([genomes[s].genotypes_key for s in pool]))
        paths = dict(zip(pool, local, strict=True))
        carriers = [s for s, allowed in search.genotypes.items() if set(allowed) <= set(CARRIER)]
        primary: str | list[str] = carriers[0] if carriers else (search.samples_any or pool)
        if isinstance(primary, list) and len(primary) == 1:
            primary = primary[0]
        query = VariantQuery(
            regions=[Region.parse(r) for r in search.regions]
            + [Region(chrom=c, start=p, end=p) for c, p, _, _ in search.ids],
            genes=search.genes,
            consequences=search.consequences,
            max_af=search.max_af,
            clinvar=search.clinvar,
            pass_only=search.pass_only,
            min_qual=search.min_qual,
            genotypes=dict(search.genotypes),
            skip=search.skip,
            limit=search.limit,
        )
        annotations = (
            files.enter_context(self.annotation.annotations([genomes[s] for s in pool])) if pool else []
        )
        with self.ctx.uow() as uow:
            # every genome whose genotypes the query reads, shown or not: a study-wide query names the
            # variants its patients carry even when it shows no sample column
            for s in dict.fromkeys([*included, *pool]):
                audit(
                    uow,
                    "genome_read",
                    actor=actor,
                    entity_type="genome",
                    entity_id=genomes[s].id,
                    details={"via": "variant_query"},
                )
            uow.commit()
        # In-house counts leave out the genomes the query is about (the samples its filters name), never
        # the ones only shown beside them: which columns a client includes must not change the counts.
        own = {genomes[s].genotypes_key for s in named}
        with self.ctx.uow() as uow:
            workspace = uow.genomes.ready_in_workspace(actor.workspace_id)
        others = [g.genotypes_key for g in workspace if g.genotypes_key and g.genotypes_key not in own]
        inhouse = files.enter_context(self.store.materialise_many(others))
        return _Plan(study, included, paths, primary, query, annotations or None, search, inhouse)

    def _hits(self, plan: _Plan) -> Iterator[VariantHit]:
        if not plan.paths:
            return
        wanted = {(c, p, r, a) for c, p, r, a in plan.search.ids}
        for batch in query_batches(
            plan.query, plan.paths, primary=plan.primary, annotations=plan.annotations
        ):
            rows = [
                r
                for r in batch.to_pylist()
                if not wanted or (r["chrom"], r["pos"], r["ref"], r["alt"]) in wanted
            ]
            keys = [r["key"] for r in rows]
            values = sample_rows({s: plan.paths[s] for s in plan.included}, keys)
            inhouse = self._inhouse(plan, keys)
            for r in rows:
                r.update(
                    inhouse.get(
                        r["key"], {"inhouse_carriers": 0, "inhouse_homozygotes": 0, "inhouse_hemizygotes": 0}
                    )
                    | {"inhouse_genomes": len(plan.inhouse)}
                )
                yield VariantHit(
                    r, [(s, values.get(s, {}).get((r["key"], r["ref"], r["alt"]))) for s in plan.included]
                )

    def _inhouse(self, plan: _Plan, keys: list[int]) -> dict[int, dict[str, int]]:
        """Carriers, homozygotes and hemizygotes per key among the workspace's other genomes (the genomes
        the query's sample filters name left out; none when it names none), counted from the genotype
        files, so always current."""
        if not plan.inhouse or not keys:
            return {}
        table = inhouse_counts(plan.inhouse, keys=pa.array(keys, pa.int64()))
        return {
            row["key"]: {
                "inhouse_carriers": row["carriers"],
                "inhouse_homozygotes": row["homozygotes"],
                "inhouse_hemizygotes": row["hemizygotes"],
            }
            for row in table.to_pylist()
        }

    def search(self, actor: Actor, study_ref: str, search: VariantSearch) -> VariantPage:
        """One page of matches (with the total when ``count``)."""
        with ExitStack() as files:
            plan = self._plan(actor, study_ref, search, files)
            hits = list(self._hits(plan))
            matches = -1
            if search.count and plan.paths:
                matches = count_variants(
                    plan.query, plan.paths, primary=plan.primary, annotations=plan.annotations
                )
        return VariantPage(plan.study, hits, matches if plan.paths or not search.count else 0, plan.included)

    def stream(
        self, actor: Actor, study_ref: str, search: VariantSearch
    ) -> tuple[VariantPage, Iterator[VariantHit]]:
        """Every match, uncapped, as a stream (for exports); the page carries the study and samples only.
        The files the stream reads stay local until it is exhausted or closed."""
        files = ExitStack()
        try:
            plan = self._plan(actor, study_ref, search, files)
        except BaseException:
            files.close()
            raise

        def hits() -> Iterator[VariantHit]:
            with files:
                yield from self._hits(plan)

        return VariantPage(plan.study, [], -1, plan.included), hits()


@dataclass
class _Plan:
    study: StudyView
    included: list[str]
    paths: dict[str, Path]
    primary: str | list[str]
    query: VariantQuery
    annotations: list[Path] | None
    search: VariantSearch
    inhouse: list[Path] = field(default_factory=list)
