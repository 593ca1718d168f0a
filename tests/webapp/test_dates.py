"""Dates on the public pages: Thai with Buddhist-era years, other languages as Babel has them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from gis.models import Incident
from gis.parsing import THAI_TIME
from tests.webapp.test_public_report import receipt_code, submit
from webapp.i18n import thai_date

pytestmark = pytest.mark.db


@pytest.mark.parametrize(
    ("day", "format", "text"),
    [
        (dt.date(2026, 11, 21), "long", "21 พฤศจิกายน พ.ศ. 2569"),
        (dt.date(2024, 2, 29), "long", "29 กุมภาพันธ์ พ.ศ. 2567"),  # no 29 Feb in 2567 CE: kept
        (dt.date(2024, 2, 29), "medium", "29 ก.พ. 2567"),
        (dt.date(2024, 2, 29), "short", "29/2/67"),
        (dt.date(2000, 1, 1), "full", "วันเสาร์ที่ 1 มกราคม พ.ศ. 2543"),
        (dt.datetime(2025, 12, 31, 23, 30), "long", "31 ธันวาคม พ.ศ. 2568"),
    ],
)
def test_thai_dates_have_buddhist_era_years(day, format, text):
    assert thai_date(day, format) == text


def test_the_status_page_writes_the_year_by_the_readers_calendar(client, session):
    code = receipt_code(submit(client))
    incident = session.execute(select(Incident).where(Incident.receipt_code == code)).scalar_one()
    day = incident.reported_at.astimezone(THAI_TIME).date()
    thai = client.get(f"/report/{code}?lang=th").get_data(as_text=True)
    english = client.get(f"/report/{code}?lang=en").get_data(as_text=True)
    assert f"พ.ศ. {day.year + 543}" in thai and f"ค.ศ. {day.year}" not in thai
    assert f"{day.year}" in english and f"{day.year + 543}" not in english
