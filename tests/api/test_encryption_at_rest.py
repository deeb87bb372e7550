"""Encryption at rest through a real server: upload → index → case → preview PDF → exports with a key file
configured. What the clients get back is the plaintext; what the store holds under uploads/, reports/ and
exports/ is ciphertext; a damaged stored report is a clear 422 on both faces, never a 500."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.api.phi_world import API, CANARIES, CASE, STUDY, Scenario, prepare, run
from tests.conftest import LiveServer, fresh_database_url, make_settings
from tests.world import wait_done
from vardesk.app.composition import Services, build_services
from vardesk.app.encryption import generate_key
from vardesk.storage.encryption import MAGIC, parse_header

KEY_ID = "lab-2026"


@pytest.fixture(scope="module")
def encrypted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    tmp = tmp_path_factory.mktemp("encrypted")
    key_file = tmp / "vardesk.keys"
    generate_key(KEY_ID, key_file)
    gen = fresh_database_url("sqlite", tmp)
    settings = make_settings(tmp / "data", next(gen), encryption_key_file=str(key_file))
    services = build_services(settings)
    yield services
    services.close()
    gen.close()


@pytest.fixture(scope="module")
def scenario(encrypted: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    tmp = tmp_path_factory.mktemp("scenario")
    world = prepare(encrypted, tmp)
    with LiveServer(encrypted) as server:
        yield run(server, world, tmp)


def blob_files(services: Services, prefix: str) -> list[Path]:
    root = Path(services.settings.data_dir) / "blobs" / prefix
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def test_the_stored_upload_is_ciphertext_and_indexes(scenario: Scenario) -> None:
    services = scenario.server.services
    (upload,) = blob_files(services, f"uploads/{scenario.file_uuid}")
    raw = upload.read_bytes()
    header = parse_header(raw)
    assert header is not None and header.key_id == KEY_ID
    assert not raw.startswith(b"\x1f\x8b") and b"##fileformat" not in raw
    # the index job read it (through a decrypted scratch copy) and the case found its variants
    assert scenario.case["status"]["id"] == "READY TO REVIEW"
    plain = gzip.decompress(services.store.read_bytes(f"uploads/{scenario.file_uuid}/{upload.name}"))
    assert CANARIES["proband"].encode() in plain
    # the variant store itself is not encrypted by the store (volume encryption covers it)
    parquet = blob_files(services, f"genomes/{scenario.file_uuid}")
    assert parquet and all(p.read_bytes()[:4] == b"PAR1" for p in parquet if p.suffix == ".parquet")


def test_the_stored_report_is_ciphertext_and_served_as_a_pdf(scenario: Scenario) -> None:
    services = scenario.server.services
    (pdf_blob,) = blob_files(services, "reports")
    raw = pdf_blob.read_bytes()
    assert raw.startswith(MAGIC) and b"%PDF" not in raw
    r = scenario.call("GET", API + f"/analysis/clinical/{CASE}/report/preview?study={STUDY}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    fab = services.settings.fabric_prefix.rstrip("/")
    r = scenario.call("GET", f"{fab}/reports/{scenario.report_id}/pdf_preview")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_an_export_job_is_stored_encrypted_and_downloads_as_plaintext(scenario: Scenario) -> None:
    services = scenario.server.services
    r = scenario.call("POST", API + f"/analysis/variant/export/run?study={STUDY}&format=vcf")
    assert r.status_code == 200, r.text
    job = r.json()["responses"][0]["results"][0]["id"]
    wait_done(services, job)
    (stored,) = blob_files(services, "exports")
    raw = stored.read_bytes()
    assert raw.startswith(MAGIC) and b"##fileformat" not in raw and b"SAMD11" not in raw
    r = scenario.call("GET", API + f"/analysis/variant/export/download?job={job}")
    assert r.status_code == 200, r.text
    assert r.content.startswith(b"##fileformat=VCF") and b"gene_symbol=SAMD11" in r.content
    assert int(r.headers["Content-Length"]) == len(r.content)


def test_a_damaged_stored_report_is_a_clear_refusal_not_a_500(scenario: Scenario) -> None:
    services = scenario.server.services
    (pdf_blob,) = blob_files(services, "reports")
    good = pdf_blob.read_bytes()
    damaged = bytearray(good)
    damaged[-20] ^= 0xFF
    pdf_blob.write_bytes(bytes(damaged))
    try:
        r = scenario.call("GET", API + f"/analysis/clinical/{CASE}/report/preview?study={STUDY}")
        assert r.status_code == 422, r.text
        (event,) = r.json()["events"]
        assert event["type"] == "ERROR" and "failed its integrity check" in event["message"]
        fab = services.settings.fabric_prefix.rstrip("/")
        r = requests.get(
            scenario.server.url + f"{fab}/reports/{scenario.report_id}/pdf_preview",
            auth=scenario.analyst,
            timeout=60,
        )
        assert r.status_code == 422 and "integrity check" in r.json()["description"]
    finally:
        pdf_blob.write_bytes(good)
