"""Fuzzing the Phenopackets v2 import: a Phenopacket or Family in the schema's camelCase JSON or the
protobuf field names (snake_case), well-formed or not, is imported or refused with :class:`Invalid`,
never with another exception; an imported case exports and imports again, and converts to a case's
fields or is refused cleanly."""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzzing import decodes, fuzz_settings
from vardesk.app.cases.exchange import case_fields
from vardesk.domain.errors import Invalid
from vardesk.interchange.phenopackets import from_json, to_json
from vardesk.knowledge.hpo import hpo_ontology

HPO = hpo_ontology()
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
IDS = st.sampled_from(["P1", "M1", "F1", "S1", "", "0", "P1 ", "é"])


def value(good: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(good, good, good, ODD)


def keyed(camel: str, snake: str, v: st.SearchStrategy[object]) -> st.SearchStrategy[tuple[str, object]]:
    return st.tuples(st.sampled_from([camel, camel, snake]), v)


def obj(*fields: st.SearchStrategy[tuple[str, object]]) -> st.SearchStrategy[dict[str, object]]:
    return st.lists(st.one_of(*fields), max_size=len(fields) + 1).map(dict)


TIMESTAMP = st.sampled_from(
    [
        "2012-05-17T00:00:00Z",
        "2012-05-17T10:30:00Z",
        "2012-05-17",
        "1900-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "2012-13-40T00:00:00Z",
        "-1",
        "",
        "2012-05-17T00:00:00.123456789+05:30",
    ]
)
TERM = obj(
    keyed(
        "id",
        "id",
        value(
            st.sampled_from(
                [
                    "HP:0001250",
                    "HP:0000118",
                    "HP:0001263",
                    "HP:9999999",
                    "HP:1",
                    "OMIM:607208",
                    "ORPHA:1",
                    "hp:0001250",
                    " HP:0001250",
                    "",
                ]
            )
        ),
    ),
    keyed("label", "label", value(st.text(max_size=10))),
)
FEATURE = obj(keyed("type", "type", value(TERM)), keyed("excluded", "excluded", value(st.booleans())))
DISEASE = obj(keyed("term", "term", value(TERM)), keyed("excluded", "excluded", value(st.booleans())))
SEX = st.sampled_from(["MALE", "FEMALE", "UNKNOWN_SEX", "OTHER_SEX", 0, 1, 2, 3, 99, "male", -1])
SUBJECT = obj(
    keyed("id", "id", value(IDS)),
    keyed("sex", "sex", value(SEX)),
    keyed("dateOfBirth", "date_of_birth", value(TIMESTAMP)),
    keyed(
        "timeAtLastEncounter",
        "time_at_last_encounter",
        value(
            obj(
                keyed(
                    "age",
                    "age",
                    value(
                        obj(
                            keyed(
                                "iso8601duration",
                                "iso8601duration",
                                value(st.sampled_from(["P3Y2M", "P", "PT", "3Y", "P1W"])),
                            )
                        )
                    ),
                ),
                keyed("gestationalAge", "gestational_age", value(obj(keyed("weeks", "weeks", ODD)))),
            )
        ),
    ),
)
RESOURCE = obj(
    keyed("id", "id", value(st.sampled_from(["hp", "omim"]))),
    keyed("namespacePrefix", "namespace_prefix", value(st.sampled_from(["HP", "OMIM", ""]))),
    keyed("version", "version", value(st.sampled_from(["2024-04-26", "", "x"]))),
)
META = obj(
    keyed("created", "created", value(TIMESTAMP)),
    keyed("createdBy", "created_by", value(st.text(max_size=6))),
    keyed("resources", "resources", value(st.lists(RESOURCE, max_size=2))),
    keyed("phenopacketSchemaVersion", "phenopacket_schema_version", value(st.sampled_from(["2.0", "1.0"]))),
)
PACKET = obj(
    keyed("id", "id", value(IDS)),
    keyed("subject", "subject", value(SUBJECT)),
    keyed("phenotypicFeatures", "phenotypic_features", value(st.lists(FEATURE, max_size=3))),
    keyed("diseases", "diseases", value(st.lists(DISEASE, max_size=2))),
    keyed("metaData", "meta_data", value(META)),
    st.tuples(st.text(max_size=5), ODD),  # unknown fields are errors
)
PERSON = obj(
    keyed("familyId", "family_id", value(st.sampled_from(["FAM", ""]))),
    keyed("individualId", "individual_id", value(IDS)),
    keyed("paternalId", "paternal_id", value(IDS)),
    keyed("maternalId", "maternal_id", value(IDS)),
    keyed("sex", "sex", value(SEX)),
    keyed(
        "affectedStatus", "affected_status", value(st.sampled_from(["AFFECTED", "UNAFFECTED", "MISSING", 7]))
    ),
)
FAMILY = obj(
    keyed("id", "id", value(IDS)),
    keyed("proband", "proband", value(PACKET)),
    keyed("relatives", "relatives", value(st.lists(PACKET, max_size=3))),
    keyed(
        "pedigree", "pedigree", value(obj(keyed("persons", "persons", value(st.lists(PERSON, max_size=5)))))
    ),
    keyed("consanguinousParents", "consanguinous_parents", value(st.booleans())),
    keyed("metaData", "meta_data", value(META)),
)
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=6)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
DOCUMENT = st.one_of(
    PACKET.map(json.dumps),
    FAMILY.map(json.dumps),
    JSON_VALUES.map(json.dumps),
    st.text(max_size=80),
)


def check(text: str) -> None:
    case, error = decodes(from_json, text, hpo=HPO)
    if error is not None:
        assert isinstance(error, Invalid), repr(error)
        return
    exported, error = decodes(to_json, case)
    assert error is None, error.message
    again = from_json(exported, hpo=HPO)
    assert [i.code for i in again.individuals] == [i.code for i in case.individuals]
    decodes(case_fields, case, {i.code for i in case.individuals})


@fuzz_settings(300)
@given(DOCUMENT)
@example("[" * 100_000)  # json.loads: RecursionError
@example('{"id": 1' + "0" * 5000 + "}")  # json.loads: int of more than 4300 digits (ValueError)
@example('{"subject": {"id": "P1", "dateOfBirth": "0001-01-01T00:00:00Z"}}')
@example(
    '{"proband": {"subject": {"id": "P1"}}, "pedigree": {"persons": [{"individualId": "P1", '
    '"paternalId": "P1"}]}}'
)
def test_phenopacket_json_is_imported_or_refused(text: str) -> None:
    check(text)
