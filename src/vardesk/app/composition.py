"""The composition root: :func:`build_services` opens the catalog and the store and wires every service
with its collaborators; the job types are bound to theirs in the same place."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy.engine import Engine

from vardesk.app.admin import AdminService
from vardesk.app.annotation import AnnotationService
from vardesk.app.auth import AuthService
from vardesk.app.cases.case_analysis import TOOL as CASE_TOOL
from vardesk.app.cases.case_analysis import CandidateService, run_case_analysis
from vardesk.app.cases.configuration import ConfigurationService
from vardesk.app.cases.emedgene_batch import CaseBatch
from vardesk.app.cases.evidence import VariantEvidenceService
from vardesk.app.cases.exchange import ExchangeService
from vardesk.app.cases.gene_analyses import TOOL as GENE_TOOL
from vardesk.app.cases.gene_analyses import AnalysisService, run_gene_analysis
from vardesk.app.cases.intake import CaseIntake
from vardesk.app.cases.interpretation import InterpretationService
from vardesk.app.cases.panels import PanelService
from vardesk.app.cases.records import CaseRecords
from vardesk.app.cases.report_rendering import RENDER_TOOL, run_report_render
from vardesk.app.cases.reporting import ReportService
from vardesk.app.cases.secondary_analysis import SecondaryAnalysisService
from vardesk.app.cases.service import CaseService
from vardesk.app.context import ServiceContext
from vardesk.app.encryption import KeyRotation
from vardesk.app.exports import EXPORT_TOOL, ExportVariants, run_variant_export
from vardesk.app.files import FileService
from vardesk.app.genomes import ImportGenome
from vardesk.app.indexing import REANNOTATE as REANNOTATE_TOOL
from vardesk.app.indexing import TOOL as INDEX_TOOL
from vardesk.app.indexing import IndexService, run_reannotation, run_variant_index
from vardesk.app.inhouse import InhouseFrequencies
from vardesk.app.job_handlers import JobHandlers, register
from vardesk.app.jobs import JobService
from vardesk.app.phenotypes import PhenotypeLookup
from vardesk.app.projects import ProjectService
from vardesk.app.ranking import VcfRanking
from vardesk.app.samples import PedigreeService
from vardesk.app.security import TokenSigner, VerifiedSecretCache, configure_hashing
from vardesk.app.storage_providers import StorageProviderService
from vardesk.app.uploads import UploadIntents
from vardesk.app.variants import VariantService
from vardesk.app.web_sessions import WebSessions
from vardesk.app.webhooks import TOOL as WEBHOOK_TOOL
from vardesk.app.webhooks import WebhookService, run_webhook_delivery
from vardesk.catalog.db import make_engine, make_session_factory
from vardesk.catalog.migrate import head_revision, is_up_to_date, upgrade
from vardesk.catalog.uow import UnitOfWorkFactory
from vardesk.config import Settings, ensure_data_dir
from vardesk.domain.errors import Invalid, VardeskError
from vardesk.jobs.broker import QUEUES as JOB_QUEUE_NAMES
from vardesk.jobs.broker import BrokerExecutor, Publisher, check_broker_url, shown_url
from vardesk.jobs.catalog_queue import CatalogJobQueue
from vardesk.jobs.executor import Executor, LocalExecutor
from vardesk.jobs.registry import get_tool, load_plugins
from vardesk.storage.blobs import BlobStore, open_store
from vardesk.storage.encryption import secure_store
from vardesk.storage.keys import load_keyring
from vardesk.variants.engine import EngineSettings, configure_engine, register_filesystem
from vardesk.variants.engine import engine as query_engine

log = logging.getLogger("vardesk.storage")

# The worker queue of each job type with a broker (`vardesk worker --queues`); other types go to "ingest"
JOB_QUEUES = {
    INDEX_TOOL: "ingest",
    REANNOTATE_TOOL: "ingest",
    CASE_TOOL: "ingest",
    GENE_TOOL: "ingest",
    RENDER_TOOL: "reports",
    EXPORT_TOOL: "reports",
    WEBHOOK_TOOL: "light",
}


class DatabaseNotMigrated(VardeskError):
    code = "database_not_migrated"


@dataclass
class Services:
    """What the composition root built: the faces and the command line use the services by these names.
    Nothing in the application layer reaches through this object: each service got its collaborators."""

    settings: Settings
    engine: Engine
    ctx: ServiceContext
    auth: AuthService
    admin: AdminService
    projects: ProjectService
    jobs: JobService
    store: BlobStore
    files: FileService
    pedigree: PedigreeService
    annotation: AnnotationService
    indexing: IndexService
    variants: VariantService
    cases: CaseService
    interpretation: InterpretationService
    evidence: VariantEvidenceService
    panels: PanelService
    reports: ReportService
    candidates: CandidateService
    analyses: AnalysisService
    exchange: ExchangeService
    configuration: ConfigurationService
    secondary_analysis: SecondaryAnalysisService
    exports: ExportVariants
    keys: KeyRotation
    job_handlers: JobHandlers
    storage_providers: StorageProviderService
    phenotypes: PhenotypeLookup
    ranking: VcfRanking
    webhooks: WebhookService
    web_sessions: WebSessions
    import_genome: ImportGenome = field(init=False)
    case_intake: CaseIntake = field(init=False)
    case_batch: CaseBatch = field(init=False)
    executor: Executor | None = field(default=None)

    def local_executor(self) -> LocalExecutor:
        """An in-process executor over the catalog's job queue, running the bound job handlers."""
        s = self.ctx.settings
        return LocalExecutor(
            CatalogJobQueue(self.ctx.uow, lambda: self.ctx.clock()),
            get_tool,
            self.job_handlers,
            workers=s.job_workers,
            lease_seconds=s.job_stale_seconds,
            heartbeat_seconds=s.job_heartbeat_seconds,
            poll_seconds=s.job_poll_seconds,
        )

    def broker_executor(self) -> BrokerExecutor:
        """An executor that publishes the catalog's queued jobs to the broker's workers and runs none."""
        s = self.ctx.settings
        return BrokerExecutor(
            CatalogJobQueue(self.ctx.uow, lambda: self.ctx.clock()),
            Publisher(check_broker_url(s.broker_url), _job_queue, s.job_stale_seconds),
            lease_seconds=s.job_stale_seconds,
            poll_seconds=s.job_poll_seconds,
        )

    def run_if_idle(self, job_id: int) -> None:
        """Run a queued job in the calling thread when no executor of this process takes jobs up."""
        if self.executor is None or not self.executor.is_running():
            self.local_executor().run_now(job_id)

    def start_executor(self) -> None:
        if self.executor is None:
            executor = self.broker_executor() if self.settings.broker_url else self.local_executor()
            self.ctx.on_job_submitted.append(executor.wake)
            self.executor = executor
        self.executor.start()

    def close(self) -> None:
        if self.executor is not None:
            self.executor.stop()
        self.annotation.close()
        self.engine.dispose()


def _job_queue(tool: str) -> str:
    return JOB_QUEUES.get(tool, "ingest")


def run_job_worker(
    settings: Settings,
    queues: list[str] | None,
    concurrency: int | None,
    announce: Callable[[str], None] = lambda line: None,
) -> int:
    """``vardesk worker``: run the broker's jobs on ``queues`` (default: all) in ``concurrency`` processes
    (default ``job_workers``) until stopped. The catalog is checked (or upgraded, when allowed) here, once;
    each pool process then builds its own services."""
    from vardesk.jobs.worker import run_worker

    if not settings.broker_url:
        raise Invalid("vardesk worker needs a broker: set VARDESK_BROKER_URL=redis://host:port/db")
    check_broker_url(settings.broker_url)
    settings = ensure_data_dir(settings)
    url = settings.resolved_database_url
    if settings.should_auto_migrate:
        upgrade(url)
    engine = make_engine(url)
    try:
        if not is_up_to_date(engine):
            raise DatabaseNotMigrated(
                "the catalog database is not at the current schema version; run `vardesk db upgrade` first"
            )
    finally:
        engine.dispose()

    def pool_process() -> tuple[LocalExecutor, Callable[[], None]]:
        services = build_services(settings, migrate=False)
        return services.local_executor(), services.close

    queues = list(queues or JOB_QUEUE_NAMES)
    concurrency = concurrency or settings.job_workers
    announce(
        f"Vardesk worker: queues {', '.join(queues)}, {concurrency} job(s) at once, broker "
        f"{shown_url(settings.broker_url)}, catalog {'SQLite' if settings.is_sqlite else 'PostgreSQL'}"
    )
    return run_worker(
        settings.broker_url,
        pool_process,
        _job_queue,
        queues=queues,
        concurrency=concurrency,
        log_level=settings.log_level,
    )


def upgrade_catalog(settings: Settings) -> str:
    """Apply the catalog migrations (``vardesk db upgrade``); returns the schema revision now current."""
    upgrade(ensure_data_dir(settings).resolved_database_url)
    return head_revision()


def _pool_options(settings: Settings, url: str) -> dict[str, float]:
    """This process's catalog connection pool (an in-memory SQLite database has one connection)."""
    if ":memory:" in url:
        return {}
    return {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout_seconds,
    }


def build_services(settings: Settings, *, migrate: bool | None = None) -> Services:
    """Open the catalog (upgrading it when allowed) and build every service."""
    settings = ensure_data_dir(settings)
    # the keys before anything is opened: a server that could not read its encrypted blobs does not start
    keyring = load_keyring(settings.encryption_key_file, settings.encryption_key)
    url = settings.resolved_database_url
    if migrate if migrate is not None else settings.should_auto_migrate:
        upgrade(url)
    engine = make_engine(url, **_pool_options(settings, url))
    if not is_up_to_date(engine):
        engine.dispose()
        raise DatabaseNotMigrated(
            "the catalog database is not at the current schema version; run `vardesk db upgrade` first"
        )
    configure_hashing(
        settings.hash_time_cost, settings.hash_memory_kib, settings.hash_concurrency, settings.hash_queue
    )
    load_plugins(settings.job_plugins)
    configure_engine(
        EngineSettings(
            memory_limit_mib=settings.query_memory_mib,
            threads=settings.query_threads,
            slots=settings.query_slots,
            queue=settings.query_queue,
            wait_seconds=settings.query_wait_seconds,
            temp_directory=str(settings.data_dir / "query-spill"),  # holds patient data: the data directory
        )
    )

    ctx = ServiceContext(
        settings=settings,
        uow=UnitOfWorkFactory(make_session_factory(engine)),
        signer=TokenSigner(settings.secret_key, settings.token_ttl_seconds, settings.refresh_ttl_seconds),
        secret_cache=VerifiedSecretCache(settings.api_key_cache_seconds),
    )
    store = secure_store(
        open_store(settings.resolved_storage_url, scratch=settings.resolved_scratch_dir), keyring
    )
    if (filesystem := store.filesystem()) is not None:  # DuckDB reads the variant store's objects in place
        register_filesystem(filesystem)
    swept = store.sweep()  # what a crashed process left half-written; a count only, never a path
    uploads = UploadIntents(ctx, store).sweep()  # blobs moved in by an upload that was never recorded
    log.info("swept what stopped processes left: %d storage entries, %d unrecorded uploads", swept, uploads)
    return wire(settings, engine, ctx, store)


def wire(settings: Settings, engine: Engine, ctx: ServiceContext, store: BlobStore) -> Services:
    """The one place the services are built, each given exactly the collaborators it uses."""
    projects = ProjectService(ctx)
    jobs = JobService(ctx)
    auth = AuthService(ctx)
    inhouse = InhouseFrequencies(ctx, store)
    files = FileService(ctx, projects, store, UploadIntents(ctx, store), inhouse)
    annotation = AnnotationService(ctx, store)
    configuration = ConfigurationService(ctx)
    # the case record (loading, history, system transitions) is what the analysis and the interpretation
    # need of a case; the case service builds on them in turn (creation queues the analysis, amendment
    # copies the interpretation)
    records = CaseRecords(ctx, projects, configuration)
    interpretation = InterpretationService(ctx, records, store)
    candidates = CandidateService(
        ctx,
        projects=projects,
        jobs=jobs,
        annotation=annotation,
        store=store,
        cases=records,
        interpretation=interpretation,
    )
    cases = CaseService(ctx, projects, configuration, candidates, interpretation)
    panels = PanelService(ctx, annotation)
    analyses = AnalysisService(ctx, projects, jobs, records, candidates, panels)
    indexing = IndexService(ctx, projects, files, jobs, annotation)
    variants = VariantService(ctx, projects, annotation, store, query_engine(), records, inhouse)
    exports = ExportVariants(ctx, interpretation, variants, projects, jobs, store)
    # a PDF request with no executor running here renders in its own thread (the services exist below)
    reports = ReportService(
        ctx, cases, interpretation, auth, store, jobs, run_if_idle=lambda job_id: services.run_if_idle(job_id)
    )
    cases.on_approved.append(reports.rendering.queue_final)
    webhooks = WebhookService(ctx, jobs)
    for case_records in (records, cases):  # every status change, by a person or by a job
        case_records.on_status.append(webhooks.queue)
    handlers = JobHandlers(
        {
            INDEX_TOOL: partial(
                run_variant_index,
                indexing=indexing,
                inhouse=inhouse,
                annotation=annotation,
                store=store,
                cases=records,
                candidates=candidates,
                analyses=analyses,
            ),
            REANNOTATE_TOOL: partial(run_reannotation, annotation=annotation),
            CASE_TOOL: partial(run_case_analysis, candidates=candidates, cases=records),
            GENE_TOOL: partial(run_gene_analysis, analyses=analyses),
            RENDER_TOOL: partial(
                run_report_render, rendering=reports.rendering, actor_of=candidates.actor_of
            ),
            EXPORT_TOOL: partial(run_variant_export, exports=exports, actor_of=candidates.actor_of),
            WEBHOOK_TOOL: partial(run_webhook_delivery, webhooks=webhooks),
        }
    )
    services = Services(
        settings=settings,
        engine=engine,
        ctx=ctx,
        auth=auth,
        admin=AdminService(ctx),
        projects=projects,
        jobs=jobs,
        store=store,
        files=files,
        pedigree=PedigreeService(ctx, projects),
        annotation=annotation,
        indexing=indexing,
        variants=variants,
        cases=cases,
        interpretation=interpretation,
        evidence=VariantEvidenceService(ctx, records, interpretation, annotation, store),
        panels=panels,
        reports=reports,
        candidates=candidates,
        analyses=analyses,
        exchange=ExchangeService(ctx, cases, projects),
        configuration=configuration,
        secondary_analysis=SecondaryAnalysisService(ctx),
        exports=exports,
        keys=KeyRotation(ctx, store),
        job_handlers=handlers,
        storage_providers=StorageProviderService(ctx),
        phenotypes=PhenotypeLookup(),
        ranking=VcfRanking(store, annotation),
        webhooks=webhooks,
        web_sessions=WebSessions(ctx, auth),
    )
    # the upload limit is read when an upload arrives (the settings of a running server can be replaced)
    services.import_genome = ImportGenome(
        ctx,
        projects,
        files,
        indexing,
        cases,
        store,
        max_upload_bytes=lambda: services.settings.max_upload_bytes,
    )
    services.case_intake = CaseIntake(
        ctx, projects, cases, panels, services.storage_providers, services.import_genome
    )
    services.case_batch = CaseBatch(
        services.case_intake,
        services.storage_providers,
        services.phenotypes,
        lambda: services.settings.emedgene_project,
    )
    return services


for _tool in (INDEX_TOOL, REANNOTATE_TOOL, CASE_TOOL, GENE_TOOL, RENDER_TOOL, EXPORT_TOOL, WEBHOOK_TOOL):
    register(_tool)
