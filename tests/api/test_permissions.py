"""Permission matrix: every endpoint × every role × a second workspace, on a real server.

Workspace lab-a: the analyst owns three projects — ``shared`` (CONTRIBUTOR), ``viewonly`` (VIEWER) and
``private`` (NONE) — and a queued job in ``private``. Every member of lab-a and of lab-b calls every
endpoint; the expected status per role is below. lab-b must never see anything of lab-a.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import requests

from tests.conftest import LiveServer
from tests.world import PASSWORD, World, build_world
from vardesk.app.composition import Services
from vardesk.app.files import UploadedBlob
from vardesk.app.variants import VariantSearch
from vardesk.domain.cases import ReportVariant
from vardesk.domain.enums import Role

API = "/api/v2"
A, B = "lab-a", "lab-b"
ALL = tuple(Role)
WRITERS = (Role.ADMIN, Role.DIRECTOR, Role.ANALYST)
OWNER_OR_ADMIN = (Role.ADMIN, Role.ANALYST)


@dataclass
class Ctx:
    world: World
    server: LiveServer
    counter: Iterator[int]
    private_job: str = ""
    export_job: str = ""  # a variant.export job of the analyst in ``private``, still queued
    variant_id: int = 0
    panel_id: int = 0
    file_id: str = ""  # the id the server gave small.vcf in ``private``

    def case_in(self, study: str, status: str, **fields: object) -> str:
        """A new case of the analyst in ``study``, put in ``status`` (as the workflow would have)."""
        svc = self.world.services
        owner = self.world.member(A, Role.ANALYST).actor
        view = svc.cases.create(owner, study, {"type": "exome"})
        with svc.ctx.uow() as uow:
            case = uow.cases.get(view.case.id)
            case.status = status  # type: ignore[union-attr]
            for k, v in fields.items():
                setattr(case, k, v)
            uow.commit()
        return view.case.code

    def fresh_job(self) -> str:
        svc = self.world.services
        owner = self.world.member(A, Role.ANALYST).actor
        with svc.ctx.uow() as uow:
            view = svc.projects.resolve_study(uow, owner, "private:default")
            job = svc.jobs.submit(uow, owner, "test.matrix", {}, study=view)
            uow.commit()
        return job.code


@dataclass(frozen=True)
class Case:
    method: str
    route: str  # the route template, to prove every endpoint is covered
    build: Callable[[Ctx], tuple]  # -> (concrete path + query, json body[, multipart files])
    allowed: tuple[Role, ...]  # roles of lab-a that succeed (200)
    denied_status: int = 403  # status for the other roles of lab-a
    ok_status: int = 200  # status for the allowed roles (e.g. 422 for a PDF of a case in the wrong state)
    leak_check: bool = True  # lab-b must not see lab-a's identifiers in the body


def n(ctx: Ctx) -> int:
    return next(ctx.counter)


@functools.cache
def _receiver_url() -> str:
    """A loopback receiver answering 204 at once: the status changes of the matrix are delivered to the
    webhooks it registers without tying up the job workers in retries."""
    from tests.app.test_webhooks import Receiver

    return Receiver(fail=0).url


def _hook(ctx: Ctx) -> int:
    """A new webhook of lab-a (each removal needs its own)."""
    svc = ctx.world.services
    ws = svc.admin.get_workspace(A)
    return svc.webhooks.add(ws.id or 0, f"{_receiver_url()}/a{n(ctx)}")[0].id or 0


CLINICAL_CASES = [
    Case(
        "GET", "/analysis/clinical/configuration", lambda c: ("/analysis/clinical/configuration", None), ALL
    ),
    Case(
        "POST",
        "/analysis/clinical/configuration/update",
        lambda c: ("/analysis/clinical/configuration/update", {"patientFields": ["Last Name", "MRN"]}),
        (Role.ADMIN,),
    ),
    Case(
        "POST",
        "/assays/create",
        lambda c: ("/assays/create", {"name": f"assay {n(c)}", "qcFields": ["x"]}),
        (Role.ADMIN, Role.DIRECTOR),
    ),
    Case("GET", "/assays/search", lambda c: ("/assays/search", None), ALL),
    Case("GET", "/webhooks/deliveries/search", lambda c: ("/webhooks/deliveries/search", None), ALL),
    Case("GET", "/webhooks/search", lambda c: ("/webhooks/search", None), (Role.ADMIN,)),
    Case(
        "POST",
        "/webhooks/create",
        lambda c: ("/webhooks/create", {"url": f"{_receiver_url()}/{n(c)}"}),
        (Role.ADMIN,),
    ),
    Case(
        "DELETE",
        "/webhooks/{webhook}/delete",
        lambda c: (f"/webhooks/{_hook(c)}/delete", None),
        (Role.ADMIN,),
    ),
    Case(
        "POST",
        "/conditions/create",
        lambda c: ("/conditions/create", {"gene": "CFTR", "condition": "Cystic fibrosis"}),
        WRITERS,
    ),
    Case("GET", "/conditions/search", lambda c: ("/conditions/search?gene=CFTR", None), ALL),
    Case(
        "GET",
        "/analysis/variant/export",
        lambda c: ("/analysis/variant/export?study=private:default&format=csv", None),
        OWNER_OR_ADMIN,
    ),
    Case(
        "POST",
        "/analysis/variant/export/run",
        lambda c: ("/analysis/variant/export/run?study=private:default&format=csv", None),
        OWNER_OR_ADMIN,
    ),
    Case(
        "GET",
        "/analysis/variant/export/download",
        lambda c: (f"/analysis/variant/export/download?job={c.export_job}", None),
        OWNER_OR_ADMIN,
        denied_status=400,  # a job of a study the caller may not read is no export of theirs
        ok_status=503,  # no executor runs here: the export is still queued
    ),
    Case(
        "GET",
        "/analysis/clinical/{case}/export",
        lambda c: ("/analysis/clinical/C1/export?study=private:default&format=ped", None),
        OWNER_OR_ADMIN,
        ok_status=422,
    ),
    Case(
        "POST",
        "/analysis/clinical/import",
        lambda c: ("/analysis/clinical/import?study=shared:default&format=phenopacket", None, PHENOPACKET),
        WRITERS,
    ),
    Case(
        "GET",
        "/analysis/clinical/{case}/variants/export",
        lambda c: ("/analysis/clinical/C1/variants/export?study=private:default&format=csv", None),
        OWNER_OR_ADMIN,
    ),
    Case(
        "POST",
        "/analysis/clinical/{case}/confirmation",
        lambda c: ("/analysis/clinical/C1/confirmation?study=private:default", None, SMALL_VCF),
        OWNER_OR_ADMIN,
    ),
    Case(
        "POST",
        "/analysis/clinical/create",
        lambda c: ("/analysis/clinical/create?study=shared:default", {"caseType": "exome"}),
        WRITERS,
    ),
    Case(
        "GET",
        "/analysis/clinical/search",
        lambda c: ("/analysis/clinical/search?study=private:default", None),
        OWNER_OR_ADMIN,
    ),
    Case(
        "GET",
        "/analysis/clinical/{cases}/info",
        lambda c: ("/analysis/clinical/C1/info?study=private:default", None),
        OWNER_OR_ADMIN,
    ),
    Case(
        "POST",
        "/analysis/clinical/{case}/update",
        lambda c: ("/analysis/clinical/C1/update?study=private:default", {"description": f"t{n(c)}"}),
        OWNER_OR_ADMIN,
    ),
    Case(
        "POST",
        "/analysis/clinical/{case}/approve",
        lambda c: (
            f"/analysis/clinical/{c.case_in('shared:default', 'WAITING FOR APPROVAL')}/approve"
            "?study=shared:default",
            None,
        ),
        (Role.DIRECTOR,),
    ),
    Case(
        "POST",
        "/analysis/clinical/{case}/amend",
        lambda c: (
            f"/analysis/clinical/{c.case_in('shared:default', 'APPROVED')}/amend?study=shared:default",
            {"reason": "typo"},
        ),
        WRITERS,
    ),
    Case(
        "POST",
        "/analysis/clinical/{case}/run",
        lambda c: (
            f"/analysis/clinical/{c.case_in('shared:default', 'READY TO REVIEW')}/run?study=shared:default",
            None,
        ),
        WRITERS,
    ),
    Case(
        "GET",
        "/analysis/clinical/{case}/history",
        lambda c: ("/analysis/clinical/C1/history?study=private:default", None),
        OWNER_OR_ADMIN,
    ),
    Case(
        "GET",
        "/analysis/clinical/{case}/prioritisation",
        lambda c: ("/analysis/clinical/C1/prioritisation?study=private:default", None),
        OWNER_OR_ADMIN,
    ),
    Case(
        "GET",
        "/analysis/clinical/{case}/report/preview",
        lambda c: ("/analysis/clinical/C1/report/preview?study=private:default", None),
        OWNER_OR_ADMIN,
        ok_status=422,
    ),
    Case(
        "GET",
        "/analysis/clinical/{case}/report/final",
        lambda c: ("/analysis/clinical/C1/report/final?study=private:default", None),
        OWNER_OR_ADMIN,
        ok_status=422,
    ),
    Case(
        "POST",
        "/analysis/clinical/{case}/report/render",
        lambda c: ("/analysis/clinical/C1/report/render?study=private:default&kind=final", None),
        OWNER_OR_ADMIN,
        ok_status=422,
    ),
    Case(
        "GET",
        "/analysis/clinical/{case}/report/download",
        lambda c: ("/analysis/clinical/C1/report/download?study=private:default&job=no.such.job", None),
        OWNER_OR_ADMIN,
        ok_status=400,
    ),
    Case(
        "GET",
        "/analysis/clinical/interpretation/{interpretations}/info",
        lambda c: ("/analysis/clinical/interpretation/C1.1/info?study=private:default", None),
        OWNER_OR_ADMIN,
    ),
    Case(
        "POST",
        "/analysis/clinical/{case}/variant/{variant}/update",
        lambda c: (
            f"/analysis/clinical/C1/variant/{c.variant_id}/update?study=private:default",
            {"internalNotes": f"n{n(c)}"},
        ),
        OWNER_OR_ADMIN,
    ),
    Case(
        "GET",
        "/analysis/clinical/{case}/variant/{variant}/history",
        lambda c: (f"/analysis/clinical/C1/variant/{c.variant_id}/history?study=private:default", None),
        OWNER_OR_ADMIN,
    ),
    Case(
        "POST",
        "/panels/create",
        lambda c: ("/panels/create", {"name": f"p{n(c)}", "genes": ["BRCA1"]}),
        WRITERS,
    ),
    Case("GET", "/panels/search", lambda c: ("/panels/search", None), ALL),
    Case("GET", "/panels/{panels}/info", lambda c: (f"/panels/{c.panel_id}/info", None), ALL),
    Case(
        "POST",
        "/panels/{panel}/update",
        lambda c: (f"/panels/{c.panel_id}/update", {"genes": ["CFTR"]}),
        WRITERS,
    ),
]

CASES = [
    Case("GET", "", lambda c: ("", None), ALL),  # the index at the API's base URL
    Case("GET", "/meta/about", lambda c: ("/meta/about", None), ALL),
    Case("GET", "/meta/ping", lambda c: ("/meta/ping", None), ALL),
    Case(
        "GET",
        "/users/{users}/info",
        lambda c: (f"/users/{c.world.member(A, Role.ANALYST).email}/info", None),
        (Role.ADMIN, Role.ANALYST),
    ),
    Case("POST", "/projects/create", lambda c: ("/projects/create", {"id": f"new{n(c)}"}), WRITERS),
    Case("GET", "/projects/search", lambda c: ("/projects/search?id=private", None), ALL),
    Case("GET", "/projects/{projects}/info", lambda c: ("/projects/private/info", None), OWNER_OR_ADMIN),
    Case("GET", "/projects/{projects}/info", lambda c: ("/projects/viewonly/info", None), ALL),
    Case(
        "POST",
        "/projects/{project}/update",
        lambda c: ("/projects/shared/update", {"description": "x"}),
        WRITERS,
    ),
    Case(
        "POST",
        "/projects/{project}/update",
        lambda c: ("/projects/viewonly/update", {"description": "x"}),
        OWNER_OR_ADMIN,
    ),
    Case(
        "POST",
        "/projects/{project}/update",
        lambda c: ("/projects/shared/update", {"shareRole": "CONTRIBUTOR"}),
        OWNER_OR_ADMIN,
    ),
    Case(
        "POST", "/studies/create", lambda c: ("/studies/create?project=shared", {"id": f"s{n(c)}"}), WRITERS
    ),
    Case(
        "POST",
        "/studies/create",
        lambda c: ("/studies/create?project=viewonly", {"id": f"s{n(c)}"}),
        OWNER_OR_ADMIN,
    ),
    Case("GET", "/studies/search", lambda c: ("/studies/search?project=private", None), OWNER_OR_ADMIN),
    Case("GET", "/studies/{studies}/info", lambda c: ("/studies/private:default/info", None), OWNER_OR_ADMIN),
    Case(
        "POST",
        "/studies/{study}/update",
        lambda c: ("/studies/shared:default/update", {"name": "y"}),
        WRITERS,
    ),
    Case(
        "POST",
        "/studies/{study}/update",
        lambda c: ("/studies/private:default/update", {"name": "y"}),
        OWNER_OR_ADMIN,
    ),
    Case("GET", "/jobs/{jobs}/info", lambda c: (f"/jobs/{c.private_job}/info", None), OWNER_OR_ADMIN),
    Case("GET", "/jobs/search", lambda c: ("/jobs/search?study=private:default", None), OWNER_OR_ADMIN),
    Case("POST", "/jobs/{job}/kill", lambda c: (f"/jobs/{c.fresh_job()}/kill", None), OWNER_OR_ADMIN),
    Case(
        "POST",
        "/files/upload",
        lambda c: (
            f"/files/upload?study=shared:default&relativeFilePath=u{n(c)}/&renameSamples=true",
            None,
            {"file": ("/tmp/small.vcf", SMALL_VCF)},
        ),
        WRITERS,
    ),
    Case("GET", "/files/search", lambda c: ("/files/search?study=private:default", None), OWNER_OR_ADMIN),
    Case(
        "GET",
        "/files/{files}/info",
        lambda c: (f"/files/{c.file_id}/info?study=private:default", None),
        OWNER_OR_ADMIN,
    ),
    Case("GET", "/samples/search", lambda c: ("/samples/search?study=private:default", None), OWNER_OR_ADMIN),
    Case(
        "GET",
        "/samples/{samples}/info",
        lambda c: ("/samples/S1/info?study=private:default", None),
        OWNER_OR_ADMIN,
    ),
    Case(
        "POST",
        "/individuals/create",
        lambda c: ("/individuals/create?study=shared:default", {"id": f"i{n(c)}", "sex": {"id": "FEMALE"}}),
        WRITERS,
    ),
    Case(
        "GET",
        "/individuals/search",
        lambda c: ("/individuals/search?study=private:default", None),
        OWNER_OR_ADMIN,
    ),
    Case(
        "GET",
        "/individuals/{individuals}/info",
        lambda c: ("/individuals/ind1/info?study=private:default", None),
        OWNER_OR_ADMIN,
    ),
    Case(
        "POST",
        "/families/create",
        lambda c: (
            "/families/create?study=shared:default",
            {"id": f"f{n(c)}", "members": [{"id": f"m{n(c)}"}]},
        ),
        WRITERS,
    ),
    Case(
        "GET", "/families/search", lambda c: ("/families/search?study=private:default", None), OWNER_OR_ADMIN
    ),
    Case(
        "GET",
        "/families/{families}/info",
        lambda c: ("/families/fam1/info?study=private:default", None),
        OWNER_OR_ADMIN,
    ),
    Case(
        "POST",
        "/operation/variant/index",
        lambda c: ("/operation/variant/index?study=private:default", {"file": c.file_id}),
        OWNER_OR_ADMIN,
    ),
    Case(
        "GET",
        "/analysis/variant/query",
        lambda c: ("/analysis/variant/query?study=private:default", None),
        OWNER_OR_ADMIN,
    ),
    *CLINICAL_CASES,
]
PHENOPACKET = (
    b'{"id": "pp1", "subject": {"id": "kid", "sex": "FEMALE"}, '
    b'"phenotypicFeatures": [{"type": {"id": "HP:0001250"}}], "metaData": {"createdBy": "lab"}}'
)
SMALL_VCF = (
    b"##fileformat=VCFv4.2\n##reference=GRCh38\n##contig=<ID=chr1,length=248956422>\n"
    b'##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    b"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
    b"chr1\t1000\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n"
)
OWN_WORKSPACE_WRITES = {  # and the admin-only lists of the caller's own workspace
    "/webhooks/search",
    "/webhooks/create",
    "/projects/create",
    "/panels/create",
    "/assays/create",
    "/conditions/create",
    "/analysis/clinical/configuration/update",
}
OWN_WORKSPACE_READS = {
    "/panels/search",
    "/webhooks/deliveries/search",
    "/assays/search",
    "/conditions/search",
    "/analysis/clinical/configuration",
}
PUBLIC = {"", "/meta/about", "/meta/ping", "/users/login"}


@pytest.fixture(scope="module")
def ctx(module_services: Services) -> Iterator[Ctx]:
    world = build_world(module_services)
    owner = world.member(A, Role.ANALYST).actor
    for code, share in (("shared", "CONTRIBUTOR"), ("viewonly", "VIEWER"), ("private", "NONE")):
        module_services.projects.create_project(owner, {"id": code, "shareRole": share})
    scratch = module_services.store.scratch_dir() / "small.vcf"
    scratch.write_bytes(SMALL_VCF)
    blob = UploadedBlob(
        scratch, len(SMALL_VCF), hashlib.md5(SMALL_VCF).hexdigest(), hashlib.sha256(SMALL_VCF).hexdigest()
    )
    small = module_services.files.register_upload(owner, "private:default", blob, name="small.vcf")
    module_services.pedigree.create_individual(owner, "private:default", {"id": "ind1"}, ["S1"])
    module_services.pedigree.create_family(owner, "private:default", {"id": "fam1"}, ["ind1"])
    c1 = module_services.cases.create(owner, "private:default", {"id": "C1", "type": "exome"})
    with module_services.ctx.uow() as uow:
        rv = uow.report_variants.add(
            ReportVariant(case_id=c1.case.id or 0, run=1, key=1, chrom="1", pos=1000, ref="A", alt="G")
        )
        variant_id = rv.id or 0
        uow.commit()
    panel, _ = module_services.panels.create(owner, {"name": "matrix panel", "genes": ["SAMD11"]})
    module_services.configuration.create_condition_gene(owner, {"gene": "BRCA1", "condition": "lab-a only"})
    director = world.member(A, Role.DIRECTOR).actor
    module_services.configuration.create_assay_type(director, {"name": "lab-a only assay"})
    with LiveServer(module_services, run_jobs=False) as srv:
        c = Ctx(
            world,
            srv,
            itertools.count(),
            variant_id=variant_id,
            panel_id=panel.id or 0,
            file_id=small.file.code,
        )
        c.private_job = c.fresh_job()
        c.export_job = module_services.exports.submit(
            owner, "private:default", VariantSearch(limit=None), "vcf"
        ).code
        yield c


def call(ctx: Ctx, case: Case, auth: tuple[str, str] | None, token: str | None = None) -> requests.Response:
    path, body, *files = case.build(ctx)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = requests.request(
        case.method,
        ctx.server.url + API + path,
        json=body,
        auth=auth,
        headers=headers,
        files=files[0] if files and isinstance(files[0], dict) else None,
        data=files[0] if files and isinstance(files[0], bytes) else None,
        timeout=30,
    )
    r.sent_path = path  # type: ignore[attr-defined]
    return r


def lab_a_identifiers(ctx: Ctx) -> set[str]:
    svc = ctx.world.services
    with svc.ctx.uow() as uow:
        ws = uow.workspaces.by_code(A)
        projects = uow.projects.search(ws.id, {})  # type: ignore[union-attr,arg-type]
        ids = {p.uuid for p in projects} | {f"{A}@{p.code}" for p in projects}
        ids |= {s.uuid for s in uow.studies.in_projects([p.id for p in projects])}  # type: ignore[misc]
    ids.add(ctx.private_job)
    ids.add(ctx.export_job)
    return ids


def test_every_endpoint_is_in_the_matrix(ctx: Ctx) -> None:
    paths = ctx.server.server.config.app.openapi()["paths"]
    app_routes = {
        (m.upper(), p.removeprefix(API)) for p, ops in paths.items() if p.startswith(API) for m in ops
    }
    covered = {(c.method, c.route) for c in CASES} | {("POST", "/users/login")}
    assert app_routes and app_routes <= covered, sorted(app_routes - covered)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.build.__code__.co_consts}")
def test_lab_a_roles(ctx: Ctx, case: Case) -> None:
    for role in ALL:
        r = call(ctx, case, ctx.world.member(A, role).basic)
        expected = case.ok_status if role in case.allowed else case.denied_status
        assert r.status_code == expected, (role.value, r.status_code, r.text[:300])
        download = case.route.endswith("/export") and r.status_code == 200
        assert r.headers["content-type"] == ("application/octet-stream" if download else "application/json")
        if case.route == "/projects/search":
            found = [p["id"] for p in r.json()["responses"][0]["results"]]
            assert found == (["private"] if role in OWNER_OR_ADMIN else [])


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.build.__code__.co_consts}")
def test_second_workspace_sees_nothing(ctx: Ctx, case: Case) -> None:
    secrets_of_a = lab_a_identifiers(ctx)
    for role in ALL:
        r = call(ctx, case, ctx.world.member(B, role).basic)
        body = r.json()
        if case.route == "":  # the index names operations, never data
            assert r.status_code == 200 and not any(s in r.text for s in secrets_of_a)
            continue
        if case.route.startswith("/meta/") or case.route in OWN_WORKSPACE_WRITES:
            assert r.status_code in (200, 403)
            continue
        if case.route in OWN_WORKSPACE_READS:  # lab-b's own configuration and lists
            assert r.status_code == 200
            text = json.dumps(body)
            assert "matrix panel" not in text and "lab-a only" not in text
            continue
        if case.route == "/panels/search":  # lab-b's own (empty) panel list
            assert r.status_code == 200 and all(
                p["name"] != "matrix panel" for p in body["responses"][0]["results"]
            )
            continue
        if case.route.endswith("/search"):
            assert r.status_code in (200, 400), r.text[:200]
            if r.status_code == 200:
                assert body["responses"][0]["results"] == []
        else:
            assert r.status_code == 400, (role.value, r.status_code, r.text[:200])  # "not found", never 403
            assert body["responses"][0]["results"] == []
        # Nothing of lab-a appears, apart from what the caller itself sent (echoed in params and events).
        text = json.dumps(body)
        leaked = [s for s in secrets_of_a if s in text and s not in r.sent_path]  # type: ignore[attr-defined]
        assert not leaked, (role.value, case.route, leaked)


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.route not in PUBLIC], ids=lambda c: f"{c.method} {c.route}"
)
def test_unauthenticated_is_401(ctx: Ctx, case: Case) -> None:
    r = call(ctx, case, None)
    assert r.status_code == 401 and r.json()["events"][0]["name"] == "Unauthenticated"
    r = call(ctx, case, None, token="not-a-token")
    assert r.status_code == 401


def test_tokens_and_basic_give_the_same_answers(ctx: Ctx) -> None:
    m = ctx.world.member(A, Role.DIRECTOR)
    token = requests.post(
        ctx.server.url + API + "/users/login", json={"user": m.email, "password": PASSWORD}
    ).json()["responses"][0]["results"][0]["token"]
    for case in CASES:
        if case.method == "GET":
            assert call(ctx, case, None, token=token).status_code == call(ctx, case, m.basic).status_code
