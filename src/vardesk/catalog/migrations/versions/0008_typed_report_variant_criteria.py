"""report variants' reviewer criteria typed: entries {code, strength, by, at, comment} instead of labels

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 18:40:00.000000

``report_variants.criteria`` stays a JSON list; each stored label (``PVS1``, ``PM2_Supporting``) becomes an
entry ``{"code": "PM2", "strength": "SUPPORTING", "by": null, "at": null, "comment": null}`` — who recorded
it and why were not kept before, so they stay unknown (the variant's audit log has the change). Every
stored label is kept, also one the ClinGen SVI rules would now refuse as input: evidence is never dropped.
Downgrade turns entries back into labels (losing who/when/why).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# default strength by code prefix (Richards et al. 2015), frozen here as of this revision
_DEFAULT = {
    "PVS": "VERY_STRONG",
    "PS": "STRONG",
    "PM": "MODERATE",
    "PP": "SUPPORTING",
    "BA": "STAND_ALONE",
    "BS": "STRONG",
    "BP": "SUPPORTING",
}
_SUFFIX = {
    "StandAlone": "STAND_ALONE",
    "VeryStrong": "VERY_STRONG",
    "Strong": "STRONG",
    "Moderate": "MODERATE",
    "Supporting": "SUPPORTING",
}
_LABEL = {v: k for k, v in _SUFFIX.items()}

_rv = sa.table("report_variants", sa.column("id", sa.Integer), sa.column("criteria", sa.JSON))


def _entry(label: str) -> dict[str, Any]:
    code, _, suffix = label.strip().partition("_")
    code = code.upper()
    prefix = code.rstrip("0123456789")
    strength = _SUFFIX.get(suffix) or _DEFAULT.get(prefix, "SUPPORTING")
    return {"code": code, "strength": strength, "by": None, "at": None, "comment": None}


def _label(entry: dict[str, Any]) -> str:
    code, strength = str(entry["code"]), str(entry.get("strength") or "")
    default = _DEFAULT.get(code.rstrip("0123456789"))
    return code if not strength or strength == default else f"{code}_{_LABEL[strength]}"


def _rewrite(convert: Any, wanted: type) -> None:
    conn = op.get_bind()
    for rid, raw in conn.execute(sa.select(_rv.c.id, _rv.c.criteria)).all():
        values = json.loads(raw) if isinstance(raw, str) else (raw or [])
        if not any(not isinstance(v, wanted) for v in values):
            continue
        new = [v if isinstance(v, wanted) else convert(v) for v in values]
        conn.execute(sa.update(_rv).where(_rv.c.id == rid).values(criteria=new))


def upgrade() -> None:
    _rewrite(_entry, dict)


def downgrade() -> None:
    _rewrite(_label, str)
