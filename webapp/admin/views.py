"""``/admin/users``: the account list with the forms to create an account, set its role and area,
reset its password, disable and enable it, and the latest account changes (administrators).
Every change is recorded with the administrator who made it; nobody changes their own role or
resets their own password here (403)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from gis.accounts import users as accounts
from gis.accounts.changes import recent_changes
from gis.errors import BorderwatchError, Forbidden
from gis.models import District, Province, User
from gis.types import Role
from webapp.admin import bp
from webapp.admin.display import change_value, place_names, scope_words
from webapp.admin.forms import CreateUserForm, DisableForm, ResetPasswordForm, SetRoleForm
from webapp.auth.session import roles_required, viewer
from webapp.db import get_session
from webapp.errors import user_message
from webapp.vocab import label

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
                User.created_at,
                District.pcode.label("district_pcode"),
                District.name.label("district"),
                District.name_th.label("district_th"),
                district_province.name.label("district_province"),
                district_province.name_th.label("district_province_th"),
                Province.pcode.label("province_pcode"),
                Province.name.label("province"),
                Province.name_th.label("province_th"),
            )
            .outerjoin(District, District.id == User.district_id)
            .outerjoin(district_province, district_province.id == District.province_id)
            .outerjoin(Province, Province.id == User.province_id)
            .order_by(User.username)
        )
    )


def page(create: CreateUserForm | None = None, status: int = 200) -> Any:
    session = get_session()
    changes = recent_changes(session, SHOWN_CHANGES)
    places = place_names(session, changes)
    rows = account_rows()
    return (
        render_template(
            "admin/users.html",
            rows=[(row, scope_words(row)) for row in rows],
            create=create or CreateUserForm(formdata=None),
            role_forms={row.username: role_form(row) for row in rows},
            reset=ResetPasswordForm(formdata=None),
            disable=DisableForm(formdata=None),
            changes=[
                (
                    c,
                    change_value(c.what, c.old_value, places),
                    change_value(c.what, c.new_value, places),
                )
                for c in changes
            ],
            me=viewer().username,
            min_length=accounts.MIN_PASSWORD_LENGTH,
        ),
        status,
    )


def role_form(row: Any) -> SetRoleForm:
    """The role form of one account, filled with its role and area."""
    return SetRoleForm(
        formdata=None,
        data={
            "role": row.role.value,
            "district": row.district_pcode,
            "province": row.province_pcode,
        },
    )


def flash_errors(form: Any) -> None:
    """A form's errors as messages naming each field (forms of one row of the list)."""
    for field in form:
        for message in field.errors:
            flash(_("%(field)s: %(message)s", field=field.label.text, message=message), "error")


def flash_domain_error(form: Any, exc: BorderwatchError) -> None:
    """A domain error as a message naming the form's field it is about."""
    field = form[exc.field] if exc.field and exc.field in form else None
    if field is None:
        flash(user_message(exc), "error")
    else:
        flash(
            _("%(field)s: %(message)s", field=field.label.text, message=user_message(exc)), "error"
        )


@bp.get("/users")
@roles_required(Role.ADMINISTRATOR)
def users():
    return page()


@bp.post("/users")
@roles_required(Role.ADMINISTRATOR)
def create_user():
    form = CreateUserForm()
    if form.validate():
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
        except BorderwatchError as exc:  # shown next to the field it names
            field = form[exc.field] if exc.field and exc.field in form else form.username
            field.errors = [*field.errors, user_message(exc)]
        else:
            db.commit()
            flash(_("Account %(name)s created.", name=user.username), "done")
            return redirect(url_for("admin.users"))
    flash(_("The account was not created: check the fields marked below."), "error")
    return page(form, 400)


@bp.post("/users/<username>/disable")
@roles_required(Role.ADMINISTRATOR)
def disable_user(username: str):
    DisableForm().validate()  # CSRFProtect has checked the token already
    db = get_session()
    try:
        user = accounts.disable_user(db, username, by=viewer())
    except BorderwatchError as exc:
        flash(user_message(exc), "error")
        return page(status=404 if exc.code == "not_found" else 400)
    db.commit()
    flash(_("Account %(name)s disabled; its sessions have ended.", name=user.username), "done")
    return redirect(url_for("admin.users"))


@bp.post("/users/<username>/enable")
@roles_required(Role.ADMINISTRATOR)
def enable_user(username: str):
    DisableForm().validate()  # CSRFProtect has checked the token already
    db = get_session()
    try:
        user = accounts.enable_user(db, username, by=viewer())
    except BorderwatchError as exc:
        flash(user_message(exc), "error")
        return page(status=404 if exc.code == "not_found" else 400)
    db.commit()
    flash(_("Account %(name)s enabled: it can sign in again.", name=user.username), "done")
    return redirect(url_for("admin.users"))


@bp.post("/users/<username>/role")
@roles_required(Role.ADMINISTRATOR)
def set_role(username: str):
    form = SetRoleForm()
    if not form.validate():
        flash_errors(form)
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
        flash_domain_error(form, exc)
        return page(status=404 if exc.code == "not_found" else 400)
    db.commit()
    flash(
        _(
            "Account %(name)s is now %(role)s; its sessions have ended.",
            name=user.username,
            role=label(user.role),
        ),
        "done",
    )
    return redirect(url_for("admin.users"))


@bp.post("/users/<username>/password")
@roles_required(Role.ADMINISTRATOR)
def reset_password(username: str):
    form = ResetPasswordForm()
    if not form.validate():
        flash_errors(form)
        return page(status=400)
    db = get_session()
    by = viewer()
    try:
        user = accounts.get_user(db, username)
        if user.id == by.id:
            flash(_("Change your own password on the password page."), "error")
            return page(status=403)
        accounts.change_password(db, user, form.password.data or "", by=by)
    except BorderwatchError as exc:
        flash_domain_error(form, exc)
        return page(status=404 if exc.code == "not_found" else 400)
    db.commit()
    flash(_("New password of %(name)s set; its sessions have ended.", name=user.username), "done")
    return redirect(url_for("admin.users"))
