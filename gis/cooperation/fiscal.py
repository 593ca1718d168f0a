"""The Thai government's fiscal year: 1 October to 30 September, labelled by the Buddhist-era
year in which it ends (FY 2569 runs from 1 October 2025 to 30 September 2026)."""

from __future__ import annotations

import datetime as dt

#: Years between the Gregorian and the Buddhist era.
BE_OFFSET = 543


def fiscal_year(day: dt.date) -> int:
    """The fiscal year (Buddhist era) that ``day`` falls in.

    Args:
        day: a calendar day.

    Returns:
        The Buddhist-era year in which that fiscal year ends.
    """
    ends_in = day.year + 1 if day.month >= 10 else day.year
    return ends_in + BE_OFFSET


def fiscal_year_bounds(year_be: int) -> tuple[dt.date, dt.date]:
    """The first and last day (both included) of the fiscal year ``year_be``.

    Args:
        year_be: a fiscal year by its Buddhist-era label, e.g. 2569.

    Returns:
        ``(1 October of the year before, 30 September)``.
    """
    ends = year_be - BE_OFFSET
    return dt.date(ends - 1, 10, 1), dt.date(ends, 9, 30)
