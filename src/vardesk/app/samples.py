"""Genomes (samples), individuals and families of a study."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vardesk.app.commands import object_field
from vardesk.app.context import ServiceContext, audit
from vardesk.app.phenotypes import phenotype_warnings
from vardesk.app.projects import ProjectService, StudyView
from vardesk.catalog.uow import UnitOfWork
from vardesk.domain.access import Actor
from vardesk.domain.enums import Affected, Sex
from vardesk.domain.errors import Conflict, Invalid, NotFound, VardeskError
from vardesk.domain.models import Family, Genome, Individual, VcfFile
from vardesk.domain.refs import check_code

_SEX = {
    "MALE": Sex.MALE,
    "M": Sex.MALE,
    "1": Sex.MALE,
    "FEMALE": Sex.FEMALE,
    "F": Sex.FEMALE,
    "2": Sex.FEMALE,
    "UNKNOWN": Sex.UNKNOWN,
    "U": Sex.UNKNOWN,
    "0": Sex.UNKNOWN,
    "": Sex.UNKNOWN,
}
_AFFECTED = {
    "AFFECTED": Affected.AFFECTED,
    "2": Affected.AFFECTED,
    "TRUE": Affected.AFFECTED,
    "UNAFFECTED": Affected.UNAFFECTED,
    "1": Affected.UNAFFECTED,
    "FALSE": Affected.UNAFFECTED,
    "UNKNOWN": Affected.UNKNOWN,
    "0": Affected.UNKNOWN,
    "-9": Affected.UNKNOWN,
    "": Affected.UNKNOWN,
}


def parse_sex(value: Any) -> Sex:
    raw = value.get("id") if isinstance(value, dict) else value
    sex = _SEX.get(str(raw or "").strip().upper())
    if sex is None:
        raise Invalid(f"sex {raw!r} is not one of MALE, FEMALE, UNKNOWN")
    return sex


def parse_affected(value: Any) -> Affected:
    aff = _AFFECTED.get(str(value if value is not None else "").strip().upper())
    if aff is None:
        raise Invalid(f"affected status {value!r} is not one of AFFECTED, UNAFFECTED, UNKNOWN")
    return aff


_EXCLUDED_STATUSES = ("EXCLUDED", "NOT_OBSERVED", "NOT_PRESENT", "ABSENT")


def _excluded(item: Any) -> bool:
    """An explicitly absent (negated) term: ``excluded``/``negated`` true, or an OpenCGA/Phenopackets-like
    ``status`` of NOT_OBSERVED / EXCLUDED."""
    if not isinstance(item, dict):
        return False
    if item.get("excluded") is True or item.get("negated") is True:
        return True
    status = item.get("status")
    return str(status.get("id") if isinstance(status, dict) else status or "").upper() in _EXCLUDED_STATUSES


def parse_phenotypes(items: Any) -> list[dict[str, Any]]:
    """HPO terms as given ({"id", "name", "status"/"excluded"} objects or ids), checked against the
    ontology. A malformed id is refused; an id the shipped ontology does not know (newer than it, or an
    alternative id it lacks) is kept with ``"unknown": reason`` (a warning, never a refusal: it is
    stored, shown, and left out of the phenotype score); obsolete ids are replaced (the requested id
    kept); names come from the ontology; an excluded (negated) term keeps ``"excluded": true``."""
    from vardesk.knowledge.hpo import check_phenotype_ids, hpo_ontology

    if items and not isinstance(items, list | tuple):
        raise Invalid("hpo_terms must be a list of HPO ids or {id} objects")
    items = list(items or [])
    ids = check_phenotype_ids(items)
    if not ids:
        return []
    onto = hpo_ontology()
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for tid, item in zip(ids, items, strict=True):
        resolved = onto.resolve_terms([tid])
        if resolved.terms:
            term = resolved.terms[0]
            doc: dict[str, Any] = {"id": term.id, "name": term.name, "source": "HPO"}
            if term.requested and term.requested != term.id:
                doc["requested"] = term.requested
        else:
            given = item.get("name") if isinstance(item, dict) else None
            doc = {"id": tid, "name": str(given or ""), "source": "HPO", "unknown": resolved.unknown[tid]}
        if _excluded(item):
            doc["excluded"] = True
        if doc["id"] not in seen:
            seen.add(doc["id"])
            out.append(doc)
    return out


@dataclass(frozen=True)
class GenomeView:
    study: StudyView
    genome: Genome
    file_code: str
    individual_code: str | None
    file: VcfFile | None = None


@dataclass(frozen=True)
class IndividualView:
    study: StudyView
    individual: Individual
    father: str | None
    mother: str | None
    genomes: list[Genome]
    families: list[str]

    @property
    def warnings(self) -> list[str]:
        """The individual's HPO terms the shipped ontology does not know (kept, not scored)."""
        return phenotype_warnings(self.individual.phenotypes)


@dataclass(frozen=True)
class FamilyView:
    study: StudyView
    family: Family
    members: list[IndividualView]


class PedigreeService:
    def __init__(self, ctx: ServiceContext, projects: ProjectService) -> None:
        self.ctx = ctx
        self.projects = projects

    # -- genomes -----------------------------------------------------------------------------------
    def _genome_view(self, uow: UnitOfWork, study: StudyView, g: Genome) -> GenomeView:
        vcf = uow.files.get(g.file_id)
        ind = uow.individuals.get(g.individual_id) if g.individual_id else None
        return GenomeView(study, g, vcf.code if vcf else "", ind.code if ind else None, vcf)

    def find_genome(self, uow: UnitOfWork, study: StudyView, ref: str) -> Genome:
        sid = study.study.id or 0
        g = uow.genomes.by_code(sid, ref) or uow.genomes.by_uuid(ref)
        if g is None or g.study_id != sid:
            raise NotFound(f"sample {ref!r} not found in study {study.fqn}")
        return g

    def genome_by_id(self, actor: Actor, genome_id: int) -> GenomeView:
        """A readable genome of the actor's workspace by its integer id (another workspace's: not found)."""
        with self.ctx.uow() as uow:
            g = uow.genomes.get(genome_id)
            if g is None or g.workspace_id != actor.workspace_id:
                raise NotFound(f"genome {genome_id} not found")
            study = self.projects.study_by_id(uow, actor, g.study_id)
            audit(uow, "genome_read", actor=actor, entity_type="genome", entity_id=g.id)
            view = self._genome_view(uow, study, g)
            uow.commit()
        return view

    def get_genomes(
        self, actor: Actor, study_ref: str, refs: list[str]
    ) -> list[tuple[str, GenomeView | VardeskError]]:
        out: list[tuple[str, GenomeView | VardeskError]] = []
        with self.ctx.uow() as uow:
            study = self.projects.resolve_study(uow, actor, study_ref)
            for ref in refs:
                try:
                    g = self.find_genome(uow, study, ref)
                except VardeskError as exc:
                    out.append((ref, exc))
                    continue
                audit(uow, "genome_read", actor=actor, entity_type="genome", entity_id=g.id)
                out.append((ref, self._genome_view(uow, study, g)))
            uow.commit()
        return out

    def search_genomes(self, actor: Actor, study_ref: str, filters: dict[str, Any]) -> list[GenomeView]:
        with self.ctx.uow() as uow:
            study = self.projects.resolve_study(uow, actor, study_ref)
            query: dict[str, Any] = {}
            if filters.get("code"):
                query["code"] = filters["code"].split(",")
            if filters.get("individual"):
                ind = uow.individuals.by_code(study.study.id or 0, filters["individual"])
                query["individual_id"] = ind.id if ind else -1
            if filters.get("file"):
                f = uow.files.by_code(study.study.id or 0, filters["file"])
                query["file_id"] = f.id if f else -1
            views = [
                self._genome_view(uow, study, g) for g in uow.genomes.in_study(study.study.id or 0, query)
            ]
            for v in views:
                audit(uow, "genome_read", actor=actor, entity_type="genome", entity_id=v.genome.id)
            uow.commit()
        return views

    # -- individuals -------------------------------------------------------------------------------
    def _individual_view(self, uow: UnitOfWork, study: StudyView, ind: Individual) -> IndividualView:
        father = uow.individuals.get(ind.father_id) if ind.father_id else None
        mother = uow.individuals.get(ind.mother_id) if ind.mother_id else None
        fams = [uow.families.get(fid) for fid in uow.families.of_individual(ind.id or 0)]
        return IndividualView(
            study,
            ind,
            father.code if father else None,
            mother.code if mother else None,
            list(uow.genomes.of_individuals([ind.id or 0])),
            [f.code for f in fams if f],
        )

    def _parent(self, uow: UnitOfWork, study: StudyView, value: Any) -> int | None:
        ref = value.get("id") if isinstance(value, dict) else value
        if not ref:
            return None
        parent = uow.individuals.by_code(study.study.id or 0, str(ref))
        if parent is None:
            raise NotFound(f"parent {ref!r} not found in study {study.fqn}; create parents first")
        return parent.id

    def _create_individual(
        self, uow: UnitOfWork, actor: Actor, study: StudyView, data: dict[str, Any], samples: list[str]
    ) -> Individual:
        code = check_code(str(data.get("id") or ""), "individual")
        sid = study.study.id or 0
        if uow.individuals.by_code(sid, code):
            raise Conflict(f"individual {code!r} already exists in study {study.fqn}")
        affected = data.get(
            "affected", data.get("affectationStatus", (data.get("attributes") or {}).get("affected"))
        )
        ind = uow.individuals.add(
            Individual(
                workspace_id=actor.workspace_id,
                study_id=sid,
                code=code,
                name=str(data.get("name") or code),
                sex=parse_sex(data.get("sex")),
                affected=parse_affected(affected),
                father_id=self._parent(uow, study, data.get("father")),
                mother_id=self._parent(uow, study, data.get("mother")),
                date_of_birth=str(data.get("dateOfBirth") or ""),
                ethnicity=str(
                    (data.get("ethnicity") or {}).get("id", "")
                    if isinstance(data.get("ethnicity"), dict)
                    else data.get("ethnicity") or ""
                ),
                phenotypes=parse_phenotypes(data.get("phenotypes")),
                disorders=[d if isinstance(d, dict) else {"id": str(d)} for d in data.get("disorders") or []],
                attributes=object_field(data.get("attributes"), "attributes"),
            )
        )
        for ref in samples:
            g = self.find_genome(uow, study, ref)
            if g.individual_id not in (None, ind.id):
                raise Conflict(f"sample {ref!r} already belongs to another individual")
            g.individual_id = ind.id
        audit(uow, "individual_create", actor=actor, entity_type="individual", entity_id=ind.id)
        return ind

    def create_individual(
        self, actor: Actor, study_ref: str, data: dict[str, Any], samples: list[str] | None = None
    ) -> IndividualView:
        with self.ctx.uow() as uow:
            study = self.projects.study_for_write(uow, actor, study_ref)
            ind = self._create_individual(uow, actor, study, data, samples or [])
            uow.flush()
            view = self._individual_view(uow, study, ind)
            uow.commit()
        return view

    def get_individuals(
        self, actor: Actor, study_ref: str, refs: list[str]
    ) -> list[tuple[str, IndividualView | VardeskError]]:
        out: list[tuple[str, IndividualView | VardeskError]] = []
        with self.ctx.uow() as uow:
            study = self.projects.resolve_study(uow, actor, study_ref)
            for ref in refs:
                ind = uow.individuals.by_code(study.study.id or 0, ref) or uow.individuals.by_uuid(ref)
                if ind is None or ind.study_id != study.study.id:
                    out.append((ref, NotFound(f"individual {ref!r} not found in study {study.fqn}")))
                    continue
                audit(uow, "individual_read", actor=actor, entity_type="individual", entity_id=ind.id)
                out.append((ref, self._individual_view(uow, study, ind)))
            uow.commit()
        return out

    def search_individuals(
        self, actor: Actor, study_ref: str, filters: dict[str, Any]
    ) -> list[IndividualView]:
        with self.ctx.uow() as uow:
            study = self.projects.resolve_study(uow, actor, study_ref)
            query: dict[str, Any] = {}
            if filters.get("code"):
                query["code"] = filters["code"].split(",")
            if filters.get("sex"):
                query["sex"] = parse_sex(filters["sex"]).value
            views = [
                self._individual_view(uow, study, i)
                for i in uow.individuals.in_study(study.study.id or 0, query)
            ]
            if filters.get("samples"):
                wanted = set(filters["samples"].split(","))
                views = [v for v in views if wanted & {g.code for g in v.genomes}]
            for v in views:
                audit(
                    uow, "individual_read", actor=actor, entity_type="individual", entity_id=v.individual.id
                )
            uow.commit()
        return views

    # -- families ----------------------------------------------------------------------------------
    def _family_view(self, uow: UnitOfWork, study: StudyView, fam: Family) -> FamilyView:
        members = [uow.individuals.get(i) for i in uow.families.member_ids(fam.id or 0)]
        return FamilyView(study, fam, [self._individual_view(uow, study, m) for m in members if m])

    def create_family(
        self, actor: Actor, study_ref: str, data: dict[str, Any], members: list[str] | None = None
    ) -> FamilyView:
        """Create a family; members given as objects are created when missing (parents first)."""
        code = check_code(str(data.get("id") or ""), "family")
        with self.ctx.uow() as uow:
            study = self.projects.study_for_write(uow, actor, study_ref)
            sid = study.study.id or 0
            if uow.families.by_code(sid, code):
                raise Conflict(f"family {code!r} already exists in study {study.fqn}")
            member_ids: list[int] = []
            pending = list(data.get("members") or [])
            for _ in range(len(pending) + 1):  # create parents before children, whatever the order
                rest = []
                for m in pending:
                    m = m if isinstance(m, dict) else {"id": str(m)}
                    existing = uow.individuals.by_code(sid, str(m.get("id") or ""))
                    if existing is not None:
                        member_ids.append(existing.id or 0)
                        continue
                    parents = [
                        p.get("id") if isinstance(p, dict) else p for p in (m.get("father"), m.get("mother"))
                    ]
                    if any(p and uow.individuals.by_code(sid, str(p)) is None for p in parents):
                        rest.append(m)
                        continue
                    member_ids.append(self._create_individual(uow, actor, study, m, []).id or 0)
                    uow.flush()
                if not rest:
                    break
                if len(rest) == len(pending):
                    missing = ", ".join(str(m.get("id")) for m in rest)
                    raise NotFound(f"the parents of {missing} are neither in the study nor among the members")
                pending = rest
            for ref in members or []:
                ind = uow.individuals.by_code(sid, ref)
                if ind is None:
                    raise NotFound(f"individual {ref!r} not found in study {study.fqn}")
                member_ids.append(ind.id or 0)
            fam = uow.families.add(
                Family(
                    workspace_id=actor.workspace_id,
                    study_id=sid,
                    code=code,
                    name=str(data.get("name") or code),
                    description=str(data.get("description") or ""),
                    attributes=object_field(data.get("attributes"), "attributes"),
                )
            )
            uow.families.set_members(fam.id or 0, list(dict.fromkeys(member_ids)))
            audit(uow, "family_create", actor=actor, entity_type="family", entity_id=fam.id)
            uow.flush()
            view = self._family_view(uow, study, fam)
            uow.commit()
        return view

    def get_families(
        self, actor: Actor, study_ref: str, refs: list[str]
    ) -> list[tuple[str, FamilyView | VardeskError]]:
        out: list[tuple[str, FamilyView | VardeskError]] = []
        with self.ctx.uow() as uow:
            study = self.projects.resolve_study(uow, actor, study_ref)
            for ref in refs:
                fam = uow.families.by_code(study.study.id or 0, ref) or uow.families.by_uuid(ref)
                if fam is None or fam.study_id != study.study.id:
                    out.append((ref, NotFound(f"family {ref!r} not found in study {study.fqn}")))
                    continue
                audit(uow, "family_read", actor=actor, entity_type="family", entity_id=fam.id)
                out.append((ref, self._family_view(uow, study, fam)))
            uow.commit()
        return out

    def search_families(self, actor: Actor, study_ref: str, filters: dict[str, Any]) -> list[FamilyView]:
        with self.ctx.uow() as uow:
            study = self.projects.resolve_study(uow, actor, study_ref)
            query = {"code": filters["code"].split(",")} if filters.get("code") else {}
            views = [
                self._family_view(uow, study, f) for f in uow.families.in_study(study.study.id or 0, query)
            ]
            if filters.get("members"):
                wanted = set(filters["members"].split(","))
                views = [v for v in views if wanted & {m.individual.code for m in v.members}]
            for v in views:
                audit(uow, "family_read", actor=actor, entity_type="family", entity_id=v.family.id)
            uow.commit()
        return views
