"""condition-gene notes, secondary-analysis jobs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # existing rows get an empty note; the default is only for this ALTER, the code always sets a value
    with op.batch_alter_table("condition_genes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notes", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("condition_genes", schema=None) as batch_op:
        batch_op.alter_column("notes", server_default=None)

    op.create_table(
        "secondary_analysis_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("accession_id", sa.String(length=128), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "CREATED",
                "RUNNING",
                "COMPLETE",
                "FAILED",
                name="secondary_analysis_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_secondary_analysis_jobs_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_secondary_analysis_jobs_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secondary_analysis_jobs")),
        sa.UniqueConstraint("uuid", name=op.f("uq_secondary_analysis_jobs_uuid")),
    )
    with op.batch_alter_table("secondary_analysis_jobs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_secondary_analysis_jobs_workspace_accession", ["workspace_id", "accession_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("secondary_analysis_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_secondary_analysis_jobs_workspace_accession")
    op.drop_table("secondary_analysis_jobs")
    with op.batch_alter_table("condition_genes", schema=None) as batch_op:
        batch_op.drop_column("notes")
