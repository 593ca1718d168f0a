"""What each role may read: the marked incidents of the authorization matrix, the reads that
reach them, and the search of every answer for fields its role must not see.

:func:`prepare` adds three incidents to the scoped accounts' district (Chiang Khong), each field
that must stay private holding a text that cannot occur by chance:

- ``public_new``: an unverified public report (status ``new``, on no map layer);
- ``public_rejected``: a public report a coordinator rejected (on the incidents layer when the
  ``status`` filter names ``rejected``), never verified either;
- ``reported``: an officer's report by an account outside the matrix (``matrix-reporter``,
  display name ``MATRIX-REPORTER-NAME``), with a photo that account added (the history's
  ``photo_added`` event).

The matrix's hotspots hold them, so that the hotspots' incident lists show them too.

Who may read what (:func:`secrets`), the rules of the export's allow-list
(:mod:`gis.export.collections`) and of
:func:`gis.incidents.review_queue.may_see_contact`, applied to every answer:

- a reporter's contact: the district's coordinators and HQ analysts;
- the free text of a report nobody verified: the same (coordinators triage it, HQ analysts read
  it in sensitive exports and reviews), besides its own reporter; never officers, volunteers,
  planners or administrators, on any route;
- who reported (user name, display name, account id): the reporter and the readers of the
  contact, who need the audit (the history names the reporter's events only to them; the
  sensitive export's ``reporter`` is for HQ analysts); the administrators' account list names
  every account, not as anyone's reporter;
- a report's idempotency key: its own reporter only (sent to ``POST /report`` it gives the
  stored report's receipt); a public report's receipt code: nobody on staff.

:func:`probes` adds reads that the routes' single row of the matrix does not make: the incidents
layer and exports with the statuses a map hides by default, a GeoPackage (the export written to
a file first), and the patrol plans through the map, export and OGC API (one access rule per
collection: readers of plans, not administrators or volunteers).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.accounts import users as accounts
from gis.incidents.photos import add_photo, prepare_photo
from gis.incidents.public import create_public_report
from gis.incidents.reports import create_incident, parse_incident
from gis.incidents.review_queue import CONTACT_ROLES
from gis.models import HotspotMember, Incident
from gis.patrols.plans import READERS
from gis.types import Channel, IncidentStatus, Role
from tests.webapp.authz import HOME, SIGNED_IN, Policy, World, get
from tests.webapp.signin import PASSWORD

#: The reporter account outside the matrix.
REPORTER, REPORTER_NAME = "matrix-reporter", "MATRIX-REPORTER-NAME"
#: The free text of the unverified reports and the contacts of the public ones.
UNVERIFIED = "MATRIX-UNVERIFIED-TEXT"
CONTACT = "MATRIX-CONTACT"
#: Around the home district, for the layers.
HOME_BBOX = "100.3,20.2,100.5,20.3"
#: The statuses a map and an export leave out unless asked.
HIDDEN_STATUSES = "status=new,rejected,duplicate"


@dataclass(frozen=True)
class Secret:
    """A text that may appear only in answers to ``readers``.

    Attributes:
        text: the marked value, searched in every body (JSON, GeoJSON, CSV, HTML, GeoPackage).
        what: what it is, for the failure message.
        readers: roles that may read it on any route.
        listed: ``(role, rule)`` pairs that may show it for another reason (the account list).
    """

    text: str
    what: str
    readers: frozenset[Role] = frozenset()
    listed: frozenset[tuple[Role, str]] = frozenset()


def _picture(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), colour).save(out, "JPEG")
    return out.getvalue()


def prepare(session: Session, world: World) -> None:
    """The marked incidents (``world.marked``) and the secrets to search for
    (``world.extra['secrets']``, ``world.extra['reporter_id']``)."""
    now = dt.datetime.now(dt.UTC)
    reporter = accounts.create_user(
        session, REPORTER, REPORTER_NAME, PASSWORD, Role.OFFICER, district="TH5703"
    )

    def payload(**fields: Any) -> dict[str, Any]:
        return {
            "lon": HOME[0],
            "lat": HOME[1],
            "category": "human_trafficking",
            "occurred_at": (now - dt.timedelta(hours=2)).isoformat(),
            "idempotency_key": str(uuid.uuid4()),
            **fields,
        }

    receipts = []
    for name in ("new", "rejected"):
        data = parse_incident(
            payload(
                description=f"{UNVERIFIED}-{name.upper()}",
                reporter_contact=f"{CONTACT}-{name.upper()}",
            ),
            now,
            channel=Channel.ONLINE_PUBLIC,
        )
        incident, receipt = create_public_report(session, data, 10_000.0)
        world.marked[f"public_{name}"] = incident.id
        receipts.append(receipt)
        photo = add_photo(session, incident, prepare_photo(_picture((20, 160, 20))), None)[0]
        world.photos[incident.id] = photo.id
    session.get_one(Incident, world.marked["public_rejected"]).status = IncidentStatus.REJECTED
    data = parse_incident(
        payload(description="a report by an account outside the matrix"),
        now,
        channel=Channel.OFFICER_APP,
        reporter_id=reporter.id,
    )
    incident = create_incident(session, data)[0]
    world.marked["reported"] = incident.id
    photo = add_photo(session, incident, prepare_photo(_picture((160, 20, 160))), reporter)[0]
    world.photos[incident.id] = photo.id
    for spot in (world.extra["hotspot"], world.extra["patrol_hotspots"]["home"]):
        session.add_all(
            HotspotMember(hotspot_id=spot, incident_id=i) for i in world.marked.values()
        )
    session.flush()
    world.extra["reporter_id"] = reporter.id
    world.extra["secrets"] = secrets(session, world, receipts)


def secrets(session: Session, world: World, receipts: list[str]) -> list[Secret]:
    """Every marked value of the world and who may read it (the module's docstring)."""
    found: list[Secret] = [
        Secret(f"{CONTACT}-", "a reporter's contact", frozenset(CONTACT_ROLES)),
        Secret(f"{UNVERIFIED}-", "the text of an unverified report", frozenset(CONTACT_ROLES)),
    ]
    accounts_page = frozenset({(Role.ADMINISTRATOR, "/admin/users")})
    found += [
        Secret(name, "who reported", frozenset(CONTACT_ROLES), accounts_page)
        for name in (REPORTER, REPORTER_NAME)
    ]
    found += [Secret(code, "a public report's receipt code") for code in receipts]
    own = {world.incidents["home"]: Role.OFFICER, world.incidents["volunteer"]: Role.VOLUNTEER}
    ids = [*world.incidents.values(), *world.marked.values()]
    keys = session.execute(
        select(Incident.id, Incident.idempotency_key).where(Incident.id.in_(ids))
    )
    for incident_id, key in keys:
        readers = frozenset({own[incident_id]}) if incident_id in own else frozenset()
        found.append(Secret(str(key), "another account's idempotency key", readers))
    return found


def probes() -> dict[tuple[str, str], tuple[Policy, ...]]:
    """More reads of routes the matrix has a row for: ``(rule, method) -> policies``."""
    layer = f"/api/layers/incidents?bbox={HOME_BBOX}"
    unlisted = {"refused": 404, "anonymous": 404}  # layers a role may not see do not exist
    plans = {"roles": frozenset(READERS), "refused": 404}
    return {
        ("/api/layers/<name>", "GET"): (
            Policy(get(layer), roles=SIGNED_IN, **unlisted),
            Policy(get(f"{layer}&{HIDDEN_STATUSES}"), roles=SIGNED_IN, **unlisted),
            Policy(get(f"/api/layers/coverage?bbox={HOME_BBOX}"), **plans, anonymous=404),
        ),
        ("/api/export/<name>.<fmt>", "GET"): (
            Policy(get(f"/api/export/incidents.csv?{HIDDEN_STATUSES}"), roles=SIGNED_IN),
            Policy(get(f"/api/export/incidents.gpkg?{HIDDEN_STATUSES}"), roles=SIGNED_IN),
            *(
                Policy(get(f"/api/export/incidents.{fmt}?{HIDDEN_STATUSES}"), roles=SIGNED_IN)
                for fmt in ("shp", "kml", "fgb", "parquet")
            ),
            Policy(get("/api/export/patrol_plans.geojson"), **plans),
        ),
        ("/ogcapi/collections/<cid>", "GET"): (
            Policy(get("/ogcapi/collections/patrol_plans"), **plans),
        ),
        ("/ogcapi/collections/<cid>/items", "GET"): (
            Policy(
                get(f"/ogcapi/collections/incidents/items?{HIDDEN_STATUSES}&limit=100"),
                roles=SIGNED_IN,
            ),
            Policy(get("/ogcapi/collections/patrol_plans/items"), **plans),
        ),
    }


# --------------------------------------------------------------------------- searching answers

#: Members that name an account in JSON answers.
_ACCOUNT_MEMBER = re.compile(r"reporter|actor|user|uploader|who|_by$|^by$")


def _members(doc: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield str(key), value
            yield from _members(value)
    elif isinstance(doc, list):
        for item in doc:
            yield from _members(item)


def readable(body: bytes, encoding: str | None) -> bytes:
    """The body as sent before compression (gzip answers are unpacked), files whose texts are
    compressed as their readers see them: a zip's members (a Shapefile) one after another, a
    Parquet file's rows as JSON text."""
    if encoding == "gzip" and body:
        return zlib.decompress(body, 31)
    if body.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return b"".join(z.read(name) for name in z.namelist())
    if body.startswith(b"PAR1"):
        import pyarrow.parquet as pq  # the test process only (kept out of the web workers)

        rows = pq.read_table(io.BytesIO(body)).drop(["geometry"]).to_pylist()
        return json.dumps(rows, ensure_ascii=False, default=str).encode()
    return body


def leaks(world: World, role: Role | None, rule: str, body: bytes, mimetype: str) -> list[str]:
    """What ``body`` (an answer of ``rule`` to ``role``) shows that ``role`` may not read."""
    found = [
        f"{secret.what} ({secret.text})"
        for secret in world.extra["secrets"]
        if secret.text.encode() in body
        and role not in secret.readers
        and (role, rule) not in secret.listed
    ]
    if "json" in mimetype and body and role not in CONTACT_ROLES:
        reporter = world.extra["reporter_id"]
        try:
            doc = json.loads(body)
        except ValueError:
            return found
        found += [
            f"who reported (the account id in {key!r})"
            for key, value in _members(doc)
            if value == reporter and not isinstance(value, bool) and _ACCOUNT_MEMBER.search(key)
        ]
    return found
