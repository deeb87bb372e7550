"""Repositories: the only code that queries catalog tables. They speak domain dataclasses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.orm import Session

from vardesk.catalog import tables as t
from vardesk.domain.enums import JobState
from vardesk.domain.ids import numeric_id
from vardesk.domain.matrices import GenotypeMatrix
from vardesk.domain.models import (
    ApiKey,
    AuditEntry,
    BundleEnablement,
    Family,
    Genome,
    Individual,
    Job,
    Project,
    Study,
    User,
    VcfFile,
    Workspace,
)
from vardesk.domain.providers import StorageProvider
from vardesk.domain.web_sessions import WebSession
from vardesk.domain.webhooks import Webhook, WebhookDelivery

T = TypeVar("T")


class Repository(Generic[T]):
    model: type

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, obj: T) -> T:
        self.session.add(obj)
        self.session.flush()
        return obj

    def get(self, id_: int | str) -> T | None:
        """The row with this primary key; None for anything that cannot be one (``-1``, 2**64, ``²``),
        which the database would otherwise refuse with an integer overflow."""
        key = numeric_id(id_)
        return None if key is None else self.session.get(self.model, key)

    def remove(self, obj: T) -> None:
        self.session.delete(obj)
        self.session.flush()


class WorkspaceRepository(Repository[Workspace]):
    model = Workspace

    def by_code(self, code: str) -> Workspace | None:
        return self.session.scalars(select(Workspace).where(t.workspaces.c.code == code)).first()

    def list(self) -> Sequence[Workspace]:
        return self.session.scalars(select(Workspace).order_by(t.workspaces.c.id)).all()


class UserRepository(Repository[User]):
    model = User

    def by_login(self, login: str) -> User | None:
        return self.session.scalars(select(User).where(t.users.c.login == login)).first()

    def by_uuid(self, uuid: str) -> User | None:
        return self.session.scalars(select(User).where(t.users.c.uuid == uuid)).first()

    def by_email(self, workspace_id: int, email: str) -> User | None:
        return self.session.scalars(
            select(User).where(
                t.users.c.workspace_id == workspace_id, func.lower(t.users.c.email) == email.lower()
            )
        ).first()

    def by_login_or_email(self, name: str) -> list[User]:
        return list(
            self.session.scalars(
                select(User).where(or_(t.users.c.login == name, func.lower(t.users.c.email) == name.lower()))
            ).all()
        )

    def in_workspace(self, workspace_id: int) -> Sequence[User]:
        return self.session.scalars(
            select(User).where(t.users.c.workspace_id == workspace_id).order_by(t.users.c.id)
        ).all()


class ApiKeyRepository(Repository[ApiKey]):
    model = ApiKey

    def by_login(self, login: str) -> ApiKey | None:
        return self.session.scalars(select(ApiKey).where(t.api_keys.c.login == login)).first()


class ProjectRepository(Repository[Project]):
    model = Project

    def by_code(self, workspace_id: int, code: str) -> Project | None:
        return self.session.scalars(
            select(Project).where(t.projects.c.workspace_id == workspace_id, t.projects.c.code == code)
        ).first()

    def by_uuid(self, uuid: str) -> Project | None:
        return self.session.scalars(select(Project).where(t.projects.c.uuid == uuid)).first()

    def search(self, workspace_id: int, filters: dict[str, Any]) -> Sequence[Project]:
        q = select(Project).where(t.projects.c.workspace_id == workspace_id)
        for col in ("code", "name", "uuid", "description"):
            if filters.get(col) is not None:
                q = q.where(getattr(t.projects.c, col) == filters[col])
        return self.session.scalars(q.order_by(t.projects.c.id)).all()


class StudyRepository(Repository[Study]):
    model = Study

    def by_code(self, project_id: int, code: str) -> Study | None:
        return self.session.scalars(
            select(Study).where(t.studies.c.project_id == project_id, t.studies.c.code == code)
        ).first()

    def by_uuid(self, uuid: str) -> Study | None:
        return self.session.scalars(select(Study).where(t.studies.c.uuid == uuid)).first()

    def in_projects(
        self, project_ids: Sequence[int], filters: dict[str, Any] | None = None
    ) -> Sequence[Study]:
        if not project_ids:
            return []
        q = select(Study).where(t.studies.c.project_id.in_(list(project_ids)))
        for col in ("code", "name", "uuid", "alias", "type"):
            if filters and filters.get(col) is not None:
                q = q.where(getattr(t.studies.c, col) == filters[col])
        return self.session.scalars(q.order_by(t.studies.c.project_id, t.studies.c.id)).all()


class JobRepository(Repository[Job]):
    model = Job

    def by_code(self, code: str) -> Job | None:
        return self.session.scalars(select(Job).where(t.jobs.c.code == code)).first()

    def search(
        self, workspace_id: int, filters: dict[str, Any], project_ids: Sequence[int] | None
    ) -> Sequence[Job]:
        q = select(Job).where(t.jobs.c.workspace_id == workspace_id)
        if project_ids is not None:
            q = q.where(or_(t.jobs.c.project_id.in_(list(project_ids)), t.jobs.c.project_id.is_(None)))
        for key, col in (("tool", "tool"), ("state", "state"), ("study_id", "study_id"), ("code", "code")):
            if filters.get(key) is not None:
                q = q.where(getattr(t.jobs.c, col) == filters[key])
        return self.session.scalars(q.order_by(t.jobs.c.id)).all()

    def next_queued_ids(self, limit: int) -> list[int]:
        rows = self.session.execute(
            select(t.jobs.c.id)
            .where(t.jobs.c.state == JobState.QUEUED.value)
            .order_by(t.jobs.c.created_at, t.jobs.c.id)
            .limit(limit)
        )
        return [r[0] for r in rows]

    def claim(self, job_id: int, worker_id: str, now: datetime) -> bool:
        """Atomically move one QUEUED job to RUNNING for ``worker_id``. True if this worker won it."""
        res = self.session.execute(
            update(t.jobs)
            .where(t.jobs.c.id == job_id, t.jobs.c.state == JobState.QUEUED.value)
            .values(
                state=JobState.RUNNING.value,
                worker_id=worker_id,
                heartbeat_at=now,
                started_at=now,
                attempts=t.jobs.c.attempts + 1,
            )
        )
        return res.rowcount == 1

    def renew(
        self, job_id: int, worker_id: str, now: datetime, progress: float | None, message: str | None
    ) -> tuple[bool, bool]:
        """Renew ``worker_id``'s lease on a RUNNING job (its heartbeat), with its progress when given.
        Returns (the job is still this worker's, its cancellation was requested)."""
        values: dict[str, Any] = {"heartbeat_at": now}
        if progress is not None:
            values["progress"] = progress
        if message is not None:
            values["progress_message"] = message[:500]
        res = self.session.execute(
            update(t.jobs)
            .where(
                t.jobs.c.id == job_id,
                t.jobs.c.worker_id == worker_id,
                t.jobs.c.state == JobState.RUNNING.value,
            )
            .values(**values)
        )
        cancel = self.session.execute(
            select(t.jobs.c.cancel_requested).where(t.jobs.c.id == job_id)
        ).scalar_one_or_none()
        return res.rowcount == 1, bool(cancel)

    def finish(self, job_id: int, worker_id: str, values: dict[str, Any]) -> bool:
        """End ``worker_id``'s RUNNING job with ``values``; False when another worker has taken it over."""
        res = self.session.execute(
            update(t.jobs)
            .where(
                t.jobs.c.id == job_id,
                t.jobs.c.worker_id == worker_id,
                t.jobs.c.state == JobState.RUNNING.value,
            )
            .values(**values)
        )
        return res.rowcount == 1

    def unfinished(self, tool: str, study_id: int | None) -> Sequence[Job]:
        """QUEUED or RUNNING jobs of ``tool`` in a study, oldest first."""
        return self.session.scalars(
            select(Job)
            .where(
                t.jobs.c.tool == tool,
                t.jobs.c.study_id == study_id,
                t.jobs.c.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]),
            )
            .order_by(t.jobs.c.id)
        ).all()

    def take_back(self, job: Job, values: dict[str, Any]) -> bool:
        """Set ``values`` on a RUNNING job only if it is still as read (same worker, same heartbeat):
        a worker that renewed its lease or finished in the meantime keeps its job."""
        heartbeat = t.jobs.c.heartbeat_at
        worker = t.jobs.c.worker_id
        res = self.session.execute(
            update(t.jobs)
            .where(
                t.jobs.c.id == job.id,
                t.jobs.c.state == JobState.RUNNING.value,
                worker.is_(None) if job.worker_id is None else worker == job.worker_id,
                heartbeat.is_(None) if job.heartbeat_at is None else heartbeat == job.heartbeat_at,
            )
            .values(**values)
        )
        return res.rowcount == 1

    def stale_running(self, older_than: datetime) -> Sequence[Job]:
        return self.session.scalars(
            select(Job).where(
                t.jobs.c.state == JobState.RUNNING.value,
                or_(t.jobs.c.heartbeat_at.is_(None), t.jobs.c.heartbeat_at < older_than),
            )
        ).all()


class AuditRepository(Repository[AuditEntry]):
    model = AuditEntry

    def search(self, workspace_id: int | None = None, action: str | None = None) -> Sequence[AuditEntry]:
        q = select(AuditEntry)
        if workspace_id is not None:
            q = q.where(t.audit_log.c.workspace_id == workspace_id)
        if action is not None:
            q = q.where(t.audit_log.c.action == action)
        return self.session.scalars(q.order_by(t.audit_log.c.id)).all()


class AuthFailureRepository:
    """Failed logins (``auth_failures``), shared by every server process: the login throttle counts them
    per account, per source address, and per account from one address."""

    SOURCE_LENGTH = 64

    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, login: str, at: datetime, source: str = "") -> None:
        values = {"login": login.lower(), "at": at, "source": source[: self.SOURCE_LENGTH]}
        self.session.execute(t.auth_failures.insert().values(**values))

    def count_since(self, login: str, since: datetime) -> int:
        return self.session.execute(
            select(func.count())
            .select_from(t.auth_failures)
            .where(t.auth_failures.c.login == login.lower(), t.auth_failures.c.at >= since)
        ).scalar_one()

    def from_source(self, source: str, login: str, after: datetime) -> tuple[int, int]:
        """Failures after ``after`` from ``source``: on any account, and on ``login`` (one query)."""
        c = t.auth_failures.c
        on_login = func.coalesce(func.sum(case((c.login == login.lower(), 1), else_=0)), 0)
        row = self.session.execute(
            select(func.count(), on_login).where(c.source == source[: self.SOURCE_LENGTH], c.at > after)
        ).one()
        return int(row[0]), int(row[1])

    def nth_latest(self, source: str, login: str | None, after: datetime, n: int) -> datetime | None:
        """The time of the ``n``-th most recent failure after ``after`` from ``source`` (on ``login``
        when given): the one whose expiry brings the count under ``n``."""
        c = t.auth_failures.c
        query = select(c.at).where(c.source == source[: self.SOURCE_LENGTH], c.at > after)
        if login is not None:
            query = query.where(c.login == login.lower())
        query = query.order_by(c.at.desc()).offset(max(0, n - 1)).limit(1)
        return self.session.execute(query).scalar_one_or_none()

    def purge_before(self, before: datetime) -> None:
        self.session.execute(delete(t.auth_failures).where(t.auth_failures.c.at < before))


class UploadIntentRepository:
    """Uploads between their move into the store and the commit that records them (``upload_intents``)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, file_uuid: str, blob_prefix: str, owner: str, at: datetime) -> int:
        values = {"file_uuid": file_uuid, "blob_prefix": blob_prefix, "owner": owner, "at": at}
        return int(self.session.execute(t.upload_intents.insert().values(**values)).inserted_primary_key[0])

    def all(self) -> Sequence[Any]:
        return self.session.execute(select(t.upload_intents).order_by(t.upload_intents.c.id)).all()

    def take_over(self, intent_id: int, owner: str, new_owner: str) -> bool:
        """Hand the intent to ``new_owner`` if ``owner`` still holds it (one sweeper wins)."""
        done = self.session.execute(
            update(t.upload_intents)
            .where(t.upload_intents.c.id == intent_id, t.upload_intents.c.owner == owner)
            .values(owner=new_owner)
        )
        return bool(done.rowcount)

    def remove(self, intent_id: int, owner: str) -> bool:
        """Delete the intent if ``owner`` still holds it; False when a sweep took it over (or removed it)."""
        done = self.session.execute(
            delete(t.upload_intents).where(
                t.upload_intents.c.id == intent_id, t.upload_intents.c.owner == owner
            )
        )
        return bool(done.rowcount)

    def file_recorded(self, file_uuid: str) -> bool:
        return (
            self.session.execute(select(t.files.c.id).where(t.files.c.uuid == file_uuid)).first() is not None
        )


class _StudyScoped(Repository[T]):
    """Entities with a ``code`` unique in their study."""

    table: Any

    def by_code(self, study_id: int, code: str) -> T | None:
        c = self.table.c
        return self.session.scalars(select(self.model).where(c.study_id == study_id, c.code == code)).first()

    def by_uuid(self, uuid: str) -> T | None:
        return self.session.scalars(select(self.model).where(self.table.c.uuid == uuid)).first()

    def in_study(self, study_id: int, filters: dict[str, Any] | None = None) -> Sequence[T]:
        c = self.table.c
        q = select(self.model).where(c.study_id == study_id)
        for key, value in (filters or {}).items():
            if value is None:
                continue
            col = getattr(c, key)
            q = q.where(col.in_(list(value)) if isinstance(value, (list, tuple, set)) else col == value)
        return self.session.scalars(q.order_by(c.id)).all()

    def codes_in_study(self, study_id: int) -> set[str]:
        c = self.table.c
        return {r[0] for r in self.session.execute(select(c.code).where(c.study_id == study_id))}


class FileRepository(_StudyScoped[VcfFile]):
    model = VcfFile
    table = t.files

    def by_path(self, study_id: int, path: str) -> VcfFile | None:
        """The file at the client's ``path`` in the study (metadata: looked up, never shown as an id)."""
        c = t.files.c
        return self.session.scalars(select(VcfFile).where(c.study_id == study_id, c.path == path)).first()


class GenomeRepository(_StudyScoped[Genome]):
    model = Genome
    table = t.genomes

    def of_file(self, file_id: int) -> Sequence[Genome]:
        return self.session.scalars(
            select(Genome).where(t.genomes.c.file_id == file_id).order_by(t.genomes.c.sample_index)
        ).all()

    def ready_in_workspace(self, workspace_id: int) -> Sequence[Genome]:
        c = t.genomes.c
        return self.session.scalars(
            select(Genome).where(c.workspace_id == workspace_id, c.state == "READY").order_by(c.id)
        ).all()

    def ready_of_build(self, build: str) -> Sequence[Genome]:
        c = t.genomes.c
        return self.session.scalars(
            select(Genome).where(c.build == build, c.state == "READY").order_by(c.id)
        ).all()

    def of_individuals(self, individual_ids: Sequence[int]) -> Sequence[Genome]:
        if not individual_ids:
            return []
        return self.session.scalars(
            select(Genome).where(t.genomes.c.individual_id.in_(list(individual_ids))).order_by(t.genomes.c.id)
        ).all()


class BundleEnablementRepository(Repository[BundleEnablement]):
    """Where reference bundles are installed, enabled per workspace, or the server default."""

    model = BundleEnablement

    def all(self) -> Sequence[BundleEnablement]:
        return self.session.scalars(select(BundleEnablement).order_by(t.bundle_enablements.c.id)).all()

    def of_bundle(self, bundle_id: str) -> Sequence[BundleEnablement]:
        c = t.bundle_enablements.c
        return self.session.scalars(
            select(BundleEnablement).where(c.bundle_id == bundle_id).order_by(c.id)
        ).all()

    def usable(self, build: str, workspace_id: int) -> Sequence[BundleEnablement]:
        """The bundles of ``build`` enabled for the workspace, and the server default(s) of the build."""
        c = t.bundle_enablements.c
        return self.session.scalars(
            select(BundleEnablement)
            .where(
                c.build == build,
                or_(c.scope == "default", (c.scope == "workspace") & (c.workspace_id == workspace_id)),
            )
            .order_by(c.id)
        ).all()

    def defaults(self, build: str) -> Sequence[BundleEnablement]:
        c = t.bundle_enablements.c
        return self.session.scalars(
            select(BundleEnablement).where(c.build == build, c.scope == "default").order_by(c.id)
        ).all()


class IndividualRepository(_StudyScoped[Individual]):
    model = Individual
    table = t.individuals


class FamilyRepository(_StudyScoped[Family]):
    model = Family
    table = t.families

    def member_ids(self, family_id: int) -> list[int]:
        c = t.family_members.c
        rows = self.session.execute(
            select(c.individual_id).where(c.family_id == family_id).order_by(c.position, c.individual_id)
        )
        return [r[0] for r in rows]

    def set_members(self, family_id: int, individual_ids: Sequence[int]) -> None:
        self.session.execute(delete(t.family_members).where(t.family_members.c.family_id == family_id))
        for pos, iid in enumerate(individual_ids):
            self.session.execute(
                t.family_members.insert().values(family_id=family_id, individual_id=iid, position=pos)
            )

    def of_individual(self, individual_id: int) -> list[int]:
        c = t.family_members.c
        return [
            r[0] for r in self.session.execute(select(c.family_id).where(c.individual_id == individual_id))
        ]


class StorageProviderRepository(Repository[StorageProvider]):
    model = StorageProvider

    def of_workspace(self, workspace_id: int) -> Sequence[StorageProvider]:
        c = t.storage_providers.c
        q = select(StorageProvider).where(c.workspace_id == workspace_id).order_by(c.id)
        return self.session.scalars(q).all()

    def by_name(self, workspace_id: int, name: str) -> StorageProvider | None:
        c = t.storage_providers.c
        q = select(StorageProvider).where(c.workspace_id == workspace_id, c.name == name)
        return self.session.scalars(q).first()


class WebhookRepository(Repository[Webhook]):
    model = Webhook

    def active_of(self, workspace_id: int) -> Sequence[Webhook]:
        c = t.webhooks.c
        q = select(Webhook).where(c.workspace_id == workspace_id, c.active.is_(True)).order_by(c.id)
        return self.session.scalars(q).all()

    def of_workspace(self, workspace_id: int) -> Sequence[Webhook]:
        c = t.webhooks.c
        return self.session.scalars(
            select(Webhook).where(c.workspace_id == workspace_id).order_by(c.id)
        ).all()


class WebhookDeliveryRepository(Repository[WebhookDelivery]):
    model = WebhookDelivery

    def of_workspace(self, workspace_id: int, limit: int = 100) -> Sequence[WebhookDelivery]:
        c = t.webhook_deliveries.c
        q = select(WebhookDelivery).where(c.workspace_id == workspace_id).order_by(c.id.desc()).limit(limit)
        return self.session.scalars(q).all()


class WebSessionRepository(Repository[WebSession]):
    model = WebSession

    def by_token_hash(self, token_hash: str) -> WebSession | None:
        q = select(WebSession).where(t.web_sessions.c.token_hash == token_hash)
        return self.session.scalars(q).first()

    def delete_of_user(self, user_id: int) -> None:
        self.session.execute(delete(t.web_sessions).where(t.web_sessions.c.user_id == user_id))

    def purge_ended(self, now: datetime, idle_since: datetime) -> None:
        """Sessions past their absolute expiry or idle since before ``idle_since``."""
        c = t.web_sessions.c
        self.session.execute(
            delete(t.web_sessions).where((c.expires_at <= now) | (c.last_seen_at < idle_since))
        )


class GenotypeMatrixRepository(Repository[GenotypeMatrix]):
    model = GenotypeMatrix

    def of_study(self, study_id: int) -> Sequence[GenotypeMatrix]:
        c = t.genotype_matrices.c
        q = select(GenotypeMatrix).where(c.study_id == study_id).order_by(c.id)
        return self.session.scalars(q).all()

    def of_members(self, study_id: int, members_key: str) -> GenotypeMatrix | None:
        c = t.genotype_matrices.c
        q = select(GenotypeMatrix).where(c.study_id == study_id, c.members_key == members_key)
        return self.session.scalars(q).first()
