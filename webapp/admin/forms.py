"""Forms of the account administration page (Flask-WTF: each carries the CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from gis.accounts.users import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from gis.types import Role

#: Plain values (label = value): tuples are deprecated in WTForms 3.3, SelectChoice is new there.
ROLE_CHOICES = [r.value for r in Role]


class ScopeFields(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    district = StringField("District (P-code or name)", validators=[Optional(), Length(max=80)])
    province = StringField("Province (P-code or name)", validators=[Optional(), Length(max=80)])


class CreateUserForm(ScopeFields):
    username = StringField("User name", validators=[DataRequired(), Length(max=80)])
    display_name = StringField("Display name", validators=[Optional(), Length(max=160)])
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
    )
    confirm = PasswordField(
        "Password again",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )


class SetRoleForm(ScopeFields):
    """Role and scope of one account (the account is in the URL)."""


class DisableForm(FlaskForm):
    """No fields: the CSRF token only."""
