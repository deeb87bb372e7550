"""The demo workspace: users for every role, an API key, a project with its default study, and synthetic
(NOT HUMAN) reference bundles, a trio genome, a panel and a trio case (``vardesk demo``)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vardesk.annotate.bundle import load_bundle
from vardesk.app.admin import AdminService
from vardesk.app.annotation import DEMO_WORKSPACE, AnnotationService
from vardesk.app.cases.panels import PanelService
from vardesk.app.cases.service import CaseService
from vardesk.app.context import ServiceContext
from vardesk.app.genomes import ByteSource, ImportGenome, ImportGenomeCommand
from vardesk.app.projects import ProjectService
from vardesk.app.security import hash_secret
from vardesk.domain.access import Actor
from vardesk.domain.errors import Conflict

if TYPE_CHECKING:
    from vardesk.app.composition import Services

DEMO_USERS = (
    ("analyst@demo.vardesk.local", "analyst"),
    ("director@demo.vardesk.local", "director"),
    ("admin@demo.vardesk.local", "admin"),
    ("viewer@demo.vardesk.local", "viewer"),
)
# the orderable test id of the Fabric FE3 sample order (fe3/shell/sample_data), so the public FE3 scripts
# can order the demo panel on a demo server
DEMO_TEST_CODE = "460737"


class SeedDemo:
    """Create (or refresh) the demo workspace. New passwords and a new API key on every run; the synthetic
    data only once per data directory."""

    def __init__(
        self,
        ctx: ServiceContext,
        admin: AdminService,
        projects: ProjectService,
        annotation: AnnotationService,
        panels: PanelService,
        cases: CaseService,
        import_genome: ImportGenome,
        *,
        data_dir: Path,
    ) -> None:
        self.ctx = ctx
        self.admin = admin
        self.projects = projects
        self.annotation = annotation
        self.panels = panels
        self.cases = cases
        self.import_genome = import_genome
        self.workdir = data_dir / "demo"

    @classmethod
    def of(cls, services: Services) -> SeedDemo:
        s = services
        return cls(
            s.ctx,
            s.admin,
            s.projects,
            s.annotation,
            s.panels,
            s.cases,
            s.import_genome,
            data_dir=s.settings.data_dir,
        )

    def run(self) -> dict[str, Any]:
        admin = self.admin
        try:
            admin.create_workspace("Demo laboratory", code=DEMO_WORKSPACE)
        except Conflict:
            pass
        passwords: dict[str, str] = {}
        for email, role in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            try:
                admin.create_user(DEMO_WORKSPACE, email, role, password=password)
            except Conflict:
                with self.ctx.uow() as uow:
                    ws = uow.workspaces.by_code(DEMO_WORKSPACE)
                    assert ws is not None and ws.id is not None
                    user = uow.users.by_email(ws.id, email)
                    assert user is not None
                    user.password_hash = hash_secret(password)
                    uow.commit()
            passwords[email] = password
        key = admin.create_api_key(DEMO_WORKSPACE, DEMO_USERS[0][0], description="demo")
        with self.ctx.uow() as uow:
            ws = uow.workspaces.by_code(DEMO_WORKSPACE)
            analyst = uow.users.by_email(ws.id, DEMO_USERS[0][0])  # type: ignore[union-attr,arg-type]
            assert analyst is not None and analyst.id is not None and ws is not None and ws.id is not None
            actor = Actor(
                user_id=analyst.id, workspace_id=ws.id, login=analyst.login, role=analyst.role, via="cli"
            )
        try:
            self.projects.create_project(
                actor,
                {
                    "id": "demo",
                    "name": "Demo project",
                    "organism": {"scientificName": "Homo sapiens", "assembly": "GRCh38"},
                },
            )
        except Conflict:
            pass
        data = self.seed_data(actor)
        return {
            "workspace": DEMO_WORKSPACE,
            "demo_data": data,
            "grch37_bundle": self.install_loci_bundle(),
            "api_key": {"login": key.login, "password": key.password},
            "users": [
                {"user": email, "role": role, "password": passwords[email]} for email, role in DEMO_USERS
            ],
            "project": "demo@demo",
            "study": "demo@demo:default",
        }

    def install_loci_bundle(self) -> str:
        """The synthetic (NOT HUMAN) GRCh37-labelled bundle with genes at the loci of the Fabric acceptance
        chains' VCF (``bench/fabric_chains``), so hg19 uploads there are annotated and yield report
        variants."""
        from vardesk.synthetic.loci import build_loci_bundle

        bundle_dir = build_loci_bundle(self.workdir / "grch37-loci")
        bundle_id = load_bundle(bundle_dir).id
        self._install(bundle_dir)
        return bundle_id

    def _install(self, bundle_dir: Path) -> None:
        """Install a synthetic bundle (once) and enable it for the demo workspace, the only one it may
        serve."""
        bundle_id = load_bundle(bundle_dir).id
        if any(m.id == bundle_id for m in self.annotation.bundles()):
            self.annotation.enable(bundle_id, workspace=DEMO_WORKSPACE, actor="demo")
        else:
            self.annotation.install(bundle_dir, workspace=DEMO_WORKSPACE, actor="demo")

    def seed_data(self, actor: Actor) -> dict[str, Any]:
        """A synthetic (NOT HUMAN) reference bundle, a trio genome generated on it, a panel and a trio case.

        The case becomes READY TO REVIEW once the queued indexing job has run (``vardesk demo --serve``).
        Only done once per data directory.
        """
        import pyarrow.parquet as pq

        from vardesk.synthetic.bundle import build_demo_bundle
        from vardesk.synthetic.vcf import generate_vcf

        with self.ctx.uow() as uow:
            existing = uow.cases.in_studies([self.projects.study_view(actor, "demo:default").study.id or 0])
        if existing:
            return {"case": existing[0].code, "note": "demo data already present"}
        bundle_dir = build_demo_bundle(self.workdir, seed=0, scale="demo", build="GRCh38")
        self._install(bundle_dir)
        vcf = self.workdir / "demo-trio.vcf.gz"
        generate_vcf(
            vcf,
            records=20_000,
            seed=7,
            samples=("PROBAND", "FATHER", "MOTHER"),
            build="GRCh38",
            fasta=load_bundle(bundle_dir).fasta,
        )
        with vcf.open("rb") as fh:
            imported = self.import_genome.run(
                ImportGenomeCommand(
                    actor=actor,
                    study="demo:default",
                    source=ByteSource(fh, vcf.name),
                    folder="data/",
                    build="GRCh38",
                )
            )
        genes_table = load_bundle(bundle_dir).table("genes")
        symbols = (
            pq.read_table(genes_table, columns=["symbol"]).column("symbol").to_pylist() if genes_table else []
        )
        genes = sorted({g for g in symbols if g})[:50]
        panel, _ = self.panels.create(
            actor,
            {
                "name": "Demo panel (synthetic genes)",
                "genes": genes,
                "methodology": "Synthetic demonstration data; not human.",
                "test_code": DEMO_TEST_CODE,
            },
        )
        case = self.cases.create(
            actor,
            "demo:default",
            {
                "id": "DEMO-TRIO",
                "type": "trio",
                "panel_id": panel.id,
                "title": "Demo trio (synthetic, not human)",
                "members": [
                    {"relation": "PROBAND", "sample": "PROBAND", "sex": "FEMALE", "affected": "AFFECTED"},
                    {"relation": "FATHER", "sample": "FATHER", "sex": "MALE", "affected": "UNAFFECTED"},
                    {"relation": "MOTHER", "sample": "MOTHER", "sex": "FEMALE", "affected": "UNAFFECTED"},
                ],
                "patient_fields": {
                    "Last Name": "Demo",
                    "First Name": "Synthetic",
                    "Accession ID": "DEMO-0001",
                },
            },
        )
        assert imported.job is not None  # the command asks for indexing
        return {
            "file": imported.file.code,
            "case": case.case.code,
            "panel": panel.id,
            "index_job": imported.job.code,
            "bundle": load_bundle(bundle_dir).id,
            "note": "synthetic data, not human",
        }
