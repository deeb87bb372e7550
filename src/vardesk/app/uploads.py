"""Closing the window between an upload's move into the store and the commit that records it.

``register_upload`` validates an upload in scratch, then moves it to ``uploads/<file uuid>/`` and records
the file in one transaction. A process killed between the move and the commit would leave a blob nobody
references. So an **intent** is committed first (the blob's folder and the uploader's process tag), the
blob is moved, and the recording transaction deletes the intent — only if the uploader still holds it.

At start-up :meth:`UploadIntents.sweep` takes over every intent whose owner is a dead process of this host,
or (for another host sharing the catalog and the store, whose processes cannot be judged from here) that
is older than :data:`ABANDONED_AFTER`; it deletes that blob folder, then the intent. Taking over is one
conditional UPDATE, so of several processes starting at once only one sweeps an intent, and an uploader
whose intent was taken over cannot record its file (it refuses and deletes its blob): no file row ever
points at a swept blob. A sweeper killed mid-way leaves the intent under its own (now dead) tag, and the
next start sweeps it again. Nothing here is a visible record: file rows and genomes appear only with the
recording commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from vardesk import processes
from vardesk.app.context import ServiceContext
from vardesk.catalog.uow import UnitOfWork
from vardesk.domain.errors import Unavailable
from vardesk.storage.blobs import BlobStore

log = logging.getLogger("vardesk.uploads")

# an intent of another host is abandoned after this long: the move and the commit take seconds, a copy
# across file systems of a very large upload minutes
ABANDONED_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class Intent:
    id: int
    owner: str


class UploadIntents:
    def __init__(self, ctx: ServiceContext, store: BlobStore) -> None:
        self.ctx = ctx
        self.store = store

    def begin(self, file_uuid: str, blob_prefix: str) -> Intent:
        """Commit the intent to move an upload under ``blob_prefix``; call before the move."""
        owner = processes.tag()
        with self.ctx.uow() as uow:
            intent_id = uow.upload_intents.add(file_uuid, blob_prefix, owner, datetime.now(UTC))
            uow.commit()
        return Intent(intent_id, owner)

    def finish(self, uow: UnitOfWork, intent: Intent) -> None:
        """In the transaction that records the file: drop the intent, or refuse if a sweep took it over."""
        if not uow.upload_intents.remove(intent.id, intent.owner):
            raise Unavailable("the upload took too long to record and was discarded; send it again")

    def abandon(self, intent: Intent, blob_prefix: str) -> None:
        """After a failure: the blob (if it was moved) and then the intent go; best effort, the sweep
        finishes what this cannot."""
        self.store.delete(blob_prefix)
        try:
            with self.ctx.uow() as uow:
                uow.upload_intents.remove(intent.id, intent.owner)
                uow.commit()
        except Exception:  # noqa: BLE001 - the original error matters; the start-up sweep removes it
            log.warning("upload intent %d could not be removed; the next start sweeps it", intent.id)

    def sweep(self, now: datetime | None = None) -> int:
        """Remove the blobs of abandoned intents (see the module's documentation); how many."""
        now = now or datetime.now(UTC)
        me = processes.tag()
        with self.ctx.uow() as uow:
            rows = list(uow.upload_intents.all())
        swept = 0
        for row in rows:
            owner = processes.parse_tag(row.owner)
            dead = owner is not None and processes.is_dead(owner)
            if not dead and row.at > now - ABANDONED_AFTER:
                continue
            with self.ctx.uow() as uow:
                if not uow.upload_intents.take_over(row.id, row.owner, me):
                    continue  # another process starting now swept it, or its uploader just finished
                recorded = uow.upload_intents.file_recorded(row.file_uuid)
                uow.commit()
            if not recorded:  # never true by construction (the intent goes with the recording commit)
                self.store.delete(row.blob_prefix)
            with self.ctx.uow() as uow:
                uow.upload_intents.remove(row.id, me)
                uow.commit()
            swept += 1
        return swept
