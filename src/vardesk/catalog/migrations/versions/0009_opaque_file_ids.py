"""files get opaque server-made ids; the client's file name stays metadata (name, path) only

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 19:40:00.000000

A file's ``code`` (its OpenCGA ``id``) was its upload path with ``:`` for ``/`` — the client's file name,
which labs make of patient names and accessions. Each file now gets ``file_`` and 20 random hex digits;
``name`` and ``path`` keep what the client sent (they already held it). Where a record named the file by its
old code or name, it is rewritten to the new code: the per-file summaries in the ``result`` and the
``progress_message`` of the indexing and re-annotation jobs of that file. Paths were unique in a study
(the old codes were, and they were made one-to-one from the paths), so a unique index on
``(study_id, path)`` now keeps the rule that an upload to a taken path is refused.

Downgrade makes the codes from the paths again (the old rule) and puts the old codes back into the jobs.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_files = sa.table(
    "files",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("path", sa.String),
)
_jobs = sa.table(
    "jobs",
    sa.column("id", sa.Integer),
    sa.column("tool", sa.String),
    sa.column("params", sa.JSON),
    sa.column("result", sa.JSON),
    sa.column("progress_message", sa.Text),
)
_FILE_TOOLS = ("variant-index", "reannotate")  # the job types whose params name files (by number)


def _path_code(path: str) -> str:
    """The old file code, frozen here as of revision 0008."""
    return path.replace(":", "\\:").replace("/", ":")


def _json(raw: Any) -> Any:
    return json.loads(raw) if isinstance(raw, str) else raw


def _rewrite_jobs(conn: sa.Connection, renamed: dict[int, tuple[str, str, list[str]]]) -> None:
    """In the jobs of each renamed file: the per-file summaries naming the old code get the new one, and a
    progress message quoting the old code or a name the file had gets the new code."""
    rows = conn.execute(
        sa.select(_jobs.c.id, _jobs.c.params, _jobs.c.result, _jobs.c.progress_message).where(
            _jobs.c.tool.in_(_FILE_TOOLS)
        )
    ).all()
    for job_id, raw_params, raw_result, message in rows:
        file_ids = [f for f in (_json(raw_params) or {}).get("files") or [] if f in renamed]
        if not file_ids:
            continue
        result, changed = _json(raw_result), {}
        for entry in (result or {}).get("files") or [] if isinstance(result, dict) else []:
            for fid in file_ids:
                new, old, _ = renamed[fid]
                if isinstance(entry, dict) and entry.get("file") == old:
                    entry["file"] = new
                    changed["result"] = result
        text = message or ""
        for fid in file_ids:
            new, old, names = renamed[fid]
            for value in sorted({old, *names}, key=len, reverse=True):
                if value and value in text:
                    text = text.replace(value, f"file {new}" if value in names else new)
        if text != (message or ""):
            changed["progress_message"] = text
        if changed:
            conn.execute(sa.update(_jobs).where(_jobs.c.id == job_id).values(**changed))


def upgrade() -> None:
    conn = op.get_bind()
    renamed: dict[int, tuple[str, str, list[str]]] = {}
    for fid, code, name, _path in conn.execute(
        sa.select(_files.c.id, _files.c.code, _files.c.name, _files.c.path)
    ).all():
        new = "file_" + secrets.token_hex(10)
        conn.execute(sa.update(_files).where(_files.c.id == fid).values(code=new))
        renamed[fid] = (new, code, [name])
    _rewrite_jobs(conn, renamed)
    op.create_index("uq_files_study_path", "files", ["study_id", "path"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_files_study_path", table_name="files")
    conn = op.get_bind()
    restored: dict[int, tuple[str, str, list[str]]] = {}
    for fid, code, _name, path in conn.execute(
        sa.select(_files.c.id, _files.c.code, _files.c.name, _files.c.path)
    ).all():
        old = _path_code(path)
        conn.execute(sa.update(_files).where(_files.c.id == fid).values(code=old))
        restored[fid] = (old, code, [])
    _rewrite_jobs(conn, restored)
