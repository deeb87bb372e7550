"""Contract §1.2/§2.11 storage providers and §1.6–1.8 results: the GIAB trio in a local provider, from the
case creation to Delivered with candidates and the export; lookups (§ samples, phenotypes, users)."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.emedgene.conftest import call, wait
from tests.conftest import LiveServer
from tests.world import World
from vardesk.domain.enums import Role

VCF = "/run1/trio/trio.hard-filtered.vcf.gz"


def _trio(storage: Any) -> dict[str, Any]:
    """The body the batch CLI builds for a VCF trio (storage_id as the CSV gave it: a string here)."""

    def person(pid: str, rel: str, gender: str, sample: str, healthy: bool) -> dict[str, Any]:
        return {
            "id": pid,
            "relationship": rel,
            "gender": gender,
            "healthy": healthy,
            "fastq_sample": sample,
            "mother": "mother" if pid == "proband" else None,
            "father": "father" if pid == "proband" else None,
            "phenotypes": [] if healthy else [{"id": "phenotypes/EMG_PHENOTYPE_0001263"}],
            "detailed_ethnicity": {"maternal": [], "paternal": []},
        }

    def sample(name: str, sid: Any) -> dict[str, Any]:
        return {
            "fastq": name,
            "status": "uploaded",
            "bam_location": "/run1/trio/trio.bam",
            "storage_id": sid,
            "sampleFiles": [
                {
                    "filename": "trio.bam",
                    "path": "/run1/trio/trio.bam",
                    "size": 0,
                    "status": "uploaded",
                    "storage_id": sid,
                },
                {
                    "filename": "trio.hard-filtered.vcf.gz",
                    "path": VCF,
                    "size": 0,
                    "status": "uploaded",
                    "storage_id": sid,
                    "vcf_column_name": name,
                },
            ],
        }

    return {
        "should_upload": False,
        "sharing_level": 1,
        "test_data": {
            "type": "Whole Genome",
            "sample_type": "vcf",
            "gene_list": {
                "type": "new",
                "name": "SAMD11 panel",
                "visible": True,
                "genes": [{"name": "SAMD11"}],
            },
            "boostGenes": True,
            "selected_preset_set": "Default",
            "labels": [],
            "extra_data": {},
            "patients": {
                "proband": person("proband", "Test Subject", "Male", "HG002", False),
                # the whole family affected: the SAMD11 missense variant all three carry homozygous is a
                # candidate (with healthy parents carrying it too, the slice has none)
                "mother": person("mother", "Mother", "Female", "HG004", False),
                "father": person("father", "Father", "Male", "HG003", False),
                "other": [],
            },
            "samples": [sample("HG002", str(storage)), sample("HG004", storage), sample("HG003", storage)],
        },
    }


def test_storage_endpoints(server: LiveServer, analyst: dict[str, str], provider: int) -> None:
    hits = call(server, "GET", "/api/storage", analyst).json()["hits"]
    assert {"id": provider, "name": "Run folders"}.items() <= next(
        h for h in hits if h["id"] == provider
    ).items()
    one = call(server, "GET", f"/api/storage/{provider}", analyst).json()
    assert one["id"] == provider and one["scheme"] == "local"  # the CLI tests scheme == "basespace"
    root = call(
        server, "GET", f"/api/storage/{provider}/fs/list", analyst, params={"from": 0, "size": 100}
    ).json()
    assert [r["alias"] for r in root["resources"]] == [
        "run1",
        "run2",
    ]  # the link leading outside is not listed
    assert root["has_more"] is False
    page = call(
        server, "GET", f"/api/storage/{provider}/fs/list/", analyst, params={"path": "/run1/trio", "size": 1}
    ).json()
    first = page["resources"][0]
    assert (first["name"], first["alias"], first["path"]) == ("trio.bam", "trio.bam", "/run1/trio/trio.bam")
    assert page["has_more"] is True
    for path in ("/../", "/escape", "/escape/secret.vcf", "/nope"):
        r = call(server, "GET", f"/api/storage/{provider}/fs/list", analyst, params={"path": path})
        assert r.status_code in (400, 404) and r.json()["message"], path
        assert "secret" not in r.text or path.endswith("secret.vcf")


def test_storage_of_another_workspace_is_not_found(
    server: LiveServer, stranger: dict[str, str], provider: int
) -> None:
    for path in (f"/api/storage/{provider}", f"/api/storage/{provider}/fs/list"):
        assert call(server, "GET", path, stranger).status_code == 404
    assert call(server, "GET", "/api/storage", stranger).json()["hits"] == []


def test_sample_paths_cannot_leave_the_provider(
    server: LiveServer, analyst: dict[str, str], provider: int
) -> None:
    before = call(server, "GET", "/api/test", analyst).json()["total"]
    for path in ("/../outside.vcf.gz", "/escape/secret.vcf", "/run1/missing.vcf.gz"):
        body = _trio(provider)
        for s in body["test_data"]["samples"]:
            s["sampleFiles"][1]["path"] = path
        r = call(server, "POST", "/api/cases/v2/cases?dry_run=true", analyst, data=json.dumps(body))
        assert r.status_code in (400, 404), (path, r.text)
        assert server.services.settings.data_dir.as_posix() not in r.text
    body = _trio(provider)
    body["test_data"]["samples"][0]["sampleFiles"][1]["vcf_column_name"] = "NA12878"
    r = call(server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(body))
    assert r.status_code == 422 and "no sample column" in r.json()["message"]
    assert "NA12878" not in r.text  # sample names and paths are not echoed in refusals
    body = _trio(99999)
    r = call(server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(body))
    assert r.status_code == 404 and "storage provider" in r.json()["message"]
    assert call(server, "GET", "/api/test", analyst).json()["total"] == before


@pytest.fixture(scope="module")
def trio_case(server: LiveServer, analyst: dict[str, str], provider: int) -> str:
    body = json.dumps(_trio(provider))
    assert call(server, "POST", "/api/cases/v2/cases?dry_run=true", analyst, data=body).status_code == 200
    r = call(server, "POST", "/api/cases/v2/cases?dry_run=false", analyst, data=body)
    assert r.status_code == 201, r.text
    return r.json()["name"]


def test_trio_goes_from_creation_to_delivered(
    server: LiveServer, analyst: dict[str, str], trio_case: str
) -> None:
    def delivered() -> dict[str, Any] | None:
        doc = call(server, "GET", f"/api/test/{trio_case}", analyst, params={"test_fields": "status"}).json()
        assert doc["status"] in ("Uploading", "In progress", "Delivered"), doc
        return doc if doc["status"] == "Delivered" else None

    wait(delivered)
    doc = call(server, "GET", f"/api/test/{trio_case}", analyst).json()
    assert doc["geneListName"] == "SAMD11 panel" and doc["genes"] == [{"name": "SAMD11"}]
    assert sorted(s["name"] for s in doc["samples"]) == ["HG002", "HG003", "HG004"]
    assert all(s["status"] == "ready" for s in doc["samples"])


def test_candidates_and_export(server: LiveServer, analyst: dict[str, str], trio_case: str) -> None:
    test_trio_goes_from_creation_to_delivered(server, analyst, trio_case)
    cands = call(server, "GET", f"/api/candidates/{trio_case}", analyst).json()
    assert cands["hits"] and cands["total"] == len(cands["hits"])
    export = call(server, "GET", f"/api/test/{trio_case}/export/", analyst).json()
    assert export["hits"] == export["variants"] == cands["hits"]
    for v in export["variants"]:  # what [VV-B] reads
        assert v["tag"]["value"] in ("in_report", "most_likely", "candidate", "incidental")
        assert v["gene_name"] == "SAMD11"
        assert v["Variant_details"].startswith("chr1:")
        assert set(v["zygosity"]) == {"proband", "mother", "father"}
        assert set(v["zygosity"].values()) <= {"HET", "HOM", "REF", "NO_COVERAGE"}  # chr1: no HEMI
        assert v["acmg"]["classification"] == v["pathogenicity"] != ""
        assert isinstance(v["acmg"]["checked_criteria"], list)
    assert any(v["hgvs"]["c"] for v in export["variants"])
    assert export["compound_hets"] == cands["compound_hets"] == []  # all three carry it: no pair
    assert export["case"]["gene_list_mode"] == "boosted" and export["case"]["preset"] == "Default"


def test_status_changes_go_through_the_status_machine_and_fire_webhooks(
    server: LiveServer, analyst: dict[str, str], trio_case: str, world: World
) -> None:
    from tests.app.test_webhooks import Receiver

    test_trio_goes_from_creation_to_delivered(server, analyst, trio_case)
    services = server.services
    ws = services.admin.get_workspace("lab-a")
    receiver = Receiver(fail=0)
    hook, _ = services.webhooks.add(ws.id or 0, receiver.url)
    try:
        path = f"/api/test/{trio_case}/"
        r = call(server, "PATCH", path, analyst, data=json.dumps({"status": "Ready for interpretation"}))
        assert r.status_code == 200, r.text
        assert r.json() == {"name": trio_case, "status": "Ready for interpretation", "status_reason": ""}
        r = call(
            server, "PUT", path.rstrip("/"), analyst, data=json.dumps({"status": "Delivered", "reason": "x"})
        )
        assert r.status_code == 200 and r.json()["status"] == "Delivered", r.text
        for body, code in (
            ({"status": "Uploading"}, 422),  # system-controlled
            ({"status": "Trash bin"}, 422),
            ({"status": "No such status"}, 422),
            ({"status": "Finalized"}, 403),  # a director's, and four eyes
            ({"state": "Delivered"}, 400),
        ):
            r = call(server, "PATCH", path, analyst, data=json.dumps(body))
            assert r.status_code == code and r.json()["message"], (body, r.text)
        got = call(server, "GET", path, analyst, params={"test_fields": "status"}).json()
        assert got["status"] == "Delivered"
        actor = world.member("lab-a", Role.ANALYST).actor

        def delivered() -> list[Any]:
            rows = [d for d in services.webhooks.deliveries(actor) if d.webhook_id == hook.id]
            done = [d for d in rows if d.state.value == "DELIVERED"]
            return done if len(done) >= 2 else []

        done = wait(delivered, 60)
        news = [d.payload["status"]["new"] for d in sorted(done, key=lambda d: d.id or 0)]
        assert news[-2:] == ["READY FOR INTERPRETATION", "READY TO REVIEW"]
        assert {json.loads(b)["case"]["code"] for _, b, _ in receiver.got} == {trio_case}
    finally:
        services.webhooks.remove(ws.id or 0, hook.id or 0)
        receiver.server.shutdown()


def test_secondary_findings_need_the_consent(
    server: LiveServer, analyst: dict[str, str], trio_case: str, world: World
) -> None:
    from vardesk.domain.errors import Unprocessable

    test_trio_goes_from_creation_to_delivered(server, analyst, trio_case)
    services = server.services
    actor = world.member("lab-a", Role.ANALYST).actor
    first = call(server, "GET", f"/api/candidates/{trio_case}", analyst).json()["hits"][0]
    study = services.case_intake.home(actor, "emedgene")
    with pytest.raises(Unprocessable, match="consent"):  # the trio's body has no incidental_findings
        services.interpretation.update_variant(
            actor, trio_case, first["id"], {"to_report": "SECONDARY_FINDING"}, study_ref=study
        )
    rv = services.interpretation.update_variant(
        actor, trio_case, first["id"], {"to_report": "PRIMARY_FINDING"}, study_ref=study
    )
    assert rv.to_report.value == "PRIMARY_FINDING"
    again = call(server, "GET", f"/api/candidates/{trio_case}", analyst).json()["hits"]
    assert next(v for v in again if v["id"] == first["id"])["tag"]["value"] == "in_report"


def test_sample_lookup_names_the_case(server: LiveServer, analyst: dict[str, str], trio_case: str) -> None:
    r = call(
        server,
        "GET",
        "/api/sample/",
        analyst,
        params={"query": "HG002", "sampleType": "fastq", "exact_match": "true"},
    )
    hits = r.json()["hits"]
    assert r.json()["total"] >= 1 and {h["name"] for h in hits} == {"HG002"}
    assert trio_case in {h["note"] for h in hits}
    assert (
        call(server, "GET", "/api/sample/", analyst, params={"query": "HG00", "exact_match": "true"}).json()[
            "total"
        ]
        == 0
    )


def test_phenotype_and_user_lookups(server: LiveServer, analyst: dict[str, str], world: World) -> None:
    r = call(server, "GET", "/api/phenotype/", analyst, params={"query": "HP:0001250"}).json()
    assert r["total"] == 1 and r["hits"][0]["name"] == "Seizure" and r["hits"][0]["match"] == "exact"
    r = call(server, "GET", "/api/phenotype", analyst, params={"query": "seizure"}).json()
    assert r["hits"][0]["name"] == "Seizure" and r["total"] >= 2
    r = call(server, "GET", "/api/organization/users/", analyst).json()
    assert world.member("lab-a", Role.DIRECTOR).email in {h["email"] for h in r["hits"]}
    assert world.member("lab-b", Role.DIRECTOR).email not in {h["email"] for h in r["hits"]}
    assert len({h["organization_id"] for h in r["hits"]}) == 1


def test_storage_add_command(server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vardesk.cli.main import main

    settings = server.services.settings
    monkeypatch.setenv("VARDESK_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("VARDESK_DATABASE_URL", settings.resolved_database_url)
    out = io.StringIO()
    with redirect_stdout(out):
        assert (
            main(["storage", "add", "--workspace", "lab-a", "--name", "Second", "--local", str(tmp_path)])
            == 0
        )
    doc = json.loads(out.getvalue())
    assert isinstance(doc["id"], int) and doc["name"] == "Second"
    with redirect_stdout(io.StringIO()):
        assert (
            main(["storage", "add", "--workspace", "lab-a", "--name", "Second", "--local", str(tmp_path)])
            != 0
        )


def test_with_the_consent_the_analysis_also_searches_secondary_findings(
    server: LiveServer, analyst: dict[str, str], provider: int, trio_case: str
) -> None:
    body = _trio(provider)
    body["test_data"]["incidental_findings"] = "Yes"
    r = call(server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(body))
    assert r.status_code == 201 and r.json()["secondary_findings"] is True, r.text
    name = r.json()["name"]

    def delivered() -> bool:
        doc = call(server, "GET", f"/api/test/{name}", analyst, params={"test_fields": "status"}).json()
        assert doc["status"] in ("Uploading", "In progress", "Delivered"), doc
        return doc["status"] == "Delivered"

    wait(delivered)
    test_trio_goes_from_creation_to_delivered(server, analyst, trio_case)
    got = call(server, "GET", f"/api/candidates/{name}", analyst).json()["hits"]
    without = call(server, "GET", f"/api/candidates/{trio_case}", analyst).json()["hits"]
    # the slice holds SAMD11 only (no ACMG SF gene, no ClinVar): the search runs and adds nothing
    assert [v["Variant_details"] for v in got] == [v["Variant_details"] for v in without] != []
    assert all(v["tag"]["value"] != "incidental" for v in got)
