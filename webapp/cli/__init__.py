"""The ``borderwatch`` command line (also ``flask --app webapp <command>``)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session
from tqdm import tqdm

from gis.errors import BorderwatchError
from webapp.config import ROOT
from webapp.db import database


def _create_app() -> Flask:
    from webapp import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def main() -> None:
    """borderwatch: incident reporting and analysis for the NTS-Mekong Watch border districts."""


@contextmanager
def transaction() -> Iterator[Session]:
    """A session committed on success and rolled back on any error; domain errors become a
    clean ``Error: ...`` message and exit status 1."""
    session = database().sessionmaker()
    try:
        yield session
        session.commit()
    except BorderwatchError as exc:
        session.rollback()
        raise click.ClickException(exc.message) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class Bars:
    """A tqdm progress bar on stderr per step, for loaders reporting (step, done, total).

    Steps come one after another: a new step closes the previous bar, so each step leaves one
    finished line, also when stderr is not a terminal (a log file, CI).
    """

    FORMAT = "{desc}: {percentage:3.0f}%|{bar:24}| {n_fmt}/{total_fmt} [{elapsed}]"

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.step: str | None = None
        self.bar: tqdm | None = None

    def __call__(self, step: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None or step != self.step:
            self.close()
            self.step = step
            self.bar = tqdm(
                total=total, desc=f"{step:>22}", file=sys.stderr, bar_format=self.FORMAT
            )
        self.bar.total = total
        self.bar.update(done - self.bar.n)  # redraws at most every 0.1 s

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def progress_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--progress/--no-progress", default=True, help="Show progress bars.")(f)


# --------------------------------------------------------------------------- db


@click.group("db")
def db_group() -> None:
    """Schema migrations (Alembic)."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Upgrade the schema; running it again does nothing."""
    from gis.ops import migrate

    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"schema at {revision}")


@db_group.command("downgrade")
@click.option("--revision", required=True, help="Target revision, e.g. base or 0001.")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Downgrade the schema (drops data of the removed tables)."""
    from gis.ops import migrate

    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"schema at {revision}")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the schema revision of the database."""
    from gis.ops import migrate

    migrate.current(current_app.config["DATABASE_URL"])


# --------------------------------------------------------------------------- seed / import


@click.command("seed")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Folder with the reference GeoJSON files (default: seeds/data).",
)
@progress_option
@with_appcontext
def seed_command(data_dir: Path | None, progress: bool) -> None:
    """Load the reference layers: validated first, written in one transaction, idempotent."""
    from seeds.reference import DATA_DIR, load_reference, read_reference

    bars = Bars(progress)
    try:
        with transaction() as session:
            data = read_reference(data_dir or DATA_DIR)
            report = load_reference(session, data, bars)
    finally:
        bars.close()
    for table, c in report.tables.items():
        click.echo(
            f"{table:>24}: {c.inserted} inserted, {c.updated} updated, {c.unchanged} unchanged"
        )
    click.echo(
        "reference data up to date" if report.changed == 0 else f"{report.changed} rows written"
    )


@click.group("import")
def import_group() -> None:
    """Import data files."""


@import_group.command("crossings")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--source", default=None, help="Where the data comes from (kept with each path).")
@progress_option
@with_appcontext
def import_crossings(file: Path, source: str | None, progress: bool) -> None:
    """Load natural crossing paths from a GeoJSON FeatureCollection (EPSG:4326 lines).

    The whole file is checked first; one bad feature rejects it and nothing is written.
    """
    from gis.reference.crossings import import_crossings as run_import

    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{file.name}: not valid JSON ({exc})") from exc
    bars = Bars(progress)
    try:
        with transaction() as session:
            report = run_import(
                session,
                doc,
                source=source or file.name,
                label=file.name,
                max_distance_m=current_app.config["ROUTING_MAX_DISTANCE_M"],
                progress=bars,
            )
    finally:
        bars.close()
    click.echo(
        f"{report.inserted} crossings inserted, {report.updated} updated, "
        f"{report.unchanged} unchanged"
    )


# --------------------------------------------------------------------------- demo / info


@click.command("demo")
@click.option(
    "--incidents", "n", type=click.IntRange(0, 10_000_000), default=20_000, show_default=True
)
@click.option("--seed", "seed_value", type=int, default=42, show_default=True, help="Random seed.")
@click.option("--if-empty", is_flag=True, help="Do nothing when incidents already exist.")
@click.option(
    "--anchor",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="End of the two-year window (UTC date; default today). Same seed, count and anchor "
    "give the same rows.",
)
@progress_option
@with_appcontext
def demo_command(
    n: int, seed_value: int, if_empty: bool, anchor: dt.datetime | None, progress: bool
) -> None:
    """Generate a repeatable synthetic demo data set (incidents and demo crossing paths) and one
    demo account per role (created once; their passwords are kept in var/demo-logins.json)."""
    from gis.accounts.users import ensure_demo_accounts
    from seeds.demo import generate_demo, has_incidents

    with transaction() as session:
        created = ensure_demo_accounts(session)
    if created:
        save_demo_logins(created)
        click.echo(f"demo accounts created: {', '.join(user for _, user, _ in created)}")
    with transaction() as session:
        if if_empty and has_incidents(session):
            click.echo("demo data: incidents already present, nothing generated")
            return
    bars = Bars(progress)
    try:
        with transaction() as session:
            report = generate_demo(
                session,
                incidents=n,
                seed=seed_value,
                progress=bars,
                anchor=anchor.replace(tzinfo=dt.UTC) if anchor else None,
            )
    finally:
        bars.close()
    click.echo(str(report))


def demo_logins_file() -> Path:
    """Where the demo passwords are kept (``DEMO_LOGINS_FILE``, default var/demo-logins.json)."""
    return Path(current_app.config.get("DEMO_LOGINS_FILE") or ROOT / "var" / "demo-logins.json")


def save_demo_logins(created: list[tuple[str, str, str]]) -> None:
    """Keep the demo accounts' passwords for ``borderwatch info`` in a file only the owner reads.

    Demo accounts exist for trying the service locally; the database keeps only hashes.
    """
    path = demo_logins_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    logins = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    logins.update({user: {"role": role, "password": password} for role, user, password in created})
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(json.dumps(logins, indent=1), encoding="utf-8")


def demo_logins(session: Session) -> list[tuple[str, str, str]]:
    """``(role, user, password)`` of the demo accounts that exist and are active, as created."""
    from gis.models import User

    path = demo_logins_file()
    if not path.is_file():
        return []
    saved = json.loads(path.read_text(encoding="utf-8"))
    active = set(
        session.execute(
            select(User.username).where(User.username.in_(saved), User.is_active)
        ).scalars()
    )
    return [(v["role"], user, v["password"]) for user, v in saved.items() if user in active]


@click.command("info")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True)
@with_appcontext
def info_command(url: str) -> None:
    """Print where the app is served and the demo sign-ins that exist."""
    with transaction() as session:
        logins = demo_logins(session)
    click.echo("")
    click.echo(f"borderwatch is starting on {url}")
    if logins:
        click.echo("Demo sign-ins (role: user / password; sign in at /login):")
        for role, user, password in logins:
            click.echo(f"  {role:>16}: {user} / {password}")
    else:
        click.echo("No demo accounts: create one with `borderwatch user create` (see README).")
    click.echo("")


# --------------------------------------------------------------------------- districts


@click.group("district")
def district_group() -> None:
    """Manage districts (the programme's target set)."""


@district_group.command("target")
@click.argument("district")
@click.option("--on/--off", "on", default=True, help="Make it a target district or not.")
@with_appcontext
def district_target(district: str, on: bool) -> None:
    """Flag DISTRICT (P-code like TH3409, or its name) as a target district, or not.

    A new target district gets a coordination centre placed inside it, marked approximate.
    """
    from gis.reference.admin import set_target

    with transaction() as session:
        ref = set_target(session, district, on)
    click.echo(f"{ref.name} ({ref.province}) is {'now' if on else 'no longer'} a target district")


def register(app: Flask) -> None:
    """Add borderwatch's commands to ``app.cli`` (``flask --app webapp ...``)."""
    from webapp.cli.export import export_command
    from webapp.cli_backup import backup_command, restore_command
    from webapp.cli_hotspots import COMMANDS as hotspot_commands
    from webapp.cli_users import user_group

    for cmd in (db_group, seed_command, import_group, demo_command, info_command, district_group):
        app.cli.add_command(cmd)
    app.cli.add_command(user_group)
    for cmd in hotspot_commands:
        app.cli.add_command(cmd)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(export_command)
