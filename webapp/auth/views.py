"""``/login``, ``/logout``, ``/account/password`` (which lists the account's live API tokens) and
``/account/tokens/revoke-all``."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext, ngettext
from flask_login import current_user, login_required, logout_user

from gis.accounts import tokens
from gis.accounts import users as accounts
from gis.errors import InvalidInput
from gis.models import User
from gis.text import N_
from webapp.auth import bp
from webapp.auth.forms import ChangePasswordForm, LoginForm, LogoutForm, RevokeAllTokensForm
from webapp.auth.session import start_session, viewer
from webapp.db import get_session
from webapp.errors import user_message
from webapp.i18n import LANGUAGE_COOKIE, STAFF_LANGUAGES

#: How long a browser keeps the language switch's choice (a year, in seconds).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

#: One message for an unknown user, a wrong password and a disabled account.
LOGIN_FAILED = lazy_gettext("Unknown user name or wrong password.")


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in; anything else (another host, a scheme) is the map."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for("map.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        db = get_session()
        user = accounts.authenticate(db, form.username.data or "", form.password.data or "")
        if user is not None:
            db.commit()  # a rehashed password
            start_session(user)
            return redirect(safe_next(request.args.get("next")))
        error = LOGIN_FAILED
    elif request.method == "POST":
        error = LOGIN_FAILED
    form.password.data = None
    form.username.data = None  # the page does not echo which name was tried
    return render_template("auth/login.html", form=form, error=error)


@bp.post("/logout")
def logout():
    form = LogoutForm()  # CSRFProtect has checked the token before the view runs
    if current_user.is_authenticated and form.validate():
        db = get_session()
        user = db.get(User, current_user.id)
        if user is not None:
            accounts.end_sessions(db, user, by=user)
            db.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        db = get_session()
        user = db.get(User, current_user.id)
        try:
            accounts.change_password(
                db,
                user,
                form.new_password.data or "",
                current_password=form.current_password.data or "",
                by=user,
            )
        except InvalidInput as exc:  # shown next to the field it names
            field = form[exc.field] if exc.field and exc.field in form else form.new_password
            field.errors = [*field.errors, user_message(exc)]
        else:
            db.commit()
            start_session(user)  # this session goes on; every other one has ended
            return render_template("auth/password.html", form=None, done=True)
    live = [t for t in tokens.list_tokens(get_session(), viewer()) if t.revoked_at is None]
    return render_template(
        "auth/password.html",
        form=form,
        done=False,
        tokens=live,
        revoke_all=RevokeAllTokensForm(formdata=None),
        min_length=accounts.MIN_PASSWORD_LENGTH,
        max_length=accounts.MAX_PASSWORD_LENGTH,
    )


@bp.post("/account/tokens/revoke-all")
@login_required
def revoke_all_tokens():
    RevokeAllTokensForm()  # CSRFProtect has checked the token before the view runs
    db = get_session()
    user = viewer()
    count = tokens.revoke_all_tokens(db, user, by=user)
    db.commit()
    flash(ngettext("%(num)d API token revoked.", "%(num)d API tokens revoked.", count), "done")
    return redirect(url_for("auth.change_password"), code=303)


@bp.post("/language")
def choose_language():
    """The header's language switch: ``lang`` (th or en) for the staff's pages, kept on the
    signed-in account and in the ``bw_lang`` cookie (for the sign-in page and any browser);
    then back to ``next`` (a local path)."""
    language = request.form.get("lang", "")
    if language not in STAFF_LANGUAGES:
        raise InvalidInput(N_("lang must be th or en"), field="lang")
    if current_user.is_authenticated:
        db = get_session()
        user = viewer()
        user.language = language
        db.commit()
    response = redirect(safe_next(request.form.get("next")), code=303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response
