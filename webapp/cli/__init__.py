"""The ``borderwatch`` command line (also ``flask --app webapp <command>``).

The group is built here; the commands live in the modules beside it, one per area, and share
only :mod:`webapp.cli.common` (never this package's ``__init__``).
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from webapp import create_app
from webapp.cli.backup import backup_command, restore_command
from webapp.cli.db import db_group
from webapp.cli.demo import demo_command, info_command
from webapp.cli.districts import district_group
from webapp.cli.export import export_command
from webapp.cli.hotspots import COMMANDS as hotspot_commands
from webapp.cli.jobs import export_job_command, jobs_command
from webapp.cli.line import line_group
from webapp.cli.notify import notify_group
from webapp.cli.seed import import_group, seed_command
from webapp.cli.users import user_group

COMMANDS: tuple[click.Command, ...] = (
    db_group,
    seed_command,
    import_group,
    demo_command,
    info_command,
    district_group,
    user_group,
    *hotspot_commands,
    jobs_command,
    export_job_command,
    line_group,
    notify_group,
    backup_command,
    restore_command,
    export_command,
)


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True)
def main() -> None:
    """borderwatch: incident reporting and analysis for the NTS-Mekong Watch border districts."""


def register(app: Flask) -> None:
    """Add borderwatch's commands to ``app.cli`` (``flask --app webapp ...``)."""
    for cmd in COMMANDS:
        app.cli.add_command(cmd)
