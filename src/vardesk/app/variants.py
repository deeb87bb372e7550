"""Variant queries over a study's genomes: every face and the case analysis go through here."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vardesk.analysis.inheritance import Mode, find_candidates
from vardesk.app.annotation import AnnotationService
from vardesk.app.cases.case_analysis import build_pedigree
from vardesk.app.cases.records import CaseRecords
from vardesk.app.context import ServiceContext, audit
from vardesk.app.inhouse import InhouseFrequencies
from vardesk.app.matrices import GenotypeMatrices
from vardesk.app.projects import ProjectService, StudyView
from vardesk.domain.access import Actor
from vardesk.domain.cases import CaseMember
from vardesk.domain.enums import GenomeState
from vardesk.domain.errors import Invalid, NotFound
from vardesk.domain.models import Genome
from vardesk.storage.blobs import BlobStore
from vardesk.variants.engine import QueryEngine
from vardesk.variants.matrix import (
    Matrix,
    matrix_batches,
    matrix_page,
    matrix_sample_rows,
    matrix_site_rows,
    supports,
)
from vardesk.variants.query import (
    Region,
    ScoreFilter,
    VariantQuery,
    query_batches,
    query_page,
    sample_rows,
    site_rows,
)

CARRIER = (1, 2, 3)
SAMPLE_COLUMNS = ("gt", "zygosity", "phased", "ad_ref", "ad_alt", "dp", "gq", "vaf", "filters", "qual")
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
    max_af: float | None = None  # gnomAD global frequency; a variant whose frequency is unknown passes
    # in-silico score filters (column, operator, value) — every inner list needs one that holds; columns
    # revel, cadd_phred, spliceai_max, alphamissense; a variant without the score does not match
    scores: list[list[tuple[str, str, float]]] = field(default_factory=list)
    clinvar: list[str] = field(default_factory=list)
    pass_only: bool = False
    min_qual: float | None = None
    skip: int = 0
    limit: int | None = 1000
    count: bool = False
    case: str | None = None  # a case of the study: its members' genomes, relations and affected status
    segregation: list[str] = field(default_factory=list)  # inheritance modes, with ``case`` (Mode names)

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
        self,
        ctx: ServiceContext,
        projects: ProjectService,
        annotation: AnnotationService,
        store: BlobStore,
        queries: QueryEngine,
        records: CaseRecords,
        inhouse: InhouseFrequencies,
    ) -> None:
        self.ctx = ctx
        self.inhouse = inhouse
        self.records = records
        self.projects = projects
        self.annotation = annotation
        self.store = store
        self.queries = queries  # one slot of its gate per search or stream (503 when it is full)
        self.matrices = GenotypeMatrices(ctx, store, annotation)

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
            scores=[[ScoreFilter(column=c, op=o, value=v) for c, o, v in alt] for alt in search.scores],
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
        plan = _Plan(
            study, included, paths, primary, query, annotations or None, search, others, actor.workspace_id
        )
        # the family's genotype matrix, when one holds every genome the filters name and is current
        primaries = [primary] if isinstance(primary, str) else list(primary)
        record = self.matrices.find(
            study.study.id or 0, genomes, list(dict.fromkeys([*primaries, *search.genotypes])), pool
        )
        if record is not None:
            matrix = self.matrices.open(record, genomes, files)
            if supports(query, matrix, primaries):
                plan.matrix = matrix
                plan.matrix_members = {genomes[c].genotypes_key: c for c in matrix.members}
        return plan

    def _hits(self, plan: _Plan, pages: Iterable[list[dict[str, Any]]] | None = None) -> Iterator[VariantHit]:
        """The hits of ``pages`` of rows (default: every match, streamed in batches)."""
        if not plan.paths:
            return
        wanted = {(c, p, r, a) for c, p, r, a in plan.search.ids}
        if pages is None:
            batches = (
                matrix_batches(
                    plan.query, plan.matrix, plan.paths, primary=plan.primary, annotations=plan.annotations
                )
                if plan.matrix is not None
                else query_batches(plan.query, plan.paths, primary=plan.primary, annotations=plan.annotations)
            )
            pages = (b.to_pylist() for b in batches)
        for page in pages:
            rows = [r for r in page if not wanted or (r["chrom"], r["pos"], r["ref"], r["alt"]) in wanted]
            keys = [r["key"] for r in rows]
            values = self._sample_values(plan, keys)
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

    def _sample_values(self, plan: _Plan, keys: list[int]) -> dict[str, dict[tuple[int, str, str], Any]]:
        """The included samples' stored values of ``keys``: the matrix's members from it in one read, the
        others from their genotype files."""
        inside = [s for s in plan.included if plan.matrix is not None and s in plan.matrix.members]
        values = sample_rows({s: plan.paths[s] for s in plan.included if s not in inside}, keys)
        if plan.matrix is not None and inside:
            values |= matrix_sample_rows(plan.matrix, inside, keys, SAMPLE_COLUMNS)
        return values

    def _inhouse(self, plan: _Plan, keys: list[int]) -> dict[int, dict[str, int]]:
        """Carriers, homozygotes and hemizygotes per key among the workspace's other genomes (the genomes
        the query's sample filters name left out; none when it names none): the workspace's aggregate,
        corrected for the genomes it counts that the query leaves out (:mod:`vardesk.app.inhouse`)."""
        if not plan.inhouse or not keys:
            return {}
        found = self.inhouse.counts(
            plan.workspace_id, plan.inhouse, keys, matrix=plan.matrix, members=plan.matrix_members
        )
        return {
            key: {
                "inhouse_carriers": row["carriers"],
                "inhouse_homozygotes": row["homozygotes"],
                "inhouse_hemizygotes": row["hemizygotes"],
            }
            for key, row in found.items()
        }

    def search(self, actor: Actor, study_ref: str, search: VariantSearch) -> VariantPage:
        """One page of matches (with the total when ``count``)."""
        with ExitStack() as files:
            files.enter_context(self.queries.slot())
            family = self._family(actor, study_ref, search) if search.case else None
            if family is not None:
                search = family.search
            plan = self._plan(actor, study_ref, search, files)
            matches = 0 if search.count else -1
            hits: list[VariantHit] = []
            if family is not None and family.modes:
                rows, total = self._segregating(plan, family)
                hits = list(self._hits(plan, [rows]))
                matches = total if search.count else -1
            elif plan.paths:
                options: dict[str, Any] = {
                    "primary": plan.primary,
                    "annotations": plan.annotations,
                    "count": search.count,
                }
                if plan.matrix is not None:
                    rows, total = matrix_page(plan.query, plan.matrix, plan.paths, **options)
                else:
                    rows, total = query_page(plan.query, plan.paths, **options)
                hits = list(self._hits(plan, [rows]))
                if search.count and total is not None:
                    matches = total
        return VariantPage(plan.study, hits, matches, plan.included)

    def _family(self, actor: Actor, study_ref: str, search: VariantSearch) -> _Family:
        """The case's family; the search then reads its members' genomes (and shows them by default)."""
        modes = [parse_mode(m) for m in search.segregation]
        if modes and search.genotypes:
            raise Invalid("familySegregation sets every member's genotype: leave out the genotype filters")
        view = self.records.get(actor, search.case or "", study_ref)
        codes = [g.code for _, g in view.members if g is not None]
        if not codes:
            raise Invalid(f"case {search.case!r} has no member genome")
        shown = search.include_samples if search.include_samples is not None else codes
        narrowed = replace(search, samples_any=codes, include_samples=shown)
        return _Family(view.members, modes, narrowed)

    def _segregating(self, plan: _Plan, family: _Family) -> tuple[list[dict[str, Any]], int]:
        """The page of the proband's variants that fit the modes — the case analysis' own inheritance
        analysis (:func:`vardesk.analysis.inheritance.find_candidates`: the same patterns, the same
        compound heterozygous pairing and phase rules) — and how many there are."""
        genomes = [g for _, g in family.members if g is not None]
        pedigree = build_pedigree(family.members, {g.id: plan.paths[g.code] for g in genomes})
        proband = next(g for m, g in family.members if g is not None and _name(m, g) == pedigree.proband)
        query = plan.query.model_copy(update={"skip": 0, "limit": None, "genotypes": {}})
        matrix = None
        if plan.matrix is not None:  # its column groups named as the pedigree names the members
            names = {g.code: _name(m, g) for m, g in family.members if g is not None}
            matrix = Matrix(plan.matrix.path, tuple(names.get(c, f"\0{c}") for c in plan.matrix.members))
        found = list(
            find_candidates(
                pedigree,
                build=genomes[0].build,
                query=query,
                annotations=plan.annotations,
                modes=family.modes,
                matrix=matrix,
            )
        )
        search = plan.search
        page = found[search.skip : None if search.limit is None else search.skip + search.limit]
        by_key = {c.key: c for c in found}
        sites = [(c.key, c.chrom, c.ref, c.alt) for c in page]
        if plan.matrix is not None and proband.code in plan.matrix.members:
            rows = matrix_site_rows(plan.matrix, sites, proband.code)
        else:
            rows = site_rows(
                sites,
                {proband.code: plan.paths[proband.code]},
                primary=proband.code,
                annotations=plan.annotations,
            )
        for r in rows:
            c = by_key[r["key"]]
            r["inheritance"] = [
                {
                    "mode": m.mode.value,
                    "certainty": m.certainty.value,
                    "evidence": m.evidence,
                    "partners": [
                        f"{p.chrom}:{p.pos}:{p.ref}:{p.alt}" for p in (by_key.get(k) for k in m.partners) if p
                    ],
                }
                for m in c.modes
            ]
        return rows, len(found)

    def stream(
        self, actor: Actor, study_ref: str, search: VariantSearch
    ) -> tuple[VariantPage, Iterator[VariantHit]]:
        """Every match, uncapped, as a stream (for exports); the page carries the study and samples only.
        The files the stream reads stay local until it is exhausted or closed."""
        files = ExitStack()
        try:
            files.enter_context(self.queries.slot())  # held until the stream ends or is closed
            family = self._family(actor, study_ref, search) if search.case else None
            if family is not None:
                search = family.search
            plan = self._plan(actor, study_ref, search, files)
        except BaseException:
            files.close()
            raise

        def hits() -> Iterator[VariantHit]:
            with files:
                if family is not None and family.modes:
                    yield from self._hits(plan, [self._segregating(plan, family)[0]])
                else:
                    yield from self._hits(plan)

        return VariantPage(plan.study, [], -1, plan.included), hits()


@dataclass
class _Family:
    members: list[tuple[CaseMember, Genome | None]]
    modes: list[Mode]
    search: VariantSearch


_MODE_ALIASES = {
    "AUTOSOMAL_RECESSIVE": Mode.AUTOSOMAL_RECESSIVE_HOMOZYGOUS,
    "COMPHET": Mode.COMPOUND_HETEROZYGOUS,
    "X_LINKED": Mode.X_LINKED_RECESSIVE,
}


def parse_mode(text: str) -> Mode:
    """An inheritance mode by its name (``DE_NOVO``, ``COMPOUND_HETEROZYGOUS``, ``AUTOSOMAL_RECESSIVE``…)."""
    name = text.strip().upper()
    if name in _MODE_ALIASES:
        return _MODE_ALIASES[name]
    try:
        return Mode(name)
    except ValueError:
        known = ", ".join([*(m.value for m in Mode), *_MODE_ALIASES])
        raise Invalid(f"unknown inheritance mode {text!r}: use one of {known}") from None


def _name(member: CaseMember, genome: Genome) -> str:
    return member.label or genome.code


@dataclass
class _Plan:
    study: StudyView
    included: list[str]
    paths: dict[str, Path]
    primary: str | list[str]
    query: VariantQuery
    annotations: list[Path] | None
    search: VariantSearch
    inhouse: list[str] = field(default_factory=list)  # the other genomes' genotype files (store keys)
    workspace_id: int = 0
    matrix: Matrix | None = None  # the family's genotype matrix, read instead of the genotype files
    matrix_members: dict[str, str] = field(default_factory=dict)  # genotype file (store key) → member
