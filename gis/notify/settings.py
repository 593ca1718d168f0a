"""An account's notification settings: its addresses, what it wants on which channel, its
digest and quiet hours, and the linking of its LINE account by a one-time code.

Defaults (no preference row): every kind in the app; by e-mail when the account gave an
address; on LINE when it linked its LINE account. A :class:`~gis.models.NotifyPreference` row
turns one kind on one channel on or off. Quiet hours (Thai time) hold back e-mail and LINE
until they end; the bell is not held back.

Linking LINE: the account page shows a one-time code (:func:`new_link_code`, valid for
:data:`LINK_TTL`); the staff member sends it to the programme's LINE official account, whose
webhook calls :func:`link_line_account` with the sender's LINE user id. Only the code's SHA-256
is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gis.errors import InvalidInput
from gis.models import NotifyPreference, NotifySetting, User
from gis.parsing import THAI_TIME, parse_choice
from gis.text import N_
from gis.types import NotifyChannel, NotifyKind, PatrolUnit

#: How long a LINE link code may be used.
LINK_TTL = dt.timedelta(minutes=15)
#: Crockford's base32 (no I, L, O, U): what a link code is made of.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Symbols of a link code (40 bits), shown as two groups of four after "BW".
LINK_SYMBOLS = 8
LINE_USER_ID = re.compile(r"^U[0-9a-f]{32}$")
EMAIL = re.compile(r"^[^@\s<>,;\"]{1,64}@[^@\s<>,;\"]+\.[^@\s<>,;\"]{2,}$")
_CODE = re.compile(r"^\s*BW[\s\-]*([0-9A-Z]{4})[\s\-]*([0-9A-Z]{4})\s*$", re.IGNORECASE)
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: Digest choices offered on the account page (minutes; 0 is "each at once").
DIGEST_CHOICES = (0, 15, 30, 60, 240)


@dataclass(frozen=True, slots=True)
class SettingsInput:
    """Checked notification settings of an account."""

    email: str | None
    digest_minutes: int
    quiet_start: dt.time | None
    quiet_end: dt.time | None
    leads_unit: PatrolUnit | None
    #: (kind, channel) -> wanted
    wanted: Mapping[tuple[NotifyKind, NotifyChannel], bool]


def setting_of(session: Session, user_id: int) -> NotifySetting:
    """The account's settings row (a new, unsaved-defaults row added to the session if none)."""
    setting = session.get(NotifySetting, user_id)
    if setting is None:
        setting = NotifySetting(user_id=user_id, digest_minutes=0)
        session.add(setting)
    return setting


def preferences(session: Session, user_id: int) -> dict[tuple[NotifyKind, NotifyChannel], bool]:
    """The account's preference rows as ``{(kind, channel): enabled}``."""
    rows = session.execute(
        select(NotifyPreference.kind, NotifyPreference.channel, NotifyPreference.enabled).where(
            NotifyPreference.user_id == user_id
        )
    )
    return {(NotifyKind(k), NotifyChannel(c)): bool(e) for k, c, e in rows}


def wants(
    setting: NotifySetting | None,
    prefs: Mapping[tuple[NotifyKind, NotifyChannel], bool],
    kind: NotifyKind,
    channel: NotifyChannel,
) -> bool:
    """Whether an account is sent ``kind`` on ``channel``: never on a channel it has no address
    for; else its preference, by default yes."""
    if channel is NotifyChannel.EMAIL and not (setting and setting.email):
        return False
    if channel is NotifyChannel.LINE and not (setting and setting.line_user_id):
        return False
    return prefs.get((kind, channel), True)


def quiet_until(setting: NotifySetting | None, at: dt.datetime) -> dt.datetime | None:
    """The end of the account's quiet hours if ``at`` falls in them (Thai time; a window may
    pass midnight), else ``None``."""
    if setting is None or setting.quiet_start is None or setting.quiet_end is None:
        return None
    start, end = setting.quiet_start, setting.quiet_end
    local = at.astimezone(THAI_TIME)
    now = local.time().replace(tzinfo=None)
    if start == end:
        return None
    inside = start <= now < end if start < end else (now >= start or now < end)
    if not inside:
        return None
    day = local.date() if now < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, THAI_TIME).astimezone(dt.UTC)


def digest_due(minutes: int, at: dt.datetime) -> dt.datetime:
    """When the digest that ``at`` falls into goes out: the end of its window of ``minutes``
    (windows counted from midnight UTC, so every row of a window shares the instant)."""
    midnight = at.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = (at - midnight) // dt.timedelta(minutes=minutes)
    return midnight + (elapsed + 1) * dt.timedelta(minutes=minutes)


def parse_settings(form: Mapping[str, str]) -> SettingsInput:
    """The account page's form: ``email``, ``digest_minutes``, ``quiet_start``/``quiet_end``
    (HH:MM, both or neither), ``leads_unit`` and a checkbox ``want-<kind>-<channel>`` for each
    kind and channel (absent: off).

    Raises:
        InvalidInput: naming the field that is malformed.
    """
    email = (form.get("email") or "").strip() or None
    if email is not None and (len(email) > 254 or not EMAIL.match(email)):
        raise InvalidInput(N_("{field} must be an e-mail address"), field="email")
    raw = (form.get("digest_minutes") or "0").strip()
    digest = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else -1
    if digest not in DIGEST_CHOICES:
        raise InvalidInput(
            N_("{field} must be one of {choices}"),
            field="digest_minutes",
            choices=", ".join(map(str, DIGEST_CHOICES)),
        )
    start = _time(form.get("quiet_start"), "quiet_start")
    end = _time(form.get("quiet_end"), "quiet_end")
    if (start is None) != (end is None):
        raise InvalidInput(
            N_("{field} needs both the start and the end of the quiet hours"),
            field="quiet_end" if end is None else "quiet_start",
        )
    unit = form.get("leads_unit") or None
    wanted = {
        (kind, channel): form.get(f"want-{kind.value}-{channel.value}") == "on"
        for kind in NotifyKind
        for channel in NotifyChannel
    }
    return SettingsInput(
        email=email,
        digest_minutes=digest,
        quiet_start=start,
        quiet_end=end,
        leads_unit=None if unit is None else parse_choice(unit, "leads_unit", PatrolUnit),
        wanted=wanted,
    )


def _time(value: str | None, field: str) -> dt.time | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        parsed = dt.time.fromisoformat(text)
    except ValueError:
        raise InvalidInput(N_("{field} must be a time of day (HH:MM)"), field=field) from None
    if parsed.tzinfo is not None:
        raise InvalidInput(N_("{field} must be a time of day (HH:MM)"), field=field)
    return parsed.replace(second=0, microsecond=0)


def save_settings(session: Session, user: User, data: SettingsInput) -> NotifySetting:
    """Store an account's settings and preferences (a preference row for each kind and channel
    the form offers); the caller commits."""
    setting = setting_of(session, user.id)
    setting.email = data.email
    setting.digest_minutes = data.digest_minutes
    setting.quiet_start = data.quiet_start
    setting.quiet_end = data.quiet_end
    setting.leads_unit = data.leads_unit
    current = {
        (p.kind, p.channel): p
        for p in session.scalars(
            select(NotifyPreference).where(NotifyPreference.user_id == user.id)
        )
    }
    for (kind, channel), enabled in data.wanted.items():
        row = current.get((kind, channel))
        if row is None:
            session.add(
                NotifyPreference(user_id=user.id, kind=kind, channel=channel, enabled=enabled)
            )
        else:
            row.enabled = enabled
    session.flush()
    return setting


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise_link_code(text: str) -> str | None:
    """The canonical form (``BW-XXXX-XXXX``) of a link code as typed, or ``None`` if the text
    cannot be one (case, spaces and hyphens do not matter; O, I, L read as 0, 1, 1)."""
    if len(text) > 40:
        return None
    found = _CODE.match(text)
    if found is None:
        return None
    symbols = (found.group(1) + found.group(2)).upper().translate(_LOOKALIKES)
    if any(s not in ALPHABET for s in symbols):
        return None
    return f"BW-{symbols[:4]}-{symbols[4:]}"


def new_link_code(session: Session, user: User, now: dt.datetime) -> str:
    """A fresh one-time code that links the account's LINE account (replaces an earlier code);
    the caller commits. Only its SHA-256 is stored."""
    setting = setting_of(session, user.id)
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(LINK_SYMBOLS))
    code = f"BW-{symbols[:4]}-{symbols[4:]}"
    setting.line_link_code_hash = _digest(code)
    setting.line_link_expires_at = now + LINK_TTL
    session.flush()
    return code


def link_line_account(
    session: Session, code: str, line_user_id: str, now: dt.datetime | None = None
) -> User | None:
    """Link the LINE user who sent ``code`` to the account that was shown the code.

    The code is used once: it is cleared whether or not it had expired. A LINE account linked
    to another staff account before moves to this one. The caller commits.

    Args:
        session: open session.
        code: the text the user sent (see :func:`normalise_link_code`).
        line_user_id: the sender's LINE user id (``U`` and 32 hexadecimal digits).
        now: the current time (default: now).

    Returns:
        The account now linked, or ``None`` when the text is no live code of an active account.

    Raises:
        InvalidInput: ``line_user_id`` is not a LINE user id.
    """
    if not LINE_USER_ID.match(line_user_id):
        raise InvalidInput(N_("{field} is not a LINE user id"), field="line_user_id")
    canonical = normalise_link_code(code)
    if canonical is None:
        return None
    now = now or dt.datetime.now(dt.UTC)
    setting = session.execute(
        select(NotifySetting)
        .where(NotifySetting.line_link_code_hash == _digest(canonical))
        .with_for_update()
    ).scalar_one_or_none()
    if setting is None:
        return None
    setting.line_link_code_hash = None
    live = setting.line_link_expires_at is not None and setting.line_link_expires_at > now
    setting.line_link_expires_at = None
    user = session.get(User, setting.user_id)
    if not live or user is None or not user.is_active:
        session.flush()
        return None
    session.execute(
        update(NotifySetting)
        .where(NotifySetting.line_user_id == line_user_id, NotifySetting.user_id != user.id)
        .values(line_user_id=None)
    )
    setting.line_user_id = line_user_id
    session.flush()
    return user


def unlink_line_account(session: Session, user: User) -> None:
    """Forget the account's LINE account (LINE deliveries that still wait then fail with "no
    address"); the caller commits."""
    setting = session.get(NotifySetting, user.id)
    if setting is not None:
        setting.line_user_id = None
        setting.line_link_code_hash = None
        setting.line_link_expires_at = None
        session.flush()
