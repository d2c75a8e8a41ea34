"""The send log: one row per (issue, recipient), so a send resumes and never doubles.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("issue", sa.String(100), nullable=False),
        sa.Column("subscriber_id", sa.Integer, sa.ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("segment", sa.String(100), nullable=False),
        sa.Column("backend", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(300), nullable=False),
        sa.Column("provider_id", sa.String(200), nullable=False, server_default=""),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("issue", "subscriber_id", name="uq_send_log_issue_subscriber"),
    )
    op.create_index("ix_send_log_issue_status", "send_log", ["issue", "status"])


def downgrade() -> None:
    op.drop_index("ix_send_log_issue_status", "send_log")
    op.drop_table("send_log")
