"""Importing a genome (upload → register → attach → index) as the one use case every face calls: a fresh
import, a retry answered with what the first attempt recorded, a bad VCF refused with its line and nothing
left behind, a viewer refused before any byte is stored."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

import pytest

from tests.app.test_chain_inputs import S1
from tests.world import World, build_world
from vardesk.app.composition import Services
from vardesk.app.genomes import ByteSource, ImportGenomeCommand, OnRepeat
from vardesk.domain.access import Actor
from vardesk.domain.enums import GenomeState, JobState, Role
from vardesk.domain.errors import Conflict, Forbidden, Invalid, error_text
from vardesk.domain.ids import is_file_code

STUDY = "imp:default"
# the second record has lost its columns after POS
BAD = S1.replace("chr17\t41245466\t.\tG\tA\t200\tPASS\t.\tGT\t0/1\n", "chr17\t41245466\n")


@pytest.fixture
def world(services: Services) -> World:
    w = build_world(services, ("lab-a",))
    services.projects.create_project(
        w.member("lab-a", Role.ANALYST).actor, {"id": "imp", "organism": {"assembly": "GRCh37"}}
    )
    return w


@pytest.fixture
def actor(world: World) -> Actor:
    return world.member("lab-a", Role.ANALYST).actor


def _command(
    actor: Actor, text: str = S1, name: str = "s1.vcf", folder: str = "data/", **kw: object
) -> ImportGenomeCommand:
    return ImportGenomeCommand(
        actor=actor, study=STUDY, source=ByteSource(io.BytesIO(text.encode()), name), folder=folder, **kw
    )  # type: ignore[arg-type]


def _stored(services: Services) -> tuple[list[str], list[str]]:
    """The uploads in the store and what is left in its scratch area."""
    root = services.store.root
    uploads = sorted(p.name for p in (root / "uploads").iterdir()) if (root / "uploads").exists() else []
    return uploads, sorted(p.name for p in (root / ".scratch").iterdir())


def _file_uploads(services: Services) -> list[tuple[str, str]]:
    with services.ctx.uow() as uow:
        return [(e.entity_id, e.outcome) for e in uow.audit.search(action="file_upload")]


def test_a_fresh_import_registers_the_file_its_genomes_and_queues_indexing(
    services: Services, actor: Actor
) -> None:
    result = services.import_genome.run(_command(actor, sample_labels={"S1": "Proband"}))
    assert not result.repeated and result.study.fqn == "lab-a@imp:default"
    assert is_file_code(result.file.code) and result.file.build == "GRCh37"
    assert (result.file.name, result.file.path) == ("s1.vcf", "data/s1.vcf")  # the client's, as metadata
    assert [(g.code, g.label, g.state) for g in result.genomes] == [("S1", "Proband", GenomeState.UPLOADED)]
    assert result.job is not None and result.job.params == {"files": [result.file.id], "annotate": True}
    with services.ctx.uow() as uow:
        job = uow.jobs.by_code(result.job_id or "")
        stored = uow.files.get(result.file.id or 0)
    assert job is not None and job.state is JobState.QUEUED
    assert stored is not None and services.store.exists(stored.blob_key)
    assert _file_uploads(services) == [(str(result.file.id), "ok")]
    assert _stored(services)[1] == []  # nothing left in the scratch area


def test_a_retry_returns_the_same_file_genomes_and_job(services: Services, actor: Actor) -> None:
    first = services.import_genome.run(_command(actor))
    again = services.import_genome.run(_command(actor))
    assert again.repeated
    assert (again.file.id, again.genome_ids, again.job_id) == (first.file.id, first.genome_ids, first.job_id)
    with services.ctx.uow() as uow:
        assert len(uow.files.in_study(first.file.study_id, {})) == 1
        jobs = uow.jobs.search(actor.workspace_id, {"tool": "variant-index"}, None)
    assert [j.code for j in jobs] == [first.job_id]
    assert len(_stored(services)[0]) == 1
    assert _file_uploads(services) == [(str(first.file.id), "ok"), (str(first.file.id), "repeated")]

    # an asynchronous stream of the same bytes is the same retry
    async def chunks() -> AsyncIterator[bytes]:
        data = S1.encode()
        for i in range(0, len(data), 7):
            yield data[i : i + 7]

    cmd = ImportGenomeCommand(actor=actor, study=STUDY, source=ByteSource(chunks(), "s1.vcf"), folder="data/")
    assert asyncio.run(services.import_genome.run_async(cmd)).file.id == first.file.id


def test_other_bytes_under_the_same_name_or_a_refused_repeat_are_a_conflict(
    services: Services, actor: Actor
) -> None:
    first = services.import_genome.run(_command(actor))
    taken = f"a file already exists at this path in study .*: {first.file.code}$"
    with pytest.raises(Conflict, match=taken):
        services.import_genome.run(_command(actor, S1.replace("1484.13", "1484.14"), rename_duplicates=True))
    with pytest.raises(Conflict, match=taken):
        services.import_genome.run(_command(actor, on_repeat=OnRepeat.REFUSE))
    # the same name in another folder is another file, with an id of its own
    other = services.import_genome.run(_command(actor, folder="rerun/", rename_duplicates=True))
    assert other.file.code != first.file.code and other.file.name == first.file.name


def test_a_bad_vcf_is_refused_with_its_line_and_leaves_nothing(services: Services, actor: Actor) -> None:
    with pytest.raises(Invalid) as err:
        services.import_genome.run(_command(actor, BAD))
    assert (
        error_text(err.value)
        == "line 6: record has 2 tab-separated columns but the #CHROM header line has 10"
    )
    with services.ctx.uow() as uow:
        study = services.projects.study_view(actor, STUDY)
        assert list(uow.files.in_study(study.study.id or 0, {})) == []
        assert list(uow.jobs.search(actor.workspace_id, {}, None)) == []
    assert _stored(services) == ([], [])
    assert _file_uploads(services) == []


def test_a_viewer_is_refused_and_nothing_is_stored(services: Services, world: World) -> None:
    viewer = world.member("lab-a", Role.VIEWER).actor
    with pytest.raises(Forbidden):
        services.import_genome.run(_command(viewer))
    assert _stored(services) == ([], [])
    assert _file_uploads(services) == []
