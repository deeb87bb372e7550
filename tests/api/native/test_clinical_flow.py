"""End to end on real data: the GIAB trio → a trio case with a SAMD11 panel → candidates with inheritance
modes → interpretation → preview PDF → approval by a second person → final PDF."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO, TESTDATA, LiveServer
from tests.reports import pdftools
from tests.world import World, build_world
from vardesk.annotate.bundle import build_bundle
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

API = "/api/v2"
GIAB = TESTDATA / "giab-trio-grch37" / "ashk-trio.vcf.gz"
SLICE = TESTDATA / "reference-slices" / "grch37-SAMD11"


@pytest.fixture(scope="module")
def world(module_services: Services, tmp_path_factory: pytest.TempPathFactory) -> World:
    w = build_world(module_services, ("lab-a",))
    bundle = tmp_path_factory.mktemp("bundle") / "samd11"
    build_bundle(
        build="GRCh37",
        gff3=SLICE / "SAMD11.grch37.gff3",
        fasta=SLICE / "grch37_chr1_860k.fa.gz",
        out=bundle,
        version="slice-1",
    )
    module_services.annotation.install(bundle, workspace="lab-a")  # enabled for this workspace only
    module_services.projects.create_project(
        w.member("lab-a", Role.ANALYST).actor, {"id": "giab", "organism": {"assembly": "GRCh37"}}
    )
    return w


@pytest.fixture(scope="module")
def server(module_services: Services, world: World) -> Iterator[LiveServer]:
    with LiveServer(module_services) as srv:
        yield srv


def api(server: LiveServer, method: str, path: str, who: tuple[str, str], **kw: object) -> requests.Response:
    return requests.request(method, server.url + API + path, auth=who, timeout=60, **kw)  # type: ignore[arg-type]


def wait(predicate, timeout: float = 120):  # type: ignore[no-untyped-def]
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.time() < deadline, "timed out"
        time.sleep(0.25)


@pytest.fixture(scope="module")
def case(server: LiveServer, world: World) -> dict:
    analyst = world.member("lab-a", Role.ANALYST).basic
    r = api(
        server,
        "POST",
        "/files/upload",
        analyst,
        data={"study": "giab:default"},
        files={"file": (GIAB.name, GIAB.read_bytes())},
    )
    assert r.status_code == 200, r.text
    file_id = r.json()["responses"][0]["results"][0]["id"]
    r = api(
        server,
        "POST",
        "/panels/create",
        analyst,
        json={
            "name": "SAMD11 research panel",
            "description": "Research panel of one gene",
            "genes": ["SAMD11", "NOT_A_GENE"],
            "testCode": "SAMD-1",
            "methodology": "Whole-genome sequencing; variants in the panel genes are reviewed.",
            "limitations": "Only the SAMD11 coding region is analysed.",
        },
    )
    assert r.status_code == 200, r.text
    panel = r.json()["responses"][0]["results"][0]
    assert panel["geneResult"]["added"] == ["SAMD11"] and panel["geneResult"]["not_found"] == ["NOT_A_GENE"]
    # the fields come back in the spelling they were sent in (the panel's description is its own)
    assert panel["description"] == "Research panel of one gene"
    assert panel["attributes"]["vardesk"]["testCode"] == "SAMD-1"
    r = api(
        server,
        "POST",
        "/analysis/clinical/create?study=giab:default&includeResult=true",
        analyst,
        json={
            "id": "TRIO1",
            "caseType": "trio",
            "panelId": panel["id"],
            "description": "GIAB Ashkenazi trio",
            "hpoTerms": [{"id": "HP:0001250", "name": "Seizure"}],
            # The SAMD11 variants of this trio are common and mostly homozygous in all three. With the
            # parents' phenotypes unknown and a preset that keeps synonymous variants, the one variant the
            # child carries heterozygously, 1:878314 G>C (father hom-alt, mother hom-ref), fits autosomal
            # dominant only; the child's homozygous variants are not recessive candidates because both
            # parents are homozygous too.
            "filterPreset": {
                "consequences": [
                    "missense_variant",
                    "synonymous_variant",
                    "stop_gained",
                    "frameshift_variant",
                ]
            },
            "members": [
                {
                    "relation": "PROBAND",
                    "sample": "HG002",
                    "sex": "MALE",
                    "affected": "AFFECTED",
                    "label": "HG002",
                },
                {
                    "relation": "FATHER",
                    "sample": "HG003",
                    "sex": "MALE",
                    "affected": "UNKNOWN",
                    "label": "HG003",
                },
                {
                    "relation": "MOTHER",
                    "sample": "HG004",
                    "sex": "FEMALE",
                    "affected": "UNKNOWN",
                    "label": "HG004",
                },
            ],
            "patientFields": {
                "Last Name": "Testperson",
                "First Name": "Giab",
                "Patient DOB": "1980-01-01",
                "Accession ID": "ACC-42",
                "Indication for Testing": "Research reference sample",
            },
            "qcData": {"Mean coverage": "35x"},
        },
    )
    assert r.status_code == 200, r.text
    created = r.json()["responses"][0]["results"][0]
    assert created["status"]["id"] == "WAITING"  # genomes attached, not indexed yet
    r = api(server, "POST", "/operation/variant/index?study=giab:default", analyst, json={"file": file_id})
    assert r.status_code == 200, r.text

    def ready() -> dict | None:
        doc = api(server, "GET", "/analysis/clinical/TRIO1/info?study=giab:default", analyst).json()
        c = doc["responses"][0]["results"][0]
        assert c["status"]["id"] != "FAILED", c["status"]
        return c if c["status"]["id"] == "READY TO REVIEW" else None

    return wait(ready)


def findings(server: LiveServer, who: tuple[str, str]) -> list[dict]:
    r = api(server, "GET", "/analysis/clinical/interpretation/TRIO1.1/info?study=giab:default", who)
    assert r.status_code == 200, r.text
    return r.json()["responses"][0]["results"][0]["primaryFindings"]


def documented_media(path: str) -> list[str]:
    """The media types the committed OpenAPI document gives a native operation's 200 answer."""
    doc = json.loads((REPO / "openapi.json").read_text())
    return list(doc["paths"][API + path]["get"]["responses"]["200"]["content"])


def test_candidates_are_samd11_variants_with_inheritance_modes(
    server: LiveServer, world: World, case: dict
) -> None:
    rows = findings(server, world.member("lab-a", Role.VIEWER).basic)
    assert [f["id"] for f in rows] == ["1:878314:G:C"]
    assert rows[0]["evidences"][0]["modeOfInheritances"] == ["AUTOSOMAL_DOMINANT"]
    assert [g["gt"] for g in rows[0]["attributes"]["vardesk"]["genotypes"]] == ["0/1", "1/1", "0/0"]
    for f in rows:
        assert f["evidences"][0]["genomicFeature"]["geneName"] == "SAMD11"
        assert f["evidences"][0]["modeOfInheritances"], f
        genotypes = f["attributes"]["vardesk"]["genotypes"]
        assert [g["member"] for g in genotypes] == ["HG002", "HG003", "HG004"]
        assert genotypes[0]["zygosity"] in (1, 2, 3)
    # Automatic ACMG/AMP evidence, with provenance; the slice bundle has no gnomAD or ClinVar, so nothing
    # that needs them is claimed either way.
    auto = rows[0]["attributes"]["vardesk"]["acmg"]["automatic"]
    assert auto["provenance"].get("bundle_id", "").startswith("GRCh37-slice")
    by_code = {e["criterion"]: e for e in auto["evidence"]}
    for code in ("PM2", "BA1", "BS1"):  # population frequency criteria need gnomAD
        assert by_code[code]["status"] == "NOT_EVALUABLE", (code, by_code[code])
    for e in (e for e in auto["evidence"] if e["status"] != "NOT_EVALUABLE"):
        cited = " ".join(f"{k} {v}" for k, v in e["data_sources"].items()).lower()
        assert "gnomad" not in cited and "clinvar" not in cited, e
    assert by_code["BP7"]["status"] in ("MET", "NOT_EVALUABLE")  # a synonymous variant
    assert {c["system"] for c in auto["classifications"]} >= {"ACMG 2015"} or len(
        auto["classifications"]
    ) == 2
    assert case["attributes"]["vardesk"]["analysisRun"] == 1
    assert any(s.startswith("") for s in case["attributes"]["vardesk"]["annotationSources"])


PRESET_TERMS = "missense_variant,synonymous_variant,stop_gained,frameshift_variant"


def segregating(server: LiveServer, who: tuple[str, str], **params: str) -> dict:
    query = {"study": "giab:default", "clinicalAnalysis": "TRIO1", "count": "true", "limit": "1000", **params}
    r = api(server, "GET", "/analysis/variant/query", who, params=query)
    assert r.status_code == 200, r.text
    return r.json()["responses"][0]


def test_family_segregation_filters_find_what_the_case_analysis_found(
    server: LiveServer, world: World, case: dict
) -> None:
    """The case's own filters (panel gene, preset consequences, AF <= 1 %) with every inheritance mode as
    query filters give exactly the case analysis' candidates, with the same modes."""
    viewer = world.member("lab-a", Role.VIEWER).basic
    res = segregating(
        server,
        viewer,
        gene="SAMD11",
        ct=PRESET_TERMS,
        populationFrequencyAlt="gnomad:ALL<0.01",
        familySegregation="DE_NOVO,AUTOSOMAL_DOMINANT,AUTOSOMAL_RECESSIVE,COMPOUND_HETEROZYGOUS,"
        "X_LINKED_RECESSIVE,X_LINKED_DE_NOVO",
    )
    expected = findings(server, viewer)
    assert [v["id"] for v in res["results"]] == [f["id"] for f in expected] and res["numMatches"] == 1
    got_modes = [m["mode"] for m in res["results"][0]["inheritance"]]
    assert got_modes == expected[0]["evidences"][0]["modeOfInheritances"]
    samples = res["results"][0]["studies"][0]["samples"]
    assert [s["sampleId"] for s in samples] == ["HG002", "HG003", "HG004"]
    r = api(server, "GET", "/analysis/variant/query", viewer, params={"study": "giab:default",
            "familySegregation": "DE_NOVO"})  # fmt: skip
    assert r.status_code == 400 and "clinicalAnalysis" in r.json()["events"][0]["message"]
    r = api(server, "GET", "/analysis/variant/query", viewer, params={"study": "giab:default",
            "clinicalAnalysis": "TRIO1", "familySegregation": "MENDELIAN_ISH"})  # fmt: skip
    assert r.status_code == 400 and "DE_NOVO" in r.json()["events"][0]["message"]


def test_genes_are_ranked_and_report_variants_carry_rank_and_family_evidence(
    server: LiveServer, world: World, case: dict
) -> None:
    viewer = world.member("lab-a", Role.VIEWER).basic
    r = api(server, "GET", "/analysis/clinical/TRIO1/prioritisation?study=giab:default", viewer)
    assert r.status_code == 200, r.text
    ranking = r.json()["responses"][0]["results"][0]
    assert ranking["run"] == 1 and ranking["hpoTerms"] == ["HP:0001250"]
    assert ranking["hpoVersion"] and ranking["numGenes"] == 1
    gene = ranking["genes"][0]
    assert (gene["rank"], gene["gene"]) == (1, "SAMD11")
    assert gene["burden"]["model"] == "DOMINANT" and gene["burden"]["variants"] == ["1:878314G>C"]
    assert sum(t["value"] for t in gene["burden"]["terms"]) == pytest.approx(
        gene["burden"]["score"], abs=1e-3
    )
    assert 0 <= gene["phenotype"]["score"] <= 1
    # the report variant carries its gene's rank, and the family's genotypes feed the de novo criteria
    acmg = findings(server, viewer)[0]["attributes"]["vardesk"]["acmg"]
    assert acmg["prioritisation"]["rank"] == 1 and acmg["prioritisation"]["model"] == "DOMINANT"
    by_code = {e["criterion"]: e for e in acmg["automatic"]["evidence"]}
    assert by_code["PM6"]["status"] == "NOT_MET" and "father" in by_code["PM6"]["explanation"].lower()
    assert by_code["PP4"]["status"] in ("MET", "NOT_MET")  # evaluated from the phenotype match
    # a run that does not exist (other workspaces: tests/api/test_permissions.py)
    missing = api(server, "GET", "/analysis/clinical/TRIO1/prioritisation?study=giab:default&run=7", viewer)
    assert missing.status_code == 400 and "run 7" in missing.text


def test_phenopacket_and_ped_round_trip(server: LiveServer, world: World, case: dict) -> None:
    import json

    analyst = world.member("lab-a", Role.ANALYST).basic
    r = api(server, "GET", "/analysis/clinical/TRIO1/export?study=giab:default&format=phenopacket", analyst)
    assert r.status_code == 200, r.text
    family = json.loads(r.content)
    assert family["proband"]["subject"]["id"] == "HG002"
    assert [f["type"]["id"] for f in family["proband"]["phenotypicFeatures"]] == ["HP:0001250"]
    r = api(
        server,
        "POST",
        "/analysis/clinical/import?study=giab:default&format=phenopacket&id=TRIO1-COPY&includeResult=true",
        analyst,
        data=r.content,
    )
    assert r.status_code == 200, r.text
    copy = r.json()["responses"][0]["results"][0]
    members = [(m["id"], m["relation"], m["samples"][0]["id"]) for m in copy["family"]["members"]]
    assert members == [
        ("HG002", "PROBAND", "HG002"),
        ("HG003", "FATHER", "HG003"),
        ("HG004", "MOTHER", "HG004"),
    ]
    assert copy["attributes"]["vardesk"]["caseType"] == "trio"
    assert [t["id"] for t in copy["attributes"]["vardesk"]["hpoTerms"]] == ["HP:0001250"]
    ped = api(server, "GET", "/analysis/clinical/TRIO1/export?study=giab:default&format=ped", analyst).text
    rows = sorted(line.split("\t") for line in ped.strip().splitlines())
    assert rows == [
        ["TRIO1", "HG002", "HG003", "HG004", "1", "2"],
        ["TRIO1", "HG003", "0", "0", "1", "0"],
        ["TRIO1", "HG004", "0", "0", "2", "0"],
    ]
    bad = api(
        server,
        "POST",
        "/analysis/clinical/import?study=giab:default&format=phenopacket",
        analyst,
        data=b'{"id": "x", "subject": {"id": "p"}, "phenotypicFeatures": [{"type": {"id": "HP:9999999"}}]}',
    )
    assert bad.status_code == 400 and "HP:9999999" in bad.json()["events"][0]["message"]


def test_exports_and_confirmation_round_trip(
    server: LiveServer, world: World, case: dict, tmp_path: Path
) -> None:
    import csv
    import io
    import json

    from tests.ingest.conftest import run_bcftools

    analyst = world.member("lab-a", Role.ANALYST).basic
    base = "/analysis/clinical/TRIO1/variants/export?study=giab:default&format="
    r = api(server, "GET", base + "vcf", analyst)
    assert (
        r.status_code == 200 and "attachment; filename=TRIO1-variants.vcf" == r.headers["content-disposition"]
    )
    vcf = tmp_path / "export.vcf"
    vcf.write_bytes(r.content)
    # bcftools reads it back, with the samples and annotation columns
    q = run_bcftools("query", "-f", "%CHROM:%POS:%REF:%ALT\t%INFO/gene\t%INFO/to_report[\t%GT]\n", str(vcf))
    assert q.splitlines() == ["1:878314:G:C\tSAMD11\tDO_NOT_REPORT\t0/1\t1/1\t0/0"]
    rows = list(csv.DictReader(io.StringIO(api(server, "GET", base + "csv", analyst).text)))
    assert [(r["chrom"], r["pos"], r["gene"]) for r in rows] == [("1", "878314", "SAMD11")]
    assert json.loads(api(server, "GET", base + "json", analyst).text)[0]["hgvs_c"].startswith("c.")
    # The lab confirms the variant: FILTER CONFIRMED on the exported line, uploaded back.
    lines = [
        ln if ln.startswith("#") else "\t".join(ln.split("\t")[:6] + ["CONFIRMED"] + ln.split("\t")[7:])
        for ln in vcf.read_text().splitlines()
    ]
    r = api(
        server,
        "POST",
        "/analysis/clinical/TRIO1/confirmation?study=giab:default",
        analyst,
        data="\n".join(lines) + "\n",
    )
    assert r.status_code == 200, r.text
    assert r.json()["responses"][0]["results"][0] == {
        "confirmed": 1,
        "failed": 0,
        "unmatched": [],
        "ignored": 0,
    }
    assert findings(server, analyst)[0]["status"] == "CONFIRMED"
    r = api(server, "POST", "/analysis/clinical/TRIO1/confirmation?study=giab:default", analyst, data="junk")
    assert r.status_code == 400 and "not a readable VCF" in r.json()["events"][0]["message"]


def test_a_case_as_shown_is_accepted_and_exports_a_header_without_variants(
    server: LiveServer, world: World, case: dict
) -> None:
    """TRIO1 is shown as type FAMILY with its members; sent back as shown it makes the same kind of case.
    That case has no genomes, hence no variants: its CSV export is still a header row."""
    import csv
    import io

    from vardesk.app.cases.interpretation import TABULAR_COLUMNS

    analyst = world.member("lab-a", Role.ANALYST).basic
    assert case["type"] == "FAMILY"
    members = [{k: m[k] for k in ("id", "relation", "sex", "affected")} for m in case["family"]["members"]]
    r = api(
        server,
        "POST",
        "/analysis/clinical/create?study=giab:default&includeResult=true",
        analyst,
        json={"id": "EMPTY1", "type": case["type"], "members": members},
    )
    assert r.status_code == 200, r.text
    made = r.json()["responses"][0]["results"][0]
    assert made["type"] == "FAMILY" and made["attributes"]["vardesk"]["caseType"] == "trio"
    assert [(m["id"], m["relation"], m["sex"]["id"]) for m in made["family"]["members"]] == [
        ("HG002", "PROBAND", "MALE"),
        ("HG003", "FATHER", "MALE"),
        ("HG004", "MOTHER", "FEMALE"),
    ]
    r = api(server, "GET", "/analysis/clinical/EMPTY1/variants/export?study=giab:default&format=csv", analyst)
    assert r.status_code == 200, r.text
    reader = csv.DictReader(io.StringIO(r.text))
    assert list(reader) == [] and reader.fieldnames == list(TABULAR_COLUMNS)
    # with variants, the same header
    r = api(server, "GET", "/analysis/clinical/TRIO1/variants/export?study=giab:default&format=csv", analyst)
    assert csv.DictReader(io.StringIO(r.text)).fieldnames == list(TABULAR_COLUMNS)
    r = api(
        server,
        "POST",
        "/analysis/clinical/create?study=giab:default",
        analyst,
        json={"id": "EMPTY2", "type": "PEDIGREE", "members": members},
    )
    assert r.status_code == 400 and "FAMILY" in r.json()["events"][0]["message"]


def test_interpret_preview_approve_final(
    server: LiveServer, world: World, case: dict, tmp_path: Path
) -> None:
    analyst = world.member("lab-a", Role.ANALYST).basic
    director = world.member("lab-a", Role.DIRECTOR).basic
    target = findings(server, analyst)[0]
    vid = target["attributes"]["vardesk"]["reportVariantId"]
    hgvs_c = target["attributes"]["vardesk"]["hgvsC"]
    # marked for the report before it is classified: the preview (a draft) shows it as such
    r = api(
        server,
        "POST",
        f"/analysis/clinical/TRIO1/variant/{target['id']}/update?study=giab:default",
        analyst,
        json={"toReport": "PRIMARY_FINDING"},
    )
    assert r.status_code == 200, r.text
    r = api(server, "GET", "/analysis/clinical/TRIO1/report/preview?study=giab:default", analyst)
    assert r.status_code == 200 and r.content.startswith(b"%PDF"), r.text[:300]
    if pdftools.POPPLER:
        (tmp_path / "draft.pdf").write_bytes(r.content)
        draft = pdftools.text(tmp_path / "draft.pdf")
        assert "Not yet classified" in draft and "PENDING CLASSIFICATION" in draft and "NEGATIVE" not in draft
    # the finding is updated by the id it is shown with (and, below, by its reportVariantId)
    r = api(
        server,
        "POST",
        f"/analysis/clinical/TRIO1/variant/{target['id']}/update?study=giab:default&includeResult=true",
        analyst,
        json={
            "status": "REVIEWED",
            "toReport": "PRIMARY_FINDING",
            "classification": "Likely pathogenic",
            "criteria": ["PM2_Supporting", {"code": "PP3", "comment": "REVEL 0.8"}],
            "interpretation": "Reviewed for the reference report.",
        },
    )
    assert r.status_code == 200, r.text
    finding = r.json()["responses"][0]["results"][0]
    # what clients read stays the strings; the typed evidence and the classifiers' suggestion are new fields
    acmg = finding["evidences"][0]["classification"]["acmg"]
    assert [a["classification"] for a in acmg] == ["PM2_Supporting", "PP3"]
    mine = finding["attributes"]["vardesk"]
    pp3 = next(e for e in mine["acmgEvidence"] if e["code"] == "PP3")
    assert (pp3["source"], pp3["comment"], pp3["strength"]) == ("manual", "REVEL 0.8", "SUPPORTING")
    assert pp3["by"] and "T" in pp3["at"]
    assert mine["classification"] == "Likely pathogenic"  # the reviewer's, next to the suggested one
    assert mine["suggestedClassification"]["system"] == "ACMG/AMP 2015"
    assert mine["suggestedClassification"]["criteria"] == [e["label"] for e in mine["acmgEvidence"]]
    r = api(
        server,
        "POST",
        f"/analysis/clinical/TRIO1/variant/{target['id']}/update?study=giab:default",
        analyst,
        json={"criteria": ["PM2_Strong"]},
    )
    assert r.status_code == 400 and "PM2_Strong" in r.text and "ClinGen SVI" in r.text, r.text
    history = api(
        server, "GET", f"/analysis/clinical/TRIO1/variant/{target['id']}/history?study=giab:default", analyst
    ).json()["responses"][0]["results"]
    assert {h["field"] for h in history} >= {
        "status",
        "to_report",
        "classification",
        "criteria",
        "acmg_evidence",
    }
    assert (
        requests.get(
            server.url + API + "/analysis/clinical/TRIO1/report/final?study=giab:default", auth=analyst
        ).status_code
        == 422
    )  # not approved yet
    r = api(server, "GET", "/analysis/clinical/TRIO1/report/preview?study=giab:default", analyst)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-type"] == "application/pdf"
    assert documented_media("/analysis/clinical/{case}/report/preview") == [r.headers["content-type"]]
    assert r.headers["content-disposition"] == "attachment; filename=TRIO1-preview.pdf"
    # The analyst interpreted: they cannot approve (not a director); a director who interprets cannot either.
    assert (
        api(server, "POST", "/analysis/clinical/TRIO1/approve?study=giab:default", analyst).status_code == 403
    )
    r = api(
        server,
        "POST",
        "/analysis/clinical/TRIO1/update?study=giab:default",
        director,
        json={"status": {"id": "WAITING FOR APPROVAL"}},
    )
    assert r.status_code == 200, r.text
    r = api(server, "POST", "/analysis/clinical/TRIO1/approve?study=giab:default", director)
    assert r.status_code == 403 and "four-eyes" in r.json()["events"][0]["message"]
    r = api(
        server,
        "POST",
        f"/analysis/clinical/TRIO1/variant/{vid}/update?study=giab:default",
        analyst,
        json={"internalNotes": "ready for sign-out"},
    )
    assert r.status_code == 200
    second = world.member("lab-a", Role.DIRECTOR)
    r = api(server, "POST", "/analysis/clinical/TRIO1/approve?study=giab:default", second.basic)
    assert r.status_code == 200, r.text
    assert r.json()["responses"][0]["numUpdated"] == 1
    assert (
        api(server, "GET", "/analysis/clinical/TRIO1/report/preview?study=giab:default", analyst).status_code
        == 422
    )
    r = api(
        server, "POST", "/analysis/clinical/TRIO1/update?study=giab:default", analyst, json={"title": "x"}
    )
    assert r.status_code == 422 and "locked" in r.json()["events"][0]["message"]
    r = api(server, "GET", "/analysis/clinical/TRIO1/report/final?study=giab:default", analyst)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert documented_media("/analysis/clinical/{case}/report/final") == [r.headers["content-type"]]
    assert r.headers["content-disposition"] == "attachment; filename=TRIO1-final.pdf"
    r_final_bytes = r.content
    pdf = tmp_path / "final.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in ("SAMD11", hgvs_c, "Likely pathogenic", "TESTPERSON", "ACC-42"):
        assert expected in text, expected
    assert "Heterozygous" in text or "Homozygous" in text or "Hemizygous" in text
    assert "PRELIMINARY" not in text
    # An amendment is a new version that must be approved again; the approved case stays as it was.
    approved = api(server, "GET", "/analysis/clinical/TRIO1/info?study=giab:default", analyst).json()
    approved_version = approved["responses"][0]["results"][0]["version"]
    r = api(
        server,
        "POST",
        "/analysis/clinical/TRIO1/amend?study=giab:default&includeResult=true",
        analyst,
        json={"reason": "corrected interpretation text"},
    )
    assert r.status_code == 200, r.text
    amended = r.json()["responses"][0]["results"][0]
    assert amended["version"] == approved_version + 1 and amended["id"] == f"TRIO1.A{approved_version + 1}"
    assert amended["status"]["id"] == "READY FOR INTERPRETATION"
    assert (
        amended["attributes"]["vardesk"]["amendsCaseId"]
        == approved["responses"][0]["results"][0]["attributes"]["vardesk"]["id"]
    )
    again = api(server, "GET", "/analysis/clinical/TRIO1/info?study=giab:default", analyst).json()
    assert again["responses"][0]["results"][0]["status"]["id"] == "APPROVED"
    assert (
        api(server, "GET", "/analysis/clinical/TRIO1/report/final?study=giab:default", analyst).content
        == r_final_bytes
    )
