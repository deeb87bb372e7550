"""Pipeline frequencies and scores through the native API: OpenCGA's filters and JSON places."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.annotate.test_preannotated import VEP_SCORED
from tests.api.native.test_variants_flow import GIAB, upload_and_index
from tests.app.test_variant_search import _with_sample
from tests.conftest import LiveServer
from tests.world import World, build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

API = "/api/v2"


@pytest.fixture(scope="module")
def world(module_services: Services) -> World:
    w = build_world(module_services, ("lab-a",))
    for project, assembly in (("vep", "GRCh38"), ("giab", "GRCh37")):
        body = {"id": project, "organism": {"assembly": assembly}}
        module_services.projects.create_project(w.member("lab-a", Role.ANALYST).actor, body)
    return w


@pytest.fixture(scope="module")
def server(
    module_services: Services, world: World, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    auth = world.member("lab-a", Role.ANALYST).basic
    vcf = tmp_path_factory.mktemp("vep") / "patient1.vep.vcf"
    vcf.write_text(_with_sample(VEP_SCORED))
    with LiveServer(module_services) as srv:
        for study, path in (("vep:default", vcf), ("giab:default", GIAB)):
            upload_and_index(srv, auth, path, study)
        yield srv


def query(server: LiveServer, world: World, study: str, **params: str) -> requests.Response:
    auth = world.member("lab-a", Role.ANALYST).basic
    return requests.get(
        server.url + API + "/analysis/variant/query",
        params={"study": study, "count": "true", **params},
        auth=auth,
        timeout=60,
    )


def ids(r: requests.Response) -> list[str]:
    assert r.status_code == 200, r.text
    res = r.json()["responses"][0]
    assert res["numMatches"] == len(res["results"])
    return [v["id"] for v in res["results"]]


HIS, STOP, SYN = "7:117530975:G:A", "7:117530975:G:T", "7:117531000:C:G"


def test_score_and_frequency_filters(server: LiveServer, world: World) -> None:
    assert ids(query(server, world, "vep:default")) == [HIS, STOP, SYN]
    assert ids(query(server, world, "vep:default", proteinSubstitution="revel>0.5")) == [HIS]
    assert ids(query(server, world, "vep:default", proteinSubstitution="alphamissense>=0.9")) == [HIS]
    assert ids(query(server, world, "vep:default", functionalScore="cadd_scaled>30")) == [STOP]
    assert ids(query(server, world, "vep:default", functionalScore="cadd_scaled>20,spliceai>0.1")) == [
        HIS,
        STOP,
    ]
    assert ids(query(server, world, "vep:default", functionalScore="cadd_scaled>20;spliceai>0.1")) == [STOP]
    assert ids(query(server, world, "vep:default", populationFrequencyAlt="GNOMAD_EXOMES:ALL<0.001")) == [
        STOP,
        SYN,
    ]  # 0.0012 is too common; the other two have no gnomAD frequency and stay
    for bad in (
        {"functionalScore": "cadd_raw>2"},
        {"proteinSubstitution": "polyphen>0.1"},
        {"proteinSubstitution": "revel=>1"},
    ):
        r = query(server, world, "vep:default", **bad)
        assert r.status_code == 400, r.text


def test_a_genome_without_frequencies_answers_a_frequency_filter(server: LiveServer, world: World) -> None:
    every = query(server, world, "giab:default", sample="HG002", limit="1")
    rare = query(
        server, world, "giab:default", sample="HG002", limit="1", populationFrequencyAlt="gnomad:ALL<0.01"
    )
    assert every.status_code == rare.status_code == 200, rare.text
    total = every.json()["responses"][0]["numMatches"]
    assert total > 1000 and rare.json()["responses"][0]["numMatches"] == total
    scored = query(server, world, "giab:default", sample="HG002", limit="1", proteinSubstitution="revel>0")
    assert scored.status_code == 200 and scored.json()["responses"][0]["numMatches"] == 0


def _variant(server: LiveServer, world: World, vid: str) -> dict[str, Any]:
    r = query(server, world, "vep:default", id=vid)
    (v,) = r.json()["responses"][0]["results"]
    return v


def test_the_variant_json_carries_them_in_opencga_places(server: LiveServer, world: World) -> None:
    ann = _variant(server, world, HIS)["annotation"]
    freqs = {(p["study"], p["population"]): p["altAlleleFreq"] for p in ann["populationFrequencies"]}
    assert freqs[("GNOMAD_EXOMES", "ALL")] == 0.0012 and freqs[("GNOMAD_GENOMES", "ALL")] == 0.0009
    assert freqs[("GNOMAD", "ALL")] == pytest.approx(0.0012) and freqs[("GNOMAD", "GRPMAX")] == pytest.approx(
        0.002
    )
    assert {(s["source"], s["score"]) for s in ann["functionalScore"]} == {
        ("cadd_scaled", 24.1),
        ("spliceai", 0.03),
    }
    (mane,) = [ct for ct in ann["consequenceTypes"] if ct["transcriptId"] == "ENST00000003084"]
    assert "MANE Select" in mane["transcriptFlags"]
    scores = {(s["source"], s["score"]) for s in mane["proteinVariantAnnotation"]["substitutionScores"]}
    assert scores == {("revel", 0.7), ("alphamissense", 0.9127)}
    stop = _variant(server, world, STOP)["annotation"]
    assert [p for p in stop["populationFrequencies"] if p["study"].startswith("GNOMAD")] == []
    assert all("proteinVariantAnnotation" not in ct for ct in stop["consequenceTypes"])  # no REVEL for it


def test_the_sample_names_the_pipeline_fields_read(server: LiveServer, world: World) -> None:
    auth = world.member("lab-a", Role.VIEWER).basic
    r = requests.get(
        server.url + API + "/samples/search", params={"study": "vep:default"}, auth=auth, timeout=30
    )
    (sample,) = r.json()["responses"][0]["results"]
    annotation = sample["attributes"]["vardesk"]["annotation"]
    assert annotation["source"] == "pipeline" and annotation["tag"] == "CSQ"
    assert annotation["fields"]["revel"] == "CSQ/REVEL"
    assert annotation["fields"]["gnomad_exomes_af"] == "CSQ/gnomADe_AF"
    r = requests.get(
        server.url + API + "/samples/search", params={"study": "giab:default"}, auth=auth, timeout=30
    )
    assert all(
        "fields" not in s["attributes"]["vardesk"]["annotation"] for s in r.json()["responses"][0]["results"]
    )
