"""Phenopackets v2 export and import of a proband and of the GIAB Ashkenazi trio as a family."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import phenopackets as pp
import pytest
from google.protobuf import json_format

from tests.conftest import TESTDATA
from vardesk.domain.enums import Affected, Sex
from vardesk.domain.errors import Invalid
from vardesk.domain.models import Individual
from vardesk.interchange import phenopackets as px
from vardesk.interchange.ped import ped_to_case, read_ped
from vardesk.knowledge.hpo import hpo_ontology

TRIO_PED = TESTDATA / "giab-trio-grch37" / "ashk-trio.ped"


def _trio() -> px.CaseExchange:
    meta = px.new_meta("vardesk 0.1.0", submitted_by="lab@example.org", vocabularies=["OMIM"])
    case = ped_to_case(read_ped(TRIO_PED).records, meta, case_id="case-ash")
    proband = case.individual("HG002")
    proband.date_of_birth = "2012-05-17"
    proband.age = "P9Y3M"
    proband.phenotypic_features = [
        px.Term("HP:0001250", "Seizure"),
        px.Term("HP:0001263", "Global developmental delay"),
        px.Term("HP:0000556", "Retinal dystrophy", excluded=True),
    ]
    proband.diseases = [px.Term("OMIM:607208", "Dravet syndrome")]
    case.individual("HG004").phenotypic_features = [px.Term("HP:0002133", "Status epilepticus")]
    return case


def test_trio_from_ped_has_the_pedigree() -> None:
    case = _trio()
    assert [i.code for i in case.individuals] == ["HG002", "HG003", "HG004"]
    assert case.proband == "HG002" and case.family_code == "ash"
    hg002 = case.individual("HG002")
    assert (hg002.father, hg002.mother, hg002.sex, hg002.affected) == (
        "HG003",
        "HG004",
        Sex.MALE,
        Affected.AFFECTED,
    )
    assert case.hpo_terms == ["HP:0001250", "HP:0001263"]  # the excluded term is not the case's phenotype


def test_family_round_trip_through_json() -> None:
    case = _trio()
    text = px.to_json(case)
    doc = json.loads(text)
    assert doc["id"] == "case-ash" and doc["proband"]["subject"]["id"] == "HG002"
    assert [r["subject"]["id"] for r in doc["relatives"]] == ["HG003", "HG004"]
    persons = {p["individualId"]: p for p in doc["pedigree"]["persons"]}
    assert persons["HG002"]["paternalId"] == "HG003" and persons["HG002"]["affectedStatus"] == "AFFECTED"
    # MISSING is the enum's default, which proto3 JSON leaves out
    assert persons["HG003"]["paternalId"] == "0" and "affectedStatus" not in persons["HG003"]
    assert persons["HG004"]["sex"] == "FEMALE"
    features = doc["proband"]["phenotypicFeatures"]
    assert features[2] == {"type": {"id": "HP:0000556", "label": "Retinal dystrophy"}, "excluded": True}
    assert doc["proband"]["subject"]["dateOfBirth"] == "2012-05-17T00:00:00Z"
    assert doc["proband"]["subject"]["timeAtLastEncounter"] == {"age": {"iso8601duration": "P9Y3M"}}
    hp = next(r for r in doc["metaData"]["resources"] if r["namespacePrefix"] == "HP")
    assert hp["version"] == hpo_ontology().version
    assert doc["metaData"]["createdBy"] == "vardesk 0.1.0"
    assert doc["metaData"]["phenopacketSchemaVersion"] == "2.0"

    back = px.from_json(text)
    assert back == case
    assert back.notes == []


def test_single_phenopacket_round_trip() -> None:
    case = _trio()
    solo = px.CaseExchange(case.id, "HG002", [case.individual("HG002")], case.meta)
    text = px.to_json(solo)
    assert "subject" in json.loads(text) and "pedigree" not in json.loads(text)
    back = px.from_json(text)
    # a lone phenopacket has no pedigree: parents are not exchanged, affected status is inferred
    expected = copy.deepcopy(solo)
    expected.individuals[0].father = expected.individuals[0].mother = None
    assert back == expected
    assert back.individual("HG002").affected == Affected.AFFECTED


def test_family_export_of_a_trio_as_a_single_phenopacket_keeps_only_the_proband() -> None:
    doc = json.loads(px.to_json(_trio(), family=False))
    assert doc["subject"]["id"] == "HG002" and "relatives" not in doc


HAND_WRITTEN = {
    "id": "fam-7",
    "proband": {
        "id": "fam-7-proband",
        "subject": {"id": "P1", "sex": "FEMALE"},
        "phenotypicFeatures": [
            {"type": {"id": "HP:0001250", "label": "Seizure"}},
            {"type": {"id": "HP:0000057", "label": "Clitoromegaly"}},
        ],
        "metaData": {"createdBy": "someone", "resources": []},
    },
    "relatives": [
        {
            "id": "fam-7-mother",
            "subject": {"id": "M1", "sex": "FEMALE"},
            "phenotypicFeatures": [
                {"type": {"id": "HP:0001263", "label": "Global developmental delay"}},
                {"type": {"id": "HP:9999999", "label": "made up"}},
            ],
            "metaData": {"createdBy": "someone"},
        }
    ],
    "pedigree": {
        "persons": [
            {
                "familyId": "F7",
                "individualId": "P1",
                "maternalId": "M1",
                "sex": "FEMALE",
                "affectedStatus": "AFFECTED",
            },
            {"familyId": "F7", "individualId": "M1", "sex": "FEMALE", "affectedStatus": "UNAFFECTED"},
        ]
    },
    "metaData": {
        "created": "2024-02-01T10:00:00Z",
        "createdBy": "someone",
        "resources": [
            {
                "id": "hp",
                "name": "human phenotype ontology",
                "url": "http://purl.obolibrary.org/obo/hp.owl",
                "version": "2023-01-27",
                "namespacePrefix": "HP",
                "iriPrefix": "http://purl.obolibrary.org/obo/HP_",
            }
        ],
        "phenopacketSchemaVersion": "2.0",
    },
}


def test_invalid_hpo_id_is_reported_with_individual_and_field() -> None:
    with pytest.raises(Invalid) as err:
        px.from_json(json.dumps(HAND_WRITTEN))
    assert err.value.details["errors"] == [
        {
            "individual": "M1",
            "field": "relatives[0].phenotypicFeatures[1].type.id",
            "value": "HP:9999999",
            "reason": "unknown HPO term",
        }
    ]
    assert "'M1'" in err.value.message and "relatives[0].phenotypicFeatures[1]" in err.value.message


def test_hand_written_family_imports_once_fixed_with_notes() -> None:
    doc = copy.deepcopy(HAND_WRITTEN)
    doc["relatives"][0]["phenotypicFeatures"].pop()
    del doc["pedigree"]["persons"][1]["sex"]  # unknown in the pedigree: the subject's sex stands
    case = px.from_json(json.dumps(doc))
    assert case.proband == "P1" and case.family_code == "F7"
    assert case.individual("M1").sex == Sex.FEMALE
    p1 = case.individual("P1")
    assert p1.mother == "M1" and p1.father is None and p1.affected == Affected.AFFECTED
    assert [t.id for t in p1.phenotypic_features] == ["HP:0001250", "HP:0008665"]  # obsolete id replaced
    assert p1.phenotypic_features[1].name == "Clitoral hypertrophy"
    assert case.individual("M1").affected == Affected.UNAFFECTED
    assert case.meta.created == datetime(2024, 2, 1, 10, tzinfo=UTC)
    assert any("HP:0000057 replaced by HP:0008665" in n for n in case.notes)
    assert any("2023-01-27" in n for n in case.notes)  # older HPO release than the one validated against


@pytest.mark.parametrize(
    ("mutate", "field", "reason"),
    [
        (
            lambda d: d["pedigree"]["persons"][0].update(paternalId="X9"),
            "pedigree.persons[0].paternalId",
            "not a person",
        ),
        (
            lambda d: d["pedigree"]["persons"][1].update(sex="MALE"),
            "pedigree.persons[1].sex",
            "subject says FEMALE",
        ),
        (lambda d: d["relatives"][0]["subject"].update(id="P1"), "relatives[0].subject.id", "twice"),
        (
            lambda d: d["pedigree"]["persons"][0].update(paternalId="M1", maternalId=""),
            "pedigree.persons[0].paternalId",
            "that person is female",
        ),
        (
            lambda d: d["proband"].update(diseases=[{"term": {"id": "Dravet"}}]),
            "proband.diseases[0].term.id",
            "CURIE",
        ),
        (
            lambda d: d["proband"]["subject"].update(
                timeAtLastEncounter={"age": {"iso8601duration": "9 years"}}
            ),
            "proband.subject.timeAtLastEncounter.age",
            "ISO 8601",
        ),
    ],
)
def test_structural_problems_name_the_field(mutate: object, field: str, reason: str) -> None:
    doc = copy.deepcopy(HAND_WRITTEN)
    doc["relatives"][0]["phenotypicFeatures"].pop()
    mutate(doc)  # type: ignore[operator]
    with pytest.raises(Invalid) as err:
        px.from_json(json.dumps(doc))
    [problem] = err.value.details["errors"]
    assert problem["field"] == field and reason in problem["reason"]


def test_malformed_json_and_unknown_fields_are_invalid() -> None:
    with pytest.raises(Invalid, match="not valid JSON"):
        px.from_json("{")
    with pytest.raises(Invalid, match="Phenopacket"):
        px.from_json(json.dumps({"id": "x", "subject": {"id": "a"}, "phenotypes": []}))


def test_export_is_valid_protobuf_for_the_phenopackets_schema() -> None:
    msg = px.to_family(_trio())
    assert isinstance(msg, pp.Family)
    again = json_format.Parse(json_format.MessageToJson(msg), pp.Family())
    assert again == msg
    assert [p.individual_id for p in msg.pedigree.persons] == ["HG002", "HG003", "HG004"]


def test_case_from_catalog_individuals() -> None:
    dad = Individual(1, 1, "HG003", sex=Sex.MALE, id=3)
    mum = Individual(1, 1, "HG004", sex=Sex.FEMALE, id=4)
    kid = Individual(
        1,
        1,
        "HG002",
        sex=Sex.MALE,
        affected=Affected.AFFECTED,
        father_id=3,
        mother_id=4,
        date_of_birth="2012-05-17",
        phenotypes=[{"id": "HP:0001250", "name": "Seizure", "source": "HPO"}],
        id=2,
    )
    case = px.case_from_domain([dad, mum, kid], "HG002", px.new_meta("vardesk"), family_code="ash")
    assert [i.code for i in case.individuals] == ["HG002", "HG003", "HG004"]
    assert case.individual("HG002").father == "HG003" and case.hpo_terms == ["HP:0001250"]
    assert px.from_json(px.to_json(case)) == case
    with pytest.raises(Invalid):
        px.case_from_domain([dad, mum], "HG002", px.new_meta("vardesk"))
