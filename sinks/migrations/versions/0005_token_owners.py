"""API tokens belong to a rep (owner) or are admin tokens.

Tokens made before this revision keep working as they did, with every right: they become admin
tokens (the release notes say so and how to replace them with per-rep ones).

Revision ID: 0005_token_owners
Revises: 0004_lists
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_token_owners"
down_revision: str | None = "0004_lists"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("owner", sa.String))
        # Existing rows become admin tokens; new rows always say which they are.
        batch.add_column(sa.Column("admin", sa.Boolean, nullable=False, server_default=sa.true()))
    op.create_index("ix_api_tokens_owner", "api_tokens", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_api_tokens_owner", table_name="api_tokens")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("admin")
        batch.drop_column("owner")
