"""With the blob store in an S3-compatible bucket (a moto server on loopback) and encryption at rest on: a
trio VCF is uploaded and indexed through the API and queried (then, with VARDESK_TEST_S3_DEMO=1, the demo
workspace is seeded and its trio indexed too), and afterwards no
blob exists on local disk — the data directory holds the signing secret and the scratch area's lock files,
the scratch area nothing else — while the bucket lists the uploads (encrypted), the genomes' Parquet, the
annotation and in-house counts, the bundles and the record of key ids."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from tests.api.native.test_variants_flow import upload_and_index, wait_job
from tests.conftest import TESTDATA, LiveServer, make_settings
from tests.s3server import MotoS3, aws_environment
from tests.world import World, build_world
from vardesk.app.composition import Services, build_services
from vardesk.cli.demo import seed_demo
from vardesk.domain.enums import Role
from vardesk.storage.encryption import MAGIC
from vardesk.storage.keys import new_key_line

API = "/api/v2"
TRIO = TESTDATA / "reference-slices" / "grch37-SAMD11" / "ashk_SAMD11.vcf.gz"
PREFIX = "lab/vardesk"
DEMO_ENV = "VARDESK_TEST_S3_DEMO"


@pytest.fixture(scope="module")
def bucket(s3_server: MotoS3) -> Iterator[str]:
    with aws_environment(s3_server.env):
        yield s3_server.new_bucket("lab-store")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("s3-world") / "data"


@pytest.fixture(scope="module")
def services(bucket: str, data_dir: Path) -> Iterator[Services]:
    settings = replace(
        make_settings(data_dir, f"sqlite:///{data_dir.parent / 'catalog.db'}"),  # the catalog: not a blob
        storage_url=f"s3://{bucket}/{PREFIX}",
        encryption_key=new_key_line("k1"),
    )
    svc = build_services(settings)
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def world(services: Services) -> World:
    w = build_world(services, ("lab-a",))
    analyst = w.member("lab-a", Role.ANALYST).actor
    services.projects.create_project(analyst, {"id": "trio", "organism": {"assembly": "GRCh37"}})
    return w


@pytest.fixture(scope="module")
def server(services: Services, world: World) -> Iterator[LiveServer]:
    with LiveServer(services) as srv:
        yield srv


@pytest.fixture(scope="module")
def indexed(server: LiveServer, world: World) -> dict:
    auth = world.member("lab-a", Role.ANALYST).basic
    f, _ = upload_and_index(server, auth, TRIO, "trio:default")
    return f


def test_an_import_is_queried_from_the_bucket(server: LiveServer, world: World, indexed: dict) -> None:
    r = requests.get(
        server.url + API + "/analysis/variant/query",
        params={"study": "trio:default", "includeSample": "all", "limit": 500},
        auth=world.member("lab-a", Role.VIEWER).basic,
        timeout=60,
    )
    assert r.status_code == 200, r.text
    variants = r.json()["responses"][0]["results"]
    assert len(variants) == 7 and all(v["chromosome"] == "1" for v in variants)  # every record of the VCF


def test_no_blob_on_local_disk_and_the_bucket_holds_them(
    services: Services, s3_server: MotoS3, bucket: str, data_dir: Path, indexed: dict
) -> None:
    blobs = check_disk_and_bucket(services, s3_server, bucket, data_dir)
    assert {b.split("/", 1)[0] for b in blobs} >= {"uploads", "genomes", "inhouse", "encryption"}
    assert len([b for b in blobs if b.startswith("uploads/")]) == 1
    assert len([b for b in blobs if "/genotypes/" in b]) == 3  # one Parquet per sample of the trio


@pytest.mark.skipif(not os.environ.get(DEMO_ENV), reason=f"the demo takes ~20 s: set {DEMO_ENV}=1")
def test_after_the_demo_too(
    services: Services, server: LiveServer, s3_server: MotoS3, bucket: str, data_dir: Path, indexed: dict
) -> None:
    info = seed_demo(services)
    login = (info["api_key"]["login"], info["api_key"]["password"])
    done = wait_job(server, login, info["demo_data"]["index_job"])
    assert done["internal"]["status"]["id"] == "DONE", done
    r = requests.get(
        server.url + API + "/analysis/clinical/DEMO-TRIO/info", params={"study": info["study"]}, auth=login
    )
    assert r.status_code == 200 and r.json()["responses"][0]["results"][0]["id"] == "DEMO-TRIO"
    blobs = check_disk_and_bucket(services, s3_server, bucket, data_dir)
    assert {b.split("/", 1)[0] for b in blobs} >= {"uploads", "genomes", "annotations", "inhouse", "bundles"}
    assert len([b for b in blobs if b.startswith("uploads/")]) == 2
    assert len([b for b in blobs if "/genotypes/" in b]) == 3 + 3  # the demo trio and the uploaded trio


def check_disk_and_bucket(services: Services, s3: MotoS3, bucket: str, data_dir: Path) -> list[str]:
    """Assert that nothing but scratch is on local disk and the bucket's uploads are encrypted; return the
    blob keys in the bucket."""
    time.sleep(0.2)  # the jobs' scratch work is removed as they finish
    scratch = data_dir / "scratch"
    bundle_ids = (
        {b.split("/")[1] for b in services.store.list("bundles")}
        if services.store.exists("bundles")
        else set()
    )
    held = [p for p in scratch.iterdir() if p.name != ".locks"]
    for work in held:  # only the annotation bundles held open (materialised once): no genome, no upload
        assert {q.name for q in work.iterdir()} <= bundle_ids, list(work.iterdir())
    local = sorted(
        p.relative_to(data_dir).as_posix()
        for p in data_dir.rglob("*")
        if p.is_file()
        and not any(p.is_relative_to(d) for d in [data_dir / "demo", scratch / ".locks", *held])
    )
    assert local == ["secret.key"]  # the demo's own synthetic inputs in demo/ are sources, not blobs
    assert not (data_dir / "blobs").exists()
    keys = s3.keys(bucket)
    assert keys and all(k.startswith(PREFIX + "/") for k in keys)
    blobs = [k[len(PREFIX) + 1 :] for k in keys]
    assert "encryption/keys.json" in blobs  # key ids and check values only; the key stays in the settings
    client = s3.client()
    for key in (b for b in blobs if b.startswith("uploads/")):  # encrypted at rest in the bucket
        head = client.get_object(Bucket=bucket, Key=f"{PREFIX}/{key}", Range="bytes=0-7")["Body"].read()
        assert head == MAGIC
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    return blobs
