# ruff: noqa: E501  (request bodies are replayed verbatim, one launcher body per statement)
"""Contract §5.3–5.7 replayed as the FE2 launchers send them: reports, members, patient fields, variants,
JSON Patch updates, the confirmation round trip, status and PDFs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from tests.conformance.fabric.conftest import call, raw, wait
from tests.conftest import LiveServer
from tests.reports import pdftools
from tests.world import World
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

VARIANT_FIELDS = {
    "id", "report_id", "chromosome", "start_on_chrom", "end_on_chrom", "ref", "alt", "rsid", "quality",
    "genotype", "zygosity", "genotype_quality", "read_depth", "allele_depths", "gene_symbol", "transcript",
    "hgvs_c", "hgvs_p", "effect", "gnomad_af", "clinvar_significance", "inheritance_mode", "classification",
    "status", "to_report", "internal_notes",
}  # fmt: skip


@pytest.fixture(scope="module")
def analyst(world: World) -> tuple[str, str]:
    return world.member("lab-a", Role.ANALYST).basic


@pytest.fixture(scope="module")
def setup(server: LiveServer, analyst: tuple[str, str], vcf: dict[str, bytes]) -> dict:
    pid = call(server, "POST", "/projects/", analyst, data={"project_name": "Reports"}).json()["id"]
    q = "genome_label=Proband&genome_sex=male&external_id=EXT-R&assembly_version=hg19"
    gid = call(server, "PUT", f"/projects/{pid}/genomes?{q}", analyst, **raw(vcf["vcf.gz"])).json()[
        "genome_id"
    ]
    body = json.dumps({"name": "SAMD11", "description": "d", "methodology": None, "limitations": None,
                       "fda_disclosure": None, "test_code": "S-1"})  # fmt: skip
    panel = call(server, "POST", "/panels/", analyst, **raw(body.encode())).json()
    r = call(
        server,
        "POST",
        f"/panels/{panel['id']}/regions",
        analyst,
        **raw(b'{"gene_symbols": "SAMD11, NOTAGENE"}'),
    )
    assert r.json() == {"added": ["SAMD11"], "already_added": [], "not_found": ["NOTAGENE"], "ambiguous": {}}
    return {"project": pid, "genome": gid, "panel": panel["id"]}


def launch(server: LiveServer, who: tuple[str, str], body: dict) -> dict:
    r = call(server, "POST", "/reports/", who, **raw(json.dumps(body).encode()))
    assert r.status_code == 200, r.text
    return r.json()["clinical_report"]


@pytest.fixture(scope="module")
def ready(server: LiveServer, analyst: tuple[str, str], setup: dict) -> dict:
    """launch_panel_report_existing_genome.py, then polled like get_report_status.py."""
    cr = launch(server, analyst, {"report_type": "panel", "proband_genome_id": setup["genome"], "filter_id": None,
                                  "panel_id": setup["panel"], "accession_id": "ACC-1"})  # fmt: skip
    assert cr["status"] in ("WAITING", "READY TO REVIEW") and cr["genome_id"] == setup["genome"]

    def done() -> dict | None:
        doc = call(server, "GET", f"/reports/{cr['id']}", analyst).json()
        assert doc["status"] != "FAILED", doc
        return doc if doc["status"] == "READY TO REVIEW" else None

    return wait(done)


def test_panel_report_fields(ready: dict, setup: dict) -> None:
    assert ready["test_type"] == "panel" and ready["panel_id"] == setup["panel"]
    assert ready["accession_id"] == "ACC-1" and ready["project_id"] == setup["project"]
    for key in ("created_on", "created_by", "workspace_id", "filter_id", "version", "report_approved_date"):
        assert key in ready
    assert "T" in ready["created_on"] and "+" not in ready["created_on"]


def test_genomeless_report_then_genome_attached(
    server: LiveServer, analyst: tuple[str, str], setup: dict
) -> None:
    cr = launch(server, analyst, {"report_type": "panel", "genome_id": None, "filter_id": None,
                                  "panel_id": setup["panel"], "project_id": setup["project"], "accession_id": "ACC-3"})  # fmt: skip
    assert cr["status"] == "WAITING FOR SAMPLE"
    r = call(server, "GET", f"/reports/{cr['id']}/pdf_preview", analyst)
    assert r.status_code == 422 and r.json()["description"]
    r = call(server, "PUT", f"/reports/{cr['id']}", analyst,
             **raw(json.dumps({"proband_genome_id": setup["genome"], "proband_sex": "male"}).encode()))  # fmt: skip
    assert r.status_code == 200, r.text
    rep = r.json()["clinical_report"]
    assert rep["genome_id"] == setup["genome"] and rep["status"] in ("WAITING", "READY TO REVIEW")
    assert rep["proband_sex"] == "m" and rep["version"] > cr["version"]
    r = call(
        server,
        "PUT",
        f"/reports/{cr['id']}",
        analyst,
        **raw(b'{"proband_genome_id": null, "filter_id": null}'),
    )
    assert r.json()["clinical_report"]["genome_id"] == setup["genome"]
    found = call(server, "GET", "/reports/?accession_id=CC-3&", analyst).json()["objects"]
    assert [d["id"] for d in found] == [cr["id"]]
    by_genome = call(server, "GET", f"/reports?genome_id={setup['genome']}", analyst).json()["objects"]
    assert cr["id"] in [d["id"] for d in by_genome]
    by_ext = call(
        server, "GET", "/reports/", analyst, headers={"X-fg-safe-params": "external_id=ext-r"}
    ).json()
    assert cr["id"] in [d["id"] for d in by_ext["objects"]]


def test_family_report_bodies(server: LiveServer, analyst: tuple[str, str], setup: dict) -> None:
    # launch_family_report_no_genome.py: everything null, hpo_terms the string "null"
    cr = launch(server, analyst, {"report_type": "Trio", "mother_genome_id": None, "father_genome_id": None,
                                  "proband_genome_id": None, "sibling_genome_id": None, "duo_relation_genome_id": None,
                                  "proband_sex": None, "background": "FULL", "score_indels": False,
                                  "accession_id": "ACC-NG", "project_id": str(setup["project"]), "hpo_terms": "null"})  # fmt: skip
    assert cr["status"] == "WAITING FOR SAMPLE" and cr["test_type"] == "Trio" and cr["hpo_terms"] is None
    # launch_flexible_family_report.py: five member objects, JSON-encoded hpo list
    nulls = {"genome_id": None, "sex": None, "affected": None, "relationship": None, "label": None}
    flex = launch(server, analyst, {"report_type": "Duo", "proband": {"genome_id": setup["genome"], "sex": "f"},
                                    "family_1": {"genome_id": None, "sex": "f", "affected": "false",
                                                 "relationship": "mother", "label": "Mom"},
                                    "family_2": nulls, "family_3": nulls, "family_4": nulls, "background": "FULL",
                                    "score_indels": False, "accession_id": "ACC-FLEX", "project_id": setup["project"],
                                    "hpo_terms": "[\"HP:0001250\"]"})  # fmt: skip
    assert flex["test_type"] == "Duo" and flex["hpo_terms"] == ["HP:0001250"]
    assert (
        flex["members"][0]["genome_id"] == setup["genome"] and flex["members"][1]["relationship"] == "mother"
    )
    assert flex["members"][1]["affected"] is False and flex["status"] == "WAITING FOR SAMPLE"
    r = call(server, "POST", "/reports/", analyst, **raw(b'{"report_type": "panel", "genome_id": null}'))
    assert r.status_code == 400 and "clinical_report" not in r.json()


def test_patient_fields_and_qc(server: LiveServer, analyst: tuple[str, str], ready: dict) -> None:
    base = f"/reports/{ready['id']}"
    r = call(server, "POST", f"{base}/patient_fields", analyst,
             **raw(b'{"First Name": "Jane", "Patient DOB": "1/2/2000", "Patient Age": "24"}'))  # fmt: skip
    assert r.status_code == 200 and {"Patient Age": "24"} in r.json()
    got = call(server, "GET", f"{base}/patient_fields", analyst).json()
    assert {"First Name": "Jane"} in got and {"Last Name": ""} in got
    assert call(server, "POST", f"{base}/patient_fields", analyst, **raw(b"[1]")).status_code == 400
    r = call(
        server, "POST", f"{base}/qc_data", analyst, **raw(b'{"Cluster Density": "170", "Clusters PF": ".82"}')
    )
    assert r.json() == [{"Cluster Density": "170"}, {"Clusters PF": ".82"}]
    doc = call(server, "GET", f"{base}/?extended=True", analyst).json()
    assert doc["patient_dict"]["dob_year"] == 2000 and {"First Name": "Jane"} in doc["patient_fields"]
    assert isinstance(doc["variants"], list)


def test_variants_patch_notes_confirmation_status_pdfs(
    server: LiveServer, analyst: tuple[str, str], ready: dict, world: World, module_services: Services
) -> None:
    base = f"/reports/{ready['id']}"
    docs = call(server, "GET", f"{base}/variants", analyst).json()["objects"]
    assert docs, "the panel report has candidate variants"
    v = docs[0]
    assert VARIANT_FIELDS <= set(v)
    assert v["chromosome"].startswith("chr") and v["end_on_chrom"] == v["start_on_chrom"] + len(v["ref"]) - 1
    assert v["gene_symbol"] == "SAMD11" and v["report_id"] == ready["id"] and v["status"] == "PENDING"
    assert v["genotype"] and v["zygosity"] in ("heterozygous", "homozygous") and v["effect"]
    # patch_report_variant.py
    ops = [{"op": "replace", "path": "/status", "value": "REVIEWED"},
           {"op": "replace", "path": "/to_report", "value": "PRIMARY_FINDING"},
           {"op": "replace", "path": "/classification", "value": "Likely pathogenic"}]  # fmt: skip
    hdr = {"Content-Type": "application/json-patch+json"}
    r = call(server, "PATCH", f"{base}/variants/{v['id']}", analyst, data=json.dumps(ops), headers=hdr)
    assert r.status_code == 200 and r.json()["to_report"] == "PRIMARY_FINDING"
    assert r.json()["classification"] == "Likely pathogenic"
    assert (
        call(server, "PATCH", f"{base}/variants/{v['id']}", analyst, data="[]", headers=hdr).json()["id"]
        == v["id"]
    )
    bad = [{"op": "replace", "path": "/gene_symbol", "value": "X"}]
    assert (
        call(server, "PATCH", f"{base}/variants/{v['id']}", analyst, data=json.dumps(bad)).status_code == 422
    )
    # add_report_variant_note.py
    r = call(
        server, "POST", f"{base}/variants/{v['id']}/internal_notes", analyst, json={"note": "Sent for Sanger"}
    )
    assert r.json()["note"] == "Sent for Sanger"
    # filters, then the VCF round trip of set_report_variants.py
    reviewed = call(server, "GET", f"{base}/variants?status=REVIEWED&status=CONFIRMED", analyst).json()[
        "objects"
    ]
    assert [d["id"] for d in reviewed] == [v["id"]] and reviewed[0]["internal_notes"] == "Sent for Sanger"
    chrom = v["chromosome"][3:]
    q = f"to_report=PRIMARY_FINDING&chrom={chrom}&start_on_chrom={v['start_on_chrom']}&end_on_chrom={v['end_on_chrom']}&alt={v['alt']}&extended=True"
    assert [d["id"] for d in call(server, "GET", f"{base}/variants?{q}", analyst).json()["objects"]] == [
        v["id"]
    ]
    exported = call(server, "GET", f"{base}/variants?status=REVIEWED&format=VCF", analyst)
    assert exported.status_code == 200 and "#CHROM" in exported.text
    lines = [ln.split("\t") for ln in exported.text.splitlines()]
    edited = "\n".join(
        "\t".join(c[:6] + ["CONFIRMED"] + c[7:]) if c[0][:1] != "#" else "\t".join(c) for c in lines
    )
    r = call(server, "PUT", f"{base}/variants?format=vcf", analyst, **raw(edited.encode() + b"\n"))
    assert r.status_code == 200 and r.json()["updated"] == [v["id"]], r.text
    confirmed = call(server, "GET", f"{base}/variants?status=CONFIRMED", analyst).json()["objects"]
    assert confirmed[0]["status"] == "CONFIRMED"
    csv = call(server, "GET", f"{base}/variants?format=CSV", analyst)
    assert csv.text.splitlines()[0].startswith("id,chromosome,start_on_chrom")
    # update_clinical_report_status.py always sends "status_name"
    patch = [{"op": "replace", "path": "/status", "value": "status_name"}]
    r = call(server, "PATCH", f"{base}/update_status/", analyst, data=json.dumps(patch), headers=hdr)
    assert r.status_code == 422 and "status_name" in r.text
    patch[0]["value"] = "Ready for Interpretation"
    r = call(server, "PATCH", f"{base}/update_status/", analyst, data=json.dumps(patch), headers=hdr)
    assert r.status_code == 200 and r.json()["status"] == "READY FOR INTERPRETATION"
    # PDFs: a preview while reviewed, the final only once approved (out of band: a director)
    r = call(server, "GET", f"{base}/pdf_preview", analyst)
    assert r.status_code == 200 and r.content[:4] == b"%PDF"
    assert r.headers["content-disposition"] == f"attachment; filename=report_{ready['id']}_preview.pdf"
    r = call(server, "GET", f"{base}/pdf_report", analyst)
    assert r.status_code == 422 and r.json()["description"]
    module_services.cases.approve(world.member("lab-a", Role.DIRECTOR).actor, str(ready["id"]))
    r = call(server, "GET", f"{base}/pdf_report", analyst)
    assert r.status_code == 200 and r.content[:4] == b"%PDF"
    assert r.headers["content-disposition"] == f"attachment; filename=report_{ready['id']}.pdf"
    assert call(server, "GET", f"{base}/pdf_preview", analyst).status_code == 422
    assert call(server, "GET", base, analyst).json()["report_approved_date"]


@pytest.fixture(scope="module")
def draft(server: LiveServer, analyst: tuple[str, str], setup: dict) -> dict:
    """A second panel report of the proband, reviewed but never approved."""
    cr = launch(server, analyst, {"report_type": "panel", "proband_genome_id": setup["genome"], "filter_id": None,
                                  "panel_id": setup["panel"], "accession_id": "ACC-DRAFT"})  # fmt: skip

    def done() -> dict | None:
        doc = call(server, "GET", f"/reports/{cr['id']}", analyst).json()
        assert doc["status"] != "FAILED", doc
        return doc if doc["status"] == "READY TO REVIEW" else None

    return wait(done)


def preview_text(server: LiveServer, who: tuple[str, str], report_id: int, tmp_path: Path) -> str:
    r = call(server, "GET", f"/reports/{report_id}/pdf_preview", who)
    assert r.status_code == 200 and r.content[:4] == b"%PDF", r.text[:300]
    pdf = tmp_path / "preview.pdf"
    pdf.write_bytes(r.content)
    return pdftools.text(pdf)


@pytest.mark.skipif(not pdftools.POPPLER, reason="poppler-utils not installed")
def test_preview_shows_a_reported_variant_not_yet_classified(
    server: LiveServer, analyst: tuple[str, str], draft: dict, tmp_path: Path
) -> None:
    base = f"/reports/{draft['id']}"
    v = call(server, "GET", f"{base}/variants", analyst).json()["objects"][0]
    ops = [{"op": "replace", "path": "/to_report", "value": "PRIMARY_FINDING"}]
    hdr = {"Content-Type": "application/json-patch+json"}
    r = call(server, "PATCH", f"{base}/variants/{v['id']}", analyst, data=json.dumps(ops), headers=hdr)
    assert r.status_code == 200 and r.json()["classification"] in (None, ""), r.text
    text = preview_text(server, analyst, draft["id"], tmp_path)
    assert "Not yet classified" in text and v["hgvs_c"] in text
    # a draft awaiting a classification never reads as a negative result
    assert "Result: PENDING CLASSIFICATION" in text and "NEGATIVE" not in text
    # sign-out still needs every reported variant classified
    assert call(server, "GET", f"{base}/pdf_report", analyst).status_code == 422


@pytest.mark.skipif(not pdftools.POPPLER, reason="poppler-utils not installed")
def test_patient_fields_fill_the_report_rows_once(
    server: LiveServer, analyst: tuple[str, str], draft: dict, tmp_path: Path
) -> None:
    fields = {"Patient Last Name": "Doe", "Patient First Name": "John", "Patient DOB": "1/1/2000",
              "Patient Sex": "Male", "Date Specimen Collected": "9/9/14", "Date Specimen Received": "2014-09-13",
              "Specimen Type": "Blood", "Patient Age": "24", "Ordering Physician": "Paul Billings"}  # fmt: skip
    r = call(
        server, "POST", f"/reports/{draft['id']}/patient_fields", analyst, **raw(json.dumps(fields).encode())
    )
    assert r.status_code == 200, r.text
    text = preview_text(server, analyst, draft["id"], tmp_path)
    rows = {" ".join(line.split()) for line in text.splitlines()}
    assert any(re.search(r"\bName DOE, John\b", row) for row in rows), text
    assert any(re.search(r"\bDOB 2000-01-01\b", row) for row in rows), text
    assert any(re.search(r"\bSex Male\b", row) for row in rows), text
    assert any(re.search(r"\bCollected 2014-09-09\b", row) for row in rows), text
    assert any(re.search(r"\bReceived 2014-09-13\b", row) for row in rows), text
    assert any(re.search(r"\bType Blood\b", row) for row in rows), text
    assert len(re.findall(r"\bMale\b", text)) == 1 and "Unknown" not in text
    for name in ("Patient Sex", "Patient DOB", "Patient First Name", "Patient Last Name", "Date Specimen"):
        assert name not in text, name
    assert "1/1/2000" not in text and "Paul Billings" in text
    assert any(re.search(r"\bPatient Age 24\b", row) for row in rows), text  # no canonical home: its own row


def test_one_odd_case_never_fails_the_list(
    server: LiveServer,
    world: World,
    analyst: tuple[str, str],
    setup: dict,
    ready: dict,
    module_services: Services,
) -> None:
    """A case made on the native face with no members (``{}``): every Fabric list still answers, showing it
    with what it has; reading it alone answers too."""
    actor = world.member("lab-a", Role.ANALYST).actor
    fqn = module_services.projects.project_by_id(actor, setup["project"]).default_study_fqn
    r = requests.post(
        server.url + f"/api/v2/analysis/clinical/create?study={fqn}&includeResult=true",
        json={},
        auth=analyst,
        timeout=60,
    )
    assert r.status_code == 200, r.text
    code = r.json()["responses"][0]["results"][0]["id"]
    odd = module_services.cases.get(actor, code, fqn).case.id
    r = call(server, "GET", "/reports/", analyst)
    assert r.status_code == 200, r.text
    doc = next(d for d in r.json()["objects"] if d["id"] == odd)
    assert doc["genome_id"] is None and doc["proband_sex"] == "u" and doc["project_id"] == setup["project"]
    assert ready["id"] in [d["id"] for d in r.json()["objects"]]  # the other reports are all there
    r = call(server, "GET", f"/reports/{odd}", analyst)
    assert r.status_code == 200 and r.json()["id"] == odd, r.text
    r = call(server, "GET", "/reports/?extended=True", analyst)
    assert r.status_code == 200 and odd in [d["id"] for d in r.json()["objects"]], r.text
    r = call(server, "GET", "/case_containers", analyst)
    assert r.status_code == 200, r.text
    shown = next(c for c in r.json()["objects"] if c["id"] == odd)
    assert shown["members"] == [] and shown["status"]
    r = call(server, "GET", f"/reports/{odd}/pdf_preview", analyst)
    assert 400 <= r.status_code < 500 and r.json()["description"]


def test_other_workspace_sees_nothing(server: LiveServer, world: World, ready: dict) -> None:
    other = world.member("lab-b", Role.ANALYST).basic
    r = call(server, "GET", f"/reports/{ready['id']}", other)
    assert r.status_code == 404 and r.json()["description"]
    assert call(server, "GET", f"/reports/{ready['id']}/variants", other).status_code == 404
