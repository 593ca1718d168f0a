"""App factory, health check, error mapping and CLI commands."""

from __future__ import annotations

import pytest

from webapp import create_app

pytestmark = pytest.mark.db


def test_healthz_checks_the_database(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["postgis"].startswith("3.")


def test_healthz_answers_503_when_the_database_is_unreachable(database_url):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "postgresql://nobody:wrong@127.0.0.1:9/none?connect_timeout=2",
        }
    )
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.headers["Retry-After"]
    assert resp.get_json()["database"] == "unreachable"


def test_app_refuses_to_start_without_configuration(monkeypatch):
    for key in ("DATABASE_URL", "SECRET_KEY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr("webapp.config.LOCAL_ENV", "/nonexistent")
    monkeypatch.setattr("webapp.config.load_local_env", lambda path=None: None)
    with pytest.raises(RuntimeError, match="DATABASE_URL and SECRET_KEY"):
        create_app()


def test_unknown_api_route_is_json_404(client):
    resp = client.get("/api/nothing-here")
    assert resp.status_code == 404
    assert resp.get_json()["error"] == "not_found"


def test_cli_db_upgrade_and_seed_are_idempotent(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["seed", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "reference data up to date" in result.output
    assert "district: 0 inserted, 0 updated, 221 unchanged" in result.output


def test_cli_seed_shows_progress(app):
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0
    assert "221/221" in result.output  # tqdm bar on stderr, mixed into the runner's output


def test_cli_district_target(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["district", "target", "TH4302"])  # Tha Bo
    assert result.exit_code == 0, result.output
    assert "Tha Bo (Nong Khai) is now a target district" in result.output
    result = runner.invoke(args=["district", "target", "Chaloem Phra Kiat"])
    assert result.exit_code == 1
    assert "matches several districts" in result.output
    result = runner.invoke(args=["district", "target", "Atlantis"])
    assert result.exit_code == 1 and "no district matches" in result.output


@pytest.mark.parametrize("entry", ["borderwatch", "flask"])
def test_console_script_and_flask_cli_reach_the_same_commands(database_url, entry):
    import os
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / entry
    args = [str(exe)] + (["--app", "webapp"] if entry == "flask" else []) + ["db", "current"]
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "x" * 32}
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "(head)" in result.stdout
