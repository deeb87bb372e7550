"""reference bundles enabled per workspace; annotation source of genomes; case analysis result

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 15:10:00.000000

Bundles used to be global: the newest installed bundle of a build annotated every workspace's genomes.
From here a bundle is used only where it is enabled (for a workspace, or as the server default of its
build). Bundles installed before this revision live in the data directory, which a migration cannot see;
the annotation service adopts them the first time it looks at the installed bundles (see
``AnnotationService.adopt_installed``): a bundle without any row here that is not synthetic becomes the
server default for its build (the newest one per build), so existing laboratories keep working; a synthetic
(NOT HUMAN) one is enabled for the demo workspace only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bundle_enablements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bundle_id", sa.String(length=128), nullable=False),
        sa.Column("build", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_bundle_enablements_user_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_bundle_enablements_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundle_enablements")),
    )
    with op.batch_alter_table("bundle_enablements", schema=None) as batch_op:
        batch_op.create_index("ix_bundle_enablements_bundle", ["bundle_id"], unique=False)
    with op.batch_alter_table("genomes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("annotation_info", sa.JSON(), nullable=True))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("analysis_result", sa.String(length=32), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("analysis_result_reason", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("analysis_result_reason")
        batch_op.drop_column("analysis_result")
    with op.batch_alter_table("genomes", schema=None) as batch_op:
        batch_op.drop_column("annotation_info")
    with op.batch_alter_table("bundle_enablements", schema=None) as batch_op:
        batch_op.drop_index("ix_bundle_enablements_bundle")
    op.drop_table("bundle_enablements")
