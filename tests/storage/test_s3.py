"""The S3-compatible blob store on a moto server on loopback, beyond the shared contract: multipart uploads
completed whole or aborted, keys under the prefix, the standard AWS environment, scratch copies that go
away, DuckDB reading objects in place, encryption at rest over the bucket, and the start-up sweep."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.s3server import MotoS3, aws_environment
from tests.storage.test_blobs import Broken
from vardesk.domain.errors import Invalid, NotFound
from vardesk.storage.blobs import open_store
from vardesk.storage.encryption import MAGIC, EncryptedBlobStore, secure_store
from vardesk.storage.keys import parse_keyring
from vardesk.storage.objectfs import PROTOCOL
from vardesk.storage.s3 import PART_SIZE, S3BlobStore, parse_store_url
from vardesk.variants.engine import engine, register_filesystem

BIG = PART_SIZE * 2 + 12345  # three parts: two full, one short


@pytest.fixture
def store(s3_server: MotoS3, tmp_path: Path) -> S3BlobStore:
    with aws_environment(s3_server.env):
        made = open_store(f"s3://{s3_server.new_bucket()}/lab/blobs", scratch=tmp_path / "scratch")
    assert isinstance(made, S3BlobStore)
    return made


def test_the_url_names_bucket_and_prefix() -> None:
    assert parse_store_url("s3://lab-store/vardesk/prod/") == ("lab-store", "vardesk/prod")
    assert parse_store_url("s3://lab-store") == ("lab-store", "")
    for bad in ("s3://", "s3:///x", "s3://b/../x", "https://b/x"):
        with pytest.raises(Invalid, match="s3://bucket/prefix"):
            parse_store_url(bad)
    with pytest.raises(Invalid, match="scratch"):
        open_store("s3://lab-store/x")
    with pytest.raises(Invalid, match="file:// or s3://"):
        open_store("gs://lab-store/x")


def test_the_standard_aws_environment_configures_the_client(s3_server: MotoS3, tmp_path: Path) -> None:
    bucket = s3_server.new_bucket()
    with aws_environment(s3_server.env | {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}):  # nothing listens
        elsewhere = open_store(f"s3://{bucket}/p", scratch=tmp_path / "s")
    assert elsewhere.client.meta.endpoint_url == "http://127.0.0.1:9"  # type: ignore[attr-defined]
    assert elsewhere.client.meta.region_name == "us-east-1"  # type: ignore[attr-defined]
    with aws_environment(s3_server.env):
        store = open_store(f"s3://{bucket}/p", scratch=tmp_path / "s")
    store.put_bytes("uploads/a/x", b"1")
    assert s3_server.keys(bucket) == ["p/uploads/a/x"]  # every blob under the prefix


def test_a_large_stream_goes_up_in_parts_and_reads_back_by_range(
    store: S3BlobStore, s3_server: MotoS3
) -> None:
    data = os.urandom(BIG)
    assert store.put_stream("uploads/big/upload.vcf.gz", io.BytesIO(data)) == BIG
    head = s3_server.client().head_object(Bucket=store.bucket, Key="lab/blobs/uploads/big/upload.vcf.gz")
    assert head["ETag"].strip('"').endswith("-3")  # a completed multipart upload of three parts
    assert store.size("uploads/big/upload.vcf.gz") == BIG
    assert (
        store.read_range("uploads/big/upload.vcf.gz", PART_SIZE - 5, 10)
        == data[PART_SIZE - 5 : PART_SIZE + 5]
    )
    with store.open("uploads/big/upload.vcf.gz") as fh:
        fh.seek(BIG - 100)
        assert fh.read() == data[-100:]
        fh.seek(10)
        assert fh.read(5) == data[10:15]
    assert store.pending_uploads() == []


def test_a_failed_multipart_upload_is_aborted_and_the_old_blob_stays(store: S3BlobStore) -> None:
    store.put_bytes("uploads/m/upload.vcf", b"the old version")
    with pytest.raises(ConnectionResetError):
        store.put_stream("uploads/m/upload.vcf", Broken(os.urandom(PART_SIZE + 1)))  # type: ignore[arg-type]
    assert store.read_bytes("uploads/m/upload.vcf") == b"the old version"
    assert store.pending_uploads() == []  # no part is left in the bucket


def test_materialise_copies_into_scratch_and_removes_the_copy(store: S3BlobStore) -> None:
    store.put_bytes("bundles/b1/manifest.json", b"{}")
    store.put_bytes("bundles/b1/data/genes.parquet", b"PAR1")
    with store.materialise("bundles/b1") as local:
        assert local.is_relative_to(store.scratch_root)
        assert (local / "manifest.json").read_bytes() == b"{}"
        assert (local / "data" / "genes.parquet").read_bytes() == b"PAR1"
    assert not local.exists()
    assert [p.name for p in store.scratch_root.iterdir()] == [".locks"]


def test_a_failed_directory_upload_removes_what_it_wrote(store: S3BlobStore, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "genotypes").mkdir(parents=True)
    (out / "genotypes" / "0.parquet").write_bytes(b"g")
    (out / "z").mkdir()
    (out / "z" / "unreadable").symlink_to("/proc/self/mem")  # a regular file whose reading fails (EIO)
    with pytest.raises(OSError):
        store.put_dir("genomes/g1", out)
    assert store.list("genomes/g1") == []  # the genotypes written before were removed again
    shutil.rmtree(out / "z")
    (out / "coverage").mkdir()
    (out / "coverage" / "0.parquet").write_bytes(b"c")
    (out / "summary.json").write_bytes(b"{}")
    store.put_dir("genomes/g1", out)
    assert store.list("genomes/g1") == [
        "genomes/g1/coverage/0.parquet",
        "genomes/g1/genotypes/0.parquet",
        "genomes/g1/summary.json",
    ]
    assert not out.exists()  # moved into the store


def test_duckdb_reads_the_parquet_in_the_bucket_in_place(store: S3BlobStore, tmp_path: Path) -> None:
    register_filesystem(store.filesystem())
    table = pa.table({"key": list(range(50_000)), "chrom": ["1"] * 50_000})
    pq.write_table(table, tmp_path / "g.parquet", row_group_size=10_000)
    store.put_file("genomes/g/genotypes/0.parquet", tmp_path / "g.parquet")
    before = set(store.scratch_root.rglob("*"))
    with store.query_paths(["genomes/g/genotypes/0.parquet"]) as (path,), engine().cursor() as con:
        assert path == f"{PROTOCOL}://{store.bucket}/lab/blobs/genomes/g/genotypes/0.parquet"
        rows = con.execute("SELECT count(*), max(key) FROM read_parquet(?) WHERE key >= 40000", [path])
        assert rows.fetchall() == [(10_000, 49_999)]
        assert set(store.scratch_root.rglob("*")) == before  # nothing copied to local disk


def test_encryption_at_rest_over_the_bucket(store: S3BlobStore, s3_server: MotoS3, tmp_path: Path) -> None:
    ring = parse_keyring("k1 " + "A" * 43 + "=", "test")
    secured = secure_store(store, ring)
    assert isinstance(secured, EncryptedBlobStore)
    data = b"##fileformat=VCFv4.2\nchr1\t12345\tPATIENT\n" * 5000
    secured.put_stream("uploads/e/upload.vcf", io.BytesIO(data))
    body = (
        s3_server.client()
        .get_object(Bucket=store.bucket, Key="lab/blobs/uploads/e/upload.vcf")["Body"]
        .read()
    )
    assert body.startswith(MAGIC) and b"PATIENT" not in body
    assert secured.read_bytes("uploads/e/upload.vcf") == data
    assert secured.read_range("uploads/e/upload.vcf", 70_000, 50) == data[70_000:70_050]
    with secured.materialise("uploads/e/upload.vcf") as local:
        assert local.read_bytes() == data and local.is_relative_to(store.scratch_root)
    assert not local.exists()
    with secured.query_paths(["uploads/e/upload.vcf"]) as (plain,):
        assert Path(plain).read_bytes() == data  # a covered blob: a decrypted scratch copy
    assert not Path(plain).exists()
    assert "lab/blobs/encryption/keys.json" in s3_server.keys(store.bucket)  # key ids only, no key
    with pytest.raises(NotFound):
        secured.read_bytes("uploads/none")


def test_the_sweep_aborts_stale_uploads_and_a_dead_processes_scratch(store: S3BlobStore) -> None:
    client = store.client
    client.create_multipart_upload(Bucket=store.bucket, Key="lab/blobs/uploads/killed/upload.vcf")
    client.create_multipart_upload(Bucket=store.bucket, Key="elsewhere/not-ours")
    child = "from vardesk import processes; print(processes.tag())"
    gone = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True).stdout
    (store.scratch_root / f"{gone.strip()}_abc").mkdir()
    with store.scratch() as live:
        # moto dates every multipart upload 2010-11-10: long enough ago, unless the cutoff is older still
        assert store.sweep(unowned_age=1e10) == 1  # the dead process's scratch alone
        assert store.pending_uploads() == ["lab/blobs/uploads/killed/upload.vcf"]
        assert store.sweep() == 1  # the stale upload
        assert live.exists()  # this process's scratch is kept
    assert store.pending_uploads() == []
    rest = client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])
    assert [u["Key"] for u in rest] == ["elsewhere/not-ours"]  # outside the prefix: never touched
