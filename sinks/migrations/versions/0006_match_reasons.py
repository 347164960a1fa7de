"""Why a match was made and why a person should look: Match.matched_by and Match.review_reason,
the reason on each review item ("tie" or "near_miss"), and matched_by on the list rows.

Revision ID: 0006_match_reasons
Revises: 0005_token_owners
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_match_reasons"
down_revision: str | None = "0005_token_owners"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("matches", sa.Column("matched_by", sa.Text))
    op.add_column("matches", sa.Column("review_reason", sa.String))
    op.add_column("review_queue", sa.Column("reason", sa.String))
    op.add_column("campaign_entries", sa.Column("matched_by", sa.Text))
    op.add_column("campaign_people", sa.Column("matched_by", sa.Text))
    # Rows stored before this revision: the method is all that is known of why an account was
    # assigned, and every queued item was a tie (near misses were not queued then).
    matches = sa.table(
        "matches",
        sa.column("account_id", sa.String),
        sa.column("method", sa.String),
        sa.column("ambiguous", sa.Boolean),
        sa.column("matched_by", sa.Text),
        sa.column("review_reason", sa.String),
    )
    op.execute(matches.update().where(matches.c.account_id.is_not(None)).values(matched_by=matches.c.method))
    op.execute(matches.update().where(matches.c.ambiguous.is_(True)).values(review_reason="tie"))
    reviews = sa.table("review_queue", sa.column("reason", sa.String))
    op.execute(reviews.update().values(reason="tie"))


def downgrade() -> None:
    for table in ("campaign_people", "campaign_entries"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("matched_by")
    with op.batch_alter_table("review_queue") as batch:
        batch.drop_column("reason")
    with op.batch_alter_table("matches") as batch:
        batch.drop_column("review_reason")
        batch.drop_column("matched_by")
