"""blob kinds (pictures a worker drew, watch files kept for run detail) and reminder e-mails sent

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
    op.create_table(
        "reminder_mail",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_reminder_mail_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_mail")),
        sa.UniqueConstraint("person_id", "day", "kind", name="uq_reminder_mail_person_id_day_kind"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("reminder_mail")
    with op.batch_alter_table("blobs", schema=None) as batch_op:
        batch_op.drop_column("kind")
