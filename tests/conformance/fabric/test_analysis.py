# ruff: noqa: E501  (request bodies are replayed verbatim)
"""Contract §5.9 replayed as the AnalysisLaunchers scripts send it: VAAST / Phevor analyses on genomes
(E38–E43) and variant-report variants (E44–E46), on the GIAB trio over the SAMD11 reference slice."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pysam
import pytest

from tests.conformance.fabric.conftest import GIAB, call, raw, wait
from tests.conftest import LiveServer
from tests.world import World
from vardesk.domain.enums import Role
from vardesk.domain.variant_key import encode

FABRIC_GENOME_STATES = ("UPLOADED", "ANNOTATING", "ANNOTATED", "FAILED")


@pytest.fixture(scope="module")
def analyst(world: World) -> tuple[str, str]:
    return world.member("lab-a", Role.ANALYST).basic


def _single(sample: str, out: Path) -> bytes:
    with pysam.VariantFile(str(GIAB)) as src:
        src.subset_samples([sample])
        with pysam.VariantFile(str(out), "w", header=src.header) as dst:
            for rec in src:
                dst.write(rec)
    return gzip.compress(out.read_bytes())


@pytest.fixture(scope="module")
def trio(server: LiveServer, analyst: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """HG002 (son), HG003 (father), HG004 (mother) uploaded as three genomes, indexed and annotated."""
    tmp = tmp_path_factory.mktemp("trio")
    pid = call(server, "POST", "/projects/", analyst, data={"project_name": "Analyses"}).json()["id"]
    ids = {}
    for sample, label, sex in (
        ("HG002", "Son", "male"),
        ("HG003", "Father", "male"),
        ("HG004", "Mother", "female"),
    ):
        q = f"genome_label={label}&genome_sex={sex}&external_id={sample}&assembly_version=hg19&format=vcf.gz"
        r = call(
            server,
            "PUT",
            f"/projects/{pid}/genomes?{q}",
            analyst,
            **raw(_single(sample, tmp / f"{sample}.vcf")),
        )
        assert r.status_code == 200, r.text
        ids[sample] = r.json()["genome_id"]

    def ready() -> bool:
        states = [call(server, "GET", f"/genomes/{g}", analyst).json()["genome_status"] for g in ids.values()]
        assert "FAILED" not in states, states
        return all(s == "ANNOTATED" for s in states)

    wait(ready, timeout=240)
    return {"project": pid, **ids}


def launch(server: LiveServer, who: tuple[str, str], body: dict) -> tuple[int, dict]:
    """launch_analysis.py: ``requests.post(url, data=json.dumps(payload))`` (no Content-Type)."""
    r = call(server, "POST", "/analysis/", who, **raw(json.dumps(body).encode()))
    return r.status_code, r.json()


def body(report_type: str, **over: object) -> dict:
    doc = {"report_type": report_type, "proband_genome_id": None, "proband_sex": None, "mother_genome_id": None,
           "father_genome_id": None, "sibling_genome_id": None, "sibling_sex": None, "sibling_affected": None,
           "hpo_terms": None, "proband_vaast_report_id": None}  # fmt: skip
    doc.update(over)
    return doc


def complete(server: LiveServer, who: tuple[str, str], analysis_id: int) -> dict:
    def done() -> dict | None:
        doc = call(server, "GET", f"/analysis/{analysis_id}/", who).json()
        assert doc["report_status"] != "FAILED", doc
        return doc if doc["report_status"] == "COMPLETE" else None

    return wait(done, timeout=180)


@pytest.fixture(scope="module")
def solo(server: LiveServer, analyst: tuple[str, str], trio: dict) -> dict:
    status, doc = launch(server, analyst, body("VAAST Solo Report", proband_genome_id=trio["HG002"], proband_sex="m",
                                               hpo_terms="HP:0000510,HP:0000572"))  # fmt: skip
    assert status == 200, doc
    assert doc["report_type"] == "VAAST Solo Report" and doc["genome_id"] == trio["HG002"]
    assert doc["report_status"] in ("WAITING", "SUBMITTED", "RUNNING", "COMPLETE")
    assert doc["project_id"] == trio["project"] and doc["hpo_terms"] == "HP:0000510,HP:0000572"
    return complete(server, analyst, doc["id"])


def test_solo_analysis_ranks_the_genes_of_its_variants(solo: dict, trio: dict) -> None:
    for key in (
        "id",
        "report_type",
        "run_date",
        "report_status",
        "pipeline_version",
        "project_id",
        "genome_id",
    ):
        assert solo[key] is not None, key
    assert "T" in solo["run_date"] and "+" not in solo["run_date"]
    assert [g["rank"] for g in solo["genes"]] == list(range(1, len(solo["genes"]) + 1))
    assert [g["gene_symbol"] for g in solo["genes"]] == ["SAMD11"]  # the only gene of the reference slice
    assert solo["genes"][0]["burden_score"] > 0 and solo["genes"][0]["phenotype_score"] is not None
    assert solo["variant_report_id"] == trio["HG002"]


def test_listing_by_genome_and_by_id(
    server: LiveServer, analyst: tuple[str, str], solo: dict, trio: dict
) -> None:
    mine = call(server, "GET", f"/analysis?genome_id={trio['HG002']}", analyst).json()["objects"]
    assert solo["id"] in [a["id"] for a in mine]
    other = call(server, "GET", f"/analysis?genome_id={trio['HG003']}", analyst).json()["objects"]
    assert solo["id"] not in [a["id"] for a in other]
    assert call(server, "GET", f"/analysis/{solo['id']}", analyst).json()["id"] == solo["id"]  # no slash too
    # E40 pages the ranked genes with Fabric's limit/offset; gene_count counts them all
    assert solo["gene_count"] == len(solo["genes"]) == 1
    past = call(server, "GET", f"/analysis/{solo['id']}/?offset=1&limit=5", analyst).json()
    assert past["genes"] == [] and past["gene_count"] == 1
    one = call(server, "GET", f"/analysis/{solo['id']}/?offset=0&limit=1", analyst).json()
    assert [g["gene_symbol"] for g in one["genes"]] == ["SAMD11"]


def test_export_as_json_vcf_and_csv(server: LiveServer, analyst: tuple[str, str], solo: dict) -> None:
    """export_analysis.py posts its whole argparse namespace."""
    ns = {"id": solo["id"], "filter_id": 1, "panel_id": None, "gene_set_id": None, "format": "JSON", "limit": 10,
          "offset": 0, "structural": False, "verbose": False}  # fmt: skip
    r = call(server, "POST", f"/analysis/{solo['id']}/variants", analyst, **raw(json.dumps(ns).encode()))
    assert r.status_code == 200, r.text
    rows = r.json()["objects"]
    assert 0 < len(rows) <= 10
    for row in rows:
        assert row["chromosome"] == "chr1" and row["gene_symbol"] == "SAMD11"
        assert row["end_on_chrom"] >= row["start_on_chrom"] and row["genotype"]
        assert row["gene_rank"] == 1
    vcf = call(server, "POST", f"/analysis/{solo['id']}/variants", analyst,
               **raw(json.dumps({**ns, "format": "VCF"}).encode())).text  # fmt: skip
    body_lines = [line for line in vcf.splitlines() if not line.startswith("#")]
    assert vcf.startswith("##fileformat=VCF") and len(body_lines) == len(rows)
    assert body_lines[0].split("\t")[1] == str(rows[0]["start_on_chrom"])
    text = call(server, "POST", f"/analysis/{solo['id']}/variants", analyst,
                **raw(json.dumps({**ns, "format": "CSV"}).encode())).text  # fmt: skip
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert [int(p["start_on_chrom"]) for p in parsed] == [r["start_on_chrom"] for r in rows]
    structural = call(server, "POST", f"/analysis/{solo['id']}/structural_variants", analyst,
                      **raw(json.dumps({**ns, "structural": True}).encode())).json()  # fmt: skip
    assert structural["objects"] == [] and structural["structural"] is True


def test_export_by_panel_and_bad_requests(server: LiveServer, analyst: tuple[str, str], solo: dict) -> None:
    other = json.dumps({"name": "Other", "description": "no SAMD11", "methodology": None, "limitations": None,
                        "fda_disclosure": None, "test_code": None})  # fmt: skip
    panel = call(server, "POST", "/panels/", analyst, **raw(other.encode())).json()["id"]
    ns = {"id": solo["id"], "filter_id": None, "panel_id": panel, "gene_set_id": None, "format": "JSON",
          "limit": None, "offset": None, "structural": False, "verbose": True}  # fmt: skip
    r = call(server, "POST", f"/analysis/{solo['id']}/variants", analyst, **raw(json.dumps(ns).encode()))
    assert r.status_code == 200 and r.json()["objects"] == []
    missing = call(server, "POST", f"/analysis/{solo['id']}/variants", analyst,
                   **raw(json.dumps({**ns, "panel_id": 987654}).encode()))  # fmt: skip
    assert missing.status_code == 404 and "description" in missing.json()
    none = call(server, "POST", f"/analysis/{solo['id']}/variants", analyst,
                **raw(json.dumps({**ns, "panel_id": None}).encode()))  # fmt: skip
    assert none.status_code == 400 and "filter_id" in none.json()["description"]


def test_trio_and_phevor(server: LiveServer, analyst: tuple[str, str], trio: dict, solo: dict) -> None:
    status, doc = launch(server, analyst, body("VAAST Trio Report", proband_genome_id=trio["HG002"], proband_sex="m",
                                               mother_genome_id=trio["HG004"], father_genome_id=trio["HG003"]))  # fmt: skip
    assert status == 200, doc
    done = complete(server, analyst, doc["id"])
    assert (done["mother_genome_id"], done["father_genome_id"]) == (trio["HG004"], trio["HG003"])
    models = {g["inheritance_model"] for g in done["genes"]}
    assert models <= {
        "DE_NOVO",
        "DOMINANT",
        "RECESSIVE_HOMOZYGOUS",
        "COMPOUND_HETEROZYGOUS",
        "X_LINKED_RECESSIVE",
    }
    listed = call(server, "GET", f"/analysis?genome_id={trio['HG003']}", analyst).json()["objects"]
    assert doc["id"] in [a["id"] for a in listed]

    status, ph = launch(
        server, analyst, body("Phevor Report", proband_vaast_report_id=solo["id"], hpo_terms="HP:0000510")
    )
    assert status == 200, ph
    ph = complete(server, analyst, ph["id"])
    assert ph["proband_vaast_report_id"] == solo["id"] and ph["genome_id"] == trio["HG002"]
    assert {g["gene_symbol"] for g in ph["genes"]} <= {g["gene_symbol"] for g in solo["genes"]}
    assert all(g["phenotype_score"] is not None for g in ph["genes"])


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (
            {
                "report_type": "VAAST Trio Report",
                "proband_genome_id": "{HG002}",
                "mother_genome_id": "{HG004}",
            },
            "father",
        ),
        ({"report_type": "VAAST Duet Report", "proband_genome_id": "{HG002}"}, "unknown analysis type"),
        ({"report_type": "Phevor Report", "hpo_terms": "HP:0000510"}, "proband_vaast_report_id"),
        (
            # malformed (an id newer than the shipped HPO is accepted: tests/conformance/fabric/test_hpo_errors.py)
            {"report_type": "VAAST Solo Report", "proband_genome_id": "{HG002}", "hpo_terms": "HP:99999"},
            "HP:99999",
        ),
        ({"report_type": "VAAST Solo Report", "proband_genome_id": "12x"}, "integer"),
    ],
)
def test_launch_refusals_name_the_problem(
    server: LiveServer, analyst: tuple[str, str], trio: dict, payload: dict, words: str
) -> None:
    doc = {k: (v.format(**trio) if isinstance(v, str) and "{" in v else v) for k, v in payload.items()}
    status, answer = launch(server, analyst, body(**doc) if "report_type" in doc else doc)
    assert status in (400, 404, 422), answer
    assert words.lower() in answer["description"].lower()


def test_delete_and_isolation(server: LiveServer, world: World, analyst: tuple[str, str], trio: dict) -> None:
    status, doc = launch(
        server, analyst, body("VAAST Solo Report", proband_genome_id=trio["HG003"], proband_sex="m")
    )
    assert status == 200
    other = world.member("lab-b", Role.ADMIN).basic
    assert call(server, "GET", f"/analysis/{doc['id']}/", other).status_code == 404
    assert doc["id"] not in [a["id"] for a in call(server, "GET", "/analysis", other).json()["objects"]]
    assert call(server, "DELETE", f"/analysis/{doc['id']}", other).status_code == 404
    stolen, answer = launch(server, other, body("VAAST Solo Report", proband_genome_id=trio["HG003"]))
    assert stolen == 404 and "genome" in answer["description"]
    viewer = world.member("lab-a", Role.VIEWER).basic
    assert launch(server, viewer, body("VAAST Solo Report", proband_genome_id=trio["HG003"]))[0] in (403, 404)
    r = call(server, "DELETE", f"/analysis/{doc['id']}", analyst)
    assert r.status_code == 200 and r.json() == {"id": doc["id"], "deleted": True}
    assert call(server, "GET", f"/analysis/{doc['id']}/", analyst).status_code == 404


# -- variant reports ----------------------------------------------------------------------------------
def test_variant_report_pages_and_single_variants(
    server: LiveServer, analyst: tuple[str, str], trio: dict
) -> None:
    vr = trio["HG002"]
    first = call(server, "GET", f"/variant_reports/{vr}/variants?&limit=10", analyst).json()["objects"]
    assert len(first) == 10 and all(v["variant_report_id"] == vr for v in first)
    shifted = call(server, "GET", f"/variant_reports/{vr}/variants?&offset=5&limit=5", analyst).json()[
        "objects"
    ]
    assert [v["id"] for v in shifted] == [v["id"] for v in first[5:10]]
    v = first[3]
    assert v["id"] == encode(v["chromosome"][3:], v["start_on_chrom"], v["ref"], v["alt"])
    loc = f"{v['chromosome']}:{v['start_on_chrom']}-{v['start_on_chrom']}"
    at = call(server, "GET", f"/variant_reports/{vr}/variants?location={loc}", analyst).json()["objects"]
    assert v["id"] in [x["id"] for x in at] and all(x["start_on_chrom"] == v["start_on_chrom"] for x in at)
    one = call(server, "GET", f"/variant_reports/{vr}/variants/{v['id']}", analyst)
    assert one.status_code == 200 and one.json() == v
    assert call(server, "GET", f"/variant_reports/{vr}/variants/12345", analyst).status_code == 404


def test_variant_report_targets_by_bed_and_json(
    server: LiveServer, analyst: tuple[str, str], trio: dict
) -> None:
    vr = trio["HG002"]
    first = call(server, "GET", f"/variant_reports/{vr}/variants?&limit=20", analyst).json()["objects"]
    a, b = first[2], first[12]
    bed = f"{a['chromosome']}\t{a['start_on_chrom'] - 1}\t{b['start_on_chrom']}\n".encode()
    r = call(server, "POST", f"/variant_reports/{vr}/variants", analyst, data=bed,
             headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert r.status_code == 200, r.text
    got = [x["id"] for x in r.json()["objects"]]
    assert got[0] == a["id"] and b["id"] in got and len(got) >= 11
    targets = json.dumps([{"chromosome": a["chromosome"], "start_on_chrom": a["start_on_chrom"], "end_on_chrom": a["start_on_chrom"]},
                          {"chromosome": b["chromosome"], "start_on_chrom": b["start_on_chrom"], "end_on_chrom": b["start_on_chrom"]}])  # fmt: skip
    r = call(server, "POST", f"/variant_reports/{vr}/variants", analyst, data=targets,
             headers={"content-type": "application/json"})  # fmt: skip
    ids = [x["id"] for x in r.json()["objects"]]
    assert a["id"] in ids and b["id"] in ids and len(ids) <= 4
    bad = call(server, "POST", f"/variant_reports/{vr}/variants", analyst, data=b"chr1\tten\t20\n",
               headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert bad.status_code == 400 and "BED line 1" in bad.json()["description"]
    other = call(server, "GET", f"/variant_reports/{vr}/variants?&limit=1", ("nobody", "wrong"))
    assert other.status_code == 401 and "description" in other.json()


def test_a_genome_waiting_for_its_analysis_cannot_be_deleted(
    server: LiveServer, analyst: tuple[str, str], trio: dict, vcf: dict[str, bytes]
) -> None:
    q = "genome_label=Late&genome_sex=male&assembly_version=hg19"
    gid = call(
        server, "PUT", f"/projects/{trio['project']}/genomes?{q}", analyst, **raw(vcf["vcf.gz"])
    ).json()["genome_id"]
    status, doc = launch(server, analyst, body("VAAST Solo Report", proband_genome_id=gid))
    assert status == 200 and doc["report_status"] in ("WAITING", "SUBMITTED", "RUNNING"), doc
    refused = call(server, "DELETE", f"/genomes/{gid}", analyst)
    assert refused.status_code == 422 and f"analysis(es) {doc['id']}" in refused.json()["description"]
    complete(server, analyst, doc["id"])  # indexing finished, the waiting analysis was queued and ran
    assert call(server, "DELETE", f"/genomes/{gid}", analyst).status_code == 200
    kept = call(server, "GET", f"/analysis/{doc['id']}", analyst).json()
    assert kept["report_status"] == "COMPLETE" and kept["genes"]  # its results outlive the genome
