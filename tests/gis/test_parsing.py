"""The parsing core: instants at the ends of the calendar and with any RFC 3339 offset."""

from __future__ import annotations

import datetime as dt

import pytest

from gis.errors import InvalidInput
from gis.parsing import parse_instant, parse_when


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-11-21T06:30:00+07:00", dt.datetime(2026, 11, 20, 23, 30, tzinfo=dt.UTC)),
        ("2026-11-21T00:00:00+23:59", dt.datetime(2026, 11, 20, 0, 1, tzinfo=dt.UTC)),
        ("2026-11-21T00:00:00-23:59", dt.datetime(2026, 11, 21, 23, 59, tzinfo=dt.UTC)),
        ("9999-12-31T23:59:59.999999+14:00", dt.datetime(9999, 12, 31, 9, 59, 59, 999999, dt.UTC)),
    ],
)
def test_an_instant_with_any_offset_is_read_in_utc(text: str, utc: dt.datetime) -> None:
    for parse in (parse_instant, parse_when):
        got = parse(text, "since")
        assert got == utc
        assert got.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59.999999-23:59"])
def test_an_instant_outside_the_calendar_in_utc_is_refused_naming_the_field(text: str) -> None:
    for parse in (parse_instant, parse_when):
        with pytest.raises(InvalidInput) as caught:
            parse(text, "until")
        assert caught.value.field == "until"


def test_the_last_day_as_an_exclusive_end_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_when("9999-12-31", "until", end=True)
    assert caught.value.field == "until"
