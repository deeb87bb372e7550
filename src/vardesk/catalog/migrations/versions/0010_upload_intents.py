"""upload intents: an upload moved into the store but not yet recorded

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 20:00:00.000000

A row is committed before an upload's blob is moved under ``uploads/<file uuid>/`` and deleted in the
transaction that records the file, so a crash between the move and the commit leaves a row naming the
blob; the start-up sweep deletes the blobs of intents whose owner process is dead (or, for another host's,
that are old) and then the rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "upload_intents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_uuid", sa.String(length=36), nullable=False),
        sa.Column("blob_prefix", sa.String(length=255), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload_intents")),
    )


def downgrade() -> None:
    op.drop_table("upload_intents")
