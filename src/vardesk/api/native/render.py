"""Vardesk entities in OpenCGA's shapes (the fields pyopencga and lab notebooks read)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vardesk import __version__
from vardesk.app.projects import ProjectView, StudyView
from vardesk.domain.enums import JobState
from vardesk.domain.models import Job, User, Workspace

JOB_STATUS = {
    JobState.QUEUED: "QUEUED",
    JobState.RUNNING: "RUNNING",
    JobState.DONE: "DONE",
    JobState.FAILED: "ERROR",
    JobState.CANCELLED: "ABORTED",
}


def ts(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def about() -> dict[str, Any]:
    return {
        "Program": "Vardesk",
        "Version": f"5.0.0-vardesk{__version__}",
        "Git branch": "",
        "Git commit": "",
        "Description": "Vardesk clinical genome interpretation server "
        f"{__version__}, OpenCGA REST API v2 compatible",
    }


def study(v: StudyView) -> dict[str, Any]:
    s = v.study
    return {
        "id": s.code,
        "uuid": s.uuid,
        "name": s.name,
        "alias": s.alias or s.code,
        "fqn": v.fqn,
        "description": s.description,
        "type": {"id": s.type},
        "creationDate": ts(s.created_at),
        "modificationDate": ts(s.modified_at),
        "release": 1,
        "size": 0,
        "groups": [],
        "notes": [],
        "sources": [],
        "status": {"id": "READY"},
        "internal": {"status": {"id": "READY"}, "default": s.is_default},
        "attributes": s.attributes,
    }


def project(v: ProjectView) -> dict[str, Any]:
    p = v.project
    return {
        "id": p.code,
        "uuid": p.uuid,
        "name": p.name,
        "fqn": v.fqn,
        "description": p.description,
        "creationDate": ts(p.created_at),
        "modificationDate": ts(p.modified_at),
        "organism": {
            "scientificName": p.organism_scientific_name,
            "commonName": p.organism_common_name,
            "assembly": p.assembly,
        },
        "currentRelease": 1,
        "shareRole": p.share_role.value,
        "studies": [study(StudyView(v.workspace, p, s)) for s in v.studies],
        "internal": {"status": {"id": "READY"}, "organization": v.workspace.code},
        "attributes": p.attributes,
    }


def user(u: User, ws: Workspace, projects: list[ProjectView] | None = None) -> dict[str, Any]:
    return {
        "id": u.login,
        "name": u.name,
        "email": u.email,
        "organization": ws.code,
        "creationDate": ts(u.created_at),
        "account": {"type": u.role.value},
        "internal": {"status": {"id": "READY" if u.active else "BANNED"}},
        "projects": [project(p) for p in projects or []],
        "attributes": {"role": u.role.value},
    }


def job(j: Job, study_fqn: str | None) -> dict[str, Any]:
    status_id = JOB_STATUS[j.state]
    description = j.error or j.progress_message or ""
    return {
        "id": j.code,
        "uuid": j.uuid,
        "description": j.description,
        "type": "NATIVE",
        "tool": {"id": j.tool},
        "study": {"id": study_fqn or "", "others": []},
        "userId": str(j.created_by or ""),
        "params": j.params,
        "creationDate": ts(j.created_at),
        "modificationDate": ts(j.finished_at or j.heartbeat_at or j.created_at),
        "priority": "MEDIUM",
        "internal": {
            "status": {
                "id": status_id,
                "name": status_id,
                "description": description,
                "date": ts(j.finished_at or j.heartbeat_at or j.created_at),
            },
            "events": [],
        },
        "execution": {"start": ts(j.started_at), "end": ts(j.finished_at), "status": {"id": status_id}},
        "attributes": {
            "progress": j.progress,
            "progressMessage": j.progress_message,
            "attempts": j.attempts,
            "result": j.result,
            "error": j.error,
            "state": j.state.value,
        },
    }
