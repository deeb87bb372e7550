from __future__ import annotations

import pytest

from vardesk.domain.errors import Invalid
from vardesk.domain.refs import parse_project_ref, parse_study_ref, split_ids


def test_study_references_in_every_form() -> None:
    assert parse_study_ref("lab@proj:st").__dict__ == {"workspace": "lab", "project": "proj", "study": "st"}
    assert parse_study_ref("proj:st").__dict__ == {"workspace": None, "project": "proj", "study": "st"}
    assert parse_study_ref("st").__dict__ == {"workspace": None, "project": None, "study": "st"}
    with pytest.raises(Invalid):
        parse_study_ref("lab@st")
    with pytest.raises(Invalid):
        parse_study_ref("proj:")


def test_project_references() -> None:
    assert parse_project_ref("lab@p").workspace == "lab"
    assert parse_project_ref("p").workspace is None
    with pytest.raises(Invalid):
        parse_project_ref("a:b")


def test_ids_keep_order_reject_duplicates_and_more_than_100() -> None:
    assert split_ids("c,a,b") == ["c", "a", "b"]
    with pytest.raises(Invalid, match="not unique"):
        split_ids("a,b,a")
    with pytest.raises(Invalid, match="More than 100"):
        split_ids(",".join(f"s{i}" for i in range(101)))
    assert len(split_ids(",".join(f"s{i}" for i in range(100)))) == 100
