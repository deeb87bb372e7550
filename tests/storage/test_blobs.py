"""The blob store interface, on the local store and on an S3-compatible bucket (a moto server on loopback):
byte ranges, atomic writes, listing and deletion, materialised paths for tools, paths for DuckDB, scratch
directories that never outlive their work, and one writer per key."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.s3server import MotoS3, aws_environment
from vardesk.domain.errors import Invalid, NotFound
from vardesk.storage.blobs import BlobStore, LocalBlobStore, open_store
from vardesk.storage.s3 import S3BlobStore


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return open_store(f"file://{tmp_path / 'blobs'}")
    s3: MotoS3 = request.getfixturevalue("s3_server")
    with aws_environment(s3.env):  # the client takes endpoint, region and credentials from these
        return open_store(f"s3://{s3.new_bucket()}/lab/blobs", scratch=tmp_path / "scratch")


def leftovers(store: BlobStore) -> list[str]:
    """What unfinished writes left: temporary parts of a local store, multipart uploads in a bucket."""
    if isinstance(store, S3BlobStore):
        return store.pending_uploads()
    root = Path(store.local_roots()[0])
    return [str(p) for p in root.rglob("*") if p.is_file() and ".part" in p.name]


def scratch_root(store: BlobStore) -> Path:
    return store.scratch_root if isinstance(store, S3BlobStore) else Path(store.local_roots()[0]) / ".scratch"


class Broken(io.RawIOBase):
    """A stream that fails after handing out some bytes (a client that drops the connection)."""

    def __init__(self, good: bytes) -> None:
        self.good = good

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.good:
            out, self.good = self.good, b""
            return out
        raise ConnectionResetError("the client went away")


def test_each_store_is_a_blob_store(store: BlobStore) -> None:
    assert isinstance(store, (LocalBlobStore, S3BlobStore))
    methods = [m for m in dir(BlobStore) if not m.startswith("_")]
    assert {"materialise", "materialise_many", "scratch", "lock", "read_range", "put_stream"} <= set(methods)
    assert all(callable(getattr(store, m)) for m in methods)


def test_range_reads_and_sizes(store: BlobStore) -> None:
    data = bytes(range(256)) * 40
    store.put_bytes("reports/r/a.bin", data)
    assert store.size("reports/r/a.bin") == len(data)
    assert store.read_range("reports/r/a.bin", 100, 10) == data[100:110]
    assert store.read_range("reports/r/a.bin", len(data) - 3, 10) == data[-3:]  # short at the end
    assert store.read_range("reports/r/a.bin", len(data) + 5, 10) == b""
    with store.open("reports/r/a.bin") as fh:
        fh.seek(256)
        assert fh.read(4) == bytes([0, 1, 2, 3])
    with pytest.raises(Invalid):
        store.read_range("reports/r/a.bin", -1, 4)
    with pytest.raises(NotFound):
        store.read_range("reports/r/missing.bin", 0, 4)


def test_a_failed_put_leaves_neither_a_blob_nor_a_partial_file(store: BlobStore) -> None:
    store.put_bytes("uploads/u/file", b"the old version")
    with pytest.raises(ConnectionResetError):
        store.put_stream("uploads/u/file", Broken(b"half of the new vers"), chunk=8)  # type: ignore[arg-type]
    assert store.read_bytes("uploads/u/file") == b"the old version"
    with pytest.raises(ConnectionResetError):
        store.put_stream("uploads/v/file", Broken(b"partial"))  # type: ignore[arg-type]
    assert not store.exists("uploads/v/file")
    assert store.list("uploads") == ["uploads/u/file"]
    assert leftovers(store) == []
    assert not [p for p in scratch_root(store).iterdir() if p.name != ".locks"]  # no scratch copy either


def test_put_from_a_stream_or_a_local_file(store: BlobStore, tmp_path: Path) -> None:
    assert store.put_stream("uploads/a/x", io.BytesIO(b"x" * 5000), chunk=1024) == 5000
    local = tmp_path / "local.txt"
    local.write_text("kept")
    store.put_file("uploads/b/y", local)
    assert local.exists() and store.read_bytes("uploads/b/y") == b"kept"
    store.put_file("uploads/c/z", local, move=True)
    assert not local.exists() and store.read_bytes("uploads/c/z") == b"kept"


def test_list_and_delete_by_key_or_prefix(store: BlobStore) -> None:
    for key in ("genomes/g1/genotypes/0.parquet", "genomes/g1/genotypes/1.parquet", "genomes/g2/x", "other"):
        store.put_bytes(key, b"1")
    assert store.list("genomes/g1") == ["genomes/g1/genotypes/0.parquet", "genomes/g1/genotypes/1.parquet"]
    assert store.list("genomes/") == [*store.list("genomes/g1"), "genomes/g2/x"]
    assert store.list("other") == ["other"]
    assert store.list("nothing/here") == []
    store.delete("genomes/g1/genotypes/0.parquet")
    assert store.list("genomes/g1") == ["genomes/g1/genotypes/1.parquet"]
    store.delete("genomes")
    assert not store.exists("genomes/g2/x") and store.list("genomes") == []
    store.delete("genomes")  # nothing there: no error
    with pytest.raises(Invalid):
        store.list("../outside")
    with pytest.raises(Invalid):
        store.delete(".scratch")  # the store's own directories are not keys


def test_materialise_yields_a_path_tools_can_read(store: BlobStore, tmp_path: Path) -> None:
    for n in range(3):
        pq.write_table(pa.table({"key": [n, n + 10]}), tmp_path / f"{n}.parquet")
        store.put_file(f"genomes/g{n}/genotypes/0.parquet", tmp_path / f"{n}.parquet")
    with store.materialise("genomes/g1/genotypes/0.parquet") as path:
        assert path.is_file()
        assert duckdb.sql(f"SELECT sum(key) FROM read_parquet('{path}')").fetchall() == [(12,)]
    keys = [f"genomes/g{n}/genotypes/0.parquet" for n in range(3)]
    with store.materialise_many(keys) as paths:
        assert len(paths) == 3
        total = duckdb.sql("SELECT sum(key) FROM read_parquet($p)", params={"p": [str(p) for p in paths]})
        assert total.fetchall() == [(0 + 10 + 1 + 11 + 2 + 12,)]
    with store.materialise("genomes/g2") as directory:  # a prefix materialises as a directory
        assert (directory / "genotypes" / "0.parquet").is_file()
    with pytest.raises(NotFound), store.materialise("genomes/g9/genotypes/0.parquet"):
        pass


def test_query_paths_are_read_by_the_query_engine(store: BlobStore, tmp_path: Path) -> None:
    from vardesk.variants.engine import engine, register_filesystem

    if (fs := store.filesystem()) is not None:
        register_filesystem(fs)
    for n in range(2):
        pq.write_table(pa.table({"key": [n, n + 10]}), tmp_path / f"{n}.parquet")
        store.put_file(f"genomes/q{n}/genotypes/0.parquet", tmp_path / f"{n}.parquet")
    keys = [f"genomes/q{n}/genotypes/0.parquet" for n in range(2)]
    with store.query_paths(keys) as paths, engine().cursor() as con:
        total = con.execute("SELECT sum(key) FROM read_parquet(?)", [paths]).fetchall()
    assert total == [(0 + 10 + 1 + 11,)]
    with pytest.raises(NotFound), store.query_paths(["genomes/q9/genotypes/0.parquet"]):
        pass


def test_the_local_store_materialises_the_stored_file_itself(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    store.put_bytes("bundles/b1/manifest.json", b"{}")
    with store.materialise("bundles/b1") as path:
        assert path == tmp_path / "blobs" / "bundles" / "b1"  # no copy


def test_scratch_is_removed_after_the_context_even_on_error(store: BlobStore) -> None:
    with store.scratch() as work:
        (work / "sub").mkdir()
        (work / "sub" / "f").write_text("x")
        kept = work
    assert not kept.exists()
    with pytest.raises(RuntimeError), store.scratch() as work:
        (work / "f").write_text("x")
        failed = work
        raise RuntimeError("the tool crashed")
    assert not failed.exists()
    with store.scratch() as work:  # a result moved into the store leaves nothing behind either
        (work / "out").mkdir()
        (work / "out" / "part-000000.parquet").write_bytes(b"p")
        store.put_dir("annotations/x", work / "out")
        moved = work
    assert not moved.exists() and store.list("annotations/x") == ["annotations/x/part-000000.parquet"]


def test_put_dir_refuses_an_existing_key(store: BlobStore) -> None:
    store.put_bytes("genomes/g/x", b"1")
    with store.scratch() as work:
        (work / "out").mkdir()
        with pytest.raises(Invalid):
            store.put_dir("genomes/g", work / "out")
    assert store.read_bytes("genomes/g/x") == b"1"


def test_one_writer_per_key_at_a_time(store: BlobStore) -> None:
    order: list[str] = []

    def writer(name: str) -> None:
        with store.lock("annotations/b1"):
            order.append(f"{name} in")
            time.sleep(0.2)
            order.append(f"{name} out")

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert [e.split()[1] for e in order] == ["in", "out", "in", "out"], order
    assert store.list("annotations") == []  # the lock is not a blob


def test_local_roots_name_the_store_directory(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    assert str(tmp_path / "blobs") in store.local_roots()
