"""Alembic environment for the buysignal store.

Run programmatically by `sinks.store.Store.migrate()`, which hands over an open connection in
`config.attributes["connection"]`; without one (e.g. `alembic` pointed here with a URL, or offline
`--sql` mode) the URL comes from the `sqlalchemy.url` option.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from sinks.tables import VERSION_TABLE, metadata

# Any fixed 64-bit number: serialises concurrent migrations of the same PostgreSQL database.
_PG_LOCK_KEY = 0x6275797369676E  # "buysign"

config = context.config


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        # SQLite can't ALTER most things; batch mode lets later revisions change columns there too.
        render_as_batch=True,
        compare_type=True,
        **kwargs,  # type: ignore[arg-type]
    )


def run_migrations_offline() -> None:
    """Emit the SQL without a database (alembic upgrade --sql)."""
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_with(connection: sa.Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        context.run_migrations()


def run_migrations_online() -> None:
    """Upgrade through the caller's connection, or one made from the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with(connection)
        return
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        _run_with(conn)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
