"""Gene ranking in a case's analysis: burden + phenotype (analysis/prioritise) over the case's candidates.

The ranked list is stored per case and run (a :class:`GeneAnalysis` of kind ``CASE``), so a re-run after a
phenotype or panel change reports what moved; each report variant carries its gene's rank and scores,
and the gene's phenotype match feeds PP4 of the automatic ACMG evidence. A case whose gene list boosts its
genes (``filter_preset["boost_genes"]``) ranks every gene, those of the list first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from vardesk.analysis.acmg.inputs import PhenotypeMatch as AcmgPhenotype
from vardesk.analysis.inheritance import Candidate
from vardesk.analysis.pedigree import Pedigree
from vardesk.analysis.prioritise import Family, PrioritiseConfig, RankedGene, from_candidates, prioritise
from vardesk.domain.errors import Invalid

TOP_MOVES = 10  # a re-run reports rank changes among the top genes of either run
DEFAULT_PAGE = 100  # genes per page of a ranking when the caller names no limit (the stored list is whole)
METHOD = "Vardesk gene prioritisation (burden + HPO phenotype, logistic)"


def _observed(t: Any) -> bool:
    return not (t.get("excluded") or str(t.get("status", "")).upper() in ("EXCLUDED", "NOT_OBSERVED"))


def _ids(terms: Iterable[Any], observed: bool) -> list[str]:
    out: list[str] = []
    for t in terms or []:
        if isinstance(t, Mapping):
            if _observed(t) is not observed:
                continue
            tid = str(t.get("id") or "")
        elif observed:
            tid = str(t)
        else:
            continue
        if tid and tid not in out:
            out.append(tid)
    return out


def hpo_ids(terms: Iterable[Any]) -> list[str]:
    """Observed term ids from a case's ``hpo_terms`` (dicts with ``id``) or plain ids; excluded dropped."""
    return _ids(terms, True)


def excluded_ids(terms: Iterable[Any]) -> list[str]:
    """The excluded (negated: ``excluded`` true or status NOT_OBSERVED) term ids of ``hpo_terms``."""
    return _ids(terms, False)


@dataclass(frozen=True)
class CaseTerms:
    """The terms a family's ranking uses: observed and excluded, each without duplicates."""

    observed: list[str]
    excluded: list[str]


def family_terms(proband: Iterable[Any], affected_relatives: Iterable[Iterable[Any]] = ()) -> CaseTerms:
    """The union of the proband's (the case's) terms and every affected relative's: a family's shared
    disease shows in all its affected members, so a relative's feature counts as the proband's. A term
    one member has observed is never counted as excluded."""
    observed, excluded = hpo_ids(proband), excluded_ids(proband)
    for terms in affected_relatives:
        observed += [t for t in hpo_ids(terms) if t not in observed]
        excluded += [t for t in excluded_ids(terms) if t not in excluded]
    return CaseTerms(observed, [t for t in excluded if t not in observed])


def rank_candidates(
    pedigree: Pedigree,
    candidates: Sequence[Candidate],
    terms: Sequence[str],
    *,
    build: str,
    excluded: Sequence[str] = (),
    inhouse_af: Mapping[int, float] | None = None,
    config: PrioritiseConfig | None = None,
) -> list[RankedGene]:
    """Rank the genes of the candidates under the family's inheritance models and the HPO terms, with
    the pseudo-autosomal regions of the genomes' ``build``."""
    if not candidates:
        return []
    calls = from_candidates(candidates, inhouse_af=inhouse_af)
    cfg = config or PrioritiseConfig()
    cfg = replace(cfg, burden=replace(cfg.burden, build=build))
    return prioritise(calls, Family.from_pedigree(pedigree), list(terms), cfg, excluded=list(excluded))


def _sig(x: float) -> float:
    """Six significant digits: logistic scores of weak candidates are tiny but still ordered."""
    return float(f"{x:.6g}")


def _term(t: Any) -> dict[str, str]:
    return {"id": t.id, "name": t.name}


def gene_doc(g: RankedGene) -> dict[str, Any]:
    """One ranked gene, explained: the burden terms and variants, the matched phenotype terms."""
    b, ph = g.burden, g.phenotype
    doc: dict[str, Any] = {
        "rank": g.rank,
        "gene": g.gene,
        "score": _sig(g.score),
        "burden": {
            "score": round(b.score, 4),
            "model": b.model.value if b.model else None,
            "variants": list(b.variants),
            "terms": [
                {
                    "label": t.label,
                    "value": round(t.value, 4),
                    **({"variant": t.variant} if t.variant else {}),
                }
                for t in b.terms
            ],
        },
        "phenotype": None,
        # what explains the score: the linked disease and how the burden's model fits its modes
        "explanation": None
        if g.disease is None
        else {
            "disease": {"id": g.disease.disease.id, "name": g.disease.disease.name},
            "modes": sorted(m.value for m in g.disease.modes),
            "fit": g.mode.value if g.mode is not None else None,
        },
    }
    if ph is not None:
        doc["phenotype"] = {
            "score": round(ph.score, 4),
            "gene_score": round(ph.gene_score, 4),
            "disease_score": round(ph.disease_score, 4),
            "disease": None if ph.disease is None else {"id": ph.disease.id, "name": ph.disease.name},
            "matched": [
                {"term": _term(m.query), "shared": _term(m.shared), "ic": round(m.ic, 3)} for m in ph.matches
            ],
            "excluded": [_term(t) for t in ph.excluded],
        }
    return doc


def ranking_doc(ranked: Sequence[RankedGene]) -> list[dict[str, Any]]:
    """Every ranked gene, explained (the stored list is never cut: pages are cut when it is read)."""
    return [gene_doc(g) for g in ranked]


@dataclass(frozen=True)
class RankingPage:
    genes: list[dict[str, Any]]
    total: int  # genes in the whole ranking
    skip: int
    limit: int


def ranking_page(genes: Sequence[Mapping[str, Any]], skip: int = 0, limit: int | None = None) -> RankingPage:
    """One page of a stored ranking: ``limit`` genes (``DEFAULT_PAGE`` when not given) after ``skip``."""
    if skip < 0 or (limit is not None and limit < 0):
        raise Invalid("skip and limit must not be negative")
    size = DEFAULT_PAGE if limit is None else limit
    return RankingPage([dict(g) for g in genes[skip : skip + size]], len(genes), skip, size)


def what_moved(
    before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]], top: int = TOP_MOVES
) -> dict[str, Any]:
    """Rank changes between two runs among the genes in the top ``top`` of either."""
    old = {g["gene"]: int(g["rank"]) for g in before}
    new = {g["gene"]: int(g["rank"]) for g in after}
    genes = sorted(
        {g for g, r in old.items() if r <= top} | {g for g, r in new.items() if r <= top},
        key=lambda g: (new.get(g, 10**9), old.get(g, 10**9), g),
    )
    moved = [{"gene": g, "from": old.get(g), "to": new.get(g)} for g in genes if old.get(g) != new.get(g)]
    first_old = min(old, key=old.__getitem__) if old else None
    first_new = min(new, key=new.__getitem__) if new else None
    return {"moved": moved, "top_changed": first_old != first_new, "top": first_new}


def variant_priority(ranked: Sequence[RankedGene]) -> dict[str, dict[str, Any]]:
    """Gene → what each of its report variants carries: the gene's rank, scores and model."""
    out: dict[str, dict[str, Any]] = {}
    for g in ranked:
        out[g.gene] = {
            "rank": g.rank,
            "score": _sig(g.score),
            "burden": round(g.burden.score, 4),
            "model": g.burden.model.value if g.burden.model else None,
            "phenotype": None if g.phenotype is None else round(g.phenotype.score, 4),
            "disease": g.disease.disease.id if g.disease is not None else None,
            "mode_fit": None if g.mode is None else g.mode.value,
        }
    return out


def acmg_phenotypes(ranked: Sequence[RankedGene], hpo_version: str | None) -> dict[str, AcmgPhenotype]:
    """Gene → the phenotype match PP4 reads (only genes the case's HPO terms were matched against)."""
    out: dict[str, AcmgPhenotype] = {}
    for g in ranked:
        ph = g.phenotype
        if ph is None:
            continue
        out[g.gene] = AcmgPhenotype(
            score=ph.score,
            matched_terms=tuple(m.query.id for m in ph.matches),
            method=METHOD,
            version=hpo_version,
        )
    return out


def boost(ranked: Sequence[RankedGene], genes: Iterable[str]) -> list[RankedGene]:
    """A boosted gene list: the ranked genes of ``genes`` come first (in their own order of score), then
    every other gene; ranks are renumbered from 1. Nothing is removed (a virtual panel, by contrast,
    limits the analysis to its genes)."""
    boosted = {g.upper() for g in genes}
    first = [g for g in ranked if g.gene.upper() in boosted]
    rest = [g for g in ranked if g.gene.upper() not in boosted]
    return [replace(g, rank=i) for i, g in enumerate([*first, *rest], start=1)]
