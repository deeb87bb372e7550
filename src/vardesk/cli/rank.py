"""``vardesk rank INPUT.vcf[.gz] --hpo …``: a case-free gene ranking printed as TSV or JSON.

The ranking is the application's (``app/ranking.py``: ingest, annotate, candidates, rank in a scratch
directory; no catalog case); this module only parses the options and prints the result.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from vardesk.cli.output import check_input_file
from vardesk.cli.worker import at_least_one

if TYPE_CHECKING:
    from vardesk.app.ranking import RankResult

TSV_COLUMNS = ("rank", "gene", "score", "phenotype_score", "variant_score", "mode", "top_variants")


def _terms(values: list[str] | None) -> list[str]:
    """``--hpo A,B --hpo C`` → [A, B, C] (commas or repeats)."""
    return [t.strip() for v in values or [] for t in v.split(",") if t.strip()]


def tsv(result: RankResult) -> str:
    """One line per gene; the top variants as ``chrom:pos:ref:alt consequence genotype``, ``;``-separated."""
    lines = ["\t".join(TSV_COLUMNS)]
    for row in result.rows:
        g = row.gene
        variants = ";".join(f"{v.locus} {v.consequence or '.'} {v.genotype}" for v in row.variants)
        lines.append(
            "\t".join(
                [
                    str(g.rank),
                    g.gene,
                    f"{g.score:.6g}",
                    "" if g.phenotype is None else f"{g.phenotype.score:.4f}",
                    f"{g.burden.score:.4f}",
                    g.burden.model.value if g.burden.model else "",
                    variants,
                ]
            )
        )
    return "\n".join(lines) + "\n"


def as_json(result: RankResult) -> dict[str, Any]:
    return {
        "build": result.build,
        "proband": result.proband,
        "samples": result.samples,
        "hpo_terms": result.terms,
        "excluded_hpo_terms": result.excluded,
        "hpo_version": result.hpo_version,
        "unknown_hpo_terms": result.unknown_terms,
        "annotation": result.annotation,
        "mode": result.mode,
        "genes_ranked": result.total,
        "genes": [r.as_dict() for r in result.rows],
    }


def add_parser(sub: argparse._SubParsersAction, services_factory: object) -> None:  # type: ignore[type-arg]
    s = sub.add_parser(
        "rank",
        help="rank the genes of a VCF by burden and HPO phenotype, without creating a case",
        description="Rank the genes of a VCF (a solo or a family with --ped) by variant burden under the "
        "family's inheritance models and the HPO phenotype match, as a case analysis would; nothing is "
        "stored. Needs an annotation: the VCF's own (CSQ/ANN/BCSQ), --bundle, or the build's default bundle.",
    )
    s.add_argument("vcf", metavar="INPUT.vcf[.gz]")
    s.add_argument("--hpo", action="append", metavar="HP:…[,HP:…]", help="observed HPO terms (repeatable)")
    s.add_argument(
        "--exclude-hpo", action="append", metavar="HP:…[,HP:…]", help="excluded (absent) HPO terms"
    )
    s.add_argument("--ped", metavar="FILE.ped", help="the family (sample ids as in the VCF)")
    s.add_argument(
        "--proband", metavar="ID", help="the proband (default: the only affected sequenced member)"
    )
    s.add_argument("--build", choices=("GRCh37", "GRCh38"), help="the genome build (default: detected)")
    s.add_argument("--bundle", metavar="ID", help="annotate with this installed reference bundle")
    s.add_argument(
        "--mode",
        default="auto",
        metavar="auto|AD|AR|XL|XLR|XLD|SPORADIC|DE_NOVO",
        help="only burden models this mode of inheritance allows (default auto: every model)",
    )
    s.add_argument(
        "--consequences",
        metavar="all|TERM[,TERM]",
        help="the consequences ranked (default: the case analysis' preset — rare protein-altering or "
        "splice variants; 'all': every annotated variant, weighed by its consequence)",
    )
    s.add_argument("--limit", type=at_least_one, metavar="N", help="print the top N genes (default: all)")
    s.add_argument("--format", choices=("tsv", "json"), default="tsv")

    def run(args: argparse.Namespace) -> int:
        from vardesk.app.ranking import RankVcf

        command = RankVcf(
            vcf=check_input_file(args.vcf, "VCF"),
            hpo=_terms(args.hpo),
            excluded_hpo=_terms(args.exclude_hpo),
            ped=check_input_file(args.ped, "PED") if args.ped else None,
            proband=args.proband,
            build=args.build,
            bundle=args.bundle,
            mode=args.mode,
            limit=args.limit,
            consequences=None
            if args.consequences is None
            else []
            if args.consequences.strip().lower() == "all"
            else _terms([args.consequences]),
        )
        services = services_factory()  # type: ignore[operator]
        try:
            result = services.ranking.run(command)
        finally:
            services.close()
        for tid, reason in result.unknown_terms.items():
            print(f"vardesk: warning: HPO term {tid}: {reason}; not used in the score", file=sys.stderr)
        if args.format == "json":
            print(json.dumps(as_json(result), indent=2))
        else:
            sys.stdout.write(tsv(result))
        return 0

    s.set_defaults(func=run)
