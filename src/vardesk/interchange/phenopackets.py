"""GA4GH Phenopackets v2 import and export: a single proband (``Phenopacket``) or a ``Family``.

A case is exchanged as a :class:`CaseExchange`: plain dataclasses, no protobuf. Export builds the
``phenopackets`` package's protobuf messages (BSD-3) and renders them with ``google.protobuf.json_format``
in the schema's camelCase JSON; import parses the same JSON strictly (unknown fields are errors) and checks
every HPO id with :class:`~vardesk.knowledge.hpo.HpoOntology`, naming the individual and the field of
each problem.

What maps, and how:

* ``Individual``: id, sex (``OTHER_SEX`` imports as UNKNOWN, with a note), date of birth (a date; the
  timestamp is midnight UTC), age as ``timeAtLastEncounter.age`` (an ISO 8601 duration such as ``P3Y2M``).
* ``phenotypicFeatures``: HPO term and ``excluded``; ``diseases``: term (OMIM/ORPHA/MONDO CURIE) and
  ``excluded``. Other feature and disease fields (onset, severity, modifiers, evidence) are not kept.
* ``Pedigree``: family id, parents, sex and affected status of everyone, including members with no
  phenopacket of their own. A single ``Phenopacket`` has no affected status: its subject imports as
  AFFECTED when it has an observed feature or a disease not excluded, UNKNOWN otherwise.
* ``MetaData``: created, created by, submitted by, resources (HPO with the release in use, OMIM, ORPHA).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import phenopackets as pp
from google.protobuf import json_format

from vardesk.domain.enums import Affected, Sex
from vardesk.domain.errors import Invalid
from vardesk.domain.json_text import parse_json
from vardesk.domain.models import Individual
from vardesk.knowledge.hpo import HpoOntology, hpo_ontology

SCHEMA_VERSION = "2.0"
_DISEASE_CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*:[A-Za-z0-9_.-]+$")
_ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")

_SEX_OUT = {Sex.MALE: pp.MALE, Sex.FEMALE: pp.FEMALE, Sex.UNKNOWN: pp.UNKNOWN_SEX}
_SEX_IN = {pp.MALE: Sex.MALE, pp.FEMALE: Sex.FEMALE, pp.UNKNOWN_SEX: Sex.UNKNOWN, pp.OTHER_SEX: Sex.UNKNOWN}
_Person = pp.Pedigree.Person
_AFFECTED_OUT = {
    Affected.AFFECTED: _Person.AFFECTED,
    Affected.UNAFFECTED: _Person.UNAFFECTED,
    Affected.UNKNOWN: _Person.MISSING,
}
_AFFECTED_IN = {v: k for k, v in _AFFECTED_OUT.items()}

HPO_RESOURCE = {
    "id": "hp",
    "name": "human phenotype ontology",
    "url": "http://purl.obolibrary.org/obo/hp.owl",
    "namespace_prefix": "HP",
    "iri_prefix": "http://purl.obolibrary.org/obo/HP_",
}
_DISEASE_RESOURCES = {
    "OMIM": {
        "id": "omim",
        "name": "Online Mendelian Inheritance in Man",
        "url": "https://www.omim.org",
        "namespace_prefix": "OMIM",
        "iri_prefix": "https://omim.org/entry/",
    },
    "ORPHA": {
        "id": "orpha",
        "name": "Orphanet Rare Disease Ontology",
        "url": "http://www.orpha.net/ontology/orphanet.owl",
        "namespace_prefix": "ORPHA",
        "iri_prefix": "http://www.orpha.net/ORDO/Orphanet_",
    },
    "MONDO": {
        "id": "mondo",
        "name": "Mondo Disease Ontology",
        "url": "http://purl.obolibrary.org/obo/mondo.obo",
        "namespace_prefix": "MONDO",
        "iri_prefix": "http://purl.obolibrary.org/obo/MONDO_",
    },
}


@dataclass
class Term:
    """A phenotypic feature (HPO) or a disease (OMIM/ORPHA/MONDO), observed or explicitly excluded."""

    id: str
    name: str = ""
    excluded: bool = False


@dataclass
class ExchangeIndividual:
    code: str
    sex: Sex = Sex.UNKNOWN
    affected: Affected = Affected.UNKNOWN
    father: str | None = None
    mother: str | None = None
    date_of_birth: str = ""  # YYYY-MM-DD
    age: str = ""  # ISO 8601 duration at the last encounter, e.g. P3Y2M
    phenotypic_features: list[Term] = field(default_factory=list)
    diseases: list[Term] = field(default_factory=list)

    @property
    def observed_terms(self) -> list[str]:
        return [t.id for t in self.phenotypic_features if not t.excluded]


@dataclass
class Resource:
    id: str
    name: str
    url: str
    version: str
    namespace_prefix: str
    iri_prefix: str


@dataclass
class ExchangeMeta:
    created_by: str
    created: datetime | None = None
    submitted_by: str = ""
    resources: list[Resource] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION

    def resource(self, namespace_prefix: str) -> Resource | None:
        return next((r for r in self.resources if r.namespace_prefix == namespace_prefix), None)


@dataclass
class CaseExchange:
    """A case as exchanged: the proband first, then relatives, with the pedigree in their parent links."""

    id: str  # the phenopacket's or family's id
    proband: str
    individuals: list[ExchangeIndividual]
    meta: ExchangeMeta
    family_code: str = ""
    consanguineous_parents: bool = False
    notes: list[str] = field(default_factory=list, compare=False)  # what import changed or dropped

    def individual(self, code: str) -> ExchangeIndividual:
        for ind in self.individuals:
            if ind.code == code:
                return ind
        raise KeyError(code)

    @property
    def hpo_terms(self) -> list[str]:
        """The case's phenotype: the proband's observed HPO terms."""
        return self.individual(self.proband).observed_terms

    @property
    def is_family(self) -> bool:
        return len(self.individuals) > 1


# -- building a case ---------------------------------------------------------------------------------
def new_meta(
    created_by: str,
    *,
    hpo: HpoOntology | None = None,
    submitted_by: str = "",
    vocabularies: Sequence[str] = (),
) -> ExchangeMeta:
    """Meta-data naming the HPO release in use and the disease ``vocabularies`` (OMIM, ORPHA, MONDO).

    Export declares any disease vocabulary a case uses that its meta-data does not.
    """
    version = (hpo or hpo_ontology()).version
    created = datetime.now(UTC).replace(microsecond=0)
    resources = [Resource(version=version, **HPO_RESOURCE)]
    resources += [Resource(version="", **_DISEASE_RESOURCES[v.upper()]) for v in vocabularies]
    return ExchangeMeta(created_by, created, submitted_by, resources)


def case_from_domain(
    individuals: Sequence[Individual],
    proband_code: str,
    meta: ExchangeMeta,
    *,
    family_code: str = "",
    case_id: str = "",
) -> CaseExchange:
    """A case from catalog individuals (parents resolved by their catalog ids among ``individuals``)."""
    codes = {ind.id: ind.code for ind in individuals if ind.id is not None}
    members = []
    for ind in sorted(individuals, key=lambda i: i.code != proband_code):
        members.append(
            ExchangeIndividual(
                code=ind.code,
                sex=ind.sex,
                affected=ind.affected,
                father=codes.get(ind.father_id) if ind.father_id is not None else None,
                mother=codes.get(ind.mother_id) if ind.mother_id is not None else None,
                date_of_birth=ind.date_of_birth,
                phenotypic_features=[_domain_term(p) for p in ind.phenotypes],
                diseases=[_domain_term(d) for d in ind.disorders],
            )
        )
    if not members or members[0].code != proband_code:
        raise Invalid(f"proband {proband_code!r} is not among the individuals")
    return CaseExchange(case_id or family_code or proband_code, proband_code, members, meta, family_code)


def _domain_term(item: dict[str, Any]) -> Term:
    return Term(str(item.get("id", "")), str(item.get("name") or ""), bool(item.get("excluded", False)))


# -- export ------------------------------------------------------------------------------------------
def _ts(value: datetime) -> Any:
    out = pp.google_dot_protobuf_dot_timestamp__pb2.Timestamp()
    out.FromDatetime(value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC))
    return out


def _meta_message(meta: ExchangeMeta, case: CaseExchange) -> Any:
    resources = list(meta.resources)
    prefixes = {r.namespace_prefix for r in resources}
    for ind in case.individuals:
        for d in ind.diseases:
            prefix = d.id.split(":", 1)[0].upper()
            if prefix not in prefixes and prefix in _DISEASE_RESOURCES:
                resources.append(Resource(version="", **_DISEASE_RESOURCES[prefix]))
                prefixes.add(prefix)
    msg = pp.MetaData(
        created_by=meta.created_by,
        submitted_by=meta.submitted_by,
        phenopacket_schema_version=meta.schema_version or SCHEMA_VERSION,
        resources=[pp.Resource(**r.__dict__) for r in resources],
    )
    if meta.created is not None:
        msg.created.CopyFrom(_ts(meta.created))
    return msg


def _subject(ind: ExchangeIndividual) -> Any:
    msg = pp.Individual(id=ind.code, sex=_SEX_OUT[ind.sex])
    if ind.date_of_birth:
        msg.date_of_birth.CopyFrom(
            _ts(datetime.combine(date.fromisoformat(ind.date_of_birth), datetime.min.time()))
        )
    if ind.age:
        msg.time_at_last_encounter.age.iso8601duration = ind.age
    return msg


def _phenopacket(ind: ExchangeIndividual, packet_id: str, meta: Any) -> Any:
    return pp.Phenopacket(
        id=packet_id,
        subject=_subject(ind),
        phenotypic_features=[
            pp.PhenotypicFeature(type=pp.OntologyClass(id=t.id, label=t.name), excluded=t.excluded)
            for t in ind.phenotypic_features
        ],
        diseases=[
            pp.Disease(term=pp.OntologyClass(id=t.id, label=t.name), excluded=t.excluded)
            for t in ind.diseases
        ],
        meta_data=meta,
    )


def to_phenopacket(case: CaseExchange) -> Any:
    """The proband alone as a ``Phenopacket`` (relatives and pedigree are left out)."""
    return _phenopacket(case.individual(case.proband), case.id, _meta_message(case.meta, case))


def to_family(case: CaseExchange) -> Any:
    """The whole case as a ``Family``: proband, one phenopacket per relative, and the pedigree."""
    meta = _meta_message(case.meta, case)
    family_code = case.family_code or case.id
    relatives = [
        _phenopacket(ind, f"{case.id}:{ind.code}", meta)
        for ind in case.individuals
        if ind.code != case.proband
    ]
    persons = [
        _Person(
            family_id=family_code,
            individual_id=ind.code,
            paternal_id=ind.father or "0",
            maternal_id=ind.mother or "0",
            sex=_SEX_OUT[ind.sex],
            affected_status=_AFFECTED_OUT[ind.affected],
        )
        for ind in case.individuals
    ]
    return pp.Family(
        id=case.id,
        proband=_phenopacket(case.individual(case.proband), f"{case.id}:{case.proband}", meta),
        relatives=relatives,
        consanguinous_parents=case.consanguineous_parents,
        pedigree=pp.Pedigree(persons=persons),
        meta_data=meta,
    )


def to_json(case: CaseExchange, *, family: bool | None = None) -> str:
    """Phenopackets v2 JSON: a ``Family`` when the case has relatives (or ``family=True``)."""
    as_family = case.is_family if family is None else family
    msg = to_family(case) if as_family else to_phenopacket(case)
    return str(json_format.MessageToJson(msg, indent=2))


# -- import ------------------------------------------------------------------------------------------
@dataclass
class _Problems:
    items: list[dict[str, str]] = field(default_factory=list)

    def add(self, individual: str, where: str, value: str, reason: str) -> None:
        self.items.append({"individual": individual, "field": where, "value": value, "reason": reason})

    def raise_if_any(self, what: str) -> None:
        if self.items:
            lines = "; ".join(
                f"individual {p['individual']!r} {p['field']} {p['value']!r}: {p['reason']}"
                for p in self.items
            )
            raise Invalid(f"{what}: {len(self.items)} problem(s): {lines}", errors=self.items)


def from_json(text: str, *, hpo: HpoOntology | None = None) -> CaseExchange:
    """Import a ``Family`` (has ``proband``) or a ``Phenopacket`` (has ``subject``) from JSON."""
    doc = parse_json(text, "the phenopacket")
    if not isinstance(doc, dict):
        raise Invalid("phenopacket: expected a JSON object")
    is_family = "proband" in doc or "pedigree" in doc
    msg = pp.Family() if is_family else pp.Phenopacket()
    try:
        json_format.ParseDict(doc, msg)
    except json_format.ParseError as exc:
        kind = "Family" if is_family else "Phenopacket"
        raise Invalid(f"not a Phenopackets v2 {kind}: {exc}") from exc
    return from_family(msg, hpo=hpo) if is_family else from_phenopacket(msg, hpo=hpo)


def from_phenopacket(msg: Any, *, hpo: HpoOntology | None = None) -> CaseExchange:
    problems, notes = _Problems(), list[str]()
    ind = _individual(msg, "", problems, notes, hpo or hpo_ontology())
    if not msg.HasField("subject") or not msg.subject.id:
        problems.add("", "subject.id", "", "a phenopacket needs a subject with an id")
    problems.raise_if_any(f"phenopacket {msg.id!r}")
    _infer_affected(ind)
    meta = _meta(msg.meta_data, notes, hpo or hpo_ontology())
    return CaseExchange(msg.id or ind.code, ind.code, [ind], meta, notes=notes)


def from_family(msg: Any, *, hpo: HpoOntology | None = None) -> CaseExchange:
    ontology = hpo or hpo_ontology()
    problems, notes = _Problems(), list[str]()
    if not msg.HasField("proband") or not msg.proband.subject.id:
        problems.add("", "proband.subject.id", "", "a family needs a proband with a subject id")
        problems.raise_if_any(f"family {msg.id!r}")
    packets = [("proband", msg.proband)] + [(f"relatives[{i}]", r) for i, r in enumerate(msg.relatives)]
    by_code: dict[str, ExchangeIndividual] = {}
    for where, packet in packets:
        ind = _individual(packet, where + ".", problems, notes, ontology)
        if not ind.code:
            problems.add("", f"{where}.subject.id", "", "missing")
        elif ind.code in by_code:
            problems.add(ind.code, f"{where}.subject.id", ind.code, "the same individual twice")
        else:
            by_code[ind.code] = ind
    proband = msg.proband.subject.id
    order = _apply_pedigree(msg, by_code, problems)
    problems.raise_if_any(f"family {msg.id!r}")
    if proband not in order:
        order.insert(0, proband)
    order += [c for c in by_code if c not in order]  # relatives the pedigree does not list
    order.sort(key=lambda c: c != proband)
    if not msg.pedigree.persons:
        _infer_affected(by_code[proband])
    family_codes = {p.family_id for p in msg.pedigree.persons if p.family_id}
    return CaseExchange(
        id=msg.id,
        proband=proband,
        individuals=[by_code[c] for c in order],
        meta=_meta(msg.meta_data, notes, ontology),
        family_code=min(family_codes) if family_codes else "",
        consanguineous_parents=msg.consanguinous_parents,
        notes=notes,
    )


def _infer_affected(ind: ExchangeIndividual) -> None:
    """Phenopackets carry affected status only in a pedigree: without one, a subject with an observed
    feature or a disease not excluded is affected."""
    observed = ind.observed_terms or any(not d.excluded for d in ind.diseases)
    ind.affected = Affected.AFFECTED if observed else Affected.UNKNOWN


def _apply_pedigree(msg: Any, by_code: dict[str, ExchangeIndividual], problems: _Problems) -> list[str]:
    """Set parents, sex and affected status from the pedigree; returns the pedigree's order."""
    order: list[str] = []
    persons = list(msg.pedigree.persons)
    listed = {p.individual_id for p in persons}
    for i, person in enumerate(persons):
        where = f"pedigree.persons[{i}]"
        code = person.individual_id
        if not code:
            problems.add("", f"{where}.individualId", "", "missing")
            continue
        if code in order:
            problems.add(code, f"{where}.individualId", code, "listed twice in the pedigree")
            continue
        order.append(code)
        ind = by_code.setdefault(code, ExchangeIndividual(code))
        sex = _SEX_IN.get(person.sex, Sex.UNKNOWN)
        if Sex.UNKNOWN not in (ind.sex, sex) and sex != ind.sex:
            problems.add(code, f"{where}.sex", pp.Sex.Name(person.sex), f"subject says {ind.sex.value}")
        elif sex != Sex.UNKNOWN:
            ind.sex = sex
        ind.affected = _AFFECTED_IN.get(person.affected_status, Affected.UNKNOWN)
        parents = (("father", person.paternal_id, "paternalId"), ("mother", person.maternal_id, "maternalId"))
        for attr, value, label in parents:
            parent = value if value and value != "0" else None
            if parent is not None and parent not in listed:
                problems.add(code, f"{where}.{label}", parent, "not a person of the pedigree")
            if parent == code:
                problems.add(code, f"{where}.{label}", parent, "an individual cannot be their own parent")
            setattr(ind, attr, parent)
    for i, person in enumerate(persons):
        ind = by_code.get(person.individual_id) or ExchangeIndividual("")
        for parent, label, wrong in (
            (ind.father, "paternalId", Sex.FEMALE),
            (ind.mother, "maternalId", Sex.MALE),
        ):
            if parent in by_code and parent != ind.code and by_code[parent].sex == wrong:
                where = f"pedigree.persons[{i}].{label}"
                problems.add(ind.code, where, parent, f"that person is {wrong.value.lower()}")
    return order


def _individual(
    packet: Any, where: str, problems: _Problems, notes: list[str], hpo: HpoOntology
) -> ExchangeIndividual:
    subject = packet.subject
    code = subject.id
    ind = ExchangeIndividual(code, sex=_SEX_IN.get(subject.sex, Sex.UNKNOWN))
    if subject.sex == pp.OTHER_SEX:
        notes.append(f"individual {code!r}: sex OTHER_SEX imported as UNKNOWN")
    if subject.HasField("date_of_birth"):
        born = subject.date_of_birth.ToDatetime(tzinfo=UTC)
        ind.date_of_birth = born.date().isoformat()
        if born.time() != datetime.min.time():
            notes.append(f"individual {code!r}: time of birth {born.time()} dropped")
    if subject.HasField("time_at_last_encounter"):
        age = subject.time_at_last_encounter.age.iso8601duration
        if age and not _ISO_DURATION.match(age):
            problems.add(code, f"{where}subject.timeAtLastEncounter.age", age, "not an ISO 8601 duration")
        elif age:
            ind.age = age
        else:
            notes.append(f"individual {code!r}: timeAtLastEncounter other than an age dropped")
    _features(packet, ind, where, problems, notes, hpo)
    for i, disease in enumerate(packet.diseases):
        term_id = disease.term.id.strip()
        if not _DISEASE_CURIE.match(term_id):
            problems.add(code, f"{where}diseases[{i}].term.id", term_id, "not a CURIE such as OMIM:607208")
            continue
        ind.diseases.append(Term(term_id, disease.term.label, disease.excluded))
    return ind


def _features(
    packet: Any,
    ind: ExchangeIndividual,
    where: str,
    problems: _Problems,
    notes: list[str],
    hpo: HpoOntology,
) -> None:
    seen: dict[str, int] = {}
    for i, feature in enumerate(packet.phenotypic_features):
        given = feature.type.id.strip()
        path = f"{where}phenotypicFeatures[{i}].type.id"
        try:
            [term] = hpo.validate_terms([given])
        except Invalid as exc:
            problems.add(ind.code, path, given, exc.details["reasons"][given])
            continue
        if term.replaced:
            notes.append(
                f"individual {ind.code!r} {path}: obsolete {given} replaced by {term.id} ({term.name})"
            )
        if term.id in seen:
            problems.add(ind.code, path, given, f"the same term as phenotypicFeatures[{seen[term.id]}]")
            continue
        seen[term.id] = i
        ind.phenotypic_features.append(Term(term.id, term.name, feature.excluded))


def _meta(msg: Any, notes: list[str], hpo: HpoOntology) -> ExchangeMeta:
    resources = [
        Resource(r.id, r.name, r.url, r.version, r.namespace_prefix, r.iri_prefix) for r in msg.resources
    ]
    meta = ExchangeMeta(
        created_by=msg.created_by,
        created=msg.created.ToDatetime(tzinfo=UTC) if msg.HasField("created") else None,
        submitted_by=msg.submitted_by,
        resources=resources,
        schema_version=msg.phenopacket_schema_version,
    )
    hp = meta.resource("HP")
    if hp is None:
        notes.append("metaData names no HPO resource")
    elif hp.version and hp.version != hpo.version:
        notes.append(f"HPO release {hp.version} in metaData; validated against {hpo.version}")
    return meta
