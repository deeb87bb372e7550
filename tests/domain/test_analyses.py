"""Stand-alone gene analyses: the members each kind needs and what a relation implies."""

from __future__ import annotations

import pytest

from vardesk.domain import analyses as da
from vardesk.domain.errors import Invalid


def test_relations_imply_affection_and_parent_sex() -> None:
    got = da.with_defaults(
        [
            {"relation": "PROBAND", "genome_id": 1, "sex": "MALE", "affected": "UNKNOWN"},
            {"relation": "MOTHER", "genome_id": 2, "sex": "UNKNOWN", "affected": "UNAFFECTED"},
            {"relation": "FATHER", "genome_id": 3, "sex": "MALE", "affected": "UNKNOWN"},
            {"relation": "SIBLING", "genome_id": 4, "sex": "UNKNOWN", "affected": "AFFECTED"},
        ]
    )
    assert [(m["sex"], m["affected"]) for m in got] == [
        ("MALE", "AFFECTED"),
        ("FEMALE", "UNAFFECTED"),
        ("MALE", "UNKNOWN"),
        ("UNKNOWN", "AFFECTED"),
    ]


def test_each_kind_needs_its_members() -> None:
    trio = [{"relation": r, "genome_id": i} for i, r in enumerate(("PROBAND", "MOTHER", "FATHER"), 1)]
    da.check_members(da.TRIO, trio)
    with pytest.raises(Invalid, match="sibling"):
        da.check_members(da.QUAD, trio)
    with pytest.raises(Invalid, match="two members"):
        da.check_members(
            da.SOLO, [{"relation": "PROBAND", "genome_id": 1}, {"relation": "MOTHER", "genome_id": 1}]
        )
    with pytest.raises(Invalid, match="proband_vaast_report_id"):
        da.check_members(da.PHEVOR, [])
    with pytest.raises(Invalid, match="unknown analysis type"):
        da.check_members(da.CASE, trio)
