"""Sending from the studio: issue approvals (content fingerprints), scheduled sends (the worker's
queue), every send's progress.

Revision ID: 0011_scheduled_sends
Revises: 0009 (the lead rechains it after 0010_translation_review)
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0011_scheduled_sends"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issue_approvals",
        sa.Column("publication", sa.String(64), primary_key=True),
        sa.Column("issue", sa.String(100), primary_key=True),
        sa.Column("ready_fingerprint", sa.String(64), nullable=True),
        sa.Column("ready_by", sa.String(320), nullable=True),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_fingerprint", sa.String(64), nullable=True),
        sa.Column("approved_by", sa.String(320), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "scheduled_sends",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("publication", sa.String(64), nullable=False),
        sa.Column("issue", sa.String(100), nullable=False),
        sa.Column("issue_dir", sa.String(500), nullable=False),
        sa.Column("segment", sa.String(100), nullable=False),
        sa.Column("backend", sa.String(16), nullable=False),
        sa.Column("families", sa.Integer, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forced", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("retry_failed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("resend_in_doubt", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner", sa.String(64), nullable=False, server_default=""),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late_seconds", sa.Integer, nullable=True),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.CheckConstraint("state IN ('scheduled', 'running', 'done', 'stopped', 'cancelled')",
                           name="ck_scheduled_sends_state"),
    )
    op.create_index("ix_scheduled_sends_state_run_at", "scheduled_sends", ["state", "run_at"])
    op.create_table(
        "send_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("issue", sa.String(100), nullable=False),
        sa.Column("segment", sa.String(100), nullable=False),
        sa.Column("backend", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_send_runs_issue", "send_runs", ["issue"])


def downgrade() -> None:
    op.drop_index("ix_send_runs_issue", table_name="send_runs")
    op.drop_table("send_runs")
    op.drop_index("ix_scheduled_sends_state_run_at", table_name="scheduled_sends")
    op.drop_table("scheduled_sends")
    op.drop_table("issue_approvals")
