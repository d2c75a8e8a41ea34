"""The staff studio: staff accounts, roles per publication, sign-in attempts, the audit log and
autosaved drafts (studio/).

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008_legacy_publication"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("link_hash", sa.String(64), nullable=True),
        sa.Column("link_expires", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_epoch", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "staff_roles",
        sa.Column("account_id", sa.Integer, sa.ForeignKey("staff_accounts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("publication", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), primary_key=True),
        sa.CheckConstraint("role IN ('editor', 'translator', 'sender', 'admin')", name="ck_staff_roles_role"),
    )
    op.create_table(
        "staff_sign_ins",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
    )
    op.create_index("ix_staff_sign_ins_email_at", "staff_sign_ins", ["email", "at"])
    op.create_index("ix_staff_sign_ins_address_at", "staff_sign_ins", ["address", "at"])
    op.create_table(
        "staff_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("publication", sa.String(64), nullable=True),
        sa.Column("path", sa.String(500), nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_staff_audit_publication_path", "staff_audit", ["publication", "path"])
    op.create_table(
        "studio_drafts",
        sa.Column("account_id", sa.Integer, sa.ForeignKey("staff_accounts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("publication", sa.String(64), primary_key=True),
        sa.Column("issue", sa.String(100), primary_key=True),
        sa.Column("base_hash", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("undo", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("studio_drafts")
    op.drop_index("ix_staff_audit_publication_path", "staff_audit")
    op.drop_table("staff_audit")
    op.drop_index("ix_staff_sign_ins_address_at", "staff_sign_ins")
    op.drop_index("ix_staff_sign_ins_email_at", "staff_sign_ins")
    op.drop_table("staff_sign_ins")
    op.drop_table("staff_roles")
    op.drop_table("staff_accounts")
