"""Translation review in the studio: the languages each translator reviews, per publication
(staff_languages; studio/review_pages.py).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_languages",
        sa.Column("account_id", sa.Integer, sa.ForeignKey("staff_accounts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("publication", sa.String(64), primary_key=True),
        sa.Column("language", sa.String(16), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("staff_languages")
