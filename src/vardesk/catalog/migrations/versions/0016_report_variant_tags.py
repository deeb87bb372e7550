"""report variant tags: a reviewer's tag (most likely, candidate, incidental, carrier) on a report variant

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 15:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_variants") as batch:
        batch.add_column(sa.Column("tag", sa.String(length=32), nullable=False, server_default="none"))


def downgrade() -> None:
    with op.batch_alter_table("report_variants") as batch:
        batch.drop_column("tag")
