"""Text for people, marked for the catalogues.

gis/ and layers/ have no request and no language: they mark the English text users will read with
:func:`N_`, pybabel extracts the marked strings (``-k N_``, see scripts/catalogue.sh), and webapp
translates them into the request's language when it shows them (``gettext(text)``).
"""

from __future__ import annotations


def N_(message: str) -> str:
    """``message`` unchanged: marks it for extraction into the catalogues."""
    return message
