"""Accounts: roles, sign-in checks; hashes in :mod:`gis.accounts.passwords`, scope in
:mod:`gis.accounts.scope`.

Every change that must end an account's existing sessions (disable, role change, password change,
sign-out) bumps ``app_user.session_version``; the web layer keeps the version it saw at sign-in in
the session and refuses the session once the two differ. The same changes revoke the account's
API tokens: a token lives no longer than the sign-in it was made in could.

Every change of an account (creation, role, scope, active flag, password) adds an
``account_change`` row in the same transaction (:mod:`gis.accounts.changes`); ``by`` names the
account that makes it, ``None`` the command line. Nobody changes their own role.

No function here logs a password, a hash or a user-supplied secret.
"""

from __future__ import annotations

import logging
import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gis.accounts.changes import record_change, scope_text
from gis.accounts.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from gis.accounts.scope import DISTRICT_ROLES, resolve_scope
from gis.accounts.tokens import revoke_all_tokens
from gis.errors import Forbidden, InvalidInput, NotFound
from gis.models import District, User
from gis.parsing import parse_choice
from gis.text import N_
from gis.types import AccountChangeKind, Role

log = logging.getLogger(__name__)

#: Lower-case letters, digits, ``.``, ``_`` and ``-``; 3 to 80 characters, starting alphanumeric.
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{2,79}")
MIN_PASSWORD_LENGTH = 12
#: Longer passwords are refused (hashing megabytes on request would be a cheap denial of service).
MAX_PASSWORD_LENGTH = 1024
MAX_DISPLAY_NAME_LENGTH = 160

# --------------------------------------------------------------------------- validation


def normalise_username(username: str) -> str:
    """User names are case-insensitive: stored and looked up in lower case, trimmed."""
    return username.strip().lower()


def check_username(username: str) -> str:
    """The normalised user name.

    Raises:
        InvalidInput: (field ``username``) it does not match ``USERNAME_PATTERN``.
    """
    name = normalise_username(username)
    if not USERNAME_PATTERN.fullmatch(name):
        raise InvalidInput(
            N_(
                "user name: 3 to 80 characters, letters a-z, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            ),
            field="username",
        )
    return name


def check_password(password: str, field: str = "password") -> str:
    """``password`` unchanged if its length is acceptable.

    Raises:
        InvalidInput: (field ``field``) shorter than 12 or longer than 1024 characters.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            N_("the password needs at least {min_password_length} characters"),
            field=field,
            min_password_length=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            N_("the password may have at most {max_password_length} characters"),
            field=field,
            max_password_length=MAX_PASSWORD_LENGTH,
        )
    return password


def check_role(role: Role | str) -> Role:
    """The role as a ``Role``.

    Raises:
        InvalidInput: (field ``role``) not one of the roles.
    """
    return parse_choice(role, "role", Role)


# --------------------------------------------------------------------------- accounts


def get_user(session: Session, username: str) -> User:
    """The account named ``username`` (case-insensitive).

    Raises:
        NotFound: (field ``username``) no such account.
    """
    user = session.execute(
        select(User).where(User.username == normalise_username(username))
    ).scalar_one_or_none()
    if user is None:
        raise NotFound(N_("no such account"), field="username")
    return user


def create_user(
    session: Session,
    username: str,
    display_name: str | None,
    password: str,
    role: Role | str,
    district: str | None = None,
    province: str | None = None,
    *,
    by: User | None = None,
) -> User:
    """Create an active account.

    Args:
        session: open session (the caller commits).
        username: user name, stored in lower case.
        display_name: name shown in the interface; the user name when empty.
        password: at least 12 characters; only its argon2id hash is stored.
        role: a ``Role`` or its value.
        district: the account's district (district roles, or a district-level planner).
        province: the account's province (a province-level planner).
        by: the administrator who creates it (``None``: the command line).

    Returns:
        The new account, flushed (it has an id).

    Raises:
        InvalidInput: naming the field that is wrong (``username`` also when taken).
    """
    name = check_username(username)
    shown = (display_name or "").strip() or name
    if len(shown) > MAX_DISPLAY_NAME_LENGTH:
        raise InvalidInput(
            N_("the display name may have at most {max_display_name_length} characters"),
            field="display_name",
            max_display_name_length=MAX_DISPLAY_NAME_LENGTH,
        )
    check_password(password)
    checked_role = check_role(role)
    district_id, province_id = resolve_scope(session, checked_role, district, province)
    user = User(
        username=name,
        display_name=shown,
        password_hash=hash_password(password),
        role=checked_role,
        district_id=district_id,
        province_id=province_id,
    )
    try:
        with session.begin_nested():  # the unique constraint decides, not a prior SELECT
            session.add(user)
            session.flush()
    except IntegrityError:
        raise InvalidInput(N_("this user name is taken"), field="username") from None
    scope = scope_text(session, district_id, province_id)
    record_change(session, user, AccountChangeKind.CREATED, by=by, new=f"{checked_role} {scope}")
    log.info("account %s created (role %s)", name, checked_role.value)
    return user


def end_sessions(session: Session, user: User, *, by: User | None = None) -> None:
    """End every existing session of ``user`` (the web layer compares ``session_version``) and
    revoke its live API tokens (recorded as revoked ``by``: ``None`` is the command line)."""
    revoke_all_tokens(session, user, by=by)
    user.session_version = User.session_version + 1
    session.flush()
    session.refresh(user, ["session_version"])


def _other_active_admins(session: Session, user: User) -> int:
    return session.execute(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMINISTRATOR, User.is_active, User.id != user.id)
    ).scalar_one()


def disable_user(session: Session, username: str, *, by: User | None = None) -> User:
    """Disable an account and end its sessions; it can no longer sign in.

    ``by`` is the administrator who disables it (``None``: the command line).

    Raises:
        NotFound: no such account.
        InvalidInput: (field ``username``) it is the last active administrator.
    """
    user = get_user(session, username)
    if (
        user.role == Role.ADMINISTRATOR
        and user.is_active
        and not _other_active_admins(session, user)
    ):
        raise InvalidInput(N_("the last active administrator cannot be disabled"), field="username")
    if user.is_active:
        user.is_active = False
        record_change(session, user, AccountChangeKind.ACTIVE, by=by, old="true", new="false")
    end_sessions(session, user, by=by)
    log.info("account %s disabled", user.username)
    return user


def enable_user(session: Session, username: str, *, by: User | None = None) -> User:
    """Enable a disabled account: it can sign in again with its password (reset it first when
    it is lost). Its sessions and tokens ended when it was disabled and stay ended.

    ``by`` is the administrator who enables it (``None``: the command line).

    Raises:
        NotFound: no such account.
    """
    user = get_user(session, username)
    if not user.is_active:
        user.is_active = True
        record_change(session, user, AccountChangeKind.ACTIVE, by=by, old="false", new="true")
        log.info("account %s enabled", user.username)
    return user


def set_role(
    session: Session,
    username: str,
    role: Role | str,
    district: str | None = None,
    province: str | None = None,
    *,
    by: User | None = None,
) -> User:
    """Give an account a new role and scope and end its sessions.

    The role and the scope, where they differ from before, are recorded as changes ``by`` the
    administrator (``None``: the command line), who may not be the account itself.

    Raises:
        NotFound: no such account.
        Forbidden: (field ``role``) ``by`` is the account itself.
        InvalidInput: naming ``role``, ``district`` or ``province`` (see ``resolve_scope``), or
            ``username`` when it would demote the last active administrator.
    """
    user = get_user(session, username)
    if by is not None and by.id == user.id:
        raise Forbidden(
            N_("an account cannot change its own role: ask another administrator"), field="role"
        )
    checked_role = check_role(role)
    district_id, province_id = resolve_scope(session, checked_role, district, province)
    if (
        user.role == Role.ADMINISTRATOR
        and checked_role != Role.ADMINISTRATOR
        and user.is_active
        and not _other_active_admins(session, user)
    ):
        raise InvalidInput(N_("the last active administrator cannot change role"), field="username")
    old_role, old_scope = user.role, scope_text(session, user.district_id, user.province_id)
    new_scope = scope_text(session, district_id, province_id)
    user.role = checked_role
    user.district_id = district_id
    user.province_id = province_id
    if old_role != checked_role:
        record_change(session, user, AccountChangeKind.ROLE, by=by, old=old_role, new=checked_role)
    if old_scope != new_scope:
        record_change(session, user, AccountChangeKind.SCOPE, by=by, old=old_scope, new=new_scope)
    end_sessions(session, user, by=by)
    log.info("account %s now has role %s", user.username, checked_role.value)
    return user


def change_password(
    session: Session,
    user: User,
    new_password: str,
    *,
    current_password: str | None = None,
    by: User | None = None,
) -> User:
    """Set a new password and end every existing session of the account.

    Recorded as the account's own change when ``current_password`` is given or ``by`` is the
    account, as a reset otherwise.

    Args:
        session: open session (the caller commits).
        user: the account.
        new_password: at least 12 characters.
        current_password: when given (a user changing their own password), it must match.
        by: who sets it (``None``: the command line).

    Returns:
        The account with its new ``session_version``.

    Raises:
        InvalidInput: ``current_password`` does not match, or ``new_password`` is too short/long.
    """
    if current_password is not None and not verify_password(user.password_hash, current_password):
        raise InvalidInput(N_("the current password is wrong"), field="current_password")
    check_password(new_password, field="new_password")
    user.password_hash = hash_password(new_password)
    own = current_password is not None or (by is not None and by.id == user.id)
    kind = AccountChangeKind.PASSWORD_CHANGED if own else AccountChangeKind.PASSWORD_RESET
    record_change(session, user, kind, by=by)
    end_sessions(session, user, by=by)
    log.info("account %s changed its password", user.username)
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active account with this user name and password, or ``None``.

    Unknown, disabled and wrong-password cases all cost one argon2 verification and return
    ``None``, so neither the answer nor its timing tells them apart. A hash made with older
    parameters is replaced on success (the caller commits).
    """
    user = session.execute(
        select(User).where(User.username == normalise_username(username))
    ).scalar_one_or_none()
    if len(password) > MAX_PASSWORD_LENGTH:
        verify_password(dummy_hash(), "")
        return None
    if user is None:
        verify_password(dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.flush()
    return user


# --------------------------------------------------------------------------- demo

DEMO_USERNAMES: dict[Role, str] = {
    Role.ADMINISTRATOR: "demo-admin",
    Role.HQ_ANALYST: "demo-hq",
    Role.PATROL_PLANNER: "demo-planner",
    Role.COORDINATOR: "demo-coordinator",
    Role.OFFICER: "demo-officer",
    Role.VOLUNTEER: "demo-volunteer",
}
#: The demo accounts' display names, in Thai as a district office names its staff.
DEMO_DISPLAY_NAMES: dict[Role, str] = {
    Role.ADMINISTRATOR: "ผู้ดูแลระบบ (ทดลอง)",
    Role.HQ_ANALYST: "นักวิเคราะห์ส่วนกลาง (ทดลอง)",
    Role.PATROL_PLANNER: "ผู้วางแผนลาดตระเวน (ทดลอง)",
    Role.COORDINATOR: "ผู้ประสานงาน ศปก.อ. (ทดลอง)",
    Role.OFFICER: "เจ้าหน้าที่อำเภอ (ทดลอง)",
    Role.VOLUNTEER: "สมาชิก ชรบ. (ทดลอง)",
}


def ensure_demo_accounts(session: Session) -> list[tuple[str, str, str]]:
    """Create the missing demo accounts, one per role, with random passwords.

    District accounts get the first target district (by programme number), the planner its
    province. Passwords are stored only as hashes: the plain text is returned once, here, and
    an account that exists already is left alone (and not returned).

    Args:
        session: open session (the caller commits).

    Returns:
        ``(role, user name, password)`` of each account created now.

    Raises:
        NotFound: no target district (load the reference data first).
    """
    target = session.execute(
        select(District).where(District.target).order_by(District.target_no, District.id).limit(1)
    ).scalar_one_or_none()
    if target is None:
        raise NotFound(N_("no target district: load the reference data first"))
    existing = set(
        session.execute(
            select(User.username).where(User.username.in_(DEMO_USERNAMES.values()))
        ).scalars()
    )
    created: list[tuple[str, str, str]] = []
    for role, username in DEMO_USERNAMES.items():
        if username in existing:
            continue
        password = secrets.token_urlsafe(12)  # 16 characters, 96 bits
        create_user(
            session,
            username,
            DEMO_DISPLAY_NAMES[role],
            password,
            role,
            district=target.pcode if role in DISTRICT_ROLES else None,
            province=target.province.pcode if role == Role.PATROL_PLANNER else None,
        )
        created.append((role.value, username, password))
    return created
