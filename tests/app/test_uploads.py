"""An upload killed between the move of its blob into the store and the commit that records it leaves no
orphan: the upload intent committed before the move names the blob, and the next start of any process
sweeps it. A real child process is SIGKILLed at that point; a real catalog (SQLite, and PostgreSQL when
configured) and a real store directory are then opened again."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.app.test_chain_inputs import S1
from tests.conftest import REPO, make_settings
from tests.world import build_world
from vardesk import processes
from vardesk.app.composition import Services, build_services
from vardesk.app.files import UploadedBlob
from vardesk.app.uploads import ABANDONED_AFTER, UploadIntents
from vardesk.catalog import tables as t
from vardesk.domain.enums import Role
from vardesk.domain.errors import Conflict, Unavailable
from vardesk.storage.blobs import spooled_upload

STUDY = "up:default"

# the child: a whole server-side upload whose process dies the moment the blob has landed in the store
CHILD = textwrap.dedent(
    """
    import io, os, signal, sys
    from pathlib import Path
    from tests.conftest import make_settings
    from vardesk.app.composition import build_services
    from vardesk.app.files import UploadedBlob
    from vardesk.storage.blobs import spooled_upload

    data_dir, url, login = sys.argv[1], sys.argv[2], sys.argv[3]
    services = build_services(make_settings(Path(data_dir), url))
    store = services.files.store
    put_file = store.put_file

    def put_then_die(key, source, *, move=False):  # the crash window: moved, not yet recorded
        put_file(key, source, move=move)
        os.kill(os.getpid(), signal.SIGKILL)

    store.put_file = put_then_die
    actor = services.candidates.actor_of(int(login))
    with spooled_upload(store, io.BytesIO(sys.stdin.buffer.read()), max_bytes=10**6) as blob:
        services.files.register_upload(actor, "up:default", UploadedBlob(*blob), name="patient-x.vcf")
    """
)


def _uploads(data_dir: Path) -> list[str]:
    root = data_dir / "blobs" / "uploads"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _catalog(services: Services) -> tuple[int, int, int]:
    """(file rows, genome rows, upload intents)."""
    with services.ctx.uow() as uow:
        count = uow.session.execute
        return (
            count(select(func.count()).select_from(t.files)).scalar_one(),
            count(select(func.count()).select_from(t.genomes)).scalar_one(),
            len(uow.upload_intents.all()),
        )


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> tuple[Path, str, int]:
    data_dir = tmp_path / "data"
    services = build_services(make_settings(data_dir, database_url))
    try:
        analyst = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
        services.projects.create_project(analyst, {"id": "up", "organism": {"assembly": "GRCh37"}})
    finally:
        services.close()
    return data_dir, database_url, analyst.user_id


def test_an_upload_killed_after_the_move_leaves_no_orphan_after_the_next_start(
    world: tuple[Path, str, int],
) -> None:
    data_dir, url, user_id = world
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(data_dir), url, str(user_id)],
        input=S1.encode(),
        env=env,
        cwd=REPO,
        capture_output=True,
        timeout=120,
    )
    assert child.returncode == -9, child.stderr.decode()[-2000:]  # killed in the window, not failed
    # the crash left the blob in the store and no visible record; the intent names the blob
    assert len(_uploads(data_dir)) == 1
    services = build_services(make_settings(data_dir, url))  # the next start
    try:
        assert _catalog(services) == (0, 0, 0)
        assert _uploads(data_dir) == []
        assert not list((data_dir / "blobs" / "uploads").iterdir())
    finally:
        services.close()


def test_upload_intents_of_live_processes_are_kept_and_old_ones_of_other_hosts_swept(
    world: tuple[Path, str, int],
) -> None:
    data_dir, url, _ = world
    services = build_services(make_settings(data_dir, url))
    try:
        intents = UploadIntents(services.ctx, services.store)
        store = services.store
        mine = intents.begin("u-mine", "uploads/u-mine")  # this process: alive
        store.put_bytes("uploads/u-mine/upload.vcf", b"x")
        other = processes.tag(replace(processes.current(), host="another-host"))
        now = datetime.now(UTC)
        with services.ctx.uow() as uow:
            uow.upload_intents.add("u-recent", "uploads/u-recent", other, now)
            uow.upload_intents.add(
                "u-old", "uploads/u-old", other, now - ABANDONED_AFTER - timedelta(minutes=1)
            )
            uow.commit()
        for key in ("uploads/u-recent/upload.vcf", "uploads/u-old/upload.vcf"):
            store.put_bytes(key, b"x")

        assert intents.sweep() == 1
        assert sorted(_uploads(data_dir)) == ["u-mine/upload.vcf", "u-recent/upload.vcf"]
        with services.ctx.uow() as uow:
            assert sorted(r.file_uuid for r in uow.upload_intents.all()) == ["u-mine", "u-recent"]

        # an uploader whose intent a sweep took over cannot record its file
        with services.ctx.uow() as uow:
            assert uow.upload_intents.take_over(mine.id, mine.owner, "1_2_sweeper")
            assert not uow.upload_intents.take_over(mine.id, mine.owner, "1_3_sweeper")  # one winner
            uow.commit()
        with services.ctx.uow() as uow, pytest.raises(Unavailable):
            intents.finish(uow, mine)
    finally:
        services.close()


def test_a_refused_upload_removes_its_blob_and_its_intent(services: Services) -> None:
    analyst = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    services.projects.create_project(analyst, {"id": "up", "organism": {"assembly": "GRCh37"}})

    def upload(name: str) -> None:
        with spooled_upload(services.store, io.BytesIO(S1.encode()), max_bytes=10**6) as blob:
            services.files.register_upload(analyst, STUDY, UploadedBlob(*blob), name=name)

    upload("a.vcf")
    with pytest.raises(Conflict):
        upload("b.vcf")  # the same sample again: refused in the recording transaction
    root = services.store.local_path("uploads")
    assert len(list(root.iterdir())) == 1
    assert _catalog(services) == (1, 1, 0)
