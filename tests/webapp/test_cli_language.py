"""What the command line prints while it works is in the operator's language: Thai when the
environment says Thai (``BORDERWATCH_LANG``, else ``LC_ALL``, ``LC_MESSAGES``, ``LANG``), English
otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.webapp.signin import PASSWORD
from webapp.cli.common import cli_language

pytestmark = pytest.mark.db

#: The runner's environment of a Thai operator and of an English one (``None`` unsets).
UNSET = {"BORDERWATCH_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANGUAGE": None}
THAI = {**UNSET, "LANG": "th_TH.UTF-8"}
ENGLISH = {**UNSET, "LANG": "C.UTF-8"}


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "th_TH.UTF-8"}, "th"),
        ({"LANG": "th_TH"}, "th"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LC_ALL": "th_TH.UTF-8", "LANG": "en_US.UTF-8"}, "th"),  # LC_ALL first
        ({"LC_ALL": "C", "LANG": "th_TH.UTF-8"}, "en"),
        ({"LC_MESSAGES": "th_TH.UTF-8", "LANG": "C"}, "th"),
        ({"BORDERWATCH_LANG": "en", "LC_ALL": "th_TH.UTF-8"}, "en"),  # ours before the locale
        ({"BORDERWATCH_LANG": "th", "LANG": "C.UTF-8"}, "th"),
        ({"LC_ALL": "", "LANG": "th_TH.UTF-8"}, "th"),  # an empty variable is not set
    ],
)
def test_the_language_is_the_one_the_environment_names(environ, language):
    assert cli_language(environ) == language


def test_a_command_says_its_result_in_the_operators_language(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["user", "create", "somchai", "--role", "officer", "--district", "TH5703",
              "--password-stdin"],
        input=PASSWORD + "\n",
        env=THAI,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "สร้างบัญชี somchai แล้ว (officer)" in result.output
    result = runner.invoke(args=["user", "disable", "somchai"], env=ENGLISH)
    assert result.exit_code == 0, result.output
    assert "account somchai disabled; its sessions have ended" in result.output


def test_a_district_is_named_in_thai_for_a_thai_operator(app, session):
    result = app.test_cli_runner().invoke(args=["district", "target", "TH4302"], env=THAI)
    assert result.exit_code == 0, result.output
    assert "อ.ท่าบ่อ (จ.หนองคาย) เป็นอำเภอเป้าหมายแล้ว" in result.output


def test_an_error_is_said_in_thai_for_a_thai_operator(app, tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "crossings", str(bad), "--no-progress"], env=THAI)
    assert result.exit_code == 1
    assert "Error: bad.geojson: ไม่ใช่ JSON ที่ถูกต้อง" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(args=["import", "crossings", str(bad), "--no-progress"], env=ENGLISH)
    assert "bad.geojson: not valid JSON" in result.output


def test_a_domain_error_is_said_in_the_operators_language(app, session):
    runner = app.test_cli_runner()
    thai = runner.invoke(args=["user", "disable", "nobody"], env=THAI)
    assert thai.exit_code == 1 and "Error: ไม่พบบัญชีนี้" in thai.output
    english = runner.invoke(args=["user", "disable", "nobody"], env=ENGLISH)
    assert english.exit_code == 1 and "Error: no such account" in english.output


def test_the_installed_command_speaks_thai_under_a_thai_lang(database_url):
    """``LANG=th_TH.UTF-8 borderwatch db upgrade`` as an operator types it."""
    exe = Path(sys.executable).parent / "borderwatch"
    env = {
        **{k: v for k, v in os.environ.items() if k not in UNSET},
        "LANG": "th_TH.UTF-8",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "x" * 32,
    }
    result = subprocess.run(
        [str(exe), "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "โครงสร้างฐานข้อมูลอยู่ที่รุ่น head" in result.stdout
