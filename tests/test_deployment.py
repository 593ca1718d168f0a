"""docker-compose.yml and Dockerfile cannot run here (no Docker engine): check them statically."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_has_postgis_with_volume_and_healthcheck():
    doc = compose()
    db = doc["services"]["db"]
    dockerfile = ROOT / db["build"]["context"] / db["build"]["dockerfile"]
    lines = dockerfile.read_text(encoding="utf-8").splitlines()
    assert "FROM postgis/postgis:15-3.3" in lines  # PostgreSQL 15, PostGIS 3.3, as in Debian 12
    assert any("apt-get install" in line for line in lines)
    assert "postgresql-15-pgrouting" in " ".join(lines)  # migration 0007 creates pgrouting
    assert "pgdata" in doc["volumes"]
    assert any(v.startswith("pgdata:/var/lib/postgresql/data") for v in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_app_gets_database_url_and_migrates_and_seeds_before_serving():
    app = compose()["services"]["app"]
    env = app["environment"]
    assert re.match(r"postgresql://borderwatch:.*@db:5432/borderwatch$", env["DATABASE_URL"])
    assert "SECRET_KEY" in env
    assert env["RATELIMIT_STORAGE_URI"].startswith("redis://redis:6379")
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    command = " ".join(app["command"])
    upgrade, seed, serve = (command.index(s) for s in ("db upgrade", "seed", "gunicorn"))
    assert upgrade < seed < serve
    assert "webapp:create_app()" in command
    assert app["build"] == "."


def test_dockerfile_copies_files_that_exist():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            for src in line.split()[1:-1]:
                assert (ROOT / src).exists(), f"Dockerfile copies {src}, which does not exist"


def test_env_example_lists_every_config_key():
    from webapp.config import ENV_KEYS

    keys = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    assert set(ENV_KEYS) <= keys


def test_the_worker_runs_queued_hotspot_runs_with_the_analysis_extra():
    services = compose()["services"]
    worker = services["worker"]
    assert worker["command"] == ["borderwatch", "worker"]
    assert worker["build"]["context"] == "."
    assert worker["build"]["args"]["EXTRAS"] == "[analysis]"
    assert worker["environment"]["DATABASE_URL"] == services["app"]["environment"]["DATABASE_URL"]
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'ARG EXTRAS=""' in dockerfile and 'pip install -e ".${EXTRAS}"' in dockerfile
