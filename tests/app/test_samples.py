from __future__ import annotations

import pytest

from tests.world import build_world
from vardesk.app.composition import Services
from vardesk.app.samples import parse_phenotypes
from vardesk.domain.enums import Role
from vardesk.domain.errors import Invalid, NotFound


def test_hpo_terms_are_checked_against_the_ontology() -> None:
    terms = parse_phenotypes([{"id": "HP:0001250", "name": "typed by hand"}, "HP:0000057"])
    assert terms[0] == {"id": "HP:0001250", "name": "Seizure", "source": "HPO"}
    # HP:0000057 is obsolete; the ontology replaces it by HP:0008665 and the request is kept.
    assert terms[1]["id"] == "HP:0008665" and terms[1]["requested"] == "HP:0000057"
    # an id the shipped ontology does not know (a newer release's term) is kept, flagged, never refused
    kept = parse_phenotypes(["HP:0001250", {"id": "HP:9999999", "name": "from a newer HPO"}])
    assert kept[1] == {
        "id": "HP:9999999",
        "name": "from a newer HPO",
        "source": "HPO",
        "unknown": "unknown HPO term",
    }
    excluded = parse_phenotypes(
        [{"id": "HP:0001250", "status": "NOT_OBSERVED"}, {"id": "HP:0001263", "excluded": True}]
    )
    assert [t.get("excluded") for t in excluded] == [True, True]
    with pytest.raises(Invalid, match="not an HPO term id"):
        parse_phenotypes(["seizures"])


def test_families_create_members_parents_first_and_link_samples(services: Services) -> None:
    world = build_world(services, ("lab-a",))
    owner = world.member("lab-a", Role.ANALYST).actor
    services.projects.create_project(owner, {"id": "p"})
    members = [
        {
            "id": "kid",
            "father": {"id": "dad"},
            "mother": {"id": "mum"},
            "sex": {"id": "FEMALE"},
            "phenotypes": [{"id": "HP:0001263"}],
            "affected": "AFFECTED",
        },
        {"id": "dad", "sex": "MALE"},
        {"id": "mum", "sex": "2"},
    ]
    fam = services.pedigree.create_family(owner, "p:default", {"id": "F1", "members": members})
    by_code = {m.individual.code: m for m in fam.members}
    assert set(by_code) == {"kid", "dad", "mum"}
    assert (by_code["kid"].father, by_code["kid"].mother) == ("dad", "mum")
    assert by_code["kid"].individual.phenotypes[0]["name"] == "Global developmental delay"
    with pytest.raises(NotFound, match="parents of orphan"):
        services.pedigree.create_family(
            owner, "p:default", {"id": "F2", "members": [{"id": "orphan", "father": {"id": "nobody"}}]}
        )
