"""combine(): a reviewer's criteria over the automatic evidence, classified by the same classifiers."""

from __future__ import annotations

import json

from tests.analysis.acmg.test_assess import nonsense_de_novo
from vardesk.analysis.acmg import Classification, Source, Status, assess, combine, combine_stored
from vardesk.analysis.acmg.model import met, not_met
from vardesk.domain.acmg import AcmgCriterion, ManualCriterion

C = Classification


def manual(written: str, comment: str | None = "curated") -> ManualCriterion:
    return ManualCriterion(AcmgCriterion.parse(written), by="ana", at="2026-12-03T18:00:00Z", comment=comment)


AUTO = (
    met("PVS1", "nonsense, NMD predicted"),
    met("PM2", "absent from gnomAD", AcmgCriterion.parse("PM2_P").strength),
    not_met("PP3", "not added on top of PVS1"),
)


def classes(c) -> tuple[Classification, Classification]:  # type: ignore[no-untyped-def]
    return c.classifications[0].classification, c.classifications[1].classification


def test_automatic_evidence_alone() -> None:
    c = combine(AUTO, [])
    assert [e.label for e in c.met] == ["PVS1", "PM2_Supporting"]
    # 2015: 1 very strong + 1 supporting is not enough; points 8 + 1 = 9 → LP
    assert classes(c) == (C.UNCERTAIN_SIGNIFICANCE, C.LIKELY_PATHOGENIC)
    assert len(c.evidence) == 28  # every criterion, in Richards order
    assert next(e for e in c.evidence if e.criterion == "PS3").status is Status.NOT_EVALUABLE


def test_a_manual_criterion_adds_evidence_and_changes_the_suggestion() -> None:
    c = combine(AUTO, [manual("PS3")])
    assert [e.label for e in c.met] == ["PVS1", "PS3", "PM2_Supporting"]
    ps3 = next(e for e in c.met if e.criterion == "PS3")
    assert (ps3.source, ps3.by, ps3.at, ps3.reason) == (
        Source.MANUAL,
        "ana",
        "2026-12-03T18:00:00Z",
        "curated",
    )
    assert classes(c) == (C.PATHOGENIC, C.PATHOGENIC)
    assert c.suggested.rule.startswith("Pathogenic (i)(a)")
    assert c.to_dict()["classification"] == "Pathogenic" and len(c.to_dict()["classifications"]) == 2


def test_a_manual_criterion_overrides_the_automatic_one_and_removing_it_restores_it() -> None:
    c = combine(AUTO, [manual("PVS1_Moderate", "NMD escape: last exon")])
    pvs1 = next(e for e in c.met if e.criterion == "PVS1")
    assert pvs1.label == "PVS1_Moderate" and pvs1.source is Source.MANUAL
    assert pvs1.automatic is not None and pvs1.automatic.label == "PVS1"  # the automatic one is kept inside
    # 1 moderate + 1 supporting; points 2 + 1 = 3
    assert classes(c) == (C.UNCERTAIN_SIGNIFICANCE, C.UNCERTAIN_SIGNIFICANCE)
    assert c.classifications[1].points == 3
    back = combine(AUTO, [])
    assert next(e for e in back.met if e.criterion == "PVS1").source is Source.AUTOMATIC
    assert back.classifications[1].points == 9


def test_manual_benign_stand_alone_wins() -> None:
    c = combine(AUTO, [manual("BA1")])
    assert classes(c) == (C.BENIGN, C.BENIGN)


def test_a_stored_automatic_assessment_is_combined_the_same_way() -> None:
    a = assess(nonsense_de_novo())
    stored = json.loads(json.dumps(a.to_dict()))  # as it is kept with a report variant
    plain = combine_stored(stored, [])
    assert [r.to_dict() for r in plain.classifications] == [r.to_dict() for r in a.classifications]
    assert [e.to_dict() for e in plain.evidence] == [e.to_dict() for e in a.evidence]
    # the reviewer weakens PVS1: PS2 + PM2_Supporting + PVS1_Supporting → LP (iii), 4 + 1 + 1 = 6 points
    weaker = combine_stored(stored, [manual("PVS1_Supporting")])
    assert classes(weaker) == (C.LIKELY_PATHOGENIC, C.LIKELY_PATHOGENIC)
    assert weaker.classifications[1].points == 6
    # no automatic assessment at all: the reviewer's criteria are classified alone
    alone = combine_stored(None, [manual("PS3"), manual("PS4")])
    assert classes(alone) == (C.PATHOGENIC, C.LIKELY_PATHOGENIC)
