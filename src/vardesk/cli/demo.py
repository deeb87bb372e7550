"""The demo workspace: users for every role, an API key, a project with its default study."""

from __future__ import annotations

import secrets
from typing import Any

from vardesk.domain.access import Actor
from vardesk.domain.errors import Conflict
from vardesk.app.annotation import DEMO_WORKSPACE as DEMO
from vardesk.app.composition import Services
from vardesk.app.files import UploadedBlob
from vardesk.app.security import hash_secret
from vardesk.storage.blobs import spooled_upload

DEMO_WORKSPACE = DEMO  # a synthetic (NOT HUMAN) bundle may be enabled for this workspace only
DEMO_USERS = (
    ("analyst@demo.vardesk.local", "analyst"),
    ("director@demo.vardesk.local", "director"),
    ("admin@demo.vardesk.local", "admin"),
    ("viewer@demo.vardesk.local", "viewer"),
)


def seed_demo(services: Services) -> dict[str, Any]:
    """Create (or refresh) the demo workspace. New passwords and a new API key on every run."""
    admin = services.admin
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
            with services.ctx.uow() as uow:
                ws = uow.workspaces.by_code(DEMO_WORKSPACE)
                assert ws is not None and ws.id is not None
                user = uow.users.by_email(ws.id, email)
                assert user is not None
                user.password_hash = hash_secret(password)
                uow.commit()
        passwords[email] = password
    key = admin.create_api_key(DEMO_WORKSPACE, DEMO_USERS[0][0], description="demo")
    with services.ctx.uow() as uow:
        ws = uow.workspaces.by_code(DEMO_WORKSPACE)
        analyst = uow.users.by_email(ws.id, DEMO_USERS[0][0])  # type: ignore[union-attr,arg-type]
        assert analyst is not None and analyst.id is not None and ws is not None and ws.id is not None
        actor = Actor(
            user_id=analyst.id, workspace_id=ws.id, login=analyst.login, role=analyst.role, via="cli"
        )
    try:
        services.projects.create_project(
            actor,
            {
                "id": "demo",
                "name": "Demo project",
                "organism": {"scientificName": "Homo sapiens", "assembly": "GRCh38"},
            },
        )
    except Conflict:
        pass
    data = seed_demo_data(services, actor)
    return {
        "workspace": DEMO_WORKSPACE,
        "demo_data": data,
        "grch37_bundle": install_loci_bundle(services),
        "api_key": {"login": key.login, "password": key.password},
        "users": [{"user": email, "role": role, "password": passwords[email]} for email, role in DEMO_USERS],
        "project": "demo@demo",
        "study": "demo@demo:default",
    }


def install_loci_bundle(services: Services) -> str:
    """The synthetic (NOT HUMAN) GRCh37-labelled bundle with genes at the loci of the Fabric acceptance
    chains' VCF (``bench/fabric_chains``), so hg19 uploads there are annotated and yield report variants."""
    from vardesk.annotate.bundle import load_bundle
    from vardesk.synthetic.loci import build_loci_bundle

    bundle_dir = build_loci_bundle(services.settings.data_dir / "demo" / "grch37-loci")
    bundle_id = load_bundle(bundle_dir).id
    _install_for_demo(services, bundle_dir)
    return bundle_id


def _install_for_demo(services: Services, bundle_dir: Any) -> None:
    """Install a synthetic bundle (once) and enable it for the demo workspace, the only one it may serve."""
    from vardesk.annotate.bundle import load_bundle

    bundle_id = load_bundle(bundle_dir).id
    if any(m.id == bundle_id for m in services.annotation.bundles()):
        services.annotation.enable(bundle_id, workspace=DEMO_WORKSPACE, actor="demo")
    else:
        services.annotation.install(bundle_dir, workspace=DEMO_WORKSPACE, actor="demo")


DEMO_TEST_CODE = "460737"


def seed_demo_data(services: Services, actor: Actor) -> dict[str, Any]:
    """A synthetic (NOT HUMAN) reference bundle, a trio genome generated on it, a panel and a trio case.

    The case becomes READY TO REVIEW once the queued indexing job has run (``vardesk demo --serve``).
    Only done once per data directory.
    """
    import pyarrow.parquet as pq

    from vardesk.annotate.bundle import load_bundle
    from vardesk.synthetic.bundle import build_demo_bundle
    from vardesk.synthetic.vcf import generate_vcf

    with services.ctx.uow() as uow:
        existing = uow.cases.in_studies([services.projects.study_view(actor, "demo:default").study.id or 0])
    if existing:
        return {"case": existing[0].code, "note": "demo data already present"}
    root = services.settings.data_dir / "demo"
    bundle_dir = build_demo_bundle(root, seed=0, scale="demo", build="GRCh38")
    _install_for_demo(services, bundle_dir)
    vcf = root / "demo-trio.vcf.gz"
    generate_vcf(
        vcf,
        records=20_000,
        seed=7,
        samples=("PROBAND", "FATHER", "MOTHER"),
        build="GRCh38",
        fasta=load_bundle(bundle_dir).fasta,
    )
    with (
        vcf.open("rb") as fh,
        spooled_upload(services.store, fh, max_bytes=services.settings.max_upload_bytes) as (
            path,
            size,
            md5,
            sha,
        ),
    ):
        view = services.files.register_upload(
            actor,
            "demo:default",
            UploadedBlob(path, size, md5, sha),
            name=vcf.name,
            relative_path="data/",
            expected_build="GRCh38",
        )
    genes_table = load_bundle(bundle_dir).table("genes")
    symbols = (
        pq.read_table(genes_table, columns=["symbol"]).column("symbol").to_pylist() if genes_table else []
    )
    genes = sorted({g for g in symbols if g})[:50]
    panel, _ = services.panels.create(
        actor,
        {
            "name": "Demo panel (synthetic genes)",
            "genes": genes,
            "methodology": "Synthetic demonstration data; not human.",
            # the orderable test id of the Fabric FE3 sample order (fe3/shell/sample_data), so the
            # public FE3 scripts can order this panel on a demo server
            "test_code": DEMO_TEST_CODE,
        },
    )
    case = services.cases.create(
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
            "patient_fields": {"Last Name": "Demo", "First Name": "Synthetic", "Accession ID": "DEMO-0001"},
        },
    )
    job, _ = services.indexing.index_files(actor, "demo:default", [view.file.code])
    return {
        "file": view.file.code,
        "case": case.case.code,
        "panel": panel.id,
        "index_job": job.code,
        "bundle": load_bundle(bundle_dir).id,
        "note": "synthetic data, not human",
    }
