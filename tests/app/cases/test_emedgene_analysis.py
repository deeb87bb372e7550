"""What an Emedgene case's settings do in the core: the preset group selects the filter preset, a boosted
gene list ranks its genes first without limiting the analysis, the secondary-findings consent decides
whether the ACMG SF genes are searched, labels filter, and the lifecycle names map onto the status machine."""

from __future__ import annotations

import pytest

from vardesk.analysis.inheritance import Candidate, MemberCall
from vardesk.analysis.prioritise import Family, Genotype, VariantCall, prioritise
from vardesk.app.cases import incidental
from vardesk.app.cases.case_analysis import preset_query
from vardesk.app.cases.emedgene import (
    PRESETS,
    analysis_preset,
    core_status,
    has_labels,
    label_filter,
    secondary_consent,
)
from vardesk.app.cases.prioritisation import boost
from vardesk.domain import cases as dc
from vardesk.domain.cases import Case, CaseType
from vardesk.domain.errors import Invalid, Unprocessable

HET = Genotype(1, "0/1")


def _case(preset: dict, type_: CaseType = CaseType.EXOME) -> Case:
    return Case(
        workspace_id=1, project_id=1, study_id=1, code="EMG1", type=type_, created_by=1, filter_preset=preset
    )


def test_the_preset_group_selects_the_filter_preset() -> None:
    assert analysis_preset(None)["name"] == analysis_preset("")["name"] == "Default"
    high = analysis_preset("high QUALITY")
    assert high["name"] == "High quality" and high["pass_only"] is True and high["min_dp"] == 10
    q = preset_query(_case(high), [])
    assert q.pass_only and q.min_dp == 10 and q.max_af == 0.01  # the rest: the default preset
    q = preset_query(_case(analysis_preset("All variants")), [])
    assert q.max_af is None and q.consequences == []
    q = preset_query(_case(analysis_preset("Polymorphism 5%")), [])
    assert q.max_af == 0.05 and "missense_variant" in q.consequences
    with pytest.raises(Invalid, match="PANELS_v1.*Default"):
        analysis_preset("PANELS_v1")  # an unknown group is refused, not silently analysed otherwise
    assert set(PRESETS) >= {"Default"}


def test_a_virtual_panel_limits_the_analysis_a_boosted_list_does_not() -> None:
    panel = ["FBN1", "TTN"]
    assert preset_query(_case(analysis_preset("Default")), panel).genes == panel
    boosted = preset_query(_case(analysis_preset("Default", boost=True)), panel)
    assert boosted.genes == []


def test_boosted_genes_are_ranked_first() -> None:
    calls = [
        VariantCall("1", 100, "C", "T", ("FBN1",), "stop_gained", {"proband": HET}, gnomad_af=None),
        VariantCall("2", 200, "G", "A", ("TTN",), "missense_variant", {"proband": HET}, gnomad_af=0.004),
        VariantCall("3", 300, "A", "G", ("CFTR",), "missense_variant", {"proband": HET}, gnomad_af=0.0001),
    ]
    ranked = prioritise(calls, Family.solo(), ["HP:0001166", "HP:0001519"])
    assert ranked[0].gene == "FBN1"
    out = boost(ranked, ["cftr", "TTN"])
    assert [g.gene for g in out][:2] == sorted(["CFTR", "TTN"], key=[g.gene for g in ranked].index)
    assert out[-1].gene == "FBN1" and [g.rank for g in out] == [1, 2, 3]
    assert {g.gene for g in out} == {g.gene for g in ranked}  # nothing removed
    assert [g.gene for g in boost(ranked, [])] == [g.gene for g in ranked]


def test_secondary_findings_follow_the_consent() -> None:
    assert secondary_consent("Yes") and secondary_consent(True) and secondary_consent("yes ")
    assert not secondary_consent(None) and not secondary_consent("") and not secondary_consent("No")
    with pytest.raises(Invalid):
        secondary_consent("maybe")
    yes = _case(analysis_preset("Default", secondary=True))
    no = _case(analysis_preset("Default"))
    assert incidental.consented(yes) and not incidental.refused(yes)
    assert incidental.refused(no) and not incidental.consented(no)
    native = _case({})  # a case made without the question: neither
    assert not incidental.consented(native) and not incidental.refused(native)
    q = incidental.secondary_query()
    assert set(q.genes) >= {"BRCA1", "MYBPC3", "HFE"} and len(set(q.genes)) == 81
    assert "Pathogenic" in q.clinvar and q.max_af == 0.05 and q.min_dp == 10


def _candidate(gene: str, zygosity: int) -> Candidate:
    gt = {1: "0/1", 2: "1/1", 3: "1"}[zygosity]
    call = MemberCall(gt=gt, zygosity=zygosity, called=True, dp=30, gq=99, phased=False, phase_set=None)
    return Candidate(
        key=1,
        chrom="6",
        pos=26093141,
        ref="G",
        alt="A",
        gene=gene,
        genes=(gene,),
        calls={"proband": call},
        modes=(),
    )


def test_a_secondary_finding_is_the_probands_and_hfe_only_homozygous() -> None:
    assert incidental.is_secondary(_candidate("BRCA2", 1), "proband")
    assert not incidental.is_secondary(_candidate("BRCA2", 1), "mother")
    assert not incidental.is_secondary(_candidate("HFE", 1), "proband")
    assert incidental.is_secondary(_candidate("HFE", 2), "proband")
    assert incidental.mark({"modes": []})["secondary_finding"]["rule"].startswith("ACMG SF v3.2")


def test_labels_filter_cases() -> None:
    assert label_filter(["12,13", "", "14"]) == {12, 13, 14}
    with pytest.raises(Invalid):
        label_filter(["NICU"])
    assert has_labels({"labels": [12, 99]}, {12}) and not has_labels({"labels": [13]}, {12})
    assert has_labels({}, set()) and not has_labels({}, {1})


def test_lifecycle_names_map_onto_the_status_machine() -> None:
    assert core_status("Delivered") == dc.READY_TO_REVIEW
    assert core_status("finalized") == dc.APPROVED
    assert core_status("Issue  reported") == dc.FAILED
    assert core_status("Re-Analysis") == dc.WAITING
    assert core_status("Ready for interpretation") == "READY FOR INTERPRETATION"  # a custom status
    for name in ("Uploading", "Pending sequencing", "Trash bin"):
        with pytest.raises(Unprocessable):
            core_status(name)
    for bad in ("", None, 3):
        with pytest.raises(Invalid):
            core_status(bad)
