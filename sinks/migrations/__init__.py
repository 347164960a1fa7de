"""Alembic migrations of the buysignal store (run by `sinks.store.Store.migrate`)."""
