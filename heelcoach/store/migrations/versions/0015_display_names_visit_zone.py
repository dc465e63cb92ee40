"""display names of accounts (and of an invitation), the time zone a visit was accepted in

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(length=120), nullable=True))
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(length=120), nullable=True))
    with op.batch_alter_table("visit_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("visit_requests", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("display_name")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("display_name")
