"""``borderwatch user create|disable|set-role|set-password``: accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from gis.accounts.users import (
    change_password,
    check_username,
    create_user,
    disable_user,
    get_user,
    set_role,
)
from gis.errors import InvalidInput
from gis.text import N_
from gis.types import Role
from webapp.cli.common import error_text, say, transaction

ROLE = click.Choice([r.value for r in Role])


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(
        say(N_("Password")),
        hide_input=True,
        confirmation_prompt=say(N_("Repeat for confirmation")),
    )


def password_stdin_option(f):  # type: ignore[no-untyped-def]
    return click.option(
        "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
    )(f)


@click.group("user")
def user_group() -> None:
    """Manage accounts (roles: administrator, hq_analyst, patrol_planner, coordinator, officer,
    volunteer)."""


@user_group.command("create")
@click.argument("username")
@click.option("--role", type=ROLE, required=True)
@click.option("--district", default=None, help="P-code or name (coordinator, officer, volunteer).")
@click.option("--province", default=None, help="P-code or name (patrol planner).")
@click.option("--name", "display_name", default=None, help="Display name (default: USERNAME).")
@password_stdin_option
@with_appcontext
def user_create(
    username: str,
    role: str,
    district: str | None,
    province: str | None,
    display_name: str | None,
    password_stdin: bool,
) -> None:
    """Create the account USERNAME; the password is asked for (or read with --password-stdin)."""
    try:
        check_username(username)  # before asking for a password
    except InvalidInput as exc:
        raise click.BadParameter(error_text(exc), param_hint="USERNAME") from exc
    password = read_password(password_stdin)
    with transaction() as session:
        user = create_user(session, username, display_name, password, role, district, province)
        name = user.username
    click.echo(say(N_("account %(name)s created (%(role)s)"), name=name, role=role))


@user_group.command("disable")
@click.argument("username")
@with_appcontext
def user_disable(username: str) -> None:
    """Disable USERNAME and end its sessions."""
    with transaction() as session:
        name = disable_user(session, username).username
    click.echo(say(N_("account %(name)s disabled; its sessions have ended"), name=name))


@user_group.command("set-role")
@click.argument("username")
@click.option("--role", type=ROLE, required=True)
@click.option("--district", default=None, help="P-code or name (coordinator, officer, volunteer).")
@click.option("--province", default=None, help="P-code or name (patrol planner).")
@with_appcontext
def user_set_role(username: str, role: str, district: str | None, province: str | None) -> None:
    """Give USERNAME a new role and scope; its sessions end."""
    with transaction() as session:
        name = set_role(session, username, role, district, province).username
    click.echo(
        say(N_("account %(name)s is now %(role)s; its sessions have ended"), name=name, role=role)
    )


@user_group.command("set-password")
@click.argument("username")
@password_stdin_option
@with_appcontext
def user_set_password(username: str, password_stdin: bool) -> None:
    """Set a new password for USERNAME (e.g. a lost one); its sessions end."""
    password = read_password(password_stdin)
    with transaction() as session:
        name = change_password(session, get_user(session, username), password).username
    click.echo(say(N_("password of %(name)s changed; its sessions have ended"), name=name))
