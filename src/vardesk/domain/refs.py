"""Parsing of references to catalog entities: ``[org@]project`` and ``[[org@]project:]study``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vardesk.domain.errors import Invalid

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")


def check_code(code: str, what: str) -> str:
    if not isinstance(code, str) or not CODE_RE.match(code):
        raise Invalid(f"{what} id {code!r} is not valid: use letters, digits, '_', '.' or '-' (max 128)")
    return code


@dataclass(frozen=True)
class ProjectRef:
    workspace: str | None
    project: str


@dataclass(frozen=True)
class StudyRef:
    workspace: str | None
    project: str | None
    study: str


def parse_project_ref(ref: str) -> ProjectRef:
    ref = ref.strip()
    if not ref:
        raise Invalid("empty project reference")
    ws, _, proj = ref.rpartition("@")
    if ":" in proj or not proj:
        raise Invalid(f"project reference {ref!r} must look like [organization@]project")
    return ProjectRef(ws or None, proj)


def parse_study_ref(ref: str) -> StudyRef:
    ref = ref.strip()
    if not ref:
        raise Invalid("empty study reference")
    head, sep, study = ref.rpartition(":")
    if not study:
        raise Invalid(f"study reference {ref!r} must look like [[organization@]project:]study")
    if not sep:
        ws, _, study_only = study.rpartition("@")
        if ws:
            raise Invalid(f"study reference {ref!r} names an organization but no project")
        return StudyRef(None, None, study_only)
    p = parse_project_ref(head)
    return StudyRef(p.workspace, p.project, study)


def split_ids(raw: str, max_ids: int = 100) -> list[str]:
    """Comma-separated ids from a path: order kept, unique, at most ``max_ids``."""
    ids = [i.strip() for i in raw.split(",") if i.strip()]
    if not ids:
        raise Invalid("no id given")
    if len(ids) > max_ids:
        raise Invalid(f"More than {max_ids} IDs are provided")
    if len(set(ids)) != len(ids):
        raise Invalid("Provided IDs are not unique. Only unique IDs are accepted.")
    return ids
