"""The MWCC desk and the hotline: ``/desk/new``, a report taken on a citizen's behalf by a
coordinator or officer of the district, its printed receipt slip
(``/desk/receipts/<id>``) and the code spelled out for the telephone
(``/desk/receipts/<id>/read-out``).

The form has the public report's fields and checks (:mod:`webapp.public.schemas`,
:func:`gis.incidents.reports.parse_incident`) plus the channel, the citizen's contact and their
consent to status updates (:mod:`gis.incidents.desk`). It is a staff page: no per-address limit
of the anonymous public (a desk takes many reports from one address), the CSRF token and the
session as on every staff form.
"""

from flask import Blueprint

bp = Blueprint("desk", __name__)

from webapp.desk import views  # noqa: E402,F401
