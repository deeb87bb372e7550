"""Phenotype match: how well a case's HPO terms fit each gene's and each disease's annotations (hpo3).

The score is Resnik similarity combined one-sidedly (the mean, over the patient's terms, of the best
match in the target — :meth:`vardesk.knowledge.hpo.HpoOntology.similarity` with
``combine="query"``), computed for all genes at once: the best Resnik match of a patient term ``q``
in a target annotated with terms ``T`` is the most informative ancestor-or-self of ``q`` that is an
ancestor-or-self of a term of ``T`` — i.e. the most informative ancestor of ``q`` the target is
annotated to (hpo3's ``term.genes`` / ``term.omim_diseases`` include descendants). Walking each
patient term's ancestors from the most informative down therefore scores every gene in one pass.

Each term's best match is divided by the term's own IC (its best possible match) and the ratios
averaged, so 1 means every term is annotated to the target and 0 means nothing beyond the root
matches. A gene's phenotype score is a weighted mean (``GENE_SHARE``) of its gene-level match
(information content from gene annotation frequencies) and the match of its best linked disease
(OMIM, information content from disease frequencies). hpo3 does not link
diseases to genes; a disease is linked to a gene when the gene is annotated with every one of the
disease's terms (the HPO gene annotations are the union of the gene's diseases' annotations).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from vardesk.analysis.prioritise.modes import modes_of
from vardesk.domain.enums import Inheritance
from vardesk.knowledge.hpo import DiseaseRef, HpoTerm, hpo_id, hpo_number, hpo_ontology

# Weight of the gene-level match in the phenotype score (the rest: the linked disease), from the
# logistic fit of bench/prioritise.py on seeds 101-103 (11.68 gene, 25.62 disease): docs/prioritisation.md.
GENE_SHARE = 0.313
# An excluded (negated) term the target is annotated with (itself or a descendant) lowers the target's
# match by this share of one observed term (the match is a mean over the observed terms): a moderate
# penalty, as Exomiser and LIRICAL give, that never drops the score below 0.
EXCLUDED_PENALTY = 0.5


@dataclass(frozen=True)
class MatchedTerm:
    """A patient term, the most informative term it shares with the target, and that term's IC."""

    query: HpoTerm
    shared: HpoTerm
    ic: float


@dataclass(frozen=True)
class DiseaseMatch:
    """A disease linked to the gene, its match to the case's terms and its modes of inheritance."""

    disease: DiseaseRef
    score: float  # in [0, 1], as PhenotypeMatch.disease_score
    modes: frozenset[Inheritance]  # empty: not stated in its annotations
    matches: tuple[MatchedTerm, ...]


@dataclass(frozen=True)
class PhenotypeMatch:
    gene: str
    score: float  # in [0, 1]: GENE_SHARE * gene_score + (1 - GENE_SHARE) * disease_score
    gene_score: float
    disease_score: float
    disease: DiseaseRef | None  # the best-matching linked disease
    matches: tuple[MatchedTerm, ...]  # of the level (gene or disease) that gave the score
    # the best-matching linked disease of each distinct set of modes of inheritance, best first
    diseases: tuple[DiseaseMatch, ...] = ()
    # the case's excluded terms the gene or its best disease is annotated with (each lowered the score)
    excluded: tuple[HpoTerm, ...] = ()


class PhenotypeIndex:
    """Caches over :class:`~vardesk.knowledge.hpo.HpoOntology` (term → genes / diseases, ancestors,
    gene → linked diseases), by term number. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._genes: dict[int, frozenset[str]] = {}
        self._diseases: dict[int, frozenset[int]] = {}
        self._ancestors: dict[int, tuple[int, ...]] = {}
        self._names: dict[int, str] = {}
        self._links: dict[str, tuple[int, ...]] | None = None
        self._n_genes = 0
        self._n_omim = 0
        self._disease_names: dict[int, str] = {}
        self._disease_modes: dict[int, frozenset[Inheritance]] = {}

    # -- cached ontology lookups (by term number) ----------------------------------------------------
    def _counts(self) -> tuple[int, int]:
        if not self._n_genes:
            hpo = hpo_ontology()
            self._n_genes = len(hpo.gene_annotations())
            omim = hpo.omim_annotations()
            self._n_omim = len(omim)
            self._disease_names = {d: name for d, name, _ in omim}
            self._disease_modes = {d: modes_of(terms) for d, _, terms in omim}
        return self._n_genes, self._n_omim

    def term_genes(self, tid: int) -> frozenset[str]:
        if tid not in self._genes:
            self._genes[tid] = hpo_ontology().term_gene_symbols(tid)
        return self._genes[tid]

    def term_diseases(self, tid: int) -> frozenset[int]:
        if tid not in self._diseases:
            self._diseases[tid] = hpo_ontology().term_omim_ids(tid)
        return self._diseases[tid]

    def ancestors(self, tid: int) -> tuple[int, ...]:
        """The term and all its ancestors."""
        if tid not in self._ancestors:
            self._ancestors[tid] = (tid, *hpo_ontology().term_ancestor_numbers(tid))
        return self._ancestors[tid]

    def name(self, tid: int) -> str:
        if tid not in self._names:
            self._names[tid] = hpo_ontology().term_name(tid)
        return self._names[tid]

    def ic_gene(self, tid: int) -> float:
        n = len(self.term_genes(tid))
        return -math.log(n / self._counts()[0]) if n else 0.0

    def ic_disease(self, tid: int) -> float:
        n = len(self.term_diseases(tid))
        return -math.log(n / self._counts()[1]) if n else 0.0

    def gene_diseases(self, gene: str) -> tuple[int, ...]:
        """OMIM ids linked to the gene (every one of the disease's terms annotates the gene)."""
        if self._links is None:
            with self._lock:
                if self._links is None:
                    self._links = self._build_links()
        return self._links.get(gene, ())

    def _build_links(self) -> dict[str, tuple[int, ...]]:
        hpo = hpo_ontology()
        direct: dict[int, set[str]] = {}
        for gene, numbers in hpo.gene_annotations():
            for n in numbers:
                direct.setdefault(n, set()).add(gene)
        links: dict[str, list[int]] = {}
        for omim, _, numbers in hpo.omim_annotations():
            terms = sorted(numbers, key=lambda n: (len(direct.get(n, ())), n))
            if not terms:
                continue
            common = set(direct.get(terms[0], ()))
            for n in terms[1:]:
                common &= direct.get(n, set())
                if not common:
                    break
            for gene in common:
                links.setdefault(gene, []).append(omim)
        return {g: tuple(sorted(ids)) for g, ids in links.items()}

    def disease_name(self, omim: int) -> str:
        self._counts()
        return self._disease_names.get(omim, "")

    def _ref(self, omim: int) -> DiseaseRef:
        return DiseaseRef(f"OMIM:{omim}", self.disease_name(omim))

    def disease_modes(self, omim: int) -> frozenset[Inheritance]:
        """The disease's modes of inheritance (its HPO inheritance terms; empty when none)."""
        self._counts()
        return self._disease_modes.get(omim, frozenset())

    # -- matching ------------------------------------------------------------------------------------
    def _best(
        self, patient: Sequence[int], wanted: set[Any], members: Any, ic: Any
    ) -> tuple[dict[Any, list[tuple[int, float]]], list[float]]:
        """target → per patient term (shared term, IC); and each patient term's own best IC."""
        best: dict[Any, list[tuple[int, float]]] = {t: [] for t in wanted}
        selves: list[float] = []
        for q in patient:
            order = sorted(self.ancestors(q), key=lambda a: (-ic(a), a))
            selves.append(max((ic(a) for a in order if members(a)), default=0.0))
            remaining = set(wanted)
            for a in order:
                if not remaining:
                    break
                hit = remaining & members(a)
                value = ic(a)
                for target in hit:
                    best[target].append((a, value))
                remaining -= hit
            for target in remaining:
                best[target].append((1, 0.0))
        return best, selves

    def match(
        self, terms: Sequence[str], genes: Iterable[str], excluded: Sequence[str] = ()
    ) -> dict[str, PhenotypeMatch]:
        """Gene symbol → phenotype match of the case's HPO terms (obsolete ids replaced; ids the shipped
        ontology does not know are left out, never refused). Each ``excluded`` (negated) term a gene or
        disease is annotated with lowers its match by ``EXCLUDED_PENALTY`` / (number of observed terms)."""
        wanted = set(genes)
        onto = hpo_ontology()
        resolved = onto.resolve_terms(terms).terms
        patient = [hpo_number(t.id) for t in resolved]
        if not patient or not wanted:
            return {g: PhenotypeMatch(g, 0.0, 0.0, 0.0, None, ()) for g in wanted}
        negated = [t for t in onto.resolve_terms(excluded).terms if hpo_number(t.id) not in patient]
        share = EXCLUDED_PENALTY / len(patient)

        def penalised(score: float, hits: int) -> float:
            return max(0.0, score - share * hits)

        def gene_hits(gene: str) -> list[HpoTerm]:
            return [t for t in negated if gene in self.term_genes(hpo_number(t.id))]

        def disease_hits(d: int) -> list[HpoTerm]:
            return [t for t in negated if d in self.term_diseases(hpo_number(t.id))]

        g_best, g_self = self._best(patient, wanted, self.term_genes, self.ic_gene)
        diseases = {d for g in wanted for d in self.gene_diseases(g)}
        d_best, d_self = self._best(patient, diseases, self.term_diseases, self.ic_disease)
        d_score = {
            d: penalised(_normalised(pairs, d_self), len(disease_hits(d))) for d, pairs in d_best.items()
        }

        queries = [HpoTerm(q.id, q.name) for q in resolved]
        shared: dict[int, HpoTerm] = {}
        by_disease: dict[int, tuple[MatchedTerm, ...]] = {}

        def matched(pairs: list[tuple[int, float]]) -> tuple[MatchedTerm, ...]:
            found = []
            for q, (a, ic) in zip(queries, pairs, strict=True):
                if ic > 0:
                    if a not in shared:
                        shared[a] = HpoTerm(hpo_id(a), self.name(a))
                    found.append(MatchedTerm(q, shared[a], ic))
            return tuple(sorted(found, key=lambda m: (-m.ic, m.query.id)))

        def disease_match(d: int) -> DiseaseMatch:
            if d not in by_disease:
                by_disease[d] = matched(d_best[d])
            return DiseaseMatch(self._ref(d), d_score[d], self.disease_modes(d), by_disease[d])

        out: dict[str, PhenotypeMatch] = {}
        for gene in sorted(wanted):
            gene_score = penalised(_normalised(g_best[gene], g_self), len(gene_hits(gene)))
            by_modes: dict[frozenset[Inheritance], int] = {}  # the best disease of each set of modes
            for d in self.gene_diseases(gene):
                modes = self.disease_modes(d)
                if modes not in by_modes or d_score[d] > d_score[by_modes[modes]]:
                    by_modes[modes] = d
            best = sorted(by_modes.values(), key=lambda d: (-d_score[d], d))
            disease = best[0] if best and d_score[best[0]] > 0 else None
            disease_score = 0.0 if disease is None else d_score[disease]
            pairs = d_best[disease] if disease is not None and disease_score > gene_score else g_best[gene]
            ref = None if disease is None else self._ref(disease)
            out[gene] = PhenotypeMatch(
                gene,
                GENE_SHARE * gene_score + (1 - GENE_SHARE) * disease_score,
                gene_score,
                disease_score,
                ref,
                matched(pairs),
                tuple(disease_match(d) for d in best),
                tuple(dict.fromkeys([*gene_hits(gene), *([] if disease is None else disease_hits(disease))])),
            )
        return out


def _normalised(pairs: list[tuple[int, float]], selves: list[float]) -> float:
    """Mean over the patient's terms of (IC of the best match / IC of the term's own best match)."""
    ratios = [v / own for (_, v), own in zip(pairs, selves, strict=True) if own > 0]
    return sum(ratios) / len(selves) if selves else 0.0


_index: PhenotypeIndex | None = None


def phenotype_index() -> PhenotypeIndex:
    """The process-wide index (caches grow as terms are used)."""
    global _index
    if _index is None:
        _index = PhenotypeIndex()
    return _index
