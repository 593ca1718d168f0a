"""The account page of personal API tokens: make one (shown once), list them, revoke one.

``GET /account/tokens``, ``POST /account/tokens`` (form fields ``name`` and
``current_password``: making a token asks for the password) and
``POST /account/tokens/<id>/revoke``; signed-in accounts only, forms under CSRF protection.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from gis.accounts import tokens
from gis.errors import InvalidInput
from webapp.auth.session import viewer
from webapp.db import get_session
from webapp.errors import user_message
from webapp.export import bp


class TokenForm(FlaskForm):
    name = StringField(
        lazy_gettext("Name (what will use it)"),
        validators=[
            DataRequired(message=lazy_gettext("Give the token a name (what will use it).")),
            Length(
                max=tokens.MAX_NAME,
                message=lazy_gettext("A token's name has at most %(max)d characters."),
            ),
        ],
    )
    current_password = PasswordField(
        lazy_gettext("Your current password"),
        validators=[
            DataRequired(message=lazy_gettext("Enter your current password to make a token."))
        ],
    )


class RevokeForm(FlaskForm):
    """No fields: the CSRF token only."""


def page(form: TokenForm, new: tokens.NewToken | None = None) -> Any:
    user = viewer()
    html = render_template(
        "export/tokens.html",
        form=form,
        revoke=RevokeForm(),
        tokens=tokens.list_tokens(get_session(), user),
        new=new,
        examples=examples(new.secret) if new else [],
        ogcapi=url_for("export.landing", _external=True),
    )
    return html, 200, {"Cache-Control": "no-store"}


def examples(secret: str) -> list[str]:
    """Commands that use a new token: a download with curl, the OGC API with GDAL."""
    incidents = url_for("export.export_file", name="incidents", fmt="geojson", _external=True)
    ogcapi = url_for("export.landing", _external=True)
    return [
        f'curl -H "Authorization: Bearer {secret}" -o incidents.geojson {incidents}',
        f'GDAL_HTTP_HEADERS="Authorization: Bearer {secret}" ogrinfo OAPIF:{ogcapi}',
    ]


@bp.get("/account/tokens")
@login_required
def token_list() -> Any:
    return page(TokenForm())


@bp.post("/account/tokens")
@login_required
def token_create() -> Any:
    form = TokenForm()
    if not form.validate_on_submit():
        return page(form)  # each field shows its errors
    session = get_session()
    try:
        new = tokens.create_token(
            session,
            viewer(),
            form.name.data or "",
            current_password=form.current_password.data or "",
        )
    except InvalidInput as exc:  # shown next to the field it names (the name, else)
        if exc.field == "current_password":
            form.current_password.errors = [_("The current password is wrong.")]
        else:
            form.name.errors = [user_message(exc)]
        return page(form)
    session.commit()
    return page(TokenForm(formdata=None), new=new)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def token_revoke(token_id: int) -> Any:
    RevokeForm()  # CSRFProtect checked the token before the view ran
    session = get_session()
    tokens.revoke_token(session, viewer(), token_id)
    session.commit()
    return redirect(url_for("export.token_list"), code=303)
