"""The Thai fiscal year: 1 October to 30 September, labelled by the Buddhist-era year it ends in."""

from __future__ import annotations

import datetime as dt

import pytest

from gis.cooperation.fiscal import fiscal_year, fiscal_year_bounds


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (dt.date(2025, 9, 30), 2568),
        (dt.date(2025, 10, 1), 2569),
        (dt.date(2026, 1, 1), 2569),
        (dt.date(2026, 6, 15), 2569),
        (dt.date(2026, 9, 30), 2569),
        (dt.date(2026, 10, 1), 2570),
        (dt.date(2024, 2, 29), 2567),
        (dt.date(2023, 12, 31), 2567),
    ],
)
def test_a_day_falls_in_the_fiscal_year_that_ends_on_the_next_30_september(day, year):
    assert fiscal_year(day) == year


@pytest.mark.parametrize(
    ("year", "first", "last"),
    [
        (2569, dt.date(2025, 10, 1), dt.date(2026, 9, 30)),
        (2568, dt.date(2024, 10, 1), dt.date(2025, 9, 30)),
        (2570, dt.date(2026, 10, 1), dt.date(2027, 9, 30)),
    ],
)
def test_a_fiscal_year_runs_from_1_october_to_30_september(year, first, last):
    assert fiscal_year_bounds(year) == (first, last)
    assert fiscal_year(first) == fiscal_year(last) == year
    assert fiscal_year(first - dt.timedelta(days=1)) == year - 1
    assert fiscal_year(last + dt.timedelta(days=1)) == year + 1
