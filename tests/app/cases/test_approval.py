"""Sign-out needs every variant marked for the report classified: approval refuses an unclassified one
(a preview shows it as not yet classified), so a signed report can never lack a classification."""

from __future__ import annotations

import pytest

from tests.world import build_world
from vardesk.app.composition import Services
from vardesk.domain.cases import ReportVariant, ToReport
from vardesk.domain.enums import Classification, Role
from vardesk.domain.errors import Unprocessable
from vardesk.domain.variant_key import encode


def test_approval_refuses_a_reported_variant_without_classification(services: Services) -> None:
    world = build_world(services, ("lab",))
    analyst = world.member("lab", Role.ANALYST).actor
    director = world.member("lab", Role.DIRECTOR).actor
    services.projects.create_project(analyst, {"id": "p"})
    view = services.cases.create(
        analyst, "p:default", {"id": "C1", "type": "exome", "members": [{"relation": "PROBAND"}]}
    )
    case_id = view.case.id or 0
    with services.ctx.uow() as uow:
        rv = uow.report_variants.add(
            ReportVariant(
                case_id=case_id,
                run=1,
                key=encode("1", 878314, "G", "C"),
                chrom="1",
                pos=878314,
                ref="G",
                alt="C",
            )
        )
        rv.gene, rv.hgvs_c, rv.to_report = "SAMD11", "c.1163G>C", ToReport.PRIMARY_FINDING
        case = uow.cases.get(case_id)
        case.status, case.last_interpreter_id = "WAITING FOR APPROVAL", analyst.user_id
        uow.commit()
        rv_id = rv.id
    with pytest.raises(Unprocessable, match=r"no classification: SAMD11 c\.1163G>C"):
        services.cases.approve(director, "C1", "p:default")
    assert services.cases.get(director, "C1", "p:default").case.status == "WAITING FOR APPROVAL"
    with services.ctx.uow() as uow:
        uow.report_variants.get(rv_id).classification = Classification.LIKELY_PATHOGENIC
        uow.commit()
    assert services.cases.approve(director, "C1", "p:default").case.status == "APPROVED"
