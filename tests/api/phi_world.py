"""A case full of distinctive PHI ("canary") values, made through the native API and the Fabric face of a
real server: a small real VCF whose samples carry canary names, patient fields, notes, a rendered preview."""

from __future__ import annotations

import gzip
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.conftest import TESTDATA, LiveServer
from tests.world import World, build_world
from vardesk.annotate.bundle import build_bundle
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

API = "/api/v2"
GIAB = TESTDATA / "giab-trio-grch37" / "ashk-trio.vcf.gz"
SLICE = TESTDATA / "reference-slices" / "grch37-SAMD11"
STUDY = "canary:default"
CASE = "CASE7"  # the client chooses the case id: kept free of PHI on purpose

# Every PHI value the scenario sends. None of them may reach a log, a URL or an id the server makes.
CANARIES = {
    "first_name": "ZQXCANARYJANE",
    "last_name": "ZQXCANARYSMITH",
    "dob": "1911-07-31",  # distinctive date: no other date in the scenario looks like it
    "mrn": "MRN-ZQX-5519",
    "accession": "ACC-ZQX-7731",
    "proband": "ZQXCANARYPROBAND",
    "father": "ZQXCANARYFATHER",
    "mother": "ZQXCANARYMOTHER",
    "individual": "ZQXCANARYINDIV",
    "title": "ZQXCANARYTITLE family",
    # labs name VCFs after the patient and the accession: the file name is PHI like the rest
    "vcf_name": "ZQXCANARYFILE_DOE_ACC-ZQX-0042.vcf.gz",
    "vcf_stem": "ZQXCANARYFILE_DOE",
    "phenotype_note": "ZQXCANARYPHENO seizures since birth",
    "variant_note": "ZQXCANARYVNOTE seen in aunt",
    "internal_note": "ZQXCANARYINTERNAL call the family",
}
SAMPLES = (CANARIES["proband"], CANARIES["father"], CANARIES["mother"])
# Values the client itself puts into ids: the VCF's sample names become the native sample ids. They may
# appear where those ids are shown. The upload's file name is not one of them: the server makes file ids.
CLIENT_CHOSEN_IDS = SAMPLES


@dataclass
class Scenario:
    server: LiveServer
    world: World
    case: dict
    report_id: int
    variant_id: str
    file_uuid: str
    file: dict = field(default_factory=dict)  # the upload's File as the server answered it
    index_job: str = ""
    responses: list[requests.Response] = field(default_factory=list)

    @property
    def analyst(self) -> tuple[str, str]:
        return self.world.member("lab-a", Role.ANALYST).basic

    def call(
        self, method: str, path: str, who: tuple[str, str] | None = None, **kw: object
    ) -> requests.Response:
        url = path if path.startswith("http") else self.server.url + path
        r = requests.request(method, url, auth=who or self.analyst, timeout=120, **kw)  # type: ignore[arg-type]
        self.responses.append(r)
        return r


def canary_vcf(out: Path) -> Path:
    """The GIAB trio's records around SAMD11 (1:860,000-880,000), its samples renamed to canaries."""
    lines = []
    with gzip.open(GIAB, "rt") as src:
        for line in src:
            if line.startswith("##"):
                lines.append(line)
            elif line.startswith("#CHROM"):
                cols = line.rstrip("\n").split("\t")
                lines.append("\t".join(cols[:9] + list(SAMPLES)) + "\n")
            else:
                chrom, pos = line.split("\t", 2)[:2]
                if chrom == "1" and 860_000 <= int(pos) <= 880_000:
                    lines.append(line)
                elif chrom != "1" or int(pos) > 880_000:
                    break
    out.write_bytes(gzip.compress("".join(lines).encode()))
    return out


def _wait(predicate, timeout: float = 120):  # type: ignore[no-untyped-def]
    deadline = time.time() + timeout
    while not (value := predicate()):
        assert time.time() < deadline, "timed out"
        time.sleep(0.25)
    return value


def prepare(services: Services, tmp: Path) -> World:
    """Workspace, users, an annotation slice and a project (no PHI in any of them)."""
    w = build_world(services, ("lab-a", "lab-b"))
    bundle = tmp / "bundle"
    build_bundle(
        build="GRCh37",
        gff3=SLICE / "SAMD11.grch37.gff3",
        fasta=SLICE / "grch37_chr1_860k.fa.gz",
        out=bundle,
        version="slice-1",
    )
    services.annotation.install(bundle, workspace="lab-a")
    services.projects.create_project(
        w.member("lab-a", Role.ANALYST).actor, {"id": "canary", "organism": {"assembly": "GRCh37"}}
    )
    return w


def run(server: LiveServer, world: World, tmp: Path) -> Scenario:
    """The scenario; every response is kept for the scans."""
    sc = Scenario(server, world, {}, 0, "", "")
    vcf = canary_vcf(tmp / "upload.vcf.gz")
    r = sc.call(
        "POST",
        API + "/files/upload",
        data={"study": STUDY},
        files={"file": (CANARIES["vcf_name"], vcf.read_bytes())},
    )
    assert r.status_code == 200, r.text
    uploaded = r.json()["responses"][0]["results"][0]
    sc.file_uuid, sc.file = uploaded["uuid"], uploaded
    r = sc.call(
        "POST",
        API + f"/analysis/clinical/create?study={STUDY}&includeResult=true",
        json={
            "id": CASE,
            "caseType": "trio",
            "title": CANARIES["title"],
            "description": CANARIES["phenotype_note"],
            "hpoTerms": [{"id": "HP:0001250", "name": "Seizure"}],
            "filterPreset": {"consequences": ["missense_variant", "synonymous_variant", "stop_gained"]},
            "members": [
                {"relation": "PROBAND", "sample": SAMPLES[0], "sex": "MALE", "affected": "AFFECTED"},
                {"relation": "FATHER", "sample": SAMPLES[1], "sex": "MALE", "affected": "UNKNOWN"},
                {"relation": "MOTHER", "sample": SAMPLES[2], "sex": "FEMALE", "affected": "UNKNOWN"},
            ],
            "patientFields": {
                "Last Name": CANARIES["last_name"],
                "First Name": CANARIES["first_name"],
                "Patient DOB": CANARIES["dob"],
                "Accession ID": CANARIES["accession"],
            },
        },
    )
    assert r.status_code == 200, r.text
    sc.report_id = int(r.json()["responses"][0]["results"][0]["attributes"]["vardesk"]["id"])
    r = sc.call("POST", API + f"/operation/variant/index?study={STUDY}", json={"file": uploaded["id"]})
    assert r.status_code == 200, r.text
    sc.index_job = r.json()["responses"][0]["results"][0]["id"]

    def ready() -> dict | None:
        c = sc.call("GET", API + f"/analysis/clinical/{CASE}/info?study={STUDY}").json()["responses"][0]
        c = c["results"][0]
        assert c["status"]["id"] != "FAILED", c["status"]
        return c if c["status"]["id"] == "READY TO REVIEW" else None

    sc.case = _wait(ready)
    fab = server.services.settings.fabric_prefix.rstrip("/")
    rid = sc.report_id
    r = sc.call("POST", f"{fab}/reports/{rid}/patient_fields", json={"MRN": CANARIES["mrn"]})
    assert r.status_code == 200, r.text
    r = sc.call("GET", API + f"/analysis/clinical/interpretation/{CASE}.1/info?study={STUDY}")
    finding = r.json()["responses"][0]["results"][0]["primaryFindings"][0]
    sc.variant_id = finding["attributes"]["vardesk"]["reportVariantId"]
    r = sc.call(
        "POST",
        API + f"/analysis/clinical/{CASE}/variant/{finding['id']}/update?study={STUDY}",
        json={"toReport": "PRIMARY_FINDING", "interpretation": CANARIES["variant_note"]},
    )
    assert r.status_code == 200, r.text
    r = sc.call(
        "POST",
        f"{fab}/reports/{rid}/variants/{sc.variant_id}/internal_notes",
        json={"note": CANARIES["internal_note"]},
    )
    assert r.status_code < 300, r.text
    r = sc.call("GET", API + f"/analysis/clinical/{CASE}/report/preview?study={STUDY}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF"), r.text[:300]
    for fmt in ("vcf", "csv"):
        r = sc.call("GET", API + f"/analysis/clinical/{CASE}/variants/export?study={STUDY}&format={fmt}")
        assert r.status_code == 200, r.text
    r = sc.call("GET", API + f"/analysis/clinical/{CASE}/export?study={STUDY}&format=phenopacket")
    assert r.status_code == 200, r.text
    for path in ("", "/patient_fields", "/variants", "/pdf_preview"):
        r = sc.call("GET", f"{fab}/reports/{rid}{path}")
        assert r.status_code == 200, (path, r.text[:300])
    return sc
