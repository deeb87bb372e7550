"""A sample the study already has is not silently renamed when its VCF is imported again: the upload is
refused naming the sample and the existing genome, unless the caller names the new genome or asks for a
numbered copy. A file is named by the id the server gave it; its name is metadata, found only by search."""

from __future__ import annotations

import io

import pytest

from tests.app.test_chain_inputs import S1
from tests.world import build_world
from vardesk.app.composition import Services
from vardesk.app.files import FileView, UploadedBlob
from vardesk.domain.access import Actor
from vardesk.domain.enums import Role
from vardesk.domain.errors import Conflict, Invalid, NotFound
from vardesk.domain.ids import is_file_code
from vardesk.storage.blobs import spooled_upload

STUDY = "dup:default"


@pytest.fixture
def actor(services: Services) -> Actor:
    a = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    services.projects.create_project(a, {"id": "dup", "organism": {"assembly": "GRCh37"}})
    return a


def _upload(services: Services, actor: Actor, name: str, text: str = S1, **kw: object) -> FileView:
    with spooled_upload(services.store, io.BytesIO(text.encode()), max_bytes=10**6) as blob:
        return services.files.register_upload(actor, STUDY, UploadedBlob(*blob), name=name, **kw)  # type: ignore[arg-type]


def _uploads(services: Services) -> list[str]:
    root = services.store.local_path("uploads")
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def test_the_same_sample_again_is_refused_naming_it_and_the_existing_genome(
    services: Services, actor: Actor
) -> None:
    first = _upload(services, actor, "s1.vcf")
    stored = _uploads(services)
    with pytest.raises(Conflict) as err:
        _upload(services, actor, "s1-rerun.vcf")
    message = err.value.message
    assert "'S1'" in message and f"genome {first.genomes[0].id}" in message and first.file.code in message
    assert "s1.vcf" not in message  # the earlier file is named by its id, not by its (client's) name
    assert "sampleNames" in message and "renameSamples" in message
    # nothing of the refused upload is left behind
    assert _uploads(services) == stored
    files = services.files.search_files(actor, STUDY, {})
    assert [(f.file.name, [g.code for g in f.genomes]) for f in files] == [("s1.vcf", ["S1"])]


def test_a_numbered_copy_when_asked_for(services: Services, actor: Actor) -> None:
    _upload(services, actor, "s1.vcf")
    second = _upload(services, actor, "s1-b.vcf", rename_duplicates=True)
    third = _upload(services, actor, "s1-c.vcf", rename_duplicates=True)
    assert [g.code for g in second.genomes] == ["S1_2"] and [g.code for g in third.genomes] == ["S1_3"]
    assert second.genomes[0].sample_name == third.genomes[0].sample_name == "S1"


def test_the_caller_names_the_new_genome(services: Services, actor: Actor) -> None:
    _upload(services, actor, "s1.vcf")
    named = _upload(services, actor, "s1-b.vcf", sample_ids={"S1": "S1-rerun"})
    assert [(g.code, g.sample_name) for g in named.genomes] == [("S1-rerun", "S1")]
    with pytest.raises(Conflict, match="'S1-rerun' already exists"):  # a chosen id is never renamed
        _upload(services, actor, "s1-c.vcf", sample_ids={"S1": "S1-rerun"}, rename_duplicates=True)
    with pytest.raises(Invalid, match="HG002 named in sampleNames are not in the file"):
        _upload(services, actor, "s1-d.vcf", sample_ids={"HG002": "X"})
    with pytest.raises(Invalid, match="sample id 'a b' is not valid"):
        _upload(services, actor, "s1-e.vcf", sample_ids={"S1": "a b"})


@pytest.mark.parametrize(
    ("shown", "found"),
    [("NONE", True), ("uploaded", True), ("INDEXING", False), ("READY", False), ("ERROR", False)],
)
def test_files_are_found_by_the_index_status_they_show(
    services: Services, actor: Actor, shown: str, found: bool
) -> None:
    """A fresh upload is UPLOADED and shows index status NONE; either spelling finds it."""
    _upload(services, actor, "s1.vcf")
    names = [v.file.name for v in services.files.search_files(actor, STUDY, {"state": shown})]
    assert names == (["s1.vcf"] if found else [])


def test_an_unknown_file_status_names_the_accepted_ones(services: Services, actor: Actor) -> None:
    with pytest.raises(Invalid, match="INDEXING") as err:
        services.files.search_files(actor, STUDY, {"state": "indexed"})
    assert "READY" in err.value.message


def _file_reads(services: Services) -> int:
    with services.ctx.uow() as uow:
        return len(uow.audit.search(action="file_read"))


def test_a_file_is_named_by_its_id_uuid_or_number_and_found_by_name_only_by_search(
    services: Services, actor: Actor
) -> None:
    name = "SMITH_JOHN_ACC12345.vcf"
    view = _upload(services, actor, name, relative_path="data/")
    f = view.file
    assert is_file_code(f.code) and "SMITH" not in f.code and (f.name, f.path) == (name, f"data/{name}")
    refs = [f.code, f.uuid, str(f.id), name, f"data/{name}", f"data:{name}"]
    found = services.files.get_files(actor, STUDY, refs)
    assert [r for r, v in found if isinstance(v, FileView) and v.file.id == f.id] == refs[:3]
    for _ref, refused in found[3:]:  # a name is not an id, and the refusal does not quote it
        assert isinstance(refused, NotFound) and "SMITH" not in refused.message
        assert "files/search?name=" in refused.message
    before = _file_reads(services)
    for query in ({"name": name}, {"path": f"data/{name}"}, {"code": f.code}):
        assert [v.file.id for v in services.files.search_files(actor, STUDY, query)] == [f.id], query
    assert _file_reads(services) == before + 3  # each lookup by name is audited as a read


def test_a_path_too_long_for_its_index_is_refused_and_leaves_nothing(
    services: Services, actor: Actor
) -> None:
    with pytest.raises(Invalid, match="longer than 1024 bytes") as err:
        _upload(services, actor, "s1.vcf", relative_path="ж" * 600 + "/")  # 600 characters, 1200 bytes
    assert "ж" not in err.value.message
    assert _uploads(services) == [] and services.files.search_files(actor, STUDY, {}) == []


def test_concurrent_numbered_copies_of_one_sample_all_land_with_distinct_ids(
    backend: str, services: Services, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Uploads that read the study's sample ids at the same moment and pick the same numbered copy: the
    one that writes second reads again and takes the next number (409 only if that keeps failing)."""
    import threading

    if backend == "sqlite":
        pytest.skip("SQLite serialises writers before the read of sample ids: the race needs PostgreSQL")

    from vardesk.catalog.repositories import GenomeRepository

    _upload(services, actor, "s1.vcf")
    racers = 3
    barrier, seen = threading.Barrier(racers, timeout=20), threading.local()
    original = GenomeRepository.codes_in_study

    def read_together(self: GenomeRepository, study_id: int) -> set[str]:
        codes = original(self, study_id)
        if not getattr(seen, "done", False):  # each upload's first read waits for the others' first read
            seen.done = True
            barrier.wait()
        return codes

    monkeypatch.setattr(GenomeRepository, "codes_in_study", read_together)
    results: list[FileView | BaseException] = []

    def upload(n: int) -> None:
        try:
            results.append(_upload(services, actor, f"s1-{n}.vcf", rename_duplicates=True))
        except BaseException as exc:  # noqa: BLE001 - the test reports what each upload got
            results.append(exc)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [r for r in results if isinstance(r, BaseException)] == []
    codes = sorted(g.code for r in results if isinstance(r, FileView) for g in r.genomes)
    assert codes == ["S1_2", "S1_3", "S1_4"]
