"""A live server with one workspace, the SAMD11 reference slice installed, and single-sample VCFs of HG002."""

from __future__ import annotations

import bz2
import gzip
import time
from collections.abc import Iterator
from pathlib import Path

import pysam
import pytest
import requests

from tests.api.openapi_responses import check_response
from tests.conftest import TESTDATA, LiveServer
from tests.world import World, build_world
from vardesk.annotate.bundle import build_bundle
from vardesk.app.composition import Services

GIAB = TESTDATA / "giab-trio-grch37" / "ashk-trio.vcf.gz"
SLICE = TESTDATA / "reference-slices" / "grch37-SAMD11"
FABRIC = "/fabric"


@pytest.fixture(scope="module")
def world(module_services: Services, tmp_path_factory: pytest.TempPathFactory) -> World:
    w = build_world(module_services, ("lab-a", "lab-b"))
    bundle = tmp_path_factory.mktemp("bundle") / "samd11"
    build_bundle(
        build="GRCh37",
        gff3=SLICE / "SAMD11.grch37.gff3",
        fasta=SLICE / "grch37_chr1_860k.fa.gz",
        out=bundle,
        version="slice-1",
    )
    module_services.annotation.install(bundle, default=True)  # the server default for GRCh37
    return w


@pytest.fixture(scope="module")
def server(module_services: Services, world: World) -> Iterator[LiveServer]:
    with LiveServer(module_services) as srv:
        yield srv


@pytest.fixture(scope="module")
def vcf(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """HG002 alone, as plain text, gzip and bzip2 bytes (what Fabric scripts PUT)."""
    out = tmp_path_factory.mktemp("vcf") / "hg002.vcf"
    with pysam.VariantFile(str(GIAB)) as src:
        src.subset_samples(["HG002"])
        with pysam.VariantFile(str(out), "w", header=src.header) as dst:
            for rec in src:
                dst.write(rec)
    plain = out.read_bytes()
    return {"vcf": plain, "vcf.gz": gzip.compress(plain), "vcf.bz2": bz2.compress(plain)}


def call(
    server: LiveServer, method: str, path: str, who: tuple[str, str] | None, **kw: object
) -> requests.Response:
    """A request as the scripts make it: never following redirects. The answer must match the committed
    OpenAPI document (status, media type, JSON schema)."""
    r = requests.request(  # type: ignore[arg-type]
        method, server.url + FABRIC + path, auth=who, timeout=60, allow_redirects=False, **kw
    )
    check_response(r, method, FABRIC + path.split("?")[0])
    return r


def wait(predicate, timeout: float = 120):  # type: ignore[no-untyped-def]
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.time() < deadline, "timed out"
        time.sleep(0.25)


def raw(data: bytes) -> dict[str, object]:
    """A body sent like ``requests.put(url, data=open(f).read())``: requests then sends no Content-Type."""
    return {"data": data}


__all__ = ["Path", "call", "raw", "wait"]
