"""Rows the live server can read: committed accounts and incidents, deleted after the test.

Browser tests drive the app in another thread, with its own connections, so their data cannot
live in a rolled-back test transaction. :class:`Committed` writes accounts and incidents for
real, remembers them (and the reports the browser makes, by reporter or receipt code) and deletes
them all at the end, so that the shared test database is as the other tests expect it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.orm import Session

from gis.accounts import users as accounts
from gis.accounts.scope import resolve_scope
from gis.incidents.photos import add_photo, prepare_photo
from gis.models import AccountChange, Incident, IncidentEvent, User
from gis.types import Channel, IncidentCategory, Role
from tests.factories import report_incident
from tests.webapp.signin import PASSWORD


class Committed:
    """Accounts and incidents committed for a browser test, and their clean-up."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.user_ids: list[int] = []
        self.incident_ids: list[int] = []
        self.receipt_codes: list[str] = []
        #: accounts the browser creates, by the start of their user names
        self.username_prefixes: list[str] = []
        self._hash: str | None = None

    def user(
        self,
        role: Role,
        username: str,
        display_name: str | None = None,
        district: str | None = None,
        province: str | None = None,
    ) -> User:
        """An active account with the password ``tests.webapp.signin.PASSWORD``."""
        if self._hash is None:
            self._hash = accounts.hash_password(PASSWORD)  # once: argon2id is slow on purpose
        with Session(self.engine, expire_on_commit=False) as session:
            district_id, province_id = resolve_scope(session, role, district, province)
            row = User(
                username=username,
                display_name=display_name if display_name is not None else username,
                password_hash=self._hash,
                role=role,
                district_id=district_id,
                province_id=province_id,
            )
            session.add(row)
            session.commit()
        self.user_ids.append(row.id)
        return row

    def incident(
        self,
        where: tuple[float, float],
        *,
        category: IncidentCategory = IncidentCategory.SMUGGLING,
        occurred_at: dt.datetime | None = None,
        description: str | None = None,
        contact: str | None = None,
        reporter: User | None = None,
    ) -> int:
        """An incident stored as the app stores one (routed, measured, with its first event)."""
        values = {} if occurred_at is None else {"occurred_at": occurred_at}
        with Session(self.engine) as session:
            incident_id = report_incident(
                session,
                where,
                reporter=reporter,
                category=category,
                channel=Channel.ONLINE_PUBLIC if reporter is None else Channel.OFFICER_APP,
                description=description,
                reporter_contact=contact,
                **values,
            ).id
            session.commit()
        self.incident_ids.append(incident_id)
        return incident_id

    def photo(self, incident_id: int, raw: bytes) -> int:
        """A photo of the incident (deleted with it)."""
        with Session(self.engine) as session:
            incident = session.get_one(Incident, incident_id)
            photo, _ = add_photo(session, incident, prepare_photo(raw), None)
            photo_id = photo.id
            session.commit()
        return photo_id

    def clean_up(self) -> None:
        """Delete the incidents (also those the users or the public reported) and accounts."""
        ids = select(Incident.id).where(
            or_(
                Incident.id.in_(self.incident_ids),
                Incident.reporter_id.in_(self.user_ids),
                Incident.receipt_code.in_(self.receipt_codes),
                Incident.taken_by_id.in_(self.user_ids),
            )
        )
        with self.engine.begin() as conn:
            for prefix in self.username_prefixes:
                made = select(User.id).where(User.username.startswith(prefix, autoescape=True))
                self.user_ids.extend(conn.execute(made).scalars())
            found = list(conn.execute(ids).scalars())
            # incidents of other tests marked as duplicates of ours keep no dangling reference
            conn.execute(
                update(Incident)
                .where(Incident.duplicate_of_id.in_(found), Incident.id.not_in(found))
                .values(duplicate_of_id=None)
            )
            conn.execute(
                delete(IncidentEvent).where(
                    or_(
                        IncidentEvent.incident_id.in_(found),
                        IncidentEvent.actor_id.in_(self.user_ids),
                    )
                )
            )
            conn.execute(delete(Incident).where(Incident.id.in_(found)))
            conn.execute(
                delete(AccountChange).where(
                    or_(
                        AccountChange.user_id.in_(self.user_ids),
                        AccountChange.by_id.in_(self.user_ids),
                    )
                )
            )
            conn.execute(delete(User).where(User.id.in_(self.user_ids)))


@pytest.fixture
def committed(engine: Engine) -> Iterator[Committed]:
    """A :class:`Committed` whose rows are deleted after the test."""
    rows = Committed(engine)
    try:
        yield rows
    finally:
        rows.clean_up()
