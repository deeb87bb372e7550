"""Re-importing a VCF into the same study over the native API: refused with a JSON error naming the sample
and the existing genome, unless the request names the new samples (sampleNames) or asks for numbered copies
(renameSamples)."""

from __future__ import annotations

import requests

from tests.app.test_chain_inputs import S1
from tests.conftest import LiveServer
from tests.world import build_world
from vardesk.domain.enums import Role

API = "/api/v2"


def _upload(server: LiveServer, auth: tuple[str, str], name: str, **fields: str) -> requests.Response:
    return requests.post(
        server.url + API + "/files/upload",
        data={"study": "dup:default", **fields},
        files={"file": (name, S1.encode(), "application/octet-stream")},
        auth=auth,
        timeout=60,
    )


def _samples(server: LiveServer, auth: tuple[str, str]) -> list[tuple[str, str]]:
    r = requests.get(server.url + API + "/samples/search", params={"study": "dup:default"}, auth=auth)
    assert r.status_code == 200, r.text
    return [(s["id"], s["attributes"]["vardesk"]["sampleName"]) for s in r.json()["responses"][0]["results"]]


def test_a_second_import_of_a_sample_is_refused_or_explicit(live_server: LiveServer) -> None:
    world = build_world(live_server.services, ("lab-a",))
    analyst = world.member("lab-a", Role.ANALYST)
    live_server.services.projects.create_project(
        analyst.actor, {"id": "dup", "organism": {"assembly": "GRCh37"}}
    )
    auth = analyst.basic
    first = _upload(live_server, auth, "s1.vcf")
    assert first.status_code == 200, first.text
    genome_id = live_server.services.files.search_files(analyst.actor, "dup:default", {})[0].genomes[0].id

    again = _upload(live_server, auth, "s1-rerun.vcf")
    assert again.status_code == 400 and again.headers["content-type"] == "application/json"
    message = again.json()["events"][0]["message"]
    assert "'S1' already exists" in message and f"genome {genome_id}" in message
    assert first.json()["responses"][0]["results"][0]["id"] in message and "s1.vcf" not in message
    assert _samples(live_server, auth) == [("S1", "S1")]

    named = _upload(live_server, auth, "s1-rerun.vcf", sampleNames="S1=S1-rerun")
    assert named.status_code == 200, named.text
    assert named.json()["responses"][0]["results"][0]["sampleIds"] == ["S1-rerun"]
    copy = _upload(live_server, auth, "s1-copy.vcf", renameSamples="true")
    assert copy.status_code == 200, copy.text
    assert copy.json()["responses"][0]["results"][0]["sampleIds"] == ["S1_2"]
    assert _samples(live_server, auth) == [("S1", "S1"), ("S1-rerun", "S1"), ("S1_2", "S1")]

    bad = _upload(live_server, auth, "s1-bad.vcf", sampleNames="S1")
    assert bad.status_code == 400 and "sampleNames entries" in bad.json()["events"][0]["message"]
    bad = _upload(live_server, auth, "s1-bad.vcf", renameSamples="perhaps")
    assert bad.status_code == 400 and "renameSamples" in bad.json()["events"][0]["message"]
