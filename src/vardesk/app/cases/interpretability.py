"""Could a case's analysis see the genes it reports on? A negative made on no data is the worst error.

The analysis is NOT INTERPRETABLE when a member genome is not annotated (no consequences, no genes), or
when the panel's genes are not in the annotation: for a reference bundle, any panel gene the bundle does
not have; for a pipeline's own annotation (which lists only genes with a called variant), none of the
panel's genes present. Panel genes a pipeline annotation does not mention are listed, not fatal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from vardesk.app.annotation import DEMO_WORKSPACE
from vardesk.domain import annotation_source as src
from vardesk.domain.cases import INTERPRETABLE, NOT_INTERPRETABLE, CaseMember
from vardesk.domain.models import Genome


@dataclass(frozen=True)
class Verdict:
    result: str
    reason: str = ""
    annotation: list[dict[str, Any]] = field(default_factory=list)  # per member: relation, source, label
    genes_not_in_annotation: list[str] = field(default_factory=list)

    @property
    def interpretable(self) -> bool:
        return self.result == INTERPRETABLE

    def to_dict(self) -> dict[str, Any]:
        return {
            "result": self.result,
            "reason": self.reason,
            "annotation": self.annotation,
            "genes_not_in_annotation": self.genes_not_in_annotation,
        }


@lru_cache(maxsize=16)
def _bundle_symbols(genes_parquet: str) -> frozenset[str]:
    table = pq.read_table(genes_parquet, columns=["symbol"])
    return frozenset(s.upper() for s in table.column("symbol").to_pylist() if s)


def _annotation_symbols(paths: list[Path]) -> set[str]:
    files = [str(p / "*.parquet") for p in paths]
    if not files:
        return set()
    con = duckdb.connect()
    try:
        rows = con.execute(
            "SELECT DISTINCT upper(gene_symbol) FROM read_parquet($f) WHERE gene_symbol IS NOT NULL "
            "UNION SELECT DISTINCT upper(t.gene_symbol) FROM "
            "(SELECT unnest(transcripts) AS t FROM read_parquet($f)) WHERE t.gene_symbol IS NOT NULL",
            {"f": files},
        ).fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


def in_demo_workspace(uow: Any, workspace_id: int) -> bool:
    ws = uow.workspaces.get(workspace_id)
    return ws is not None and ws.code == DEMO_WORKSPACE


def genome_problems(members: list[tuple[CaseMember, Genome | None]], *, demo: bool) -> list[str]:
    """What makes the members' annotation unfit, read from the genomes as they are now: a genome not
    annotated, or (outside the demo workspace) annotated with synthetic reference data."""
    problems = []
    for m, g in members:
        if g is None:
            continue
        d = src.describe(g)
        if d["source"] == src.NONE:
            problems.append(f"the {m.relation.lower()}'s genome is not annotated ({d['reason']})")
        elif d["synthetic"] and not demo:
            problems.append(
                f"the {m.relation.lower()}'s genome was annotated with synthetic (NOT HUMAN) reference data "
                f"({d['bundle']}); re-annotate it"
            )
    return problems


def assess(
    annotation: Any,
    members: list[tuple[CaseMember, Genome | None]],
    panel_genes: list[str],
    *,
    demo: bool = False,
) -> Verdict:
    """``annotation`` is the :class:`~vardesk.app.annotation.AnnotationService`; ``demo`` whether the
    case belongs to the demo workspace (the only one where synthetic reference data is expected)."""
    described = []
    for m, g in members:
        if g is None:
            continue
        d = src.describe(g)
        described.append(
            {"relation": m.relation, "source": d["source"], "label": d["label"], "synthetic": d["synthetic"]}
        )
    problems = genome_problems(members, demo=demo)
    genes = sorted({x.upper() for x in panel_genes if x})
    missing: list[str] = []
    if genes and not problems:
        genomes = [g for _, g in members if g is not None]
        for source in dict.fromkeys(g.annotation_bundle for g in genomes):
            if source.startswith(src.PIPELINE_PREFIX):
                with annotation.annotations([g for g in genomes if g.annotation_bundle == source]) as paths:
                    seen = _annotation_symbols(paths)
                absent = [x for x in genes if x not in seen]
                if len(absent) == len(genes):
                    problems.append(
                        "none of the panel's genes appear in the pipeline's annotation of the genome "
                        f"({', '.join(absent[:10])})"
                    )
                missing += absent
            else:
                table = annotation.bundle(source).table("genes")
                have = _bundle_symbols(str(table)) if table is not None else frozenset()
                absent = [x for x in genes if x not in have]
                if absent:
                    problems.append(
                        f"panel genes not in the reference bundle {source}: {', '.join(absent[:10])}"
                        + (f" and {len(absent) - 10} more" if len(absent) > 10 else "")
                    )
                missing += absent
    missing = sorted(set(missing))
    if problems:
        return Verdict(NOT_INTERPRETABLE, "; ".join(problems), described, missing)
    return Verdict(INTERPRETABLE, "", described, missing)
