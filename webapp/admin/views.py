"""``/admin/users``: the account list with create, disable and set-role forms, and the latest
account changes (administrators). Every change is recorded with the administrator who made it;
nobody changes their own role here (403)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import aliased

from gis.accounts import users as accounts
from gis.accounts.changes import recent_changes
from gis.errors import BorderwatchError, Forbidden
from gis.models import District, Province, User
from gis.types import AccountChangeKind, Role
from webapp.admin import bp
from webapp.admin.forms import CreateUserForm, DisableForm, SetRoleForm
from webapp.auth.session import roles_required, viewer
from webapp.db import get_session

#: Words for the kinds of account change (codes in the database).
CHANGE_WORDS = {
    AccountChangeKind.CREATED: lazy_gettext("created"),
    AccountChangeKind.ROLE: lazy_gettext("role"),
    AccountChangeKind.SCOPE: lazy_gettext("scope"),
    AccountChangeKind.ACTIVE: lazy_gettext("active"),
    AccountChangeKind.PASSWORD_CHANGED: lazy_gettext("password changed"),
    AccountChangeKind.PASSWORD_RESET: lazy_gettext("password reset"),
    AccountChangeKind.TOKEN_MADE: lazy_gettext("API token made"),
    AccountChangeKind.TOKEN_REVOKED: lazy_gettext("API token revoked"),
}
#: Account changes shown on the page.
SHOWN_CHANGES = 100


def account_rows() -> list[Any]:
    district_province = aliased(Province)
    return list(
        get_session().execute(
            select(
                User.username,
                User.display_name,
                User.role,
                User.is_active,
                District.name.label("district"),
                district_province.name.label("district_province"),
                Province.name.label("province"),
            )
            .outerjoin(District, District.id == User.district_id)
            .outerjoin(district_province, district_province.id == District.province_id)
            .outerjoin(Province, Province.id == User.province_id)
            .order_by(User.username)
        )
    )


def page(create: CreateUserForm | None = None, status: int = 200) -> Any:
    return (
        render_template(
            "admin/users.html",
            rows=account_rows(),
            create=create or CreateUserForm(formdata=None),
            set_role=SetRoleForm(formdata=None),
            disable=DisableForm(formdata=None),
            changes=recent_changes(get_session(), SHOWN_CHANGES),
            change_words=CHANGE_WORDS,
        ),
        status,
    )


def form_errors(form: Any) -> None:
    for field in form:
        for message in field.errors:
            flash(f"{field.label.text}: {message}", "error")


@bp.get("/users")
@roles_required(Role.ADMINISTRATOR)
def users():
    return page()


@bp.post("/users")
@roles_required(Role.ADMINISTRATOR)
def create_user():
    form = CreateUserForm()
    if not form.validate():
        form_errors(form)
        return page(form, 400)
    db = get_session()
    try:
        user = accounts.create_user(
            db,
            form.username.data or "",
            form.display_name.data,
            form.password.data or "",
            form.role.data or "",
            district=form.district.data,
            province=form.province.data,
            by=viewer(),
        )
    except BorderwatchError as exc:
        flash(f"{exc.field or 'error'}: {exc.message}", "error")
        return page(form, 400)
    db.commit()
    flash(f"Account {user.username} created.", "done")
    return redirect(url_for("admin.users"))


@bp.post("/users/<username>/disable")
@roles_required(Role.ADMINISTRATOR)
def disable_user(username: str):
    DisableForm().validate()  # CSRFProtect has checked the token already
    db = get_session()
    try:
        user = accounts.disable_user(db, username, by=viewer())
    except BorderwatchError as exc:
        flash(exc.message, "error")
        return page(status=404 if exc.code == "not_found" else 400)
    db.commit()
    flash(f"Account {user.username} disabled; its sessions have ended.", "done")
    return redirect(url_for("admin.users"))


@bp.post("/users/<username>/role")
@roles_required(Role.ADMINISTRATOR)
def set_role(username: str):
    form = SetRoleForm()
    if not form.validate():
        form_errors(form)
        return page(status=400)
    db = get_session()
    try:
        user = accounts.set_role(
            db, username, form.role.data or "", form.district.data, form.province.data, by=viewer()
        )
    except Forbidden:  # the administrator's own account
        flash(_("You cannot change your own role: ask another administrator."), "error")
        return page(status=403)
    except BorderwatchError as exc:
        flash(f"{exc.field or 'error'}: {exc.message}", "error")
        return page(status=404 if exc.code == "not_found" else 400)
    db.commit()
    flash(f"Account {user.username} is now {user.role.value}; its sessions have ended.", "done")
    return redirect(url_for("admin.users"))
