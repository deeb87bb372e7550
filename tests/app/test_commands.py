"""The typed commands of the case use cases make what the dict APIs make, and refuse what they refuse."""

from __future__ import annotations

import pytest

from tests.world import build_world
from vardesk.app.cases.interpretation import TABULAR_COLUMNS
from vardesk.app.commands import (
    UNCHANGED,
    AnalysisMember,
    ApproveReport,
    CreateCase,
    CreateProject,
    LaunchAnalysis,
    NewMember,
    SetReportVariant,
)
from vardesk.app.composition import Services
from vardesk.app.exports import CaseVariants, ExportCommand
from vardesk.domain.access import Actor
from vardesk.domain.enums import Role
from vardesk.domain.errors import Forbidden, Invalid, NotFound

FAMILY = [
    {"relation": "PROBAND", "sex": "MALE", "label": "kid"},
    {"relation": "MOTHER", "sex": {"id": "FEMALE"}, "affected": None, "id": "mum"},
    {"relation": "father", "affected": "UNAFFECTED"},
]


@pytest.fixture
def actor(services: Services) -> Actor:
    a = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    services.projects.create(a, CreateProject(code="cmd", organism={"assembly": "GRCh37"}))
    return a


def _shown(view: object) -> dict:
    case = view.case  # type: ignore[attr-defined]
    return {
        "type": case.type,
        "title": case.title,
        "accession": case.accession_id,
        "hpo": case.hpo_terms,
        "fields": case.patient_fields,
        "status": case.status,
        "members": [(m.relation, m.sex, m.affected, m.label) for m, _ in view.members],  # type: ignore[attr-defined]
    }


def test_a_case_from_the_command_is_the_case_the_dict_makes(services: Services, actor: Actor) -> None:
    data = {
        "type": "FAMILY",
        "description": "the family",
        "accessionId": "ACC-1",
        "hpo_terms": ["HP:0001250"],
        "patient_fields": {"Family ID": "F7"},
    }
    by_dict = services.cases.create(actor, "cmd:default", {**data, "id": "D1", "members": FAMILY})
    command = CreateCase.from_fields("cmd:default", {**data, "id": "C1", "members": FAMILY})
    by_command = services.cases.create_case(actor, command)
    assert by_command.case.code == "C1"
    assert _shown(by_command) == _shown(by_dict)
    assert _shown(by_command)["members"][1][2].value == "UNKNOWN"  # an explicit null is not the default
    assert by_command.case.type.value == "trio"
    # a member's genome in the spelling a case shows it, read the same way
    shown = [{"relation": "PROBAND", "samples": [{"id": "kid-sample"}]}]
    with pytest.raises(NotFound) as from_dict:
        services.cases.create(actor, "cmd:default", {"members": shown})
    with pytest.raises(NotFound) as from_command:
        services.cases.create_case(actor, CreateCase.from_fields("cmd:default", {"members": shown}))
    assert str(from_command.value) == str(from_dict.value) and "'kid-sample'" in str(from_dict.value)


def test_a_command_case_is_refused_with_the_dict_apis_words(services: Services, actor: Actor) -> None:
    with pytest.raises(Invalid) as by_dict:
        services.cases.create(actor, "cmd:default", {"type": "nonsense"})
    with pytest.raises(Invalid) as by_command:
        services.cases.create_case(actor, CreateCase("cmd:default", type="nonsense"))
    assert str(by_command.value) == str(by_dict.value) and "nonsense" in str(by_command.value)
    with pytest.raises(Invalid, match=r"members\[1\] must be an object"):
        CreateCase.from_fields("cmd:default", {"members": [{"relation": "PROBAND"}, "mum"]})


def test_report_variant_commands_change_only_what_they_name() -> None:
    command = SetReportVariant.from_fields("C1", 7, {"status": "REVIEWED", "id": 7, "colour": "red"})
    assert command.classification is UNCHANGED and command.unknown == ("colour",)
    # the unknown field reaches the use case, which refuses it by name (after finding the variant)
    assert command.as_data() == {"status": "REVIEWED", "colour": None}
    assert SetReportVariant("C1", 7, internal_notes=None).as_data() == {"internal_notes": None}


def test_report_variant_command_is_checked_by_the_use_case(services: Services, actor: Actor) -> None:
    services.cases.create_case(actor, CreateCase("cmd:default", code="RV1"))
    with pytest.raises(NotFound, match="report variant 99"):
        services.interpretation.set_report_variant(
            actor, SetReportVariant("RV1", 99, "cmd:default", status="REVIEWED")
        )


def test_approval_and_analysis_commands_reach_their_rules(services: Services, actor: Actor) -> None:
    services.cases.create_case(actor, CreateCase("cmd:default", code="AP1"))
    with pytest.raises(Forbidden, match="needs the director role"):  # four eyes: an analyst never signs out
        services.cases.approve_report(actor, ApproveReport("AP1", "cmd:default"))
    solo = LaunchAnalysis(
        "VAAST Solo Report", members=[AnalysisMember("PROBAND", 424242, "MALE", "AFFECTED", "proband")]
    )
    assert solo.as_data()["members"] == [
        {
            "relation": "PROBAND",
            "genome_id": 424242,
            "sex": "MALE",
            "affected": "AFFECTED",
            "label": "proband",
        }
    ]
    with pytest.raises(NotFound, match="genome 424242"):
        services.analyses.launch_analysis(actor, solo)


def test_project_command_derives_a_code_only_when_asked(services: Services, actor: Actor) -> None:
    view = services.projects.create(actor, CreateProject(name="Rare Disease Unit", auto_code=True))
    assert view.project.code and view.project.name == "Rare Disease Unit"
    with pytest.raises(Invalid, match="project id"):
        services.projects.create(actor, CreateProject(name="No code"))


def test_case_export_streams_the_header_of_an_empty_case(services: Services, actor: Actor) -> None:
    services.cases.create_case(actor, CreateCase("cmd:default", code="EX1", members=[NewMember("PROBAND")]))
    export = services.exports(actor, ExportCommand(CaseVariants("EX1", "cmd:default"), "CSV"))
    assert (export.media_type, export.filename) == ("application/octet-stream", "EX1-variants.csv")
    assert b"".join(export.body).decode().splitlines() == [",".join(TABULAR_COLUMNS)]
    with pytest.raises(Invalid, match="format 'xls' is not one of vcf, csv, json"):
        services.exports(actor, ExportCommand(CaseVariants("EX1", "cmd:default"), "xls"))
