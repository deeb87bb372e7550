"""Wiring: one :class:`Services` object holds the catalog, the services and the job executor."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from vardesk.app.cases.gene_analyses import AnalysisService
from vardesk.app.cases.case_analysis import CandidateService
from vardesk.app.cases.configuration import ConfigurationService
from vardesk.app.cases.exchange import ExchangeService
from vardesk.app.cases.interpretation import InterpretationService
from vardesk.app.cases.panels import PanelService
from vardesk.app.cases.reporting import ReportService
from vardesk.app.cases.secondary_analysis import SecondaryAnalysisService
from vardesk.app.cases.service import CaseService
from vardesk.catalog.db import make_engine, make_session_factory
from vardesk.catalog.migrate import is_up_to_date, upgrade
from vardesk.catalog.uow import UnitOfWorkFactory
from vardesk.config import Settings, ensure_data_dir
from vardesk.domain.errors import VardeskError
from vardesk.jobs.catalog_queue import CatalogJobQueue
from vardesk.jobs.executor import Executor, LocalExecutor
from vardesk.jobs.registry import get_tool, load_plugins
from vardesk.app.admin import AdminService
from vardesk.app.annotation import AnnotationService
from vardesk.app.auth import AuthService
from vardesk.app.context import ServiceContext
from vardesk.app.files import FileService
from vardesk.app.indexing import IndexService
from vardesk.app.jobs import JobService
from vardesk.app.samples import PedigreeService
from vardesk.app.projects import ProjectService
from vardesk.app.security import TokenSigner, VerifiedSecretCache, configure_hashing
from vardesk.app.variants import VariantService
from vardesk.storage.blobs import LocalBlobStore, open_store


class DatabaseNotMigrated(VardeskError):
    code = "database_not_migrated"


@dataclass
class Services:
    settings: Settings
    engine: Engine
    ctx: ServiceContext
    auth: AuthService
    admin: AdminService
    projects: ProjectService
    jobs: JobService
    store: LocalBlobStore
    files: FileService
    pedigree: PedigreeService
    annotation: AnnotationService
    indexing: IndexService = field(init=False)
    variants: VariantService = field(init=False)
    cases: CaseService = field(init=False)
    interpretation: InterpretationService = field(init=False)
    panels: PanelService = field(init=False)
    reports: ReportService = field(init=False)
    candidates: CandidateService = field(init=False)
    analyses: AnalysisService = field(init=False)
    exchange: ExchangeService = field(init=False)
    configuration: ConfigurationService = field(init=False)
    secondary_analysis: SecondaryAnalysisService = field(init=False)
    executor: Executor | None = field(default=None)

    def __post_init__(self) -> None:
        self.indexing = IndexService(self.ctx, self)
        self.variants = VariantService(self.ctx, self.projects, self)
        self.cases = CaseService(self.ctx, self.projects, self)
        self.interpretation = InterpretationService(self.ctx, self)
        self.panels = PanelService(self.ctx, self)
        self.reports = ReportService(self.ctx, self)
        self.candidates = CandidateService(self.ctx, self)
        self.analyses = AnalysisService(self.ctx, self)
        self.exchange = ExchangeService(self.ctx, self)
        self.configuration = ConfigurationService(self.ctx)
        self.secondary_analysis = SecondaryAnalysisService(self.ctx)

    def local_executor(self) -> LocalExecutor:
        """An in-process executor over the catalog's job queue; job handlers receive these services."""
        s = self.ctx.settings
        return LocalExecutor(
            CatalogJobQueue(self.ctx.uow, lambda: self.ctx.clock()),
            get_tool,
            self,
            workers=s.job_workers,
            lease_seconds=s.job_stale_seconds,
            heartbeat_seconds=s.job_heartbeat_seconds,
            poll_seconds=s.job_poll_seconds,
        )

    def start_executor(self) -> None:
        if self.executor is None:
            executor = self.local_executor()
            self.ctx.on_job_submitted.append(executor.wake)
            self.executor = executor
        self.executor.start()

    def close(self) -> None:
        if self.executor is not None:
            self.executor.stop()
        self.engine.dispose()


def build_services(settings: Settings, *, migrate: bool | None = None) -> Services:
    """Open the catalog (upgrading it when allowed) and build every service."""
    settings = ensure_data_dir(settings)
    url = settings.resolved_database_url
    if migrate if migrate is not None else settings.should_auto_migrate:
        upgrade(url)
    engine = make_engine(url)
    if not is_up_to_date(engine):
        engine.dispose()
        raise DatabaseNotMigrated(
            "the catalog database is not at the current schema version; run `vardesk db upgrade` first"
        )
    configure_hashing(
        settings.hash_time_cost, settings.hash_memory_kib, settings.hash_concurrency, settings.hash_queue
    )
    load_plugins(settings.job_plugins)

    ctx = ServiceContext(
        settings=settings,
        uow=UnitOfWorkFactory(make_session_factory(engine)),
        signer=TokenSigner(settings.secret_key, settings.token_ttl_seconds, settings.refresh_ttl_seconds),
        secret_cache=VerifiedSecretCache(settings.api_key_cache_seconds),
    )
    store = open_store(settings.resolved_storage_url)
    projects = ProjectService(ctx)
    return Services(
        settings=settings,
        engine=engine,
        ctx=ctx,
        auth=AuthService(ctx),
        admin=AdminService(ctx),
        projects=projects,
        jobs=JobService(ctx),
        store=store,
        files=FileService(ctx, projects, store),
        pedigree=PedigreeService(ctx, projects),
        annotation=AnnotationService(ctx, store),
    )
