"""Web editions: each language edition a send published, and its calendar files.

The preference center serves them at /<publication>/<issue>/ (and `publish` writes them for a
static host), exactly as the families got them, whatever the issue's YAML says later.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_editions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("publication", sa.String(64), nullable=False),
        sa.Column("issue", sa.String(100), nullable=False),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("web_url", sa.String(500), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("preheader", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("html", sa.Text, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("publication", "issue", "lang", name="uq_web_editions_issue_lang"),
    )
    op.create_table(
        "web_files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("publication", sa.String(64), nullable=False),
        sa.Column("issue", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("block_type", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("publication", "issue", "name", name="uq_web_files_issue_name"),
    )


def downgrade() -> None:
    op.drop_table("web_files")
    op.drop_table("web_editions")
