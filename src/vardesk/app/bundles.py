"""Building a reference bundle from source files (``vardesk bundle build``). Installing, enabling and listing
installed bundles are :class:`vardesk.app.annotation.AnnotationService`'s."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vardesk.annotate.bundle import build_bundle


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


@dataclass(frozen=True)
class BuiltBundle:
    id: str
    version: str
    build: str
    out: Path
    stats: dict[str, Any]


class BuildBundle:
    """A versioned bundle written to ``out``; it needs no catalog (it is installed separately)."""

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
        )
        return BuiltBundle(manifest.id, manifest.version, manifest.build, cmd.out, dict(manifest.stats))
