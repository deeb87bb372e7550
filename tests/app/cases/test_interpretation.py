"""A case and its report variants are accepted back in the spellings they are shown with: the finding id
(``1:878314:G:C``) names a report variant wherever one is updated, and the enumerations a case shows
(``FAMILY``, ``MALE``, ``LIKELY_PATHOGENIC``…) are accepted where they are given."""

from __future__ import annotations

import io

import pytest

from tests.app.test_chain_inputs import S1
from tests.world import build_world
from vardesk.analysis.acmg.model import Strength, met, not_met
from vardesk.api.native import render_cases
from vardesk.app.cases.acmg_evidence import acmg_view
from vardesk.app.cases.interpretation import parse_classification
from vardesk.app.composition import Services
from vardesk.app.files import UploadedBlob
from vardesk.domain.access import Actor
from vardesk.domain.acmg import ManualCriterion
from vardesk.domain.cases import ReportVariant, finding_id
from vardesk.domain.enums import Role
from vardesk.domain.errors import Conflict, Invalid, NotFound
from vardesk.domain.variant_key import encode
from vardesk.storage.blobs import spooled_upload

STUDY = "ids:default"
TRIO = [
    {"relation": "PROBAND", "sex": "MALE", "affected": "AFFECTED", "label": "kid"},
    {"relation": "MOTHER", "sex": "FEMALE", "affected": "UNAFFECTED", "label": "mum"},
    {"relation": "FATHER", "sex": "MALE", "affected": "UNKNOWN", "label": "dad"},
]


@pytest.fixture
def actor(services: Services) -> Actor:
    a = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    services.projects.create_project(a, {"id": "ids", "organism": {"assembly": "GRCh37"}})
    return a


def _add(services: Services, case_id: int, chrom: str, pos: int, ref: str, alt: str, **kw: object) -> int:
    with services.ctx.uow() as uow:
        rv = uow.report_variants.add(
            ReportVariant(
                case_id=case_id,
                run=1,
                key=encode(chrom, pos, ref, alt),
                chrom=chrom,
                pos=pos,
                ref=ref,
                alt=alt,
            )
        )
        for k, v in kw.items():
            setattr(rv, k, v)
        uow.commit()
        assert rv.id is not None
        return rv.id


@pytest.mark.parametrize(
    ("shown", "members", "expected"),
    [
        ("FAMILY", TRIO, "trio"),
        ("family", TRIO[:2], "duo"),
        ("FAMILY", [*TRIO, {"relation": "SIBLING", "sex": "FEMALE"}], "quad"),
        ("FAMILY", [TRIO[0], {"relation": "CHILD"}, {"relation": "OTHER"}], "quintet"),
        ("FAMILY", [], "quintet"),
        ("SINGLE", TRIO[:1], "exome"),
        ("CANCER", TRIO[:1], "somatic_panel"),
        ("TRIO", TRIO, "trio"),
        ("panel_trio", TRIO, "panel_trio"),
    ],
)
def test_case_types_are_accepted_as_shown(
    services: Services, actor: Actor, shown: str, members: list[dict], expected: str
) -> None:
    view = services.cases.create(actor, STUDY, {"id": "C1", "type": shown, "members": members})
    assert view.case.type.value == expected
    doc = render_cases.case(view)
    assert doc["type"] == ("FAMILY" if expected not in ("exome", "somatic_panel") else shown.upper())


def test_unknown_case_type_names_the_accepted_ones(services: Services, actor: Actor) -> None:
    with pytest.raises(Invalid, match="FAMILY") as err:
        services.cases.create(actor, STUDY, {"type": "pedigree", "members": TRIO})
    assert "'pedigree'" in err.value.message and "trio" in err.value.message


def test_a_case_as_shown_creates_the_same_case(services: Services, actor: Actor) -> None:
    """Type, members, relations, sex and affected status exactly as the native face renders them."""
    first = render_cases.case(
        services.cases.create(actor, STUDY, {"id": "A", "type": "trio", "members": TRIO})
    )
    copy = services.cases.create(
        actor, STUDY, {"id": "B", "type": first["type"], "members": first["family"]["members"]}
    )
    again = render_cases.case(copy)
    assert copy.case.type.value == "trio"
    strip = [{k: m[k] for k in ("id", "relation", "sex", "affected")} for m in first["family"]["members"]]
    assert [
        {k: m[k] for k in ("id", "relation", "sex", "affected")} for m in again["family"]["members"]
    ] == strip


def test_members_as_shown_keep_their_samples(services: Services, actor: Actor) -> None:
    with spooled_upload(services.store, io.BytesIO(S1.encode()), max_bytes=10**6) as blob:
        services.files.register_upload(actor, STUDY, UploadedBlob(*blob), name="s1.vcf")
    member = {"relation": "PROBAND", "sample": "S1", "sex": "F", "affected": True, "label": "pat"}
    first = render_cases.case(services.cases.create(actor, STUDY, {"type": "exome", "members": [member]}))
    (shown,) = first["family"]["members"]
    assert shown["samples"][0]["id"] == "S1" and shown["sex"] == {"id": "FEMALE"}
    copy = services.cases.create(actor, STUDY, {"type": first["type"], "members": [shown]})
    ((m, genome),) = copy.members
    assert genome is not None and genome.id == shown["samples"][0]["genomeId"]
    assert (m.label, m.sex.value, m.affected.value) == ("pat", "FEMALE", "AFFECTED")


def test_report_variants_are_named_by_the_id_they_are_shown_with(services: Services, actor: Actor) -> None:
    view = services.cases.create(actor, STUDY, {"id": "V", "type": "FAMILY", "members": TRIO})
    cid = view.case.id or 0
    snv = _add(services, cid, "1", 878314, "G", "C")
    deletion = _add(services, cid, "1", 1000, "AC", "A")  # shown as 1:1001:C:-
    rows = services.interpretation.variants(actor, "V", study_ref=STUDY)
    shown = {rv.id: render_cases.finding(rv)["id"] for rv in rows}
    assert shown == {snv: "1:878314:G:C", deletion: "1:1001:C:-"}
    assert all(finding_id(rv) == shown[rv.id] for rv in rows)

    upd = services.interpretation.update_variant
    assert upd(actor, "V", "1:878314:G:C", {"status": "REVIEWED"}, study_ref=STUDY).id == snv
    assert upd(actor, "V", "chr1:878314:g:c", {"to_report": "primary_finding"}, study_ref=STUDY).id == snv
    assert upd(actor, "V", "1:1001:C:-", {"status": "CONFIRMED"}, study_ref=STUDY).id == deletion
    assert upd(actor, "V", "1:1000:AC:A", {"internal_notes": "vcf spelling"}, study_ref=STUDY).id == deletion
    # the reportVariantId keeps working, as a number or as the path's text
    assert upd(actor, "V", snv, {"interpretation": "by number"}, study_ref=STUDY).id == snv
    assert upd(actor, "V", str(deletion), {"interpretation": "by text"}, study_ref=STUDY).id == deletion
    note = services.interpretation.add_note(actor, "V", "1:878314:G:C", "sent for Sanger", study_ref=STUDY)
    assert note.internal_notes == "sent for Sanger"
    history = services.interpretation.history(actor, "V", "1:878314:G:C", study_ref=STUDY)
    assert [e.field for e in history] == ["status", "to_report", "interpretation", "internal_notes"]

    with pytest.raises(NotFound, match="1:999:A:T"):
        upd(actor, "V", "1:999:A:T", {"status": "REVIEWED"}, study_ref=STUDY)
    with pytest.raises(Invalid, match="chrom:pos:ref:alt"):
        upd(actor, "V", "rs12345", {"status": "REVIEWED"}, study_ref=STUDY)


def test_an_ambiguous_variant_id_is_refused_naming_the_candidates(services: Services, actor: Actor) -> None:
    view = services.cases.create(actor, STUDY, {"id": "AMB", "type": "exome", "members": TRIO[:1]})
    cid = view.case.id or 0
    gone = _add(services, cid, "1", 878314, "G", "C", active=False)  # an earlier run found it, the last not
    current = _add(services, cid, "1", 878314, "G", "C")
    upd = services.interpretation.update_variant
    assert upd(actor, "AMB", "1:878314:G:C", {"status": "REVIEWED"}, study_ref=STUDY).id == current
    assert upd(actor, "AMB", gone, {"interpretation": "old run"}, study_ref=STUDY).id == gone
    twin = _add(services, cid, "1", 878314, "G", "C")
    with pytest.raises(Conflict) as err:
        upd(actor, "AMB", "1:878314:G:C", {"status": "REVIEWED"}, study_ref=STUDY)
    assert "ambiguous" in err.value.message and f"{current}, {twin}" in err.value.message
    assert "reportVariantId" in err.value.message


@pytest.mark.parametrize(
    ("given", "stored", "shown"),
    [
        ("LIKELY_PATHOGENIC", "Likely pathogenic", "LIKELY_PATHOGENIC"),
        ("UNCERTAIN_SIGNIFICANCE", "Uncertain significance", "UNCERTAIN_SIGNIFICANCE"),
        ("Likely benign", "Likely benign", "LIKELY_BENIGN"),
        ("vus", "Uncertain significance", "UNCERTAIN_SIGNIFICANCE"),
        ("NOT_ASSESSED", "", "NOT_ASSESSED"),
    ],
)
def test_classifications_are_accepted_as_shown(
    services: Services, actor: Actor, given: str, stored: str, shown: str
) -> None:
    view = services.cases.create(actor, STUDY, {"id": "K", "type": "exome", "members": TRIO[:1]})
    vid = _add(services, view.case.id or 0, "1", 878314, "G", "C", classification="Pathogenic")
    rv = services.interpretation.update_variant(actor, "K", vid, {"classification": given}, study_ref=STUDY)
    doc = render_cases.finding(rv)
    assert rv.classification == stored
    assert doc["evidences"][0]["classification"]["clinicalSignificance"] == shown
    # and what is shown goes back in unchanged
    back = services.interpretation.update_variant(
        actor, "K", doc["id"], {"classification": shown}, study_ref=STUDY
    )
    assert back.classification == stored


# -- a reviewer's ACMG/AMP criteria ----------------------------------------------------------------------
def _automatic() -> dict:
    """A stored automatic assessment: PVS1 and PM2_Supporting met (2015: VUS; points 9: LP)."""
    evidence = [
        met("PVS1", "nonsense, NMD predicted").to_dict(),
        met("PM2", "absent from gnomAD", Strength.SUPPORTING).to_dict(),
        not_met("PP3", "not added on top of PVS1").to_dict(),
    ]
    return {"met": ["PVS1", "PM2_Supporting"], "classifications": [], "evidence": evidence}


def _case_with_variant(services: Services, actor: Actor, code: str) -> int:
    view = services.cases.create(actor, STUDY, {"id": code, "type": "exome", "members": TRIO[:1]})
    return _add(services, view.case.id or 0, "1", 878314, "G", "C", acmg={"automatic": _automatic()})


def test_criteria_are_typed_in_each_written_form_and_stamped(services: Services, actor: Actor) -> None:
    vid = _case_with_variant(services, actor, "A1")
    given = [
        "PM2_P",
        "PVS1 (strong)",
        "pp3_supporting",
        {"code": "PS3", "strength": "moderate", "comment": "RNA"},
    ]
    rv = services.interpretation.update_variant(actor, "A1", vid, {"criteria": given}, study_ref=STUDY)
    assert rv.criteria_labels == ["PM2_Supporting", "PVS1_Strong", "PP3", "PS3_Moderate"]
    (stored,) = [v for v in services.interpretation.variants(actor, "A1", study_ref=STUDY) if v.id == vid]
    assert stored.criteria == rv.criteria  # read back typed from the catalog
    ps3 = stored.criteria[3]
    assert (ps3.code, ps3.strength, ps3.by, ps3.comment) == ("PS3", Strength.MODERATE, actor.login, "RNA")
    assert all(e.by == actor.login and e.at and e.at.endswith("Z") for e in stored.criteria)
    # the change is in the variant's audit log: the labels as before, and the entries with who/when/why
    history = services.interpretation.history(actor, "A1", vid, study_ref=STUDY)
    assert [e.field for e in history] == ["criteria", "acmg_evidence"]
    assert history[0].old == [] and history[0].new == ["PM2_Supporting", "PVS1_Strong", "PP3", "PS3_Moderate"]
    assert history[1].new[3] == {
        "code": "PS3",
        "strength": "MODERATE",
        "by": actor.login,
        "at": ps3.at,
        "comment": "RNA",
    }
    assert all(e.user_id == actor.user_id for e in history)
    # what is shown goes back in unchanged and changes nothing: the original stamps stay
    again = services.interpretation.update_variant(
        actor, "A1", vid, {"criteria": rv.criteria_labels}, study_ref=STUDY
    )
    assert again.criteria == stored.criteria
    assert len(services.interpretation.history(actor, "A1", vid, study_ref=STUDY)) == 2
    # a new comment on the same criterion is a change, logged with who gave it
    services.interpretation.update_variant(
        actor,
        "A1",
        vid,
        {"criteria": [*rv.criteria_labels[:3], {"code": "PS3_M", "comment": "RT-PCR"}]},
        study_ref=STUDY,
    )
    last = services.interpretation.history(actor, "A1", vid, study_ref=STUDY)[-1]
    assert (
        last.field == "acmg_evidence"
        and last.old[3]["comment"] == "RNA"
        and last.new[3]["comment"] == "RT-PCR"
    )


@pytest.mark.parametrize(
    ("criteria", "named"),
    [
        (["PVS1", "PX9"], "'PX9'"),
        (["PM7"], "'PM7'"),
        (["PM2_Strong"], "'PM2_Strong'"),  # ClinGen SVI: PM2 is never above moderate
        (["BA1_Supporting"], "'BA1_Supporting'"),
        (["PM2_Weak"], "'Weak'"),
        ([{"code": "PS3", "strength": "huge"}], "'huge'"),
        ([{"code": "PS3", "why": "x"}], "why"),
        (["PM2", "PM2_Supporting"], "PM2"),
        ("PVS1", "'PVS1'"),
    ],
)
def test_a_bad_criterion_is_refused_naming_it(
    services: Services, actor: Actor, criteria: object, named: str
) -> None:
    vid = _case_with_variant(services, actor, "A2")
    services.interpretation.update_variant(actor, "A2", vid, {"criteria": ["PS4"]}, study_ref=STUDY)
    with pytest.raises(Invalid, match=named):
        services.interpretation.update_variant(actor, "A2", vid, {"criteria": criteria}, study_ref=STUDY)
    (rv,) = services.interpretation.variants(actor, "A2", study_ref=STUDY)
    assert rv.criteria_labels == ["PS4"]  # nothing changed


def test_manual_criteria_change_the_suggested_classification(services: Services, actor: Actor) -> None:
    vid = _case_with_variant(services, actor, "A3")
    upd = services.interpretation.update_variant
    before = acmg_view(upd(actor, "A3", vid, {"status": "REVIEWED"}, study_ref=STUDY))
    assert [(e["label"], e["source"]) for e in before["evidence"]] == [
        ("PVS1", "automatic"),
        ("PM2_Supporting", "automatic"),
    ]
    assert before["suggested"]["classification"] == "Uncertain significance"  # 2015: VS + 1 supporting
    assert before["suggested"]["classifications"][1]["points"] == 9
    # the reviewer adds PS3 and keeps their own classification: the suggestion is shown next to it
    rv = upd(
        actor,
        "A3",
        vid,
        {"classification": "Likely pathogenic", "criteria": [{"code": "PS3", "comment": "knock-in mouse"}]},
        study_ref=STUDY,
    )
    view = acmg_view(rv)
    assert rv.classification == "Likely pathogenic"
    assert view["suggested"]["classification"] == "Pathogenic"
    assert view["suggested"]["rule"].startswith("Pathogenic (i)(a)")
    ps3 = next(e for e in view["evidence"] if e["code"] == "PS3")
    assert (ps3["source"], ps3["by"], ps3["comment"]) == ("manual", actor.login, "knock-in mouse")
    # a manual criterion for the same code overrides the automatic one
    rv = upd(actor, "A3", vid, {"criteria": ["PVS1_Supporting"]}, study_ref=STUDY)
    view = acmg_view(rv)
    pvs1 = next(e for e in view["evidence"] if e["code"] == "PVS1")
    assert (pvs1["label"], pvs1["source"], pvs1["overrides"]) == ("PVS1_Supporting", "manual", "PVS1")
    assert view["suggested"]["classifications"][1]["points"] == 2
    # removing it restores the automatic evidence
    view = acmg_view(upd(actor, "A3", vid, {"criteria": []}, study_ref=STUDY))
    assert view == before


def test_a_criterion_recorded_before_the_svi_rules_goes_back_as_shown(
    services: Services, actor: Actor
) -> None:
    view = services.cases.create(actor, STUDY, {"id": "A4", "type": "exome", "members": TRIO[:1]})
    legacy = [ManualCriterion.from_stored(c) for c in ("PVS1", "PM2_Strong")]  # as migration 0008 left it
    vid = _add(services, view.case.id or 0, "1", 878314, "G", "C", criteria=legacy)
    upd = services.interpretation.update_variant
    rv = upd(actor, "A4", vid, {"criteria": ["PVS1", "PM2_Strong", "PP3"]}, study_ref=STUDY)
    assert rv.criteria_labels == ["PVS1", "PM2_Strong", "PP3"]
    assert rv.criteria[1].by is None  # the recorded entry is kept as it was
    with pytest.raises(Invalid, match="'PS1_VeryStrong'"):  # new input still follows the rules
        upd(actor, "A4", vid, {"criteria": ["PVS1", "PM2_Strong", "PS1_VeryStrong"]}, study_ref=STUDY)


@pytest.mark.parametrize(
    "given",
    ["Uncertain significance", "UNCERTAIN_SIGNIFICANCE", "uncertain significance", "VUS", "uncertain"],
)
def test_a_tier_is_read_in_every_spelling_it_is_shown_with(given: str) -> None:
    assert parse_classification(given) == "Uncertain significance"
    assert parse_classification("LIKELY_PATHOGENIC") == parse_classification("lp") == "Likely pathogenic"
    assert parse_classification("NOT_ASSESSED") == ""
    with pytest.raises(Invalid, match="not one of the five ACMG tiers"):
        parse_classification("probably fine")
