"""blob kinds: pictures a worker drew and watch files kept for run detail, next to uploads

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-05 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("blobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=False, server_default="upload"))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("blobs", schema=None) as batch_op:
        batch_op.drop_column("kind")
