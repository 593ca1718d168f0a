"""The demo's reference editing (issue 22): in the demo coordinator's district, one change the
demo administrator made and accepted (a checkpoint's opening hours, days and crossing rules: a
version on the feature's history) and two proposals of the demo coordinator waiting for review
(the coordination centre moved to its real place with the phone's accuracy, and a natural
crossing path drawn on the map), and a stretch of the district's border the administrator
flagged as unmarked (on the map's "Flagged border stretches" layer), with Thai reasons. Made
once: nothing is written when the reference data has any change already. A proposal the place
refuses (another data set's geometry) is left out, never half written."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.accounts.users import DEMO_USERNAMES
from gis.errors import BorderwatchError
from gis.models import BorderSegment, Checkpoint, CoordinationCentre, ReferenceChange, User
from gis.reference.editing.changes import Editor, parse_change, propose
from gis.types import Role


def _editor(session: Session, role: Role) -> Editor | None:
    user = session.scalars(select(User).where(User.username == DEMO_USERNAMES[role])).first()
    if user is None:
        return None
    return Editor(user.id, user.role, scope_district_ids(session, user))


def _xy(session: Session, model: Any, row_id: int) -> tuple[float, float]:
    x, y = session.execute(
        select(func.ST_X(model.geom), func.ST_Y(model.geom)).where(model.id == row_id)
    ).one()
    return float(x), float(y)


def _try(session: Session, editor: Editor, body: dict[str, Any]) -> bool:
    """Record one change in a savepoint; a change the rules refuse is left out."""
    savepoint = session.begin_nested()
    try:
        propose(session, editor, parse_change(body))
    except BorderwatchError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def make_reference_edits(session: Session) -> int:
    """The demo's reference changes; returns how many were recorded (0 the second time, or
    without the demo accounts)."""
    admin = _editor(session, Role.ADMINISTRATOR)
    coordinator = _editor(session, Role.COORDINATOR)
    if admin is None or coordinator is None or not coordinator.district_ids:
        return 0
    if session.execute(select(ReferenceChange.id).limit(1)).first() is not None:
        return 0
    district_ids = list(coordinator.district_ids)
    checkpoints = list(
        session.scalars(
            select(Checkpoint)
            .where(Checkpoint.district_id.in_(district_ids), Checkpoint.retired_at.is_(None))
            .order_by(Checkpoint.id)
        )
    )
    made = 0
    if checkpoints:
        first = checkpoints[0]
        made += _try(
            session,
            admin,
            {
                "feature_type": "checkpoint",
                "feature_id": first.id,
                "action": "update",
                "base_version": first.version,
                "attributes": {
                    "hours": "06:00-18:00",
                    "days": "ทุกวัน",
                    "crossing_rules": "หนังสือผ่านแดนหรือบัตรผ่านแดนชั่วคราว",
                },
                "reason": "ปรับเวลาทำการตามประกาศของจังหวัด",
            },
        )
    centre = session.scalars(
        select(CoordinationCentre).where(CoordinationCentre.district_id.in_(district_ids))
    ).first()
    if centre is not None and checkpoints:
        cx, cy = _xy(session, CoordinationCentre, centre.id)
        px, py = _xy(session, Checkpoint, checkpoints[0].id)
        made += _try(
            session,
            coordinator,
            {
                "feature_type": "centre",
                "feature_id": centre.id,
                "action": "update",
                "base_version": centre.version,
                "geometry": {"type": "Point", "coordinates": [(cx + px) / 2, (cy + py) / 2]},
                "attributes": {
                    "name_th": "ศูนย์ประสานงานความร่วมมือชายแดนแม่น้ำโขง",
                    "precision": "surveyed",
                },
                "reason": "ย้ายหมุดไปที่ตั้งจริงของศูนย์ฯ ที่ว่าการอำเภอ",
                "accuracy_m": 12,
            },
        )
    if checkpoints:
        x, y = _xy(session, Checkpoint, checkpoints[-1].id)
        path = [[x - 0.004, y - 0.003], [x - 0.001, y - 0.001], [x + 0.003, y + 0.002]]
        made += _try(
            session,
            coordinator,
            {
                "feature_type": "crossing",
                "feature_id": None,
                "action": "create",
                "geometry": {"type": "LineString", "coordinates": path},
                "attributes": {
                    "name": "ช่องทางท่าน้ำชุมชน (ทดลอง)",
                    "risk_level": "medium",
                    "season": "dry_only",
                    "crosses": ["people", "goods"],
                    "note": "เรือหางยาวข้ามฟากช่วงน้ำลด",
                },
                "reason": "ชรบ. พบเรือรับส่งคนและสินค้าข้ามฟากช่วงหน้าแล้ง",
            },
        )
    segment = session.execute(
        select(
            BorderSegment.id,
            func.ST_AsGeoJSON(func.ST_LineInterpolatePoint(BorderSegment.geom, 0.35)),
            func.ST_AsGeoJSON(func.ST_LineInterpolatePoint(BorderSegment.geom, 0.55)),
        )
        .where(BorderSegment.district_id.in_(district_ids))
        .order_by(BorderSegment.length_km.desc())
        .limit(1)
    ).first()
    if segment is not None:
        made += _try(
            session,
            admin,
            {
                "feature_type": "stretch",
                "feature_id": None,
                "action": "create",
                "attributes": {
                    "segment_id": segment[0],
                    "from_point": json.loads(segment[1])["coordinates"],
                    "to_point": json.loads(segment[2])["coordinates"],
                    "demarcation": "unmarked",
                    "source": "การสำรวจร่วมกับฝ่ายลาว ไม่พบหลักเขตตลอดช่วงนี้",
                },
                "reason": "ผลการสำรวจแนวชายแดนร่วมเดือนพฤศจิกายน",
            },
        )
    return made
