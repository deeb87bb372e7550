"""Building a reference bundle from source files (``vardesk bundle build``). Installing, enabling and listing
installed bundles are :class:`vardesk.app.annotation.AnnotationService`'s."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vardesk.annotate.bundle import build_bundle
from vardesk.domain.errors import Invalid
from vardesk.knowledge.gene_evidence import KINDS as KNOWLEDGE_KINDS
from vardesk.knowledge.gene_evidence import load_gene_knowledge


@dataclass(frozen=True)
class BuildBundleCommand:
    build: str  # GRCh37 or GRCh38
    gff3: Path
    fasta: Path
    out: Path  # a new directory
    gnomad: tuple[Path, ...] = ()
    clinvar: Path | None = None
    mane: Path | None = None
    version: str | None = None
    # gene-knowledge files: (kind, path, version given by the administrator); kinds in KNOWLEDGE_KINDS
    knowledge: tuple[tuple[str, Path, str | None], ...] = ()


@dataclass(frozen=True)
class BuiltBundle:
    id: str
    version: str
    build: str
    out: Path
    stats: dict[str, Any]


class BuildBundle:
    """A versioned bundle written to ``out``; it needs no catalog (it is installed separately)."""

    @staticmethod
    def _checked(knowledge: tuple[tuple[str, Path, str | None], ...]) -> list[tuple[str, Path, str | None]]:
        """Every file read once with its reader, so a bundle never holds a file the analysis cannot use."""
        unknown = [k for k, _, _ in knowledge if k not in KNOWLEDGE_KINDS]
        if unknown:
            raise Invalid(f"unknown gene knowledge kind(s) {unknown}; known: {', '.join(KNOWLEDGE_KINDS)}")
        load_gene_knowledge({k: (Path(p), v) for k, p, v in knowledge})
        return list(knowledge)

    def run(self, cmd: BuildBundleCommand) -> BuiltBundle:
        manifest = build_bundle(
            build=cmd.build,
            gff3=cmd.gff3,
            fasta=cmd.fasta,
            out=cmd.out,
            gnomad=list(cmd.gnomad),
            clinvar=cmd.clinvar,
            mane=cmd.mane,
            version=cmd.version,
            knowledge=self._checked(cmd.knowledge),
        )
        return BuiltBundle(manifest.id, manifest.version, manifest.build, cmd.out, dict(manifest.stats))
