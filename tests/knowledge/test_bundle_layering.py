"""An installed bundle's gene table layered on the packaged catalogue: its build's spans win."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from vardesk.annotate.bundle import Bundle, Manifest
from vardesk.knowledge import GeneCatalogue, MatchKind, ResolutionStatus


def _row(**kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "gene_id": None,
        "symbol": None,
        "hgnc_id": None,
        "ncbi_gene_id": None,
        "biotype": "protein_coding",
        "chrom": None,
        "start": None,
        "end": None,
        "strand": "+",
        "transcripts": [],
        "canonical_transcript": None,
        "mane_transcript": None,
    }
    return row | kw


GRCH38_ROWS = [
    # Ensembl GFF3 carries no HGNC id: matched by the Ensembl gene id (version dropped)
    _row(
        gene_id="ENSG00000012048.23",
        symbol="BRCA1",
        chrom="chr17",
        start=43044292,
        end=43170327,
        strand="-",
        transcripts=["ENST00000357654.9", "ENST00000471181.7"],
        canonical_transcript="ENST00000357654.9",
        mane_transcript="ENST00000357654.9",
    ),
    # a second row for the same gene, matched only by symbol: the Ensembl-id match above wins
    _row(gene_id="gene-BRCA1", symbol="BRCA1", chrom="17", start=1, end=2),
    # RefSeq GFF3: matched by HGNC id
    _row(gene_id="gene-CFTR", symbol="CFTR", hgnc_id="HGNC:1884", chrom="7", start=117479963, end=117668665),
    # matched by Entrez id although the bundle's symbol is an old one
    _row(gene_id="gene-MLL", symbol="MLL", ncbi_gene_id="4297", chrom="11", start=118436490, end=118526832),
    # a gene no HGNC record describes (a synthetic demo bundle's gene)
    _row(gene_id="DEMOG0001", symbol="DEMO1", chrom="1", start=1000, end=5000, transcripts=["DEMOT0001"]),
    # rows without coordinates are skipped
    _row(gene_id="ENSG00000001626", symbol="CFTR"),
]


def test_bundle_spans_win_for_its_build(catalogue: GeneCatalogue) -> None:
    layered = catalogue.with_bundle(pa.Table.from_pylist(GRCH38_ROWS), build="hg38", source="GRCh38-test")
    brca1 = layered.resolve("BRCA1").gene
    assert brca1 is not None
    loc = brca1.location("GRCh38")
    assert loc is not None
    assert (loc.chrom, loc.start, loc.end, loc.strand, loc.kind) == ("17", 43044292, 43170327, "-", "gene")
    assert loc.source == "bundle GRCh38-test"
    assert loc.transcripts == ("ENST00000357654.9", "ENST00000471181.7")
    assert (loc.canonical_transcript, loc.mane_transcript) == ("ENST00000357654.9", "ENST00000357654.9")
    assert [x.build for x in brca1.locations] == ["GRCh38"]  # replaced, not added
    assert brca1.mane_select is not None and brca1.mane_select.refseq == "NM_007294.4"  # MANE kept
    cftr = layered.get("HGNC:1884")
    assert cftr is not None and cftr.location("GRCh38").start == 117479963  # type: ignore[union-attr]
    kmt2a = layered.resolve("KMT2A").gene
    assert kmt2a is not None and kmt2a.location("GRCh38").start == 118436490  # type: ignore[union-attr]
    # the base catalogue is unchanged
    base_brca1 = catalogue.resolve("BRCA1").gene
    assert base_brca1 is not None and base_brca1.location("GRCh38").kind == "mane_select_transcript"  # type: ignore[union-attr]
    assert layered.sources[:2] == catalogue.sources
    assert layered.sources[-1].release == "GRCh38-test"
    stats = layered.stats()
    assert stats["bundle_GRCh38_genes_matched"] == 3
    assert stats["bundle_GRCh38_genes_only"] == 1


def test_bundle_only_genes_resolve(catalogue: GeneCatalogue) -> None:
    layered = catalogue.with_bundle(GRCH38_ROWS, build="GRCh38", source="demo")
    assert len(layered) == len(catalogue) + 1
    r = layered.resolve("demo1")
    assert r.status is ResolutionStatus.FOUND and r.matched_by is MatchKind.SYMBOL
    assert r.gene is not None and r.gene.hgnc_id is None and r.gene.bundle_gene_id == "DEMOG0001"
    assert r.gene.location("GRCh38").transcripts == ("DEMOT0001",)  # type: ignore[union-attr]
    by_id = layered.resolve("DEMOG0001")
    assert by_id.matched_by is MatchKind.BUNDLE_GENE_ID and by_id.gene == r.gene
    assert catalogue.resolve("DEMO1").status is ResolutionStatus.NOT_FOUND
    result = layered.resolve_many(["DEMO1", "BRCA1"], existing=["DEMO1"])
    assert [a.symbol for a in result.already_added] == ["DEMO1"]
    assert [a.symbol for a in result.added] == ["BRCA1"]


def test_grch37_locations_come_from_a_bundle(catalogue: GeneCatalogue, tmp_path: Path) -> None:
    rows = [
        _row(
            gene_id="ENSG00000012048",
            symbol="BRCA1",
            chrom="17",
            start=41196312,
            end=41277500,
            strand="-",
            transcripts=["ENST00000357654"],
        )
    ]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "genes.parquet")
    manifest = Manifest(id="GRCh37-test", version="test", build="GRCh37", created="2026-01-01T00:00:00+00:00")
    layered = catalogue.with_installed_bundle(Bundle(path=tmp_path, manifest=manifest))
    g = layered.resolve("HGNC:1100").gene
    assert g is not None
    grch37, grch38 = g.location("GRCh37"), g.location("GRCh38")
    assert grch37 is not None and (grch37.start, grch37.end, grch37.source) == (
        41196312,
        41277500,
        "bundle GRCh37-test",
    )
    assert grch38 is not None and grch38.kind == "mane_select_transcript"  # another build's span is kept
    assert g.chrom == "17"
    assert layered.stats()["with_GRCh37_location"] == 1


def test_bundle_without_gene_table_changes_nothing(catalogue: GeneCatalogue, tmp_path: Path) -> None:
    manifest = Manifest(id="b", version="1", build="GRCh38", created="2026-01-01T00:00:00+00:00")
    assert catalogue.with_installed_bundle(Bundle(path=tmp_path, manifest=manifest)) is catalogue


def test_layers_stack_later_wins(catalogue: GeneCatalogue) -> None:
    first = catalogue.with_bundle(
        [_row(hgnc_id="HGNC:1100", symbol="BRCA1", chrom="17", start=10, end=20)], build="GRCh38", source="a"
    )
    second = first.with_bundle(
        [_row(hgnc_id="HGNC:1100", symbol="BRCA1", chrom="17", start=30, end=40)], build="GRCh38", source="b"
    )
    g = second.get("HGNC:1100")
    assert g is not None and [(x.start, x.source) for x in g.locations] == [(30, "bundle b")]
    g1 = first.get("HGNC:1100")
    assert g1 is not None and g1.location("GRCh38").start == 10  # type: ignore[union-attr]


def test_bundle_only_gene_named_like_a_previous_symbol_is_ambiguous(catalogue: GeneCatalogue) -> None:
    # an old gene model whose "MLL" record matches no HGNC id, Ensembl id or Entrez id: the lab must
    # choose between it and KMT2A (previous symbol MLL)
    layered = catalogue.with_bundle(
        [_row(gene_id="OLD0001", symbol="MLL", chrom="11", start=1, end=9)], build="GRCh37", source="old"
    )
    r = layered.resolve("mll")
    assert r.status is ResolutionStatus.AMBIGUOUS
    assert [(c.gene.symbol, c.gene.hgnc_id, c.matched_by) for c in r.candidates] == [
        ("MLL", None, MatchKind.SYMBOL),
        ("KMT2A", "HGNC:7132", MatchKind.PREVIOUS_SYMBOL),
    ]
    assert layered.resolve("KMT2A").status is ResolutionStatus.FOUND
