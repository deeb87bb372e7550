"""Unit of work: one transaction, every repository on the same session."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from vardesk.catalog import case_repositories as cr
from vardesk.catalog import repositories as r
from vardesk.domain.errors import ConcurrentChange


def _unique_violation(exc: IntegrityError) -> bool:
    text = str(exc.orig).lower()
    return "unique" in text or "duplicate key" in text


class UnitOfWork:
    """``with uow_factory() as uow: ...; uow.commit()`` — rolls back unless committed."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        s = self.session
        self.workspaces = r.WorkspaceRepository(s)
        self.users = r.UserRepository(s)
        self.api_keys = r.ApiKeyRepository(s)
        self.projects = r.ProjectRepository(s)
        self.studies = r.StudyRepository(s)
        self.jobs = r.JobRepository(s)
        self.audit = r.AuditRepository(s)
        self.auth_failures = r.AuthFailureRepository(s)
        self.files = r.FileRepository(s)
        self.upload_intents = r.UploadIntentRepository(s)
        self.genomes = r.GenomeRepository(s)
        self.bundle_enablements = r.BundleEnablementRepository(s)
        self.individuals = r.IndividualRepository(s)
        self.families = r.FamilyRepository(s)
        self.cases = cr.CaseRepository(s)
        self.case_members = cr.CaseMemberRepository(s)
        self.case_events = cr.CaseEventRepository(s)
        self.report_variants = cr.ReportVariantRepository(s)
        self.variant_events = cr.VariantEventRepository(s)
        self.panels = cr.PanelRepository(s)
        self.workspace_configs = cr.WorkspaceConfigRepository(s)
        self.assay_types = cr.AssayTypeRepository(s)
        self.condition_genes = cr.ConditionGeneRepository(s)
        self.analyses = cr.GeneAnalysisRepository(s)
        self.secondary_analysis_jobs = cr.SecondaryAnalysisJobRepository(s)
        self.storage_providers = r.StorageProviderRepository(s)
        self.webhooks = r.WebhookRepository(s)
        self.webhook_deliveries = r.WebhookDeliveryRepository(s)
        self.web_sessions = r.WebSessionRepository(s)
        self.genotype_matrices = r.GenotypeMatrixRepository(s)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # close() rolls back whatever was not committed; unlike rollback() it does not expire the
        # loaded objects, so they stay readable after the unit of work ends.
        self.session.close()
        # a unique key taken by a concurrent transaction between our read and our write is a conflict
        # the caller can repeat (409), not a server error
        if isinstance(exc, IntegrityError) and _unique_violation(exc):
            raise ConcurrentChange(
                "another request changed the same records at the same moment; repeat the request"
            ) from exc

    def commit(self) -> None:
        self.session.commit()

    def flush(self) -> None:
        self.session.flush()


class UnitOfWorkFactory:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)
