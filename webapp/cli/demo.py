"""``borderwatch demo`` and ``borderwatch info``: the demo data set and the demo sign-ins.

:mod:`seeds.demo` is imported inside ``demo``: it loads pyproj, which the web workers that
register these commands through ``create_app`` never need.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.accounts.users import ensure_demo_accounts
from gis.models import User
from gis.parsing import THAI_TIME
from gis.text import N_
from webapp.cli.common import Bars, progress_option, say, transaction
from webapp.config import ROOT

#: What ``demo`` says when the incidents it would make are there already.
NOTHING_GENERATED = N_("demo data: incidents already present, nothing generated")


@click.command("demo")
@click.option(
    "--incidents", "n", type=click.IntRange(0, 10_000_000), default=20_000, show_default=True
)
@click.option("--seed", "seed_value", type=int, default=42, show_default=True, help="Random seed.")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Generate no incident when incidents already exist (missing showcase parts are still "
    "made for a data set of demo incidents only).",
)
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
    """Generate a repeatable synthetic demo data set (incidents and demo crossing paths), one
    demo account per role (created once; their passwords are kept in var/demo-logins.json), and
    what those accounts do with the data: triaged reports, hotspot runs, patrol plans.

    With --if-empty and incidents present, no incident is generated; the showcase parts that
    are missing are still made when every incident is demo data (a data set made before they
    existed), never on a database with real reports."""
    # pyproj: kept out of web workers
    from seeds.demo import default_anchor, generate_demo, has_incidents, has_real_incidents
    from seeds.demo_cooperation import make_cooperation
    from seeds.demo_notify import make_notifications
    from seeds.demo_reference import make_reference_edits
    from seeds.demo_showcase import complete_demo

    with transaction() as session:
        created = ensure_demo_accounts(session)
    if created:
        save_demo_logins(created)
        users = ", ".join(user for _, user, _ in created)
        click.echo(say(N_("demo accounts created: %(users)s"), users=users))
    generate = True
    with transaction() as session:
        if if_empty and has_incidents(session):
            if has_real_incidents(session):
                click.echo(say(NOTHING_GENERATED))
                return
            generate = False
    end = anchor.replace(tzinfo=dt.UTC) if anchor else default_anchor()
    secret = current_app.config["SECRET_KEY"]
    bars = Bars(progress)
    try:
        with transaction() as session:
            report = (
                generate_demo(session, incidents=n, seed=seed_value, progress=bars, anchor=end)
                if generate
                else None
            )
            showcase = complete_demo(
                session,
                seed=seed_value,
                anchor=end,
                key_secret=secret if isinstance(secret, bytes) else str(secret).encode(),
                progress=bars,
            )
            # the cooperation register of every target district, up to the anchor's day
            cooperation = make_cooperation(session, end.astimezone(THAI_TIME).date())
            # the demo accounts' bells and the coordinator's notification settings
            make_notifications(session)
            # reference editing: accepted changes (a flagged border stretch among them) and two
            # proposals waiting for review
            make_reference_edits(session)
    finally:
        bars.close()
    if report is not None:
        click.echo(str(report))
    elif not showcase.made and not cooperation.activities:
        click.echo(say(NOTHING_GENERATED))
        return
    else:
        click.echo(
            say(N_("demo data: incidents already present, adding what the demo accounts do"))
        )
    click.echo(str(showcase))
    click.echo(str(cooperation))


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
    click.echo(say(N_("borderwatch is starting on %(url)s"), url=url))
    if logins:
        click.echo(say(N_("Demo sign-ins (role: user / password; sign in at /login):")))
        for role, user, password in logins:
            click.echo(f"  {role:>16}: {user} / {password}")
    else:
        click.echo(
            say(N_("No demo accounts: create one with `borderwatch user create` (see README)."))
        )
    click.echo("")
