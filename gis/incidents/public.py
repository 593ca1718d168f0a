"""Anonymous reports from the public (``/report``) and what their reporters may see of them.

A citizen reports without an account and gets a receipt code: 20 symbols of Crockford's base32
(no I, L, O or U; 100 bits from :mod:`secrets`), shown in four groups of five
(``7KQ2M-…``). With the code the citizen sees the report's status, its category and the day it
was reported, and nothing else: not the description, the place, the district or the contact.

Public reports start ``new`` (unverified) like every report. The incidents layer
(:mod:`gis.incidents.map_layer`) leaves them out until a coordinator has verified them, and no
layer shows ``reporter_contact``.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import secrets
from dataclasses import dataclass

from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gis.errors import Conflict, NotFound
from gis.incidents.reports import IncidentInput, create_incident
from gis.models import Incident
from gis.parsing import THAI_TIME
from gis.text import N_
from gis.types import Channel, IncidentCategory, IncidentStatus

#: Crockford's base32: digits and capitals without I, L, O and U.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_SYMBOLS = 20  # 20 x 5 bits = 100 bits
GROUP = 5
#: Bits of randomness in a receipt code.
CODE_BITS = CODE_SYMBOLS * 5
#: Tries to find a receipt code not yet used (a collision has odds of about 2^-100).
CODE_ATTEMPTS = 5

_SEPARATORS = re.compile(r"[\s\-_.]+")
#: What a reader may mistype for a symbol of the alphabet.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})

_NOT_FOUND = N_("no report with this receipt code")

#: The channels whose reports get a receipt code: the citizen's own report (on the form or in
#: the LINE chat, :mod:`gis.linechat`) and the reports the MWCC desk and the hotline take on a
#: citizen's behalf (:mod:`gis.incidents.desk`).
RECEIPT_CHANNELS = frozenset(
    {Channel.ONLINE_PUBLIC, Channel.LINE, Channel.MWCC_WALK_IN, Channel.HOTLINE}
)
#: The channels on which citizens report themselves, anonymously (:func:`create_public_report`).
SELF_REPORT_CHANNELS = frozenset({Channel.ONLINE_PUBLIC, Channel.LINE})


class PublicState(enum.StrEnum):
    """What a reporter is told about the report's state.

    Rejected reports and duplicates read "closed", like closed ones: the reporter is not told
    why, so that a report's outcome reveals nothing about the investigation.
    """

    RECEIVED = "received"
    IN_PROGRESS = "being_handled"
    CLOSED = "closed"


PUBLIC_STATE = {
    IncidentStatus.NEW: PublicState.RECEIVED,
    IncidentStatus.VERIFIED: PublicState.IN_PROGRESS,
    IncidentStatus.REFERRED: PublicState.IN_PROGRESS,
    IncidentStatus.CLOSED: PublicState.CLOSED,
    IncidentStatus.REJECTED: PublicState.CLOSED,
    IncidentStatus.DUPLICATE: PublicState.CLOSED,
}


@dataclass(frozen=True, slots=True)
class PublicStatus:
    """All that the holder of a receipt code sees of a report."""

    state: PublicState
    reported_on: dt.date
    category: IncidentCategory


def new_receipt_code() -> str:
    """A fresh receipt code: 100 random bits as ``XXXXX-XXXXX-XXXXX-XXXXX``."""
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(CODE_SYMBOLS))
    return _grouped(symbols)


def _grouped(symbols: str) -> str:
    return "-".join(symbols[i : i + GROUP] for i in range(0, len(symbols), GROUP))


def normalise_code(text: str) -> str | None:
    """The canonical form of a receipt code as typed, or ``None`` if it cannot be one.

    Case, spaces and hyphens do not matter, and O, I and L are read as 0, 1 and 1.
    """
    if len(text) > 64:
        return None
    symbols = _SEPARATORS.sub("", text).upper().translate(_LOOKALIKES)
    if len(symbols) != CODE_SYMBOLS or any(s not in ALPHABET for s in symbols):
        return None
    return _grouped(symbols)


def create_public_report(
    session: Session, data: IncidentInput, max_distance_m: float
) -> tuple[Incident, str]:
    """Store an anonymous public report and give it a receipt code.

    The report is stored by :func:`gis.incidents.reports.create_incident` (routed, measured, status
    ``new``). A replay of the same idempotency key (a form sent twice) returns the stored report
    and its code. The code is set in a savepoint; on the rare collision with an existing code the
    savepoint is rolled back and a new code is drawn. The session is flushed, not committed.

    Only the same submission gets the stored code back (:func:`same_submission`): the key is
    the client's, and whoever learnt it (and sent other content with it) must not get the
    receipt of someone else's report, which shows its status.

    Args:
        session: open session; the caller commits.
        data: the checked report, of channel ``online_public`` or ``line`` and without a
            reporter account.
        max_distance_m: how far beyond the parallel areas a point across the border is routed.

    Returns:
        The incident and its receipt code.

    Raises:
        ValueError: ``data`` is not an anonymous ``online_public`` or ``line`` report (a
            programming error).
        OutsideWatchArea: the point is outside the watch area.
        Conflict: the idempotency key belongs to a report of another channel, or to a public
            report that is not this submission.
    """
    if data.channel not in SELF_REPORT_CHANNELS or data.reporter_id is not None:
        raise ValueError("a public report is anonymous and of channel online_public or line")
    incident, created = create_incident(session, data, max_distance_m)
    if not created:
        if (
            incident.channel != data.channel
            or incident.receipt_code is None
            or not same_submission(incident, data)
        ):
            raise Conflict(
                N_("idempotency_key is already used by another report"), field="idempotency_key"
            )
        return incident, incident.receipt_code
    return incident, give_receipt_code(session, incident)


def give_receipt_code(session: Session, incident: Incident) -> str:
    """Give a newly stored report a fresh receipt code.

    The code is set in a savepoint; on the rare collision with an existing code the savepoint
    is rolled back and a new code is drawn.

    Args:
        session: open session; the caller commits.
        incident: the report, just stored, without a code.

    Returns:
        The receipt code.
    """
    for _ in range(CODE_ATTEMPTS):
        code = new_receipt_code()
        try:
            with session.begin_nested():
                incident.receipt_code = code
        except IntegrityError:
            continue
        return code
    raise RuntimeError(f"no unused receipt code after {CODE_ATTEMPTS} attempts")


def same_submission(incident: Incident, data: IncidentInput) -> bool:
    """Whether ``data`` is the submission stored as ``incident`` sent again (a form sent
    twice): the same place, category, time, severity, text and contact."""
    where = to_shape(incident.geom)
    return (
        (where.x, where.y) == (data.lon, data.lat)
        and incident.category == data.category
        and incident.occurred_at == data.occurred_at
        and incident.severity == data.severity
        and incident.description == data.description
        and incident.reporter_contact == data.reporter_contact
    )


def report_status(session: Session, code: str) -> PublicStatus:
    """What the holder of ``code`` may see of a public report.

    Args:
        session: open session.
        code: the receipt code as typed (see :func:`normalise_code`).

    Returns:
        The report's public state, the day it was reported (UTC+7) and its category.

    Raises:
        NotFound: the code is malformed or belongs to no public report (the same error).
    """
    canonical = normalise_code(code)
    if canonical is None:
        raise NotFound(_NOT_FOUND, field="code")
    row = session.execute(
        select(Incident.status, Incident.reported_at, Incident.category).where(
            Incident.receipt_code == canonical, Incident.channel.in_(RECEIPT_CHANNELS)
        )
    ).one_or_none()
    if row is None:
        raise NotFound(_NOT_FOUND, field="code")
    status, reported_at, category = row
    return PublicStatus(
        state=PUBLIC_STATE[IncidentStatus(status)],
        reported_on=reported_at.astimezone(THAI_TIME).date(),
        category=IncidentCategory(category),
    )


__all__ = [
    "CODE_BITS",
    "RECEIPT_CHANNELS",
    "SELF_REPORT_CHANNELS",
    "PublicState",
    "PublicStatus",
    "create_public_report",
    "give_receipt_code",
    "new_receipt_code",
    "normalise_code",
    "report_status",
    "same_submission",
]
