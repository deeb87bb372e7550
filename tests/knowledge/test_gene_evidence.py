"""Readers of the gene-knowledge files (formats as the public downloads lay them out)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from vardesk.domain.enums import Inheritance
from vardesk.domain.errors import Invalid
from vardesk.knowledge.gene_evidence import (
    CONSTRAINT,
    DOSAGE,
    HOTSPOTS,
    VALIDITY,
    load_gene_knowledge,
    read_clingen_dosage,
    read_clingen_validity,
    read_gnomad_constraint,
    read_hotspots_bed,
)

# gnomAD v2.1.1 lof_metrics.by_gene.txt: a subset of its 70-odd columns, in the file's order
V2 = (
    "gene\ttranscript\tobs_mis\texp_mis\toe_mis\tmu_mis\tpossible_mis\tobs_lof\texp_lof\tpLI\tpNull\tpRec"
    "\toe_lof\toe_lof_lower\toe_lof_upper\tcanonical\n"
    "PTEN\tENST00000371953\t80\t188.5\t0.42\t1e-5\t2000\t1\t29.4\t0.99993\t1e-8\t7e-5\t0.034\t0.009\t0.14\ttrue\n"
    "CFTR\tENST00000003084\t600\t700\t0.86\t1e-5\t5000\t40\t60\t1.2e-21\t0.3\t0.7\t0.66\t0.52\t0.85\ttrue\n"
    "TTN\tENST00000589042\t1\t1\t1\t1\t1\t1\t1\tNA\tNA\tNA\tNA\tNA\tNA\ttrue\n"
)
# gnomAD v4.1 constraint_metrics.tsv: one row per transcript
V4 = (
    "gene\tgene_id\ttranscript\tcanonical\tmane_select\tlof_hc_lc.obs\tlof.obs\tlof.exp\tlof.oe\tlof.oe_ci.lower"
    "\tlof.oe_ci.upper\tlof.pLI\n"
    "PTEN\tENSG00000171862\tENST00000445946\tfalse\tfalse\t3\t3\t5\t0.6\t0.3\t1.2\t0.01\n"
    "PTEN\tENSG00000171862\tENST00000371953\ttrue\ttrue\t2\t2\t40\t0.05\t0.02\t0.12\t1.0\n"
    "PTEN\tENSG00000171862\tENST00000700000\tfalse\tfalse\t9\t9\t9\t1\t0.8\t1.4\t0\n"
)
DOSAGE_TSV = (
    "#ClinGen Gene Curation Results\n"
    "#07 Jan,2024\n"
    "#Genomic Locations are reported on GRCh38 (hg38): GCF_000001405.36\n"
    "#https://www.ncbi.nlm.nih.gov/projects/genome/assembly/grc/human/\n"
    "#Gene Symbol\tGene ID\tcytoBand\tGenomic Location\tHaploinsufficiency Score"
    "\tHaploinsufficiency Description\tHaploinsufficiency PMID1\tTriplosensitivity Score"
    "\tTriplosensitivity Description\tDate Last Evaluated\n"
    "PTEN\t5728\t10q23.31\tchr10:87863113-87971930\t3\tSufficient evidence for dosage pathogenicity"
    "\t19457929\t0\tNo evidence available\t2021-03-24\n"
    "CFTR\t1080\t7q31.2\tchr7:117480025-117668665\t30\tGene associated with autosomal recessive phenotype"
    "\t\tNot yet evaluated\t\t2019-01-02\n"
)
VALIDITY_CSV = (
    '"CLINGEN GENE DISEASE VALIDITY CURATIONS"\n'
    '"FILE CREATED: 2024-01-09"\n'
    '"WEBPAGE: https://search.clinicalgenome.org/kb/gene-validity"\n'
    '"++++++++++","++++++++++","++++++++++","++++++++++","++++++++++","++++++++++","++++++++++"\n'
    '"GENE SYMBOL","GENE ID (HGNC)","DISEASE LABEL","DISEASE ID (MONDO)","MOI","SOP","CLASSIFICATION"\n'
    '"++++++++++","++++++++++","++++++++++","++++++++++","++++++++++","++++++++++","++++++++++"\n'
    '"CFTR","HGNC:1884","cystic fibrosis","MONDO:0009061","AR","SOP7","Definitive"\n'
    '"PTEN","HGNC:9588","PTEN hamartoma tumor syndrome","MONDO:0017623","AD","SOP8","Definitive"\n'
    '"PTEN","HGNC:9588","macrocephaly-autism syndrome","MONDO:0000001","AD","SOP8","Limited"\n'
)
BED = (
    "track name=hotspots\n# PM1 regions\n"
    "chr10\t87933000\t87933250\tPTEN phosphatase core\tPTEN\n"
    "7\t100\t200\tx\n"
)


def _write(tmp_path: Path, name: str, text: str, gz: bool = False) -> Path:
    p = tmp_path / name
    p.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    return p


def test_gnomad_v2_constraint_reads_pli_and_loeuf(tmp_path: Path) -> None:
    got = read_gnomad_constraint(_write(tmp_path, "gnomad.v2.1.1.lof_metrics.by_gene.txt.bgz", V2, gz=True))
    assert got["PTEN"].pli == pytest.approx(0.99993)
    assert got["PTEN"].loeuf == pytest.approx(0.14)
    assert got["CFTR"].loeuf == pytest.approx(0.85)
    assert got["TTN"].pli is None and got["TTN"].loeuf is None  # NA stays unknown, never 0
    assert got["PTEN"].source.version == "gnomad.v2.1.1.lof_metrics.by_gene.txt.bgz"


def test_gnomad_v4_constraint_keeps_the_mane_select_row(tmp_path: Path) -> None:
    got = read_gnomad_constraint(_write(tmp_path, "gnomad.v4.1.constraint_metrics.tsv", V4), version="v4.1")
    assert got["PTEN"].transcript == "ENST00000371953"
    assert got["PTEN"].loeuf == pytest.approx(0.12) and got["PTEN"].pli == pytest.approx(1.0)
    assert got["PTEN"].source.label == "gnomad.v4.1.constraint_metrics.tsv (v4.1)"


def test_constraint_file_without_its_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="missing column"):
        read_gnomad_constraint(_write(tmp_path, "x.tsv", "gene\ttranscript\tfoo\nA\tB\t1\n"))


def test_clingen_dosage_reads_scores_after_the_comment_header(tmp_path: Path) -> None:
    got = read_clingen_dosage(
        _write(tmp_path, "ClinGen_gene_curation_list_GRCh38.tsv", DOSAGE_TSV), "2024-01-07"
    )
    assert got["PTEN"].haploinsufficiency == 3 and got["PTEN"].triplosensitivity == 0
    assert got["PTEN"].gene_id == "5728"
    assert got["CFTR"].haploinsufficiency == 30  # autosomal recessive
    assert got["CFTR"].triplosensitivity is None  # "Not yet evaluated"


def test_clingen_dosage_needs_its_header(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="Gene Symbol"):
        read_clingen_dosage(_write(tmp_path, "d.tsv", "#comment\nPTEN\t1\n"))


def test_clingen_validity_reads_curations_and_moi(tmp_path: Path) -> None:
    got = read_clingen_validity(_write(tmp_path, "Clingen-Gene-Disease-Summary-2024-01-09.csv", VALIDITY_CSV))
    assert [v.classification for v in got["PTEN"]] == ["Definitive", "Limited"]
    assert got["CFTR"][0].inheritance is Inheritance.AUTOSOMAL_RECESSIVE
    assert got["CFTR"][0].established and not got["PTEN"][1].established
    assert got["CFTR"][0].hgnc_id == "HGNC:1884"


def test_hotspot_bed_is_zero_based_half_open(tmp_path: Path) -> None:
    spots = read_hotspots_bed(_write(tmp_path, "hotspots.bed", BED))
    pten = spots[0]
    assert pten.chrom == "10" and pten.gene == "PTEN" and spots[1].gene is None
    assert not pten.contains("chr10", 87933000)  # BED start is 0-based: the first base is 87933001
    assert pten.contains("10", 87933001) and pten.contains("10", 87933250)
    assert not pten.contains("10", 87933251)


def test_hotspot_bed_rejects_a_bad_interval(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="line 1"):
        read_hotspots_bed(_write(tmp_path, "bad.bed", "1\t200\t100\tx\n"))


def test_load_gene_knowledge_names_every_source(tmp_path: Path) -> None:
    k = load_gene_knowledge(
        {
            CONSTRAINT: (_write(tmp_path, "c.txt", V2), "v2.1.1"),
            DOSAGE: (_write(tmp_path, "d.tsv", DOSAGE_TSV), None),
            VALIDITY: (_write(tmp_path, "v.csv", VALIDITY_CSV), "2024-01-09"),
            HOTSPOTS: (_write(tmp_path, "h.bed", BED), "lab-1"),
        }
    )
    assert {s.kind for s in k.sources} == {CONSTRAINT, DOSAGE, VALIDITY, HOTSPOTS}
    assert [h.name for h in k.hotspots_at("10", 87933100, "PTEN")] == ["PTEN phosphatase core"]
    assert k.hotspots_at("10", 87933100, "CFTR") == ()
    with pytest.raises(Invalid, match="unknown"):
        load_gene_knowledge({"omim": (tmp_path / "c.txt", None)})
