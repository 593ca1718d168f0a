"""Forms of the account administration page (Flask-WTF: each carries the CSRF token). Labels
and validator messages are translated when the page is drawn (``lazy_gettext``); the roles'
names come from :mod:`webapp.vocab`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from gis.types import Role
from webapp.auth.forms import PASSWORDS_DIFFER, new_password_length
from webapp.vocab import labels

#: "Enter ..." of a required field.
REQUIRED = _l("This field is required.")
#: The length rule of a text field (WTForms fills in ``max``).
TOO_LONG = _l("At most %(max)d characters.")


def role_choices() -> list[SelectChoice]:
    """The roles, each with its label in the request's language."""
    return [SelectChoice(value=value, label=text) for value, text in labels(Role)]


class ScopeFields(FlaskForm):
    role = SelectField(
        _l("Role"),
        choices=role_choices,
        validators=[DataRequired(message=_l("Choose a role."))],
        invalid_choice_message=_l("Choose one of the roles."),
    )
    district = StringField(
        _l("District (code or name)"), validators=[Optional(), Length(max=80, message=TOO_LONG)]
    )
    province = StringField(
        _l("Province (code or name)"), validators=[Optional(), Length(max=80, message=TOO_LONG)]
    )


class CreateUserForm(ScopeFields):
    username = StringField(
        _l("User name"),
        validators=[DataRequired(message=REQUIRED), Length(max=80, message=TOO_LONG)],
    )
    display_name = StringField(
        _l("Display name"), validators=[Optional(), Length(max=160, message=TOO_LONG)]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=REQUIRED), new_password_length()]
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(message=REQUIRED), EqualTo("password", message=PASSWORDS_DIFFER)],
    )


class SetRoleForm(ScopeFields):
    """Role and scope of one account (the account is in the URL)."""


class ResetPasswordForm(FlaskForm):
    """A new password for one account (the account is in the URL), typed twice."""

    password = PasswordField(
        _l("New password"), validators=[DataRequired(message=REQUIRED), new_password_length()]
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(message=REQUIRED), EqualTo("password", message=PASSWORDS_DIFFER)],
    )


class DisableForm(FlaskForm):
    """No fields: the CSRF token only (disable and enable)."""
