"""The screenshots of the README and the guides (docs/screenshots/), taken from a running demo.

Usage, with `make run` serving the demo data set:
    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:5000] [var/demo-logins.json]

Each page is opened in headless Chromium (Debian's), in Thai (th-TH), at phone (390x844) or
desktop (1366x900) size as its guide shows it, signed in as the demo account of its role. The
file names are those docs/guide/ links to.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("BORDERWATCH_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def main() -> int:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
    logins = json.loads(Path(sys.argv[2] if len(sys.argv) > 2 else ROOT / "var/demo-logins.json")
                        .read_text(encoding="utf-8"))  # fmt: skip
    by_role = {v["role"]: (k, v["password"]) for k, v in logins.items()}
    receipt, incident, plan = demo_objects()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )

        def page(role: str | None, size: dict[str, int]) -> Any:
            phone = size is PHONE
            context = browser.new_context(
                viewport=size, locale="th-TH", is_mobile=phone, has_touch=phone,
                geolocation={"latitude": 20.2637, "longitude": 100.4106},
                permissions=["geolocation"],
            )  # fmt: skip
            p = context.new_page()
            if role:
                user, password = by_role[role]
                p.goto(base + "/login")
                p.fill("input[name=username]", user)
                p.fill("input[name=password]", password)
                p.click("main button[type=submit]")
                p.wait_for_load_state("networkidle")
            return p

        def shot(p: Any, name: str, full: bool = False) -> None:
            p.wait_for_load_state("networkidle")
            p.wait_for_timeout(400)
            p.screenshot(path=str(OUT / name), full_page=full)
            print("saved", OUT / name)

        p = page("officer", PHONE)
        p.goto(base + "/#map=11/20.2637/100.4106")
        shot(p, "officer-map-phone.png")
        p.click("#pd-report")
        p.wait_for_timeout(300)
        p.click("#pd-hint .bw-pd-locate")  # the phone's position: Chiang Khong
        p.wait_for_selector("#pd-form:not([hidden])")
        p.select_option("#pd-category", "smuggling")
        p.fill("#pd-description", "รถกระบะขนสินค้าข้ามโขงตอนตีสอง")
        shot(p, "officer-pindrop-phone.png")
        p.context.set_offline(True)
        p.click("#pd-submit")
        p.wait_for_timeout(800)
        if p.locator("#pd-outbox-toggle").is_visible():
            p.click("#pd-outbox-toggle")
        shot(p, "officer-outbox-phone.png")
        p.context.set_offline(False)
        p.goto(base + "/my-reports")
        shot(p, "officer-my-reports-phone.png")
        p.context.close()

        p = page("coordinator", DESKTOP)
        p.goto(base + "/review")
        shot(p, "coordinator-triage-desktop.png")
        p.goto(f"{base}/review/incidents/{incident}")
        shot(p, "coordinator-incident-desktop.png", full=True)
        p.context.close()

        p = page("patrol_planner", DESKTOP)
        p.goto(base + "/planner")
        p.wait_for_timeout(1500)
        shot(p, "planner-desktop.png")
        p.context.close()
        p = page("patrol_planner", {"width": 794, "height": 1123})
        p.emulate_media(media="print")
        p.goto(f"{base}/patrols/{plan}/sheet")
        p.wait_for_timeout(1000)
        shot(p, "planner-sheet-a4.png", full=True)
        p.context.close()

        p = page("hq_analyst", DESKTOP)
        p.goto(base + "/export")
        shot(p, "analyst-export-desktop.png")
        p.goto(base + "/account/tokens")
        shot(p, "analyst-tokens-desktop.png")
        p.context.close()

        p = page("administrator", DESKTOP)
        p.goto(base + "/admin/users")
        shot(p, "administrator-accounts-desktop.png")
        p.context.close()

        p = page(None, PHONE)
        p.goto(base + "/report")
        shot(p, "public-report-phone.png", full=True)
        p.goto(f"{base}/report/{receipt}")
        shot(p, "public-status-phone.png")
        p.context.close()
        browser.close()
    return 0


def demo_objects() -> tuple[str, int, int]:
    """A public report's receipt code, a reported incident of the coordinator's district that
    has a history, and a patrol plan with outcomes, from the demo data set."""
    sys.path.insert(0, str(ROOT))
    from gis.db import make_engine, normalise_url
    from webapp.config import load_local_env

    load_local_env()
    engine = make_engine(normalise_url(os.environ["DATABASE_URL"]))
    with engine.connect() as conn:
        receipt = conn.execute(
            text("SELECT receipt_code FROM incident WHERE receipt_code IS NOT NULL "
                 "AND status <> 'new' ORDER BY id LIMIT 1")
        ).scalar_one()  # fmt: skip
        incident = conn.execute(
            text("SELECT e.incident_id FROM incident_event e"
                 " JOIN incident i ON i.id = e.incident_id"
                 " JOIN district d ON d.id = i.district_id WHERE d.pcode = 'TH5703'"
                 " GROUP BY e.incident_id HAVING count(*) > 1 ORDER BY e.incident_id LIMIT 1")
        ).scalar_one()  # fmt: skip
        plan = conn.execute(text("SELECT min(id) FROM patrol_plan")).scalar_one()
    engine.dispose()
    return receipt, incident, plan


if __name__ == "__main__":
    sys.exit(main())
