"""docker-compose.yml and Dockerfile cannot run here (no Docker engine): check them statically."""

from __future__ import annotations

import os
import re
import subprocess
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


def mount(volume: str) -> tuple[str, str]:
    """``(source, target)`` of a short-syntax volume (the source may hold ``${VAR:?message}``)."""
    parts = volume.split(":")
    if parts[-1] in ("ro", "rw"):
        parts = parts[:-1]
    return ":".join(parts[:-1]), parts[-1]


def proxy_config(service: dict) -> tuple[str, str]:
    """The repository file a proxy service mounts as its configuration, and its text."""
    for volume in service.get("volumes", []):
        source, target = mount(volume)
        if target.startswith("/etc/nginx/") and target.endswith(".conf"):
            path = ROOT / source
            assert path.is_file(), f"the proxy mounts {source}, which is not in the repository"
            return source, path.read_text(encoding="utf-8")
    raise AssertionError("the proxy mounts no configuration from the repository")


def test_the_app_is_reached_only_through_the_proxy_its_proxy_count_trusts():
    """Per-address rate limits need the client's address: the compose set-up puts one nginx in
    front of gunicorn, and the app trusts exactly that many X-Forwarded-For entries."""
    services = compose()["services"]
    app = services["app"]
    proxies = {name: s for name, s in services.items() if "nginx" in str(s.get("image", ""))}
    assert list(proxies) == ["proxy"], "one reverse proxy service in front of the app"
    proxy = proxies["proxy"]
    assert str(app["environment"]["PROXY_COUNT"]) == str(len(proxies))  # no override from .env
    # Nothing reaches gunicorn around the proxy: only the proxy publishes ports on the host.
    published = {name for name, s in services.items() if s.get("ports")}
    assert published == {"proxy"}
    assert {p.split(":")[-1] for p in proxy["ports"]} >= {"443"}
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"
    _, conf = proxy_config(proxy)
    directives = [" ".join(line.split()) for line in conf.splitlines()]
    bind = next(a for a in app["command"] if "gunicorn" in a).split("--bind ")[1].split()[0]
    assert f"server app:{bind.rsplit(':', 1)[1]};" in directives  # the app's gunicorn port
    assert "proxy_pass http://borderwatch;" in directives
    # The proxy writes the client's address itself: what a client sends in the header is dropped.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in directives
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in directives
    assert any(d.startswith("listen 443 ssl") for d in directives)
    certificates = [d.split()[1].rstrip(";") for d in directives if d.startswith("ssl_certificate")]
    tls_mount = next(mount(v)[1] for v in proxy["volumes"] if "TLS_DIR" in v)
    assert certificates and all(c.startswith(tls_mount + "/") for c in certificates)
    # Uploads the app accepts pass the proxy (MAX_CONTENT_LENGTH, the photos' limit).
    from webapp.config import DEFAULTS

    size = next(d for d in directives if d.startswith("client_max_body_size"))
    assert int(size.split()[1].rstrip("m;")) * 1024 * 1024 >= DEFAULTS["MAX_CONTENT_LENGTH"]


def compose_ha() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.ha.yml").read_text(encoding="utf-8"))


def test_the_replicated_compose_has_a_monitor_and_two_nodes_instead_of_one_db():
    doc = compose_ha()
    services = doc["services"]
    assert "db" not in services
    assert services["monitor"]["command"] == ["monitor"]
    assert [services[n]["command"] for n in ("node1", "node2")] == [["node"], ["node"]]
    assert services["node2"]["depends_on"]["node1"]["condition"] == "service_healthy"
    assert services["node1"]["depends_on"]["monitor"]["condition"] == "service_healthy"
    for name in ("monitor", "node1", "node2"):
        node = services[name]
        dockerfile = ROOT / node["build"]["context"] / node["build"]["dockerfile"]
        lines = dockerfile.read_text(encoding="utf-8")
        assert "FROM postgis/postgis:15-3.3" in lines  # as docker-compose.yml's db
        for package in ("postgresql-15-pgrouting", "postgresql-15-auto-failover", "pgbackrest"):
            assert package in lines
        assert any(mount(v)[0] == name for v in node["volumes"]), f"{name} keeps its data"
        assert "pg_isready" in " ".join(node["healthcheck"]["test"])
        assert set(doc["volumes"]) >= {name}
    entry = ROOT / "scripts" / "ha-node.sh"
    assert entry.stat().st_mode & 0o111, "the entry point is executable"
    script = entry.read_text(encoding="utf-8")
    assert script.count("--auth scram-sha-256 --ssl-self-signed") == 2  # never trust
    assert "trust" not in script


def test_the_replicated_compose_runs_the_app_on_both_nodes():
    from sqlalchemy import make_url

    from gis.db import make_engine

    services = compose_ha()["services"]
    single = compose()["services"]
    for name in ("app", "worker", "proxy", "redis"):
        extends = services[name]["extends"]
        assert extends == {"file": "docker-compose.yml", "service": name}
        assert name in single
    # extends brings a service's volumes, not the top-level declarations of its named volumes
    declared = set(compose_ha().get("volumes") or {})
    for name in ("app", "worker", "proxy", "redis"):
        for volume in single[name].get("volumes", []):
            source, _ = mount(volume)
            if not source.startswith(("/", ".", "$")):
                assert source in declared, f"{name}'s volume {source} is not declared"
    app, worker = services["app"], services["worker"]
    for node in ("node1", "node2"):
        assert app["depends_on"][node]["condition"] == "service_healthy"
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    urls = {
        key: url.replace("${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}", "secret")
        for key, url in app["environment"].items()
    }
    assert worker["environment"] == app["environment"]
    for key, attrs in (
        ("DATABASE_URL", "read-write"),
        ("DATABASE_REPLICA_URL", "prefer-standby"),
    ):
        url = make_url(urls[key])
        assert url.query["host"] == ("node1:5432", "node2:5432")
        assert url.query["target_session_attrs"] == attrs
        assert url.query["sslmode"] == "require"
        engine = make_engine(urls[key])
        try:
            args = engine.dialect.create_connect_args(engine.url)[1]
        finally:
            engine.dispose()
        assert args["host"] == "node1,node2" and args["port"] == "5432,5432"


def _make_dry_run(*args: str, **env: str) -> list[str]:
    """The commands ``make -n`` would run, in order, with the given variables and without the
    settings that skip the local Redis and cluster."""
    clean = {k: v for k, v in os.environ.items() if k not in {"RATELIMIT_STORAGE_URI", "HA"}}
    clean.pop("DATABASE_URL", None)
    out = subprocess.run(
        ["make", "-n", "--no-print-directory", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.splitlines()


def _first(lines: list[str], needle: str) -> int:
    return next(i for i, line in enumerate(lines) if needle in line)


def test_the_replicated_cluster_starts_redis_before_its_migration_needs_the_limiter():
    # On a fresh machine var/local.env does not exist yet: the app's migration in ha-up opens the
    # app, whose limiter refuses to start without RATELIMIT_STORAGE_URI (written by redis.sh).
    for args, env in ((["ha-up"], {}), (["up"], {"HA": "1"})):
        lines = _make_dry_run(*args, **env)
        redis = _first(lines, "scripts/redis.sh start")
        assert redis < _first(lines, "scripts/hacluster.sh start")
        assert redis < _first(lines, "borderwatch db upgrade")
    # storage named elsewhere: no local Redis
    assert not any(
        "redis.sh" in line for line in _make_dry_run("ha-up", RATELIMIT_STORAGE_URI="redis://r/0")
    )
