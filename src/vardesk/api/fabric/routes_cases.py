"""Fabric FE3 case containers (contract §6, F1–F5): create a case with its members, list cases, upload a
member's genome, read the most recent approved report and a signed download URL of its PDF.

A case container is a core case; its members are the case's members (``member_id`` is the member's id);
its reports are the approved versions of the case (the original and its amendments). The member PHI is
kept as the case's patient fields (docs/fabric.md, FE3)."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from vardesk.api.fabric import bodies as B
from vardesk.api.fabric import openapi_docs as od
from vardesk.api.fabric import render
from vardesk.api.fabric import schemas as S
from vardesk.api.fabric.common import (
    JSON,
    blank,
    clean_text,
    json_object,
    objects,
    page,
    query,
    route,
    to_bool,
    to_hpo_ids,
    to_int,
    to_sex,
)
from vardesk.api.http.deps import CatalogId, get_services, require_actor
from vardesk.app.cases.reporting import ReportDocument
from vardesk.app.cases.service import CaseView
from vardesk.app.commands import CreateCase, NewMember
from vardesk.app.composition import Services
from vardesk.app.genomes import ByteSource, ImportGenomeCommand, MemberTarget, UploadDigests
from vardesk.domain.access import Actor
from vardesk.domain.cases import APPROVED
from vardesk.domain.enums import Affected, Sex
from vardesk.domain.errors import Invalid, NotFound, TooLarge, Unprocessable
from vardesk.domain.models import Genome

router = APIRouter()
ANALYSES = ("WGS", "PANEL", "MT_PANEL")
ASSEMBLIES = {"b38": "GRCh38", "grch38": "GRCh38", "hg38": "GRCh38"} | {
    "b37": "GRCh37",
    "grch37": "GRCh37",
    "hg19": "GRCh37",
}
ASSEMBLY_NAME = {"GRCh38": "b38", "GRCh37": "b37"}
PROJECT = ("fabric-cases", "Fabric cases", "Cases created through the Fabric FE3 API and their genomes")
# FE3 PHI (section, key) of the proband → the workspace's patient field (cases/configuration.py).
PROBAND_FIELDS = {
    ("patient", "first_name"): "First Name",
    ("patient", "last_name"): "Last Name",
    ("patient", "dob"): "Patient DOB",
    ("patient", "age"): "Patient Age",
    ("patient", "ethnicity"): "Patient Ethnicity",
    ("patient", "indication"): "Indication for Testing",
    ("patient", "family_id"): "Family ID",
    ("sample", "specimen_collected"): "Date Specimen Collected",
    ("sample", "specimen_received"): "Date Specimen Received",
    ("sample", "specimen_type"): "Specimen Type",
    ("order", "ordering_physician"): "Ordering Physician",
}
# A relative's PHI key → the label after the relative's prefix ("Mother DOB").
RELATIVE_LABELS = {"dob": "DOB", "first_name": "First Name", "last_name": "Last Name", "age": "Age"}
MEMBER_KEYS = ("accession", "sex", "affected")  # member data, never patient fields
FE3_SEX = {Sex.MALE: "MALE", Sex.FEMALE: "FEMALE", Sex.UNKNOWN: "UNSPECIFIED"}
HEX = re.compile(r"^[0-9a-fA-F]+$")


# -- helpers -------------------------------------------------------------------------------------------
def external_base(request: Request, services: Services) -> str:
    """The Fabric base URL as clients see it: the configured public URL, else the request's own base URL
    (Host header and any proxy root path; https when the server speaks TLS), followed by the Fabric prefix."""
    url = request.base_url.replace(scheme="https") if services.settings.tls_enabled else request.base_url
    base = services.settings.public_url.strip().rstrip("/") or str(url).rstrip("/")
    return base + services.settings.fabric_prefix.rstrip("/")


def utc(value: datetime | None) -> str | None:
    """FE3 timestamps: ISO 8601 in UTC with the offset (``2023-09-30T20:05:23+00:00``)."""
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else None


def _fabric(view: CaseView) -> dict[str, Any]:
    return dict(view.case.external_ids.get(render.FABRIC) or {})


def _analyses(value: Any) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise Invalid(f"analysis_types must be a list of {', '.join(ANALYSES)}")
    out = [clean_text(v).upper() for v in items]
    bad = [v for v in out if v not in ANALYSES]
    if bad:
        raise Invalid(f"unknown analysis type {bad[0]!r}; use {', '.join(ANALYSES)}")
    return list(dict.fromkeys(out))


def _assembly(value: Any) -> str:
    text = clean_text(value) or "b38"
    build = ASSEMBLIES.get(text.lower())
    if build is None:
        raise Unprocessable(f"assembly_version {text!r} is not supported; use b38 or b37")
    return build


def _case_type(analyses: list[str], relations: list[str]) -> str:
    """A PANEL is a panel case; otherwise the family shape: solo (exome), duo, trio, or a flexible family."""
    if "PANEL" in analyses:
        return "panel"
    if len(relations) == 3 and {"MOTHER", "FATHER"} <= set(relations):
        return "trio"
    return {1: "exome", 2: "duo"}.get(len(relations), "quintet")


def _prefixes(relations: list[str]) -> list[str]:
    """The patient-field prefix of each relative ("Mother", "Father", "Mother 2" …); "" for the proband."""
    seen: dict[str, int] = {}
    out = []
    for rel in relations:
        if rel == "PROBAND":
            out.append("")
            continue
        seen[rel] = seen.get(rel, 0) + 1
        out.append(rel.title() + (f" {seen[rel]}" if seen[rel] > 1 else ""))
    return out


def _phi_fields(phi: dict[str, Any], prefix: str) -> dict[str, str]:
    """A member's nested PHI → patient fields: the proband's under the workspace's field names, a
    relative's under its prefix; keys the core does not know keep their name."""
    out: dict[str, str] = {}
    for section, values in phi.items():
        if not isinstance(values, dict):
            raise Invalid(f"phi.{section} must be an object")
        for key, value in values.items():
            if key in MEMBER_KEYS or blank(value):
                continue
            if prefix:
                out[f"{prefix} {RELATIVE_LABELS.get(key, key)}"] = clean_text(value)
            else:
                out[PROBAND_FIELDS.get((section, key), key)] = clean_text(value)
    return out


def _phi_doc(fields: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    """The nested PHI of a member, from the case's patient fields (the keys F1 maps)."""
    doc: dict[str, dict[str, Any]] = {}
    if prefix:
        for key, label in RELATIVE_LABELS.items():
            if not blank(fields.get(f"{prefix} {label}")):
                doc.setdefault("family", {})[key] = fields[f"{prefix} {label}"]
    else:
        for (section, key), name in PROBAND_FIELDS.items():
            if not blank(fields.get(name)):
                doc.setdefault(section, {})[key] = fields[name]
    return doc or None


def _member(item: Any, position: int) -> tuple[NewMember, dict[str, Any]]:
    """An F1 member → (core member, its nested PHI)."""
    if not isinstance(item, dict):
        raise Invalid(f"members[{position}] must be an object")
    phi = item.get("phi") or {}
    if not isinstance(phi, dict):
        raise Invalid(f"members[{position}].phi must be an object")
    given = {k: v for section in phi.values() if isinstance(section, dict) for k, v in section.items()}
    pick = lambda key: item.get(key) if not blank(item.get(key)) else given.get(key)  # noqa: E731
    relation = clean_text(item.get("relationship")).upper() or ("PROBAND" if position == 0 else "")
    if not relation:
        raise Invalid(f"members[{position}].relationship is required")
    affected = to_bool(pick("affected"))
    if affected is None:
        affected = relation == "PROBAND"
    member = NewMember(
        relation=relation,
        sex=to_sex(pick("sex")) or "UNKNOWN",
        affected="AFFECTED" if affected else "UNAFFECTED",
        label=clean_text(pick("accession")),
    )
    return member, phi


def _panel_for_test(services: Services, actor: Actor, test_id: int) -> int:
    """A Fabric test id is a panel of the workspace: by id, else by its test code."""
    panels = services.panels.list(actor)
    panel = next((p for p in panels if p.id == test_id), None) or next(
        (p for p in panels if p.test_code.strip() == str(test_id)), None
    )
    if panel is None:
        raise NotFound(f"test {test_id} not found: no panel of the workspace has this id or test code")
    return panel.id or 0


# -- F1 ------------------------------------------------------------------------------------------------
@route(
    router,
    ["POST"],
    "/case_containers",
    od.op(
        "F1 Create a case container",
        od.json_of(S.CaseContainerCreated),
        body=od.json_body(B.CaseContainerCreate, required=True),
    ),
)
async def containers_create(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """F1: JSON whatever the Content-Type; answers 200 with an upload URL per member, in member order."""
    body = await json_object(request)
    analyses = _analyses(body.get("analysis_types"))
    items = body.get("members")
    if not isinstance(items, list) or not items:
        raise Invalid("members must be a non-empty list")
    parsed = [_member(item, i) for i, item in enumerate(items)]
    relations = [m.relation for m, _ in parsed]
    test_id = to_int(body.get("test_id"), "test_id")
    hpo = to_hpo_ids(body.get("hpo_terms"))
    if "PANEL" in analyses and (len(analyses) > 1 or test_id is None):
        raise Unprocessable("a PANEL analysis is ordered alone and needs a test_id")
    if "WGS" not in analyses and len(parsed) > 1:
        raise Unprocessable("only a WGS analysis accepts family members")
    if "WGS" in analyses and not hpo:
        raise Unprocessable("a WGS analysis needs hpo_terms")
    build = _assembly(body.get("assembly_version"))
    fields: dict[str, str] = {}
    for (_, phi), prefix in zip(parsed, _prefixes(relations), strict=True):
        fields.update(_phi_fields(phi, prefix))
    panel_id = None
    if test_id is not None:
        panel_id = await run_in_threadpool(_panel_for_test, services, actor, test_id)
    project_id = to_int(body.get("project_id"), "project_id")
    if project_id is not None:
        project = await run_in_threadpool(services.projects.project_by_id, actor, project_id)
    else:
        code, name, description = PROJECT
        project = await run_in_threadpool(
            services.projects.project_for_code, actor, code, {"name": name, "description": description}
        )
    options = {
        "analysis_types": analyses,
        "test_id": test_id,
        "assembly_version": ASSEMBLY_NAME[build],
        "sequencing_platform": clean_text(body.get("sequencing_platform")).upper() or None,
    }
    command = CreateCase(
        study=project.default_study_fqn,
        type=_case_type(analyses, relations),
        accession_id=next((m.label for m, _ in parsed if m.relation == "PROBAND"), ""),
        panel=panel_id,
        hpo_terms=hpo,
        members=[m for m, _ in parsed],
        patient_fields=fields,
        external_ids={render.FABRIC: options},
        dates={} if blank(body.get("due_date")) else {"due": clean_text(body["due_date"])},
    )
    view = await run_in_threadpool(services.cases.create_case, actor, command)
    base, cid = external_base(request, services), view.case.id
    urls = [
        {"url": f"{base}/case_containers/{cid}/members/{m.id}/genome", "member_id": m.id}
        for m, _ in view.members
    ]
    return JSON({"urls": urls, "case_container_id": cid})


# -- F2 ------------------------------------------------------------------------------------------------
def _user(names: dict[int, str], user_id: int | None) -> dict[str, Any] | None:
    if user_id is None:
        return None
    first, _, last = names.get(user_id, "").partition(" ")
    return {"id": user_id, "firstname": first, "lastname": last}


def _genome_doc(genome: Genome | None) -> dict[str, Any] | None:
    if genome is None:
        return None
    return {
        "id": genome.id,
        "genome_name": genome.label,
        "sample_name": genome.sample_name,
        "assembly_version": ASSEMBLY_NAME.get(genome.build, genome.build),
        "status": render.GENOME_STATUS[genome.state],
        "sequencing_platform": genome.attributes.get("sequencing_platform"),
    }


def container_doc(view: CaseView, versions: list[CaseView], names: dict[int, str]) -> dict[str, Any]:
    c, opts = view.case, _fabric(view)
    analyses = opts.get("analysis_types") or ["PANEL" if c.type.value.endswith("panel") else "WGS"]
    hpo = [t["id"] for t in c.hpo_terms]
    prefixes = _prefixes([m.relation for m, _ in view.members])
    affected = {Affected.AFFECTED: True, Affected.UNAFFECTED: False}
    last = versions[-1].case
    return {
        "id": c.id,
        "status": last.status,
        "due_date": c.dates.get("due"),
        "created_audit": {"date": utc(c.created_at), "user": _user(names, c.created_by)},
        "modified_audit": None
        if last.modified_at <= c.created_at
        else {"date": utc(last.modified_at), "user": _user(names, last.last_interpreter_id)},
        "analysis_summary": None
        if not c.analysis_run
        else {
            "status": c.status,
            "runs": c.analysis_run,
            "annotation": c.annotation_sources,
            "result": c.analysis_result or None,
            "result_reason": c.analysis_result_reason or None,
        },
        "analyses": [
            {
                "id": i,
                "analysis_type": kind,
                "hpo_terms": hpo if kind == "WGS" else [],
                "test_id": opts.get("test_id"),
            }
            for i, kind in enumerate(analyses, start=1)
        ],
        "assembly_version": opts.get("assembly_version"),
        "sequencing_platform": opts.get("sequencing_platform"),
        "members": [
            {
                "id": m.id,
                "accession": m.label,
                "relationship": m.relation,
                "sex": FE3_SEX.get(m.sex, "UNSPECIFIED"),
                "affected": affected.get(m.affected),
                "phi": _phi_doc(c.patient_fields, prefix),
                "genome": _genome_doc(g),
            }
            for (m, g), prefix in zip(view.members, prefixes, strict=True)
        ],
        "reports": [
            {
                "id": v.case.id,
                "version": v.case.version,
                "status": "AMENDED" if v.case.amends_case_id else "FINAL",
                "approved_date": utc(v.case.report_approved_date),
            }
            for v in versions
            if v.case.status == APPROVED
        ],
    }


def _chains(views: list[CaseView]) -> list[list[CaseView]]:
    """Cases with their amendments: one chain per original case, newest case first."""
    after = {v.case.amends_case_id: v for v in views if v.case.amends_case_id}
    chains = []
    for v in sorted(views, key=lambda v: -(v.case.id or 0)):
        if v.case.amends_case_id:
            continue
        chain = [v]
        while chain[-1].case.id in after:
            chain.append(after[chain[-1].case.id])
        chains.append(chain)
    return chains


@route(
    router,
    ["GET"],
    "/case_containers",
    od.op(
        "F2 Case containers",
        od.objects(S.CaseContainer),
        query=(od.q("accession", "cases with a member of this accession"), *od.PAGE),
    ),
)
def containers_list(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """F2: every case of the workspace the caller may read, newest first; ``?accession=`` keeps the
    cases with a member of that accession."""
    chains = _chains(services.cases.search(actor, None, {}))
    accession = query(request, "accession")
    if accession:
        chains = [ch for ch in chains if any(m.label == accession for m, _ in ch[0].members)]
    chains = page(request, chains)
    ids = [u for ch in chains for u in (ch[0].case.created_by, ch[-1].case.last_interpreter_id) if u]
    names = services.admin.names_of(actor, ids)
    return objects([container_doc(ch[0], ch, names) for ch in chains])


# -- F3 ------------------------------------------------------------------------------------------------
def _unverifiable(value: str | None) -> str | None:
    """A client checksum that is neither an MD5 (32 hex digits) nor a SHA-256 (64): only recorded
    (``checksum_unverified``)."""
    text = (value or "").strip().lower()
    return text if text and not (HEX.match(text) and len(text) in (32, 64)) else None


def _checksum_check(value: str | None) -> Callable[[UploadDigests], None]:
    """Verify a client checksum that is an MD5 or SHA-256 of the bytes sent."""
    text = (value or "").strip().lower()

    def verify(received: UploadDigests) -> None:
        if not text or _unverifiable(text):
            return
        digest = received.md5 if len(text) == 32 else received.sha256
        if text != digest:
            kind = "MD5" if len(text) == 32 else "SHA-256"
            raise Unprocessable(
                f"{kind} checksum mismatch: the upload's is {digest}, the request says {text}"
            )

    return verify


@route(
    router,
    ["POST"],
    "/case_containers/{case_id}/members/{member_id}/genome",
    od.op(
        "F3 Upload a member's genome",
        od.json_of(S.MemberGenomeUploaded),
        status=201,
        body=od.MEMBER_UPLOAD,
        extra_errors=od.TOO_LARGE,
    ),
)
async def member_genome_upload(
    request: Request,
    case_id: CatalogId,
    member_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """F3: multipart ``genome_file``, ``genome_name``, ``assembly_version``, optional ``checksum`` and
    ``sequencing_platform``; 201 once the genome is stored and attached (annotation and the case's
    analysis follow as jobs)."""
    limit = services.settings.max_upload_bytes
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit + (1 << 20):
        raise TooLarge(f"the upload exceeds the maximum size of {limit} bytes")
    view = await run_in_threadpool(services.cases.member_for_upload, actor, str(case_id), member_id)
    try:
        form = await request.form()
    except Exception as exc:  # noqa: BLE001  a body that is not multipart/form-data
        raise Invalid(f"the body must be multipart/form-data with a genome_file part ({exc})") from None
    part = form.get("genome_file")
    if not isinstance(part, UploadFile):
        raise Invalid("no genome_file: send the VCF as a multipart part named genome_file")
    text = {k: v for k, v in form.items() if isinstance(v, str)}
    declared = _assembly(text.get("assembly_version") or _fabric(view).get("assembly_version"))
    platform = clean_text(text.get("sequencing_platform")).upper() or _fabric(view).get("sequencing_platform")
    member = next(m for m, _ in view.members if m.id == member_id)
    name = Path((part.filename or "genome.vcf").replace("\\", "/")).name or "genome.vcf"
    label = clean_text(text.get("genome_name")) or name
    attributes = {"sex": member.sex.value.lower(), "sequencing_platform": platform}
    unverified = _unverifiable(text.get("checksum"))
    if unverified:
        attributes["checksum_unverified"] = unverified
    command = ImportGenomeCommand(
        actor=actor,
        study=view.study.fqn,
        source=ByteSource(part.file, name),
        folder=f"fabric/case_containers/{uuid.uuid4().hex}/",  # every upload is a new file
        verify=_checksum_check(text.get("checksum")),
        label=label,
        genome_attributes=attributes,
        build_hint=declared,
        rename_duplicates=True,  # the contract uploads one VCF again and again: genomes go by id
        attach_to=MemberTarget(str(case_id), member_id, sample=member.label),
    )
    try:
        imported = await services.import_genome.run_async(command)
    finally:
        await part.close()
    genome = imported.attached or imported.genomes[0]
    doc = {
        "genome_id": genome.id,
        "genome_name": genome.label,
        "assembly_version": ASSEMBLY_NAME.get(genome.build, genome.build),
        "member_id": member_id,
        "case_container_id": case_id,
    }
    return JSON(doc, status_code=201)


# -- F4 / F5 -------------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "logo_path"}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def report_doc(case_id: int, view: CaseView, doc: ReportDocument) -> dict[str, Any]:
    """F4: everything the PDF shows, with Fabric's ``text_fields`` for the free texts."""
    lab, test = doc.laboratory, doc.test
    contact = " | ".join(x for x in (lab.director, lab.phone, lab.email) if x)
    texts = [
        ("Results Summary", doc.summary),
        ("Indication for Testing", test.indication),
        ("Comments", doc.comments),
        ("Methodology", test.methodology),
        ("Limitations", test.limitations),
        ("Disclaimer", doc.disclaimer),
        ("Lab Contact", contact),
    ]
    return {
        **_plain(dataclasses.asdict(doc)),
        "case_container_id": case_id,
        "report_id": view.case.id,
        "version": view.case.version,
        "status": doc.report.status.value,
        "approved_date": utc(view.case.report_approved_date),
        "results_summary": doc.summary,
        "text_fields": [{"label": label, "body": body} for label, body in texts if body],
    }


@route(
    router,
    ["GET"],
    "/case_containers/{case_id}/report",
    od.op("F4 The most recent approved report", od.json_of(S.ContainerReportDocument)),
)
async def container_report(
    case_id: CatalogId, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """F4: the most recent approved version; 422 while none is approved."""
    view, doc = await run_in_threadpool(services.reports.latest_approved, actor, str(case_id))
    return JSON(report_doc(case_id, view, doc))


@route(
    router,
    ["GET"],
    "/case_containers/{case_id}/report/pdf/{report_id}",
    od.op("F5 A signed download URL of the final PDF", od.json_of(S.DownloadLink)),
)
async def container_report_pdf(
    request: Request,
    case_id: CatalogId,
    report_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """F5: a URL of this server, signed and valid ``download_link_seconds`` (10 minutes), that downloads
    the final PDF without credentials; it carries ids and a signature, never PHI."""
    ttl = services.settings.download_link_seconds
    _, token = await run_in_threadpool(services.reports.final_link, actor, str(case_id), report_id, ttl)
    url = f"{external_base(request, services)}/report_downloads/{report_id}?token={token}"
    return JSON({"download_url": url, "expires_in": ttl})


@route(
    router,
    ["GET"],
    "/report_downloads/{report_id}",
    od.DOWNLOAD,
)
async def report_download(
    request: Request, report_id: CatalogId, services: Services = Depends(get_services)
) -> Response:
    """The signed download URL of F5: no credentials but the token; expired or altered → 403."""
    token = query(request, "token") or ""
    _, pdf = await run_in_threadpool(services.reports.final_from_link, token, report_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename=report_{report_id}.pdf",
            "Cache-Control": "no-store",
        },
    )
