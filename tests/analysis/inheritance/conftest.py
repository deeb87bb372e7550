"""Shared fixtures: the GIAB trio ingested once per session, and hand-built small families."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.ingest.conftest import GIAB, run_bcftools
from vardesk.domain import variant_key
from vardesk.ingest.pipeline import ingest_vcf
from vardesk.variants.schema import ANNOTATION_SCHEMA

PED = GIAB.parent / "ashk-trio.ped"
CEPH = GIAB.parent / "ceph.ped"
COMPHET_VCF = GIAB.parent / "comphet.csq.vcf"

HEADER = (
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=chr1,length=248956422>\n"
    "##contig=<ID=chrX,length=156040895>\n"
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    '##FORMAT=<ID=PS,Number=1,Type=Integer,Description="Phase set">\n'
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">\n'
)


def write_family(
    directory: Path,
    samples: Sequence[str],
    rows: Sequence[tuple[str, int, str, str, Sequence[str]]],
    genes: dict[tuple[str, int], tuple[str, float | None]] | None = None,
) -> tuple[dict[str, Path], Path | None]:
    """Ingest a tiny GRCh38 VCF; rows are (chrom, pos, ref, alt, [GT[:PS[:DP[:GQ]]] per sample]).

    ``genes`` maps (chrom, pos) to (gene symbol, gnomAD AF) for an annotation Parquet keyed like the
    store (ANNOTATION_SCHEMA). Returns (sample → genotype file, annotation file).
    """
    lines = [HEADER, "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples) + "\n"]
    for chrom, pos, ref, alt, gts in rows:
        fmt = ":".join(("GT", "PS", "DP", "GQ")[: max(g.count(":") + 1 for g in gts)])
        lines.append(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t50\tPASS\t.\t{fmt}\t" + "\t".join(gts) + "\n")
    src = directory / "family.vcf"
    src.write_text("".join(lines))
    result = ingest_vcf(src, directory / "store")
    genomes = {s.name: s.genotypes_path for s in result.samples}
    if genes is None:
        return genomes, None
    ann = directory / "annotation.parquet"
    keyed = [(c, p, r, a) for c, p, r, a, _ in rows if (c, p) in genes]
    table = {
        "key": [variant_key.encode(variant_key.canonical_chrom(c), p, r, a) for c, p, r, a in keyed],
        "gene_symbol": [genes[(c, p)][0] for c, p, _, _ in keyed],
        "consequence": ["missense_variant"] * len(keyed),
        "impact": ["MODERATE"] * len(keyed),
        "transcripts": [[] for _ in keyed],
        "gnomad_af": [genes[(c, p)][1] for c, p, _, _ in keyed],
        "clinvar_significance": [None] * len(keyed),
    }
    pq.write_table(pa.table(table, schema=ANNOTATION_SCHEMA), ann)
    return genomes, ann


@pytest.fixture(scope="session")
def giab_trio(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """HG002/HG003/HG004 genotype files from one ingest of the GIAB trio."""
    if not GIAB.exists():
        pytest.skip("shared test data not available")
    result = ingest_vcf(GIAB, tmp_path_factory.mktemp("giab") / "store")
    return {s.name: s.genotypes_path for s in result.samples}


@pytest.fixture(scope="session")
def giab_norm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The trio split to one ALT per record by bcftools (the independent side of the comparisons)."""
    if not GIAB.exists():
        pytest.skip("shared test data not available")
    path = tmp_path_factory.mktemp("norm") / "norm.vcf"
    path.write_text(run_bcftools("norm", "-m-", str(GIAB)))
    return path


def bcftools_sites(vcf: Path, expression: str) -> list[tuple[str, int, str, str]]:
    """(chrom, pos, ref, alt) of the records ``bcftools query -i expression`` selects, in file order."""
    out = run_bcftools("query", "-i", expression, "-f", "%CHROM\t%POS\t%REF\t%ALT\n", str(vcf))
    sites = []
    for line in out.splitlines():
        chrom, pos, ref, alt = line.split("\t")
        sites.append((chrom, int(pos), ref, alt))
    return sites
