"""Sign-in forms (Flask-WTF: each carries the CSRF token). Labels and validator messages are
translated when the page is drawn (``lazy_gettext``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from gis.accounts.users import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

#: The length rule of a new password (WTForms fills in ``min`` and ``max``).
PASSWORD_LENGTH = _l("A password has %(min)d to %(max)d characters.")
#: The rule of a password typed twice.
PASSWORDS_DIFFER = _l("The two passwords differ.")


def new_password_length() -> Length:
    return Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH, message=PASSWORD_LENGTH)


class LoginForm(FlaskForm):
    username = StringField(
        _l("User name"),
        validators=[
            DataRequired(message=_l("Enter your user name.")),
            Length(max=80, message=_l("A user name has at most %(max)d characters.")),
        ],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=_l("Enter your password."))]
    )


class LogoutForm(FlaskForm):
    """No fields: the CSRF token only."""


class RevokeAllTokensForm(FlaskForm):
    """No fields: the CSRF token only."""


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password."))],
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Enter a new password.")), new_password_length()],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(message=_l("Enter the new password again.")),
            EqualTo("new_password", message=PASSWORDS_DIFFER),
        ],
    )
