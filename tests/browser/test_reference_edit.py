"""The reference editor and review pages in headless Chromium, in Thai, at 390x844 and 1366x900.

Each page (and each state of it the test reaches) is Thai with no English word, scrolls nothing
sideways, passes axe (no serious or critical violation) and leaves a screenshot in
``test-output/reference/``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from gis.types import Role
from tests.browser.axe import assert_accessible
from tests.browser.committed import Committed
from tests.browser.test_workspace import SIZES, check_page, chromium, signed_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.db]

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "reference"
CHIANG_KHONG = "TH5703"


@pytest.fixture
def committed(engine: Engine) -> Iterator[Committed]:
    rows = Committed(engine)
    try:
        yield rows
    finally:
        rows.clean_up()


@pytest.fixture
def people(committed: Committed) -> dict[Role, Any]:
    tag = uuid.uuid4().hex[:6]
    return {
        Role.COORDINATOR: committed.user(
            Role.COORDINATOR, f"rf-coordinator-{tag}", "อรุณี ประสาน", district=CHIANG_KHONG
        ),
        Role.ADMINISTRATOR: committed.user(
            Role.ADMINISTRATOR, f"rf-admin-{tag}", "ประเสริฐ ดูแลระบบ"
        ),
    }


def looked_at(page: Any, name: str) -> None:
    """The page as it is now: Thai, no sideways scrolling, axe; a screenshot."""
    problems = check_page(page, name)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=False)
    assert not problems, f"{name}: {problems}"
    assert_accessible(page)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_pages_open_in_thai(live_server: str, people, chromium: Any, size: str):  # noqa: F811
    coordinator = signed_in(chromium, live_server, people[Role.COORDINATOR].username, size)
    coordinator.goto(live_server + "/reference/edit")
    coordinator.wait_for_load_state("networkidle")
    assert coordinator.locator("#rf-district").get_attribute("value") == CHIANG_KHONG
    looked_at(coordinator, f"{size}-coordinator-edit")
    coordinator.context.close()

    admin = signed_in(chromium, live_server, people[Role.ADMINISTRATOR].username, size)
    admin.goto(live_server + f"/reference/edit?district={CHIANG_KHONG}")
    admin.wait_for_load_state("networkidle")
    looked_at(admin, f"{size}-admin-edit")
    admin.goto(live_server + "/reference/review")
    admin.wait_for_load_state("networkidle")
    looked_at(admin, f"{size}-admin-review")
    admin.context.close()
