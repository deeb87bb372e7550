"""A server with the demo workspace and its synthetic (NOT HUMAN) bundles, one of them labelled GRCh37, and
a real laboratory uploading the real GIAB trio (GRCh37, with bcftools BCSQ) into another workspace:

* the trio is annotated from its own BCSQ, never by the synthetic bundle; ``gene=SAMD11`` finds its variants;
* the same VCF without BCSQ is "not annotated", its trio case NOT INTERPRETABLE (never NEGATIVE) and
  approval is refused;
* the demo trio is still READY TO REVIEW with candidates, every output saying it is synthetic.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pysam
import pytest
import requests

from tests.conftest import TESTDATA, LiveServer
from tests.reports import pdftools
from tests.world import World, build_world
from vardesk.app.composition import Services
from vardesk.cli.demo import seed_demo
from vardesk.domain.enums import Role

API = "/api/v2"
GIAB = TESTDATA / "giab-trio-grch37" / "ashk-trio.vcf.gz"
BANNER = "SYNTHETIC REFERENCE DATA — NOT HUMAN — NOT FOR CLINICAL USE"
TRIO = [
    {"relation": "PROBAND", "sample": "HG002", "sex": "MALE", "affected": "AFFECTED", "label": "HG002"},
    {"relation": "FATHER", "sample": "HG003", "sex": "MALE", "affected": "UNKNOWN", "label": "HG003"},
    {"relation": "MOTHER", "sample": "HG004", "sex": "FEMALE", "affected": "UNKNOWN", "label": "HG004"},
]


@pytest.fixture(scope="module")
def demo(module_services: Services) -> dict[str, Any]:
    return seed_demo(module_services)  # what `vardesk demo` does: synthetic GRCh38 and GRCh37 bundles


@pytest.fixture(scope="module")
def world(module_services: Services, demo: dict[str, Any]) -> World:
    w = build_world(module_services, ("lab-a",))
    for project in ("giab", "stripped"):
        module_services.projects.create_project(
            w.member("lab-a", Role.ANALYST).actor, {"id": project, "organism": {"assembly": "GRCh37"}}
        )
    return w


@pytest.fixture(scope="module")
def server(module_services: Services, world: World) -> Iterator[LiveServer]:
    with LiveServer(module_services) as srv:
        yield srv


def api(server: LiveServer, method: str, path: str, who: tuple[str, str], **kw: Any) -> requests.Response:
    return requests.request(method, server.url + API + path, auth=who, timeout=60, **kw)


def result(r: requests.Response) -> dict[str, Any]:
    assert r.status_code == 200, r.text
    return r.json()["responses"][0]["results"][0]


def wait(predicate, timeout: float = 180):  # type: ignore[no-untyped-def]
    deadline = time.time() + timeout
    while not (value := predicate()):
        assert time.time() < deadline, "timed out"
        time.sleep(0.25)
    return value


def without_bcsq(src: Path, out: Path) -> Path:
    with pysam.VariantFile(str(src)) as vf:
        header = vf.header.copy()
        header.info.remove_header("BCSQ")
        with pysam.VariantFile(str(out), "wz", header=header) as dst:
            for rec in vf:
                rec.info.pop("BCSQ", None)
                rec.translate(header)
                dst.write(rec)
    return out


def trio_case(server: LiveServer, world: World, project: str, vcf: Path) -> dict[str, Any]:
    """Upload, a SAMD11 panel, a trio case on the file's samples, index; the case once analysed."""
    analyst = world.member("lab-a", Role.ANALYST).basic
    study = f"{project}:default"
    up = result(
        api(
            server,
            "POST",
            "/files/upload",
            analyst,
            data={"study": study},
            files={"file": (vcf.name, vcf.read_bytes())},
        )
    )
    panel = result(
        api(
            server, "POST", "/panels/create", analyst, json={"name": f"SAMD11 {project}", "genes": ["SAMD11"]}
        )
    )
    result(
        api(
            server,
            "POST",
            f"/analysis/clinical/create?study={study}&includeResult=true",
            analyst,
            json={"id": "TRIO", "caseType": "trio", "panelId": panel["id"], "members": TRIO},
        )
    )
    r = api(server, "POST", f"/operation/variant/index?study={study}", analyst, json={"file": up["id"]})
    assert r.status_code == 200, r.text

    def analysed() -> dict[str, Any] | None:
        c = result(api(server, "GET", f"/analysis/clinical/TRIO/info?study={study}", analyst))
        assert c["status"]["id"] != "FAILED", c["status"]
        return c if c["status"]["id"] == "READY TO REVIEW" else None

    return wait(analysed)


def samples(server: LiveServer, world: World, project: str) -> list[dict[str, Any]]:
    r = api(
        server, "GET", f"/samples/search?study={project}:default", world.member("lab-a", Role.VIEWER).basic
    )
    assert r.status_code == 200, r.text
    return r.json()["responses"][0]["results"]


def preview_text(server: LiveServer, who: tuple[str, str], study: str, case: str, tmp_path: Path) -> str:
    r = api(server, "GET", f"/analysis/clinical/{case}/report/preview?study={study}", who)
    assert r.status_code == 200 and r.content.startswith(b"%PDF"), r.text[:300]
    pdf = tmp_path / f"{case}.pdf"
    pdf.write_bytes(r.content)
    return pdftools.text(pdf)


@pytest.fixture(scope="module")
def annotated_case(server: LiveServer, world: World) -> dict[str, Any]:
    return trio_case(server, world, "giab", GIAB)


@pytest.fixture(scope="module")
def stripped_case(
    server: LiveServer, world: World, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    vcf = without_bcsq(GIAB, tmp_path_factory.mktemp("vcf") / "ashk-trio.nobcsq.vcf.gz")
    return trio_case(server, world, "stripped", vcf)


def test_real_grch37_trio_uses_its_bcsq_not_the_synthetic_bundle(
    server: LiveServer, world: World, demo: dict[str, Any], annotated_case: dict[str, Any]
) -> None:
    genomes = samples(server, world, "giab")
    assert len(genomes) == 3
    for s in genomes:
        a = s["attributes"]["vardesk"]["annotation"]
        assert (a["source"], a["tag"], a["synthetic"], a["label"]) == (
            "pipeline",
            "BCSQ",
            False,
            "pipeline: BCSQ",
        )
        assert a["bundle"] != demo["grch37_bundle"] and a["banner"] == ""
    r = api(
        server,
        "GET",
        "/analysis/variant/query",
        world.member("lab-a", Role.ANALYST).basic,
        params={"study": "giab:default", "gene": "SAMD11", "sample": "HG002", "limit": "1000"},
    )
    hits = result(r) and r.json()["responses"][0]["results"]
    assert len(hits) >= 5 and all(
        "SAMD11" in {ct["geneName"] for ct in v["annotation"]["consequenceTypes"]} for v in hits
    )
    info = annotated_case["attributes"]["vardesk"]
    assert info["analysisResult"] == {"id": "INTERPRETABLE", "reason": ""}
    assert info["syntheticReferenceData"] is False and info["banner"] == ""
    member_sources = {
        m["relation"]: m["samples"][0]["annotation"]["label"] for m in annotated_case["family"]["members"]
    }
    assert member_sources == {
        "PROBAND": "pipeline: BCSQ",
        "FATHER": "pipeline: BCSQ",
        "MOTHER": "pipeline: BCSQ",
    }


def test_without_annotation_the_case_is_not_interpretable_never_negative(
    server: LiveServer, world: World, stripped_case: dict[str, Any], tmp_path: Path
) -> None:
    for s in samples(server, world, "stripped"):
        a = s["attributes"]["vardesk"]["annotation"]
        assert a["source"] == "none" and a["label"].startswith("not annotated: ")
        assert (
            "no reference bundle is enabled for GRCh37" in a["reason"]
            and "no CSQ, ANN or BCSQ" in a["reason"]
        )
    result_doc = stripped_case["attributes"]["vardesk"]["analysisResult"]
    assert (
        result_doc["id"] == "NOT_INTERPRETABLE"
        and "proband's genome is not annotated" in result_doc["reason"]
    )
    assert "not interpretable" in stripped_case["status"]["description"]

    analyst = world.member("lab-a", Role.ANALYST).basic
    text = preview_text(server, analyst, "stripped:default", "TRIO", tmp_path)
    flat = " ".join(text.split())
    assert "Result: NOT INTERPRETABLE" in flat and "NEGATIVE" not in flat
    assert "No reportable variants were identified" not in flat
    assert "not annotated" in flat and "Annotation sources" in flat

    director = world.member("lab-a", Role.DIRECTOR).basic
    r = api(server, "POST", "/analysis/clinical/TRIO/approve?study=stripped:default", director)
    assert r.status_code == 422, r.text
    assert "not interpretable" in r.json()["events"][0]["message"]
    assert "not annotated" in r.json()["events"][0]["message"]
    c = result(api(server, "GET", "/analysis/clinical/TRIO/info?study=stripped:default", analyst))
    assert c["status"]["id"] == "READY TO REVIEW"  # not signed


def test_the_demo_trio_is_ready_with_candidates_and_says_it_is_synthetic(
    server: LiveServer, demo: dict[str, Any], tmp_path: Path
) -> None:
    key = (demo["api_key"]["login"], demo["api_key"]["password"])

    def ready() -> dict[str, Any] | None:
        c = result(api(server, "GET", "/analysis/clinical/DEMO-TRIO/info?study=demo:default", key))
        assert c["status"]["id"] != "FAILED", c["status"]
        return c if c["status"]["id"] == "READY TO REVIEW" else None

    case = wait(ready)
    info = case["attributes"]["vardesk"]
    assert info["analysisResult"]["id"] == "INTERPRETABLE"
    assert info["syntheticReferenceData"] is True and info["banner"] == BANNER
    r = api(server, "GET", "/analysis/clinical/interpretation/DEMO-TRIO.1/info?study=demo:default", key)
    assert result(r)["primaryFindings"]  # candidates
    labels = {m["samples"][0]["annotation"]["label"] for m in case["family"]["members"]}
    assert len(labels) == 1 and labels.pop().endswith(BANNER)
    text = " ".join(preview_text(server, key, "demo:default", "DEMO-TRIO", tmp_path).split())
    assert BANNER in text
