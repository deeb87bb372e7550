"""An S3-compatible storage provider (a moto server on loopback): registered, listed through the face, and
a trio read from it goes from case creation to Delivered."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.conformance.emedgene.conftest import SLICE, call, wait
from tests.conformance.emedgene.test_storage_trio import _trio
from tests.conftest import LiveServer
from tests.s3server import CREDENTIALS, MotoS3, aws_environment
from vardesk.app.composition import Services
from vardesk.domain.errors import Invalid


@pytest.fixture(scope="module")
def s3(s3_server: MotoS3) -> Iterator[str]:
    with aws_environment(CREDENTIALS):
        client = s3_server.client()
        client.create_bucket(Bucket="lab-runs")
        client.upload_file(
            str(SLICE / "ashk_SAMD11.vcf.gz"), "lab-runs", "novaseq/run1/trio/trio.hard-filtered.vcf.gz"
        )
        client.put_object(Bucket="lab-runs", Key="novaseq/run1/trio/trio.bam", Body=b"not a bam")
        client.put_object(Bucket="lab-runs", Key="elsewhere/secret.vcf", Body=b"##fileformat=VCFv4.2\n")
        yield s3_server.endpoint


@pytest.fixture(scope="module")
def s3_provider(module_services: Services, server: LiveServer, s3: str) -> int:
    ws = module_services.admin.get_workspace("lab-a")
    provider = module_services.storage_providers.add_s3(
        ws.id or 0, "NovaSeq bucket", "s3://lab-runs/novaseq", endpoint_url=s3
    )
    return provider.id or 0


def test_registration_needs_a_listable_bucket(module_services: Services, server: LiveServer, s3: str) -> None:
    ws = module_services.admin.get_workspace("lab-a")
    with pytest.raises(Invalid, match="cannot be listed"):
        module_services.storage_providers.add_s3(
            ws.id or 0, "Missing", "s3://no-such-bucket/x", endpoint_url=s3
        )
    with pytest.raises(Invalid, match="s3://bucket/prefix"):
        module_services.storage_providers.add_s3(ws.id or 0, "Bad", "https://lab-runs", endpoint_url=s3)


def test_listing_an_s3_provider(server: LiveServer, analyst: dict[str, str], s3_provider: int) -> None:
    one = call(server, "GET", f"/api/storage/{s3_provider}", analyst).json()
    assert one["scheme"] == "s3"
    root = call(server, "GET", f"/api/storage/{s3_provider}/fs/list", analyst).json()
    assert [(r["name"], r["type"]) for r in root["resources"]] == [("run1", "directory")]  # not elsewhere/
    trio = call(
        server, "GET", f"/api/storage/{s3_provider}/fs/list", analyst, params={"path": "/run1/trio"}
    ).json()
    assert [(r["name"], r["size"] > 0) for r in trio["resources"]] == [
        ("trio.bam", True),
        ("trio.hard-filtered.vcf.gz", True),
    ]
    r = call(server, "GET", f"/api/storage/{s3_provider}/fs/list", analyst, params={"path": "/../elsewhere"})
    assert r.status_code == 400


def test_a_trio_read_from_s3(server: LiveServer, analyst: dict[str, str], s3_provider: int) -> None:
    body = _trio(s3_provider)
    for sample in body["test_data"]["samples"]:
        sample["sampleFiles"] = [f for f in sample["sampleFiles"] if f["path"].endswith(".vcf.gz")]
    r = call(server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(body))
    assert r.status_code == 201, r.text
    name = r.json()["name"]

    def delivered() -> bool:
        return (
            call(server, "GET", f"/api/test/{name}", analyst, params={"test_fields": "status"}).json()[
                "status"
            ]
            == "Delivered"
        )

    wait(delivered)
    assert call(server, "GET", f"/api/candidates/{name}", analyst).json()["hits"]
    body["test_data"]["samples"][0]["sampleFiles"][0]["path"] = "/run1/trio/missing.vcf.gz"
    r = call(server, "POST", "/api/cases/v2/cases?dry_run=true", analyst, data=json.dumps(body))
    assert r.status_code == 404 and "no such file" in r.json()["message"]
