"""Phenotype lookups for the faces: HPO terms by id or by name, from the core's HPO knowledge."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from vardesk.domain.errors import NotFound, Unprocessable
from vardesk.knowledge.hpo import hpo_ontology, is_hpo_id


@dataclass(frozen=True)
class PhenotypeHit:
    id: str  # HP:0001250
    name: str
    match: str  # "exact" (the id or the whole name), "partial" (a part of the name)


class PhenotypeLookup:
    def search(self, text: str, limit: int = 20) -> list[PhenotypeHit]:
        """An HPO id (the term itself) or text (the terms whose name contains it, exact names first)."""
        query = str(text or "").strip()
        if not query:
            return []
        onto = hpo_ontology()
        if is_hpo_id(query.upper()):
            try:
                term = onto.term(query.upper())
            except NotFound:  # an id the ontology does not know: no hit
                return []
            return [PhenotypeHit(term.id, term.name, "exact")]
        # every match (the ontology's search is case-sensitive: the spellings a name starts with), so that
        # the exact name sorts first
        spellings = dict.fromkeys((query, query.lower(), query.capitalize()))
        found = {t.id: t for q in spellings for t in onto.search(q, limit=5000)}
        hits = [
            PhenotypeHit(t.id, t.name, "exact" if t.name.lower() == query.lower() else "partial")
            for t in found.values()
        ]
        hits.sort(key=lambda h: (h.match != "exact", len(h.name), h.id))
        return hits[:limit]

    def ids_of_names(self, names: Iterable[str]) -> list[str]:
        """The HPO id of each phenotype name (case-insensitive exact match); every unknown name is listed
        in one refusal, as Emedgene words it."""
        out, unknown = [], []
        for name in names:
            hit = next((h for h in self.search(name, 5) if h.match == "exact"), None)
            if hit is None:
                unknown.append(name)
            else:
                out.append(hit.id)
        if unknown:
            raise Unprocessable("Unmatched phenotype(s) found: " + ", ".join(unknown))
        return out


def phenotype_warnings(terms: Any) -> list[str]:
    """One warning per stored term the shipped ontology does not know (kept by
    :func:`vardesk.app.samples.parse_phenotypes`)."""
    unknown = [t for t in terms or [] if isinstance(t, dict) and t.get("unknown")]
    if not unknown:
        return []
    version = hpo_ontology().version
    return [
        f"HPO term {t['id']}: {t['unknown']} in the shipped HPO release {version}; "
        "kept, but not used in the phenotype score"
        for t in unknown
    ]
