"""the source address of each failed login, so every server process throttles by address together

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 23:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("auth_failures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=64), nullable=False, server_default=""))
        batch_op.create_index("ix_auth_failures_source_at", ["source", "at"], unique=False)
        batch_op.create_index("ix_auth_failures_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("auth_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_auth_failures_at")
        batch_op.drop_index("ix_auth_failures_source_at")
        batch_op.drop_column("source")
