"""Cases in and out as GA4GH Phenopackets v2 (a Phenopacket for one person, a Family otherwise) and PED."""

from __future__ import annotations

from typing import Any

from vardesk.app.cases.service import CaseService, CaseView
from vardesk.app.context import ServiceContext
from vardesk.app.projects import ProjectService
from vardesk.domain.access import Actor
from vardesk.domain.cases import CaseType
from vardesk.domain.errors import Invalid
from vardesk.interchange.ped import case_to_ped, parse_ped, ped_to_case
from vardesk.interchange.phenopackets import (
    CaseExchange,
    ExchangeIndividual,
    Term,
    from_json,
    new_meta,
    to_json,
)

FORMATS = ("phenopacket", "ped")
_TYPE_BY_SIZE = {1: CaseType.EXOME, 2: CaseType.DUO, 3: CaseType.TRIO, 4: CaseType.QUAD, 5: CaseType.QUINTET}


def exchange_of(view: CaseView, created_by: str) -> CaseExchange:
    """The case's members as a pedigree: FATHER/MOTHER are the proband's parents, SIBLINGs share them."""
    names = {m.position: m.label or (g.code if g else f"member{m.position}") for m, g in view.members}
    father = next((names[m.position] for m, _ in view.members if m.relation == "FATHER"), None)
    mother = next((names[m.position] for m, _ in view.members if m.relation == "MOTHER"), None)
    proband_member, _ = view.proband
    people = []
    for m, _ in sorted(view.members, key=lambda mg: mg[0] is not proband_member):
        child = m.relation in ("PROBAND", "SIBLING")
        features = (
            [Term(t["id"], t.get("name", "")) for t in view.case.hpo_terms] if m is proband_member else []
        )
        people.append(
            ExchangeIndividual(
                code=names[m.position],
                sex=m.sex,
                affected=m.affected,
                father=father if child else None,
                mother=mother if child else None,
                phenotypic_features=features,
            )
        )
    return CaseExchange(
        view.case.code,
        names[proband_member.position],
        people,
        new_meta(created_by),
        family_code=view.case.code,
    )


def case_fields(exchange: CaseExchange, genome_codes: set[str]) -> dict[str, Any]:
    """Core case fields (members, relations, HPO terms, type) from an imported pedigree."""
    proband = exchange.individual(exchange.proband)
    members = []
    for ind in exchange.individuals:
        if ind.code == proband.code:
            relation = "PROBAND"
        elif ind.code == proband.father:
            relation = "FATHER"
        elif ind.code == proband.mother:
            relation = "MOTHER"
        elif (ind.father, ind.mother) == (proband.father, proband.mother) and (ind.father or ind.mother):
            relation = "SIBLING"
        elif proband.code in (ind.father, ind.mother):
            relation = "CHILD"
        else:
            relation = "OTHER"
        members.append(
            {
                "relation": relation,
                "sex": ind.sex.value,
                "affected": ind.affected.value,
                "label": ind.code,
                "sample": ind.code if ind.code in genome_codes else None,
            }
        )
    relations = {m["relation"] for m in members}
    size = len(members)
    if size not in _TYPE_BY_SIZE:
        raise Invalid(f"a case has 1 to 5 members; the file describes {size}")
    case_type = _TYPE_BY_SIZE[size]
    if case_type is CaseType.TRIO and not {"FATHER", "MOTHER"} <= relations:
        case_type = CaseType.QUINTET
    hpo = [{"id": t.id, "name": t.name} for t in proband.phenotypic_features if not t.excluded]
    return {"type": case_type.value, "members": members, "hpo_terms": hpo}


class ExchangeService:
    def __init__(self, ctx: ServiceContext, cases: CaseService, projects: ProjectService) -> None:
        self.ctx = ctx
        self.cases = cases
        self.projects = projects

    def export(self, actor: Actor, case_ref: str, fmt: str, study_ref: str | None = None) -> str:
        if fmt not in FORMATS:
            raise Invalid(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
        view = self.cases.get(actor, case_ref, study_ref)
        exchange = exchange_of(view, actor.login)
        return to_json(exchange, family=exchange.is_family) if fmt == "phenopacket" else case_to_ped(exchange)

    def import_case(
        self, actor: Actor, study_ref: str, text: str, fmt: str, extra: dict[str, Any]
    ) -> CaseView:
        """Create a case from a Phenopacket/Family or a PED file; members whose id is a sample of the study
        get that genome."""
        if fmt == "phenopacket":
            exchange = from_json(text)
        elif fmt == "ped":
            ped = parse_ped(text)
            exchange = ped_to_case(
                ped.records, new_meta(actor.login), proband=str(extra.pop("proband", "") or "")
            )
        else:
            raise Invalid(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
        with self.ctx.uow() as uow:
            study = self.projects.resolve_study(uow, actor, study_ref)
            genome_codes = uow.genomes.codes_in_study(study.study.id or 0)
        fields = case_fields(exchange, genome_codes)
        return self.cases.create(actor, study_ref, {**fields, **extra})
