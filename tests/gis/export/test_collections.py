"""Values the export collections build in SQL: distances rounded to 0.1 m."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Float, Text, cast, literal, select

from gis.export.collections import metres

pytestmark = pytest.mark.db


@pytest.mark.parametrize(
    ("distance", "text"),
    [
        (1234.0, "1234.0"),  # always one decimal
        (207.6, "207.6"),
        (0.15, "0.2"),  # a half as written rounds away from zero
        (12.25, "12.3"),
        (207.64999999999998, "207.6"),  # a hair below a half: down (not rounded twice)
        (141855.94999999998, "141855.9"),
        (0.04, "0.0"),
        (None, None),
    ],
)
def test_a_distance_is_rounded_once_to_a_tenth_of_a_metre(session, distance, text):
    value = literal(distance, Float)
    got = session.execute(select(metres(value), cast(metres(value), Text))).one()
    assert got[1] == text
    assert got[0] == (None if text is None else Decimal(text))
