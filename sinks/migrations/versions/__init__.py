"""Alembic revisions of the buysignal store, oldest first (0001_initial.py is the base)."""
