"""Audit completeness: every GET route of the app is classified here as returning PHI (with the audit
entity it must name) or not (with the reason); a route missing from the table fails. Each PHI route is
called once as an analyst against a case with data, and must leave an audit row for that analyst."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator

import pytest
import requests

from tests.api.phi_world import API, CASE, SAMPLES, STUDY, Scenario, prepare, run
from tests.api.test_odd_ids import walk
from tests.conftest import LiveServer
from tests.world import wait_done
from vardesk.api import web
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

NATIVE_MOUNTS = ("/api/v2", "/opencga/webservices/rest/v2")
WEB_PREFIXES = web.PREFIXES

# route (native routes without their mount, Fabric ones without prefix or trailing slash) →
# ("phi", audit entity types, one of which a call must name) or ("no", why it carries no PHI)
ROUTES: dict[str, tuple[str, object]] = {
    # native face (served under both mounts)
    "native:": ("no", "the index of operations"),
    "native:/meta/about": ("no", "server version"),
    "native:/meta/ping": ("no", "liveness"),
    "native:/users/{users}/info": ("no", "a staff account, not patient data (audited as user_read anyway)"),
    "native:/projects/search": ("no", "project names and assemblies"),
    "native:/projects/{projects}/info": ("no", "project names and assemblies"),
    "native:/studies/search": ("no", "study names"),
    "native:/studies/{studies}/info": ("no", "study names"),
    "native:/jobs/{jobs}/info": ("no", "job tool, state and ids; results are fetched from PHI routes"),
    "native:/jobs/search": ("no", "job tool, state and ids"),
    "native:/files/search": ("phi", {"file"}),
    "native:/files/{files}/info": ("phi", {"file"}),
    "native:/samples/search": ("phi", {"genome"}),
    "native:/samples/{samples}/info": ("phi", {"genome"}),
    "native:/individuals/search": ("phi", {"individual"}),
    "native:/individuals/{individuals}/info": ("phi", {"individual"}),
    "native:/families/search": ("phi", {"family"}),
    "native:/families/{families}/info": ("phi", {"family"}),
    "native:/analysis/variant/query": ("phi", {"genome", "study", "file"}),
    "native:/analysis/variant/export": ("phi", {"genome", "study", "file", "job"}),
    "native:/analysis/variant/export/download": ("phi", {"job"}),
    "native:/analysis/clinical/configuration": ("no", "workspace settings"),
    "native:/assays/search": ("no", "assay types of the workspace"),
    "native:/conditions/search": ("no", "gene–condition pairs, no patient"),
    "native:/analysis/clinical/{case}/export": ("phi", {"case"}),
    "native:/analysis/clinical/search": ("phi", {"case"}),
    "native:/analysis/clinical/{cases}/info": ("phi", {"case"}),
    "native:/analysis/clinical/{case}/prioritisation": ("phi", {"case"}),
    "native:/analysis/clinical/{case}/history": ("phi", {"case"}),
    "native:/analysis/clinical/interpretation/{interpretations}/info": ("phi", {"case"}),
    "native:/analysis/clinical/{case}/variant/{variant}/history": ("phi", {"case", "report_variant"}),
    "native:/analysis/clinical/{case}/variants/export": ("phi", {"case"}),
    "native:/analysis/clinical/{case}/report/preview": ("phi", {"case"}),
    "native:/analysis/clinical/{case}/report/final": ("phi", {"case"}),
    "native:/analysis/clinical/{case}/report/download": ("phi", {"case"}),
    "native:/panels/search": ("no", "gene panels"),
    "native:/webhooks/deliveries/search": ("no", "case ids, codes and statuses sent to webhooks"),
    "native:/webhooks/search": ("no", "the workspace's webhook URLs (admin)"),
    "native:/panels/{panels}/info": ("no", "gene panels"),
    # Fabric face
    "fabric:": ("no", "the face's index"),
    "fabric:/projects": ("no", "project names"),
    "fabric:/projects/{project_id}": ("no", "a project's name and counts"),
    "fabric:/projects/{project_id}/genomes": ("phi", {"genome"}),
    "fabric:/projects/{project_id}/genomes/{genome_id}": ("phi", {"genome"}),
    "fabric:/genomes": ("phi", {"genome"}),
    "fabric:/genomes/{genome_id}": ("phi", {"genome"}),
    "fabric:/reports": ("phi", {"case"}),
    "fabric:/reports/{report_id}": ("phi", {"case"}),
    "fabric:/reports/{report_id}/patient_fields": ("phi", {"case"}),
    "fabric:/reports/{report_id}/qc_data": ("phi", {"case"}),
    "fabric:/reports/{report_id}/pdf_preview": ("phi", {"case"}),
    "fabric:/reports/{report_id}/pdf_report": ("phi", {"case"}),
    "fabric:/reports/{report_id}/variants": ("phi", {"case"}),
    "fabric:/reports/{report_id}/variants/scored": ("phi", {"case"}),
    "fabric:/reports/{report_id}/structural_variants": ("phi", {"case"}),
    "fabric:/reports/{report_id}/selectable_variants": ("phi", {"case", "genome"}),
    "fabric:/reports/{report_id}/variants/{variant_id}": ("phi", {"case", "report_variant"}),
    "fabric:/panels": ("no", "gene panels"),
    "fabric:/panels/{panel_id}": ("no", "a gene panel"),
    "fabric:/panels/{panel_id}/regions": ("no", "a gene panel's regions"),
    "fabric:/assay_types": ("no", "assay types"),
    "fabric:/assay_types/{assay_type_id}": ("no", "an assay type"),
    "fabric:/condition_genes": ("no", "gene–condition pairs"),
    "fabric:/jobs": ("no", "job tool, state and ids"),
    "fabric:/jobs/{job_ref}": ("no", "job tool, state and ids"),
    "fabric:/analysis": ("phi", {"analysis"}),
    "fabric:/analysis/{analysis_id}": ("phi", {"analysis"}),
    "fabric:/variant_reports/{variant_report_id}/variants": ("phi", {"genome"}),
    "fabric:/variant_reports/{variant_report_id}/variants/{variant_id}": ("phi", {"genome"}),
    "fabric:/case_containers": ("phi", {"case"}),
    "fabric:/case_containers/{case_id}/report": ("phi", {"case"}),
    "fabric:/case_containers/{case_id}/report/pdf/{report_id}": ("phi", {"case"}),
    "fabric:/report_downloads/{report_id}": ("phi", {"case"}),
    # Emedgene face
    "emedgene:": ("no", "the face's index"),
    "emedgene:/api/test": ("phi", {"case"}),
    "emedgene:/api/test/{name}": ("phi", {"case"}),
    "emedgene:/api/test/{name}/export": ("phi", {"case"}),
    "emedgene:/api/candidates/{name}": ("phi", {"case"}),
    "emedgene:/api/sample": ("phi", {"case"}),
    "emedgene:/api/storage": ("no", "storage provider names"),
    "emedgene:/api/storage/{storage_id}": ("no", "a storage provider's name"),
    "emedgene:/api/storage/{storage_id}/fs/list": ("phi", {"storage_provider"}),
    "emedgene:/api/phenotype": ("no", "HPO terms"),
    "emedgene:/api/organization/users": ("no", "staff accounts of the workspace"),
    # the web application (its pages read through the same audited use cases)
    "web:/": ("no", "the sign-in page"),
    "web:/cases": ("phi", {"case"}),
    "web:/cases/{case_id}": ("phi", {"case"}),
    "web:/cases/{case_id}/variants": ("phi", {"case"}),
    "web:/cases/{case_id}/variants/{variant_id}": ("phi", {"case"}),
    "web:/cases/{case_id}/variants/{variant_id}/interpretation": ("phi", {"case"}),
    "web:/cases/{case_id}/report": ("phi", {"case"}),
    "web:/cases/{case_id}/report/preview.pdf": ("phi", {"case"}),
    "web:/cases/{case_id}/report/final.pdf": ("phi", {"case"}),
    "web:/static/web/{path:path}": ("no", "static assets of the web application"),
    # neither face
    "/openapi.json": ("no", "the API description"),
    "/about": ("no", "the landing page"),
    "/docs": ("no", "API documentation"),
    "/redoc": ("no", "API documentation"),
    "/static/{path:path}": ("no", "static assets of the pages"),
    "/healthz": ("no", "liveness"),
    "/opencga": ("no", "the OpenCGA-compatible root page"),
}
# PHI routes that answer only once the case is approved; called after the approval
AFTER_APPROVAL = {
    "native:/analysis/clinical/{case}/report/final",
    "native:/analysis/clinical/{case}/report/download",
    "fabric:/reports/{report_id}/pdf_report",
    "fabric:/case_containers/{case_id}/report",
    "fabric:/case_containers/{case_id}/report/pdf/{report_id}",
    "fabric:/report_downloads/{report_id}",
    "web:/cases/{case_id}/report/final.pdf",
}


def classify_key(path: str, fabric: str, emedgene: str = "/emedgene") -> str:
    if path == "/" or any(path == p or path.startswith(p + "/") for p in WEB_PREFIXES):
        return "web:" + path
    for mount in NATIVE_MOUNTS:
        if path == mount or path.startswith(mount + "/"):
            return "native:" + path.removeprefix(mount)
    if path == fabric or path.startswith(fabric + "/"):
        return "fabric:" + path.removeprefix(fabric).rstrip("/")
    if path == emedgene or path.startswith(emedgene + "/"):
        return "emedgene:" + path.removeprefix(emedgene).rstrip("/")
    return path


def get_routes(server: LiveServer) -> list[str]:
    return sorted({p for p, methods in walk(server.server.config.app.routes) if "GET" in methods})


@pytest.fixture(scope="module")
def scenario(module_services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    tmp = tmp_path_factory.mktemp("audit")
    world = prepare(module_services, tmp)
    with LiveServer(module_services) as srv:
        yield run(srv, world, tmp)


def test_every_get_route_is_classified(scenario: Scenario) -> None:
    fabric = scenario.server.services.settings.fabric_prefix.rstrip("/")
    keys = {classify_key(p, fabric) for p in get_routes(scenario.server)}
    assert keys - ROUTES.keys() == set(), "classify these routes in ROUTES"
    assert ROUTES.keys() - keys == set(), "these routes are gone: drop them from ROUTES"
    assert AFTER_APPROVAL <= {k for k, (kind, _) in ROUTES.items() if kind == "phi"}
    for key, (kind, why) in ROUTES.items():
        assert kind in ("phi", "no") and why, key


def test_an_unclassified_route_fails() -> None:
    """The classification catches a new route (and the fabric prefix is stripped, trailing slash too)."""
    assert classify_key("/api/v2/analysis/clinical/{case}/new_thing", "/fabric") not in ROUTES
    assert classify_key("/fabric/reports/{report_id}/", "/fabric") in ROUTES
    assert classify_key("/opencga/webservices/rest/v2/samples/search", "/fabric") in ROUTES


def _ids(sc: Scenario) -> dict[str, str]:
    fab = sc.server.services.settings.fabric_prefix.rstrip("/")
    genomes = sc.call("GET", f"{fab}/genomes").json()["objects"]
    genome = next(g for g in genomes if SAMPLES[0] in str(g))
    project = sc.call("GET", f"{fab}/projects").json()["objects"][0]
    r = sc.call(
        "POST",
        f"{fab}/analysis/",
        json={"report_type": "VAAST Solo Report", "proband_genome_id": genome["id"]},
    )
    assert r.status_code == 200, r.text
    analysis_id = str(r.json()["id"])
    r = sc.call(
        "POST", API + f"/families/create?study={STUDY}", json={"id": "FAM1", "members": [{"id": "M1"}]}
    )
    assert r.status_code == 200, r.text
    vr = sc.call("GET", f"{fab}/variant_reports/{genome['id']}/variants?limit=1").json()["objects"][0]
    native = sc.call("GET", API + f"/files/search?study={STUDY}").json()["responses"][0]["results"][0]
    finding = sc.call("GET", API + f"/analysis/clinical/interpretation/{CASE}.1/info?study={STUDY}").json()
    finding = finding["responses"][0]["results"][0]["primaryFindings"][0]
    r = sc.call("POST", API + f"/analysis/variant/export/run?study={STUDY}&format=vcf")
    assert r.status_code == 200, r.text
    export_job = r.json()["responses"][0]["results"][0]["id"]
    wait_done(sc.server.services, export_job)
    # an Emedgene case (a proband without files) and a storage provider of the workspace
    emg = sc.server.services.settings.emedgene_prefix.rstrip("/")
    proband = {"id": "proband", "relationship": "Test Subject", "gender": "Female", "phenotypes": []}
    body = {"test_data": {"type": "Exome", "patients": {"proband": proband}, "samples": []}}
    r = sc.call("POST", f"{emg}/api/cases/v2/cases", json=body)
    assert r.status_code == 201, r.text
    services = sc.server.services
    folder = tempfile.mkdtemp(prefix="provider")
    ws = services.admin.get_workspace("lab-a")
    storage = services.storage_providers.add_local(ws.id or 0, "audit provider", folder)
    return {
        "name": r.json()["name"],
        "storage_id": str(storage.id),
        "users": sc.world.member("lab-a", Role.ANALYST).email,
        "projects": "canary",
        "studies": STUDY,
        "files": native["id"],
        "samples": SAMPLES[0],
        "individuals": "M1",
        "families": "FAM1",
        "case": CASE,
        "cases": CASE,
        "interpretations": f"{CASE}.1",
        "variant": finding["id"],
        "project_id": str(project["id"]),
        "genome_id": str(genome["id"]),
        "variant_report_id": str(genome["id"]),
        "report_id": str(sc.report_id),
        "case_id": str(sc.report_id),
        "variant_id": sc.variant_id,
        "analysis_id": analysis_id,
        "export_job": export_job,
        "genome_variant_id": str(vr["id"]),  # a variant of the genome's variant report
    }


def web_session(sc: Scenario, email: str) -> requests.Session:
    """A browser's session of the web application, signed in as ``email``."""
    from tests.world import PASSWORD

    browser = requests.Session()
    form = browser.get(sc.server.url + "/", timeout=60).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    r = browser.post(
        sc.server.url + "/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=60,
    )
    assert r.status_code == 303, r.text[:300]
    return browser


def test_every_phi_route_audits_the_reader(scenario: Scenario) -> None:
    sc = scenario
    services = sc.server.services
    fabric = services.settings.fabric_prefix.rstrip("/")
    analyst = sc.world.member("lab-a", Role.ANALYST)
    ids = _ids(sc)

    def rows() -> list:
        with services.ctx.uow() as uow:
            return [
                a for a in uow.audit.search(analyst.actor.workspace_id) if a.user_id == analyst.actor.user_id
            ]

    browser = web_session(sc, analyst.email)
    web_ids = {
        "case_id": str(services.cases.get(analyst.actor, CASE, STUDY).case.id),
        "variant_id": str(services.interpretation.variants(analyst.actor, CASE, study_ref=STUDY)[0].id),
    }

    def call(path: str, key: str) -> tuple[requests.Response, list]:
        names = {**ids, "variant_id": ids["genome_variant_id"]} if "/variant_reports/" in key else ids
        if key.startswith("web:"):
            names = {**ids, **web_ids}
        concrete = re.sub(r"\{([^}]+)\}", lambda m: str(names[m.group(1)]), path)
        if key.startswith("native:"):
            concrete += f"?study={STUDY}"
            if key.endswith(("/variant/query", "/variant/export")):
                concrete += "&format=vcf"  # no sample named: a study-wide query still reads genomes
            elif key.endswith("/report/download"):
                concrete += f"&job={ids['render_job']}"
            elif key.endswith("/variant/export/download"):
                concrete += f"&job={ids['export_job']}"
            elif key.endswith("/export"):
                concrete += "&format=" + ("phenopacket" if key.endswith("}/export") else "vcf")
        before = len(rows())
        if key.startswith("web:"):
            r = browser.get(sc.server.url + concrete, allow_redirects=False, timeout=60)
        else:
            r = sc.call("GET", concrete, analyst.basic)
        return r, rows()[before:]

    phi = [(p, classify_key(p, fabric)) for p in get_routes(sc.server)]
    phi = [(p, k) for p, k in phi if ROUTES[k][0] == "phi"]
    missing = []
    for path, key in [pk for pk in phi if pk[1] not in AFTER_APPROVAL]:
        r, new = call(path, key)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        if not {a.entity_type for a in new} & ROUTES[key][1]:  # type: ignore[operator]
            missing.append((path, [(a.action, a.entity_type) for a in new]))
    # approve the case (analyst interpreted, a director approves), then the routes of the final report
    director = sc.world.member("lab-a", Role.DIRECTOR).basic
    case = API + f"/analysis/clinical/{CASE}"
    r = sc.call(
        "POST",
        f"{case}/variant/{ids['variant']}/update?study={STUDY}",
        analyst.basic,
        json={"status": "REVIEWED", "classification": "Likely pathogenic", "criteria": ["PM2_Supporting"]},
    )
    assert r.status_code == 200, r.text
    status = {"status": {"id": "WAITING FOR APPROVAL"}}
    r = sc.call("POST", f"{case}/update?study={STUDY}", analyst.basic, json=status)
    assert r.status_code == 200, r.text
    r = sc.call("POST", f"{case}/approve?study={STUDY}", director)
    assert r.status_code == 200, r.text
    link = sc.call("GET", f"{fabric}/case_containers/{sc.report_id}/report/pdf/{sc.report_id}", analyst.basic)
    assert link.status_code == 200, link.text
    token = link.json()["download_url"].split("?token=", 1)[1]
    r = sc.call("POST", f"{case}/report/render?study={STUDY}&kind=final", analyst.basic)
    assert r.status_code == 200, r.text
    ids["render_job"] = r.json()["responses"][0]["results"][0]["id"]
    wait_done(services, ids["render_job"])
    for path, key in [pk for pk in phi if pk[1] in AFTER_APPROVAL]:
        r, new = call(path + (f"?token={token}" if "/report_downloads/" in key else ""), key)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        if not {a.entity_type for a in new} & ROUTES[key][1]:  # type: ignore[operator]
            missing.append((path, [(a.action, a.entity_type) for a in new]))
    assert not missing, "\n".join(map(str, missing))
