"""The web process's gunicorn settings (webapp/gunicorn_conf.py): every way of serving the app
uses them, a web worker never imports pandas (nor geopandas or pyarrow), even after the
requests that would (the map page's folium, a GeoPackage export's pyogrio), and large freed
blocks leave the process (glibc's mmap threshold stays fixed), and a worker freezes the objects
of the loaded app out of the garbage collector's walks.

The live test serves a scratch database with the exact gunicorn command of ``make run`` (read
from the Makefile), then the same command without the config file as the control: there pandas
must be in the workers, or the check would prove nothing.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import make_url
from sqlalchemy.orm import Session

from gis.accounts import tokens
from gis.accounts import users as accounts
from gis.db import make_engine
from gis.ops import migrate
from gis.types import Role
from seeds.demo import generate_demo
from seeds.reference import seed as seed_reference
from tests.dbtools import create_database, drop_database

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ["--config", "webapp/gunicorn_conf.py"]
#: Shared libraries of pandas and pyarrow, as a worker's /proc/<pid>/maps names them.
KEPT_OUT = re.compile(r"/site-packages/(pandas|pyarrow)/")


def makefile_command() -> list[str]:
    """The gunicorn command of ``make run``'s recipe."""
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nrun:", 1)[1]
    recipe = recipe.split("\n\n", 1)[0]
    (line,) = [ln for ln in recipe.splitlines() if "bin/gunicorn " in ln]
    return shlex.split(line.strip())


def test_every_way_of_serving_the_app_reads_the_config():
    command = makefile_command()
    assert command[0] == "$(VENV)/bin/gunicorn" and command[1:3] == CONFIG
    assert command[-1] == "webapp:create_app()"
    app = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    serve = " ".join(app["app"]["command"]).split("exec ", 1)[1]
    assert shlex.split(serve)[:3] == ["gunicorn", *CONFIG]
    assert "gunicorn" not in " ".join(app["worker"]["command"])  # Gi* needs pandas there
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    (cmd,) = [ln for ln in dockerfile.splitlines() if ln.startswith("CMD ")]
    assert cmd.startswith('CMD ["gunicorn", "--config", "webapp/gunicorn_conf.py", ')
    bench = (ROOT / "bench" / "export.py").read_text(encoding="utf-8")
    assert '"--config", "webapp/gunicorn_conf.py"' in bench


def python(script: str, *args: str, timeout: int = 120) -> str:
    """Standard output of ``script`` run by this Python in the project's folder, which must
    succeed."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_config_refuses_pandas_and_the_libraries_still_work():
    """In a process that read the config as gunicorn does: ``import pandas`` fails with a
    message that says why; folium and pyogrio's raw writer import and work without it."""
    script = """
import sys
from gunicorn.app.base import Application
reader = object.__new__(Application)
reader.get_config_from_filename("webapp/gunicorn_conf.py")
reader.get_config_from_filename("webapp/gunicorn_conf.py")  # read again, as on SIGHUP
assert sum(type(f).__name__ == "KeepOut" for f in sys.meta_path) == 1
for name in ("pandas", "geopandas", "pyarrow", "pandas.core"):
    try:
        __import__(name)
    except ModuleNotFoundError as e:
        assert "kept out of borderwatch's web workers" in str(e), e
    else:
        raise AssertionError(name + " was imported")
import folium, numpy as np, pyogrio.raw, tempfile, pathlib
folium.Map()
path = pathlib.Path(tempfile.mkdtemp()) / "t.gpkg"
point = bytes.fromhex("0101000000000000000000594000000000000030" + "40")
pyogrio.raw.write(str(path), np.array([point], dtype=object), [np.array([1])], ["id"],
                  driver="GPKG", geometry_type="Point", crs="EPSG:4326")
assert pyogrio.raw.read(str(path))[3][0][0] == 1
print(sorted(m for m in ("pandas", "geopandas", "pyarrow") if sys.modules.get(m) is not None))
"""
    assert python(script).strip() == "[]"


def test_without_the_config_pandas_is_importable():
    """The control of the test above: pandas is installed here (the ``analysis`` extra), so it
    is the config that keeps it out."""
    script = "import pandas, folium.utilities as u; print(u.pd is not None)"
    assert python(script).strip() == "True"


RETAINED = """
import sys
if sys.argv[1] == "config":
    from gunicorn.app.base import Application
    object.__new__(Application).get_config_from_filename("webapp/gunicorn_conf.py")
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
large = b"1" * (24 << 20)  # a request's large arrays, freed
del large
before = rss()
block = b"2" * (10 << 20)  # the next request's block, freed
del block
print(rss() - before)
"""


@pytest.mark.parametrize(("config", "retained"), [("config", (0, 1)), ("none", (9, 11))])
def test_a_large_block_freed_after_another_leaves_the_process(config, retained):
    """With the config, glibc keeps its mmap threshold: a 10 MB block freed after a 24 MB one
    goes back to the system; without it (the control) the block stays resident."""
    retained_mb = python(RETAINED, config, timeout=60)
    low, high = retained
    assert low <= float(retained_mb) <= high, (config, retained_mb)


FROZEN = """
import gc, os, sys
from gunicorn.app.base import Application
config = object.__new__(Application).get_config_from_filename("webapp/gunicorn_conf.py")
os.environ.update(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none", SECRET_KEY="k" * 32)
from webapp import create_app
app = create_app()  # what a worker loads
if sys.argv[1] == "hook":
    config["post_worker_init"](None)
print(gc.get_freeze_count(), len(gc.get_objects()))
"""


@pytest.mark.parametrize("hook", ["hook", "none"])
def test_a_worker_freezes_what_the_loaded_app_holds(hook):
    """After the config's post_worker_init hook, the objects of the loaded app are in the
    collector's permanent generation: a full collection walks a few thousand objects instead of
    well over 100,000; without the hook (the control) it walks them all."""
    frozen, walked = map(int, python(FROZEN, hook).split())
    if hook == "hook":
        assert frozen > 100_000 and walked < 10_000, (frozen, walked)
    else:
        assert frozen == 0 and walked > 100_000, (frozen, walked)


# --------------------------------------------------------------------------- live


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served_database(server_url: str, database_url: str) -> Iterator[tuple[str, str]]:
    """A scratch database (migrated, reference data, 200 demo incidents) and an HQ analyst's
    API token: ``(url, token)``."""
    name = f"{make_url(database_url).database}_gunicorn"
    url = create_database(server_url, name)
    try:
        migrate.upgrade(url)
        engine = make_engine(url)
        with Session(engine) as session:
            seed_reference(session)
            generate_demo(session, incidents=200, seed=7)
            user = accounts.create_user(
                session, "hq-analyst", "HQ", "a long password 1234", Role.HQ_ANALYST
            )
            secret = tokens.create_token(session, user, "test").secret
            session.commit()
        engine.dispose()
        yield url, secret
    finally:
        drop_database(server_url, name)


@contextlib.contextmanager
def serving(url: str, with_config: bool) -> Iterator[tuple[int, list[int]]]:
    """``make run``'s gunicorn command on a free port (``(port, worker pids)``)."""
    port = free_port()
    command = makefile_command()
    command[0] = str(Path(sys.executable).with_name("gunicorn"))
    command[command.index("$(HOST):$(PORT)")] = f"127.0.0.1:{port}"
    if not with_config:
        command[1:3] = []
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "t" * 32, "TILE_URL": ""}
    env["SESSION_COOKIE_SECURE"] = "false"
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while get(port, "/healthz")[0] != 200:
            assert proc.poll() is None, f"gunicorn exited with {proc.returncode}"
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz within 60 s"
            time.sleep(0.3)
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        yield port, [int(p) for p in children]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def get(port: int, path: str, token: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        conn.request("GET", path, headers=headers)
        with conn.getresponse() as resp:
            return resp.status, resp.read()
    except OSError:
        return 0, b""
    finally:
        conn.close()


def kept_out_libraries(pid: int) -> set[str]:
    return {m.group(1) for m in KEPT_OUT.finditer(Path(f"/proc/{pid}/maps").read_text())}


@pytest.mark.db
@pytest.mark.gdal
def test_make_runs_workers_serve_the_map_and_every_export_without_pandas(served_database):
    url, token = served_database
    with serving(url, with_config=True) as (port, workers):
        assert len(workers) == 2  # make run's --workers 2
        for _ in workers:  # each request may land on either worker: ask each thing twice
            status, page = get(port, "/")
            assert status == 200 and b"leaflet" in page.lower()
            for fmt, magic in (
                ("gpkg", b"SQLite format 3\x00"),
                ("geojson", b"{"),
                ("csv", "\ufeffWKT".encode()),
                # written by a process of their own: pyarrow never enters the worker
                ("shp", b"PK\x03\x04"),
                ("kml", b"<?xml"),
                ("fgb", b"fgb\x03"),
                ("parquet", b"PAR1"),
            ):
                status, body = get(port, f"/api/export/incidents.{fmt}", token)
                assert status == 200 and body.startswith(magic) and len(body) > 1000, fmt
        assert {pid: kept_out_libraries(pid) for pid in workers} == {pid: set() for pid in workers}


@pytest.mark.db
def test_control_without_the_config_the_workers_hold_pandas(served_database):
    url, _ = served_database
    with serving(url, with_config=False) as (_, workers):
        # /healthz answers as soon as one worker has loaded the app; the other may still be
        # importing it (on a fresh machine, for seconds)
        deadline = time.monotonic() + 60
        while not all("pandas" in kept_out_libraries(pid) for pid in workers):
            assert time.monotonic() < deadline, [kept_out_libraries(pid) for pid in workers]
            time.sleep(0.5)
