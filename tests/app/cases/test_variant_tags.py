"""A reviewer tags a report variant (most likely, candidate, incidental, carrier); the tag is stored,
validated and audited like the other interpretation fields, and the native face's command carries it."""

from __future__ import annotations

import pytest

from tests.app.cases.test_interpretation import STUDY, TRIO, _add
from tests.app.cases.test_interpretation import actor as actor  # noqa: F401  (the fixture)
from vardesk.api.emedgene.render import tag as emedgene_tag
from vardesk.app.commands import SetReportVariant
from vardesk.app.composition import Services
from vardesk.domain.access import Actor
from vardesk.domain.cases import ReportVariant
from vardesk.domain.enums import VariantTag
from vardesk.domain.errors import Invalid


def _variant(services: Services, actor: Actor, code: str) -> int:
    view = services.cases.create(actor, STUDY, {"id": code, "type": "exome", "members": TRIO[:1]})
    return _add(services, view.case.id or 0, "1", 878314, "G", "C")


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Most likely", VariantTag.MOST_LIKELY),
        ("MOST_LIKELY", VariantTag.MOST_LIKELY),
        ("candidate", VariantTag.CANDIDATE),
        ("Carrier", VariantTag.CARRIER),
        ("", VariantTag.NONE),
    ],
)
def test_a_tag_is_accepted_in_its_spellings_and_read_back(
    services: Services, actor: Actor, given: str, stored: VariantTag
) -> None:
    vid = _variant(services, actor, "T1")
    services.interpretation.update_variant(actor, "T1", vid, {"tag": "incidental"}, study_ref=STUDY)
    services.interpretation.update_variant(actor, "T1", vid, {"tag": given}, study_ref=STUDY)
    (rv,) = [v for v in services.interpretation.variants(actor, "T1", study_ref=STUDY) if v.id == vid]
    assert rv.tag is stored


def test_a_tag_change_is_audited_and_an_unknown_tag_refused(services: Services, actor: Actor) -> None:
    vid = _variant(services, actor, "T2")
    (fresh,) = services.interpretation.variants(actor, "T2", study_ref=STUDY)
    assert fresh.tag is VariantTag.NONE
    services.interpretation.update_variant(actor, "T2", vid, {"tag": "Candidate"}, study_ref=STUDY)
    services.interpretation.update_variant(actor, "T2", vid, {"tag": "candidate"}, study_ref=STUDY)  # no-op
    events = [
        e for e in services.interpretation.history(actor, "T2", vid, study_ref=STUDY) if e.field == "tag"
    ]
    assert [(e.old, e.new) for e in events] == [("none", "candidate")]
    with pytest.raises(Invalid, match="tag 'favourite'"):
        services.interpretation.update_variant(actor, "T2", vid, {"tag": "favourite"}, study_ref=STUDY)


def test_the_faces_command_carries_the_tag(services: Services, actor: Actor) -> None:
    vid = _variant(services, actor, "T3")
    command = SetReportVariant.from_fields("T3", vid, {"tag": "most_likely"}, STUDY)
    assert services.interpretation.set_report_variant(actor, command).tag is VariantTag.MOST_LIKELY


def test_the_emedgene_face_shows_the_reviewers_tag_first() -> None:
    rv = ReportVariant(case_id=1, run=1, key=1, chrom="1", pos=1, ref="G", alt="C")
    rv.acmg = {"prioritisation": {"rank": 1}}
    assert emedgene_tag(rv)["value"] == "most_likely"  # the analysis' rank when no reviewer tagged it
    rv.tag = VariantTag.CARRIER
    assert emedgene_tag(rv) == {"value": "carrier", "name": "Carrier"}
    rv.tag = VariantTag.CANDIDATE
    assert emedgene_tag(rv)["value"] == "candidate"
