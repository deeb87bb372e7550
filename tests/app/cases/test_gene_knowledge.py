"""Gene knowledge in a bundle reaches a case's ACMG/AMP evidence, with the versions of its files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.knowledge.test_gene_evidence import BED, DOSAGE_TSV, V4, VALIDITY_CSV
from vardesk.annotate.bundle import load_bundle
from vardesk.app.bundles import BuildBundle, BuildBundleCommand
from vardesk.app.cases.acmg_input import automatic_acmg
from vardesk.app.cases.gene_knowledge import gene_facts, knowledge_of, null_genes, transcript_models
from vardesk.domain.enums import Inheritance
from vardesk.domain.errors import Invalid

SLICE = (
    Path(__file__).resolve().parents[3].parent / "shared" / "testdata" / "reference-slices" / "grch37-SAMD11"
)


def _files(tmp: Path) -> tuple[tuple[str, Path, str | None], ...]:
    # the test formats of tests/knowledge, with PTEN rows renamed to the slice's gene SAMD11
    out = []
    for kind, name, text, version in (
        ("gene_constraint", "gnomad.v4.1.constraint_metrics.tsv", V4, "v4.1"),
        ("clingen_dosage", "ClinGen_gene_curation_list_GRCh38.tsv", DOSAGE_TSV, "2024-01-07"),
        ("clingen_validity", "Clingen-Gene-Disease-Summary.csv", VALIDITY_CSV, "2024-01-09"),
        ("hotspots", "hotspots.bed", BED.replace("chr10\t87933000\t87933250", "1\t861000\t861500"), None),
    ):
        p = tmp / name
        p.write_text(text.replace("PTEN", "SAMD11"))
        out.append((kind, p, version))
    return tuple(out)


def _build(gff3: Path, fasta: Path, out: Path, knowledge: tuple[tuple[str, Path, str | None], ...]) -> None:
    cmd = BuildBundleCommand("GRCh37", gff3, fasta, out, version="kb1", knowledge=knowledge)
    BuildBundle().run(cmd)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    if not SLICE.is_dir():
        pytest.skip(f"test data not found at {SLICE}")
    tmp = tmp_path_factory.mktemp("kb")
    _build(SLICE / "SAMD11.grch37.gff3", SLICE / "grch37_chr1_860k.fa.gz", tmp / "b", _files(tmp))
    return load_bundle(tmp / "b")


def test_bundle_records_each_knowledge_file_with_its_version(bundle) -> None:  # type: ignore[no-untyped-def]
    kinds = {s.kind: s for s in bundle.manifest.sources}
    assert kinds["gene_constraint"].version == "v4.1" and len(kinds["gene_constraint"].sha256) == 64
    assert kinds["hotspots"].version is None
    files = bundle.knowledge_files()
    assert set(files) == {"gene_constraint", "clingen_dosage", "clingen_validity", "hotspots"}
    assert files["clingen_dosage"][0].is_file()


def test_gene_facts_from_the_bundle(bundle) -> None:  # type: ignore[no-untyped-def]
    facts = gene_facts(knowledge_of(bundle), "SAMD11")
    assert facts.dosage is not None and facts.dosage.haploinsufficiency == 3
    assert facts.constraint is not None and facts.constraint.loeuf == pytest.approx(0.12)
    assert facts.inheritance == frozenset({Inheritance.AUTOSOMAL_DOMINANT})  # the Definitive curation
    assert "gnomad.v4.1.constraint_metrics.tsv (v4.1)" in facts.sources
    assert gene_facts(knowledge_of(bundle), "NOPE").dosage is None


def test_case_evidence_uses_the_knowledge_and_names_its_versions(bundle) -> None:  # type: ignore[no-untyped-def]
    row = {
        "chrom": "1",
        "pos": 861200,
        "ref": "C",
        "alt": "T",
        "gene_symbol": "SAMD11",
        "transcript_id": "ENST00000342066",
        "transcripts": [
            {"transcript_id": "ENST00000342066", "consequences": ["missense_variant"], "canonical": True}
        ],
    }
    doc = automatic_acmg(row, "GRCh37", "2.1.1", None, knowledge=knowledge_of(bundle))
    assert "PM1" in doc["met"]
    pm1 = next(e for e in doc["evidence"] if e["criterion"] == "PM1")
    assert pm1["data_sources"] == {"hotspots": "hotspots.bed"}
    assert doc["provenance"]["clingen_dosage"] == "ClinGen_gene_curation_list_GRCh38.tsv (2024-01-07)"
    outside = automatic_acmg({**row, "pos": 870000}, "GRCh37", "2.1.1", None, knowledge=knowledge_of(bundle))
    assert "PM1" not in outside["met"]
    plain = automatic_acmg(row, "GRCh37", "2.1.1", None)
    assert next(e for e in plain["evidence"] if e["criterion"] == "PM1")["status"] == "NOT_EVALUABLE"


def test_a_file_the_readers_refuse_never_enters_a_bundle(tmp_path: Path) -> None:
    bad = tmp_path / "c.tsv"
    bad.write_text("gene\tfoo\nA\t1\n")
    with pytest.raises(Invalid, match="missing column"):
        _build(tmp_path / "x.gff3", tmp_path / "x.fa", tmp_path / "out", (("gene_constraint", bad, None),))
    assert not (tmp_path / "out").exists()


def test_null_variants_get_the_bundle_gene_model_for_pvs1(bundle) -> None:  # type: ignore[no-untyped-def]
    # SAMD11 ENST00000341065.4 (12 exons, CDS from 865692): a stop at residue 5 is far upstream of the last
    # junction, so NMD is predicted; ClinGen HI 3 (the test dosage file) establishes the mechanism → PVS1
    row = {
        "chrom": "1",
        "pos": 865704,
        "ref": "C",
        "alt": "T",
        "gene_symbol": "SAMD11",
        "transcript_id": "ENST00000341065.4",
        "transcripts": [
            {
                "transcript_id": "ENST00000341065.4",
                "consequences": ["stop_gained"],
                "hgvs_p": "p.(Arg5Ter)",
                "canonical": True,
            }
        ],
    }
    models = transcript_models(bundle, null_genes([row]))
    assert "ENST00000341065" in models  # the row's versioned id finds it by its bare id
    k = knowledge_of(bundle)
    doc = automatic_acmg(row, "GRCh37", None, None, knowledge=k, transcripts=models)
    pvs1 = next(e for e in doc["evidence"] if e["criterion"] == "PVS1")
    assert (pvs1["status"], pvs1["label"]) == ("MET", "PVS1")
    assert "NMD" in pvs1["explanation"]
    without = automatic_acmg(row, "GRCh37", None, None, knowledge=k)
    assert next(e for e in without["evidence"] if e["criterion"] == "PVS1")["status"] == "NOT_EVALUABLE"
    assert null_genes([{**row, "transcripts": [{"consequences": ["missense_variant"]}]}]) == {}
