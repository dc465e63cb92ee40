"""display preferences: kilometres or miles per runner

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-05 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "display_preferences",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("distance_unit", sa.String(length=2), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_display_preferences_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_display_preferences")),
    )
    with op.batch_alter_table("display_preferences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_display_preferences_person_id"), ["person_id"], unique=True)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("display_preferences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_display_preferences_person_id"))
    op.drop_table("display_preferences")
