"""Run the Alembic migrations in ``migrations/`` from Python (CLI, tests, deployment)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """Alembic configuration pointing at ``migrations/``.

    Args:
        url: database URL; defaults to ``DATABASE_URL`` inside ``migrations/env.py``.
        connection: an open connection to run on instead of a new engine.

    Returns:
        The configuration object for :mod:`alembic.command`.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Upgrade the schema to ``revision``; a no-op when it is already there."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    """Downgrade the schema to ``revision``."""
    command.downgrade(alembic_config(url), revision)


def current(url: str | None = None) -> None:
    """Print the current revision."""
    command.current(alembic_config(url), verbose=False)
