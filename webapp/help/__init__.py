"""Help: the role guides of ``docs/guide/`` in the reader's language, at ``/help``.

``GET /help`` shows the list of guides, ``GET /help/<page>`` one guide (an unknown page is a
404), ``GET /help/screenshots/<name>.png`` a screenshot of ``docs/screenshots/``. Everyone may
read them, the public included (the citizens' guide is one of them).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("help", __name__)

from webapp.help import views  # noqa: E402,F401  (routes register on bp)
