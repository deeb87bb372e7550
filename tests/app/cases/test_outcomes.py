"""The worklist's diagnostic yield: signed-out cases per month, solved when a primary finding is
pathogenic or likely pathogenic; cases not signed out are not counted."""

from __future__ import annotations

from tests.world import build_world
from vardesk.app.composition import Services
from vardesk.domain.cases import ReportVariant, ToReport
from vardesk.domain.enums import Classification, Role
from vardesk.domain.variant_key import encode


def _case(services: Services, analyst, code: str, classification: Classification, report: ToReport) -> None:  # type: ignore[no-untyped-def]
    view = services.cases.create(
        analyst, "p:default", {"id": code, "type": "exome", "members": [{"relation": "PROBAND"}]}
    )
    with services.ctx.uow() as uow:
        rv = uow.report_variants.add(
            ReportVariant(
                case_id=view.case.id or 0,
                run=1,
                key=encode("1", 878314, "G", "C"),
                chrom="1",
                pos=878314,
                ref="G",
                alt="C",
            )  # fmt: skip
        )
        rv.gene, rv.to_report, rv.classification = "SAMD11", report, classification
        case = uow.cases.get(view.case.id)
        case.status, case.last_interpreter_id = "WAITING FOR APPROVAL", analyst.user_id
        uow.commit()


def test_yield_counts_signed_out_cases_and_the_solved_ones(services: Services) -> None:
    world = build_world(services, ("lab",))
    analyst = world.member("lab", Role.ANALYST).actor
    director = world.member("lab", Role.DIRECTOR).actor
    services.projects.create_project(analyst, {"id": "p"})
    _case(services, analyst, "SOLVED", Classification.PATHOGENIC, ToReport.PRIMARY_FINDING)
    _case(services, analyst, "VUS", Classification.UNCERTAIN_SIGNIFICANCE, ToReport.PRIMARY_FINDING)
    _case(services, analyst, "SECONDARY", Classification.LIKELY_PATHOGENIC, ToReport.SECONDARY_FINDING)
    _case(services, analyst, "OPEN", Classification.PATHOGENIC, ToReport.PRIMARY_FINDING)
    for code in ("SOLVED", "VUS", "SECONDARY"):
        services.cases.approve(director, code, "p:default")
    views = services.cases.search(director, None, {})
    months = services.cases.diagnostic_yield(views)
    assert len(months) == 1
    (month,) = months
    assert (month["approved"], month["solved"]) == (3, 1)
    assert abs(month["share"] - 1 / 3) < 1e-9
    # only the cases the caller passes (already read, so authorised) are counted
    assert services.cases.diagnostic_yield([v for v in views if v.case.code == "VUS"])[0]["solved"] == 0
