"""Moved to schemas.roles, the one title normaliser of sources, triggers and matchers (until triggers/ imports it there)."""

from schemas.roles import normalise_role as normalise_role
