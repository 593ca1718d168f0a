"""Shared builders of the cooperation tests: a valid activity body of Chiang Khong."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.models import District, DistrictParallelArea


def pair_ids(session: Session, pcode: str = "TH5703") -> list[int]:
    """The parallel areas paired with the district."""
    return list(
        session.execute(
            select(DistrictParallelArea.parallel_area_id)
            .join(District, District.id == DistrictParallelArea.district_id)
            .where(District.pcode == pcode)
            .order_by(DistrictParallelArea.parallel_area_id)
        ).scalars()
    )


def activity_body(session: Session, **overrides: Any) -> dict[str, Any]:
    """A meeting in Chiang Khong with its parallel areas, two topics and counts."""
    body: dict[str, Any] = {
        "kind": "mwcc_meeting",
        "title": "ประชุม ศปก.อ. กับเมืองห้วยทราย",
        "starts_on": "2026-11-10",
        "ends_on": "2026-11-11",
        "lon": 100.41,
        "lat": 20.27,
        "parallel_areas": pair_ids(session)[:2],
        "topics": ["drug_trafficking", "health_care"],
        "participants": [
            {"side": "THA", "group": "officials", "total": 12, "women": 4},
            {"side": "LAO", "group": "officials", "total": 8, "women": 2},
            {"side": "LAO", "group": "residents", "total": 0, "women": 0},
        ],
        "organisers": "ที่ว่าการอำเภอเชียงของ",
        "summary": "ตกลงลาดตระเวนร่วม",
    }
    body.update(overrides)
    return body
