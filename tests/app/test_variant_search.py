"""A variant search's page is refused beyond the integers the variant store takes, on every face."""

from __future__ import annotations

import pytest

from vardesk.app.variants import MAX_PAGE, VariantSearch
from vardesk.domain.errors import Invalid


def test_a_page_beyond_the_store_integers_is_invalid() -> None:
    assert VariantSearch(skip=MAX_PAGE, limit=MAX_PAGE).skip == MAX_PAGE
    assert VariantSearch(limit=None).limit is None  # no limit: every match
    for kwargs in ({"skip": 10**25}, {"skip": MAX_PAGE + 1}, {"limit": 2**64}, {"skip": -1}):
        with pytest.raises(Invalid, match="must be between 0 and"):
            VariantSearch(**kwargs)
