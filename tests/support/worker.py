"""``borderwatch worker`` as a process of its own, as ``make run`` and docker compose run it: for
the end-to-end tests, the LINE bench and the soak.

:func:`running_worker` starts it in its own process group with the given environment
(``DATABASE_URL``, ``LINE_*``, ``SMTP_*``...), optionally restarting it whenever it stops (as
``make run``'s loop and compose's ``restart:`` do when it loses its database), and stops it with
SIGTERM at the end. :meth:`Worker.kill` kills the running process with SIGKILL (a crash).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BORDERWATCH = Path(sys.executable).with_name("borderwatch")


@dataclass
class Worker:
    """A supervised ``borderwatch worker``."""

    command: list[str]
    env: dict[str, str]
    logfile: Path
    restart: bool = False
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        with self._lock, self.logfile.open("ab") as out:
            self.proc = subprocess.Popen(
                self.command,
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self.starts += 1

    def supervise(self) -> None:
        """Start the worker again whenever it stops, until :meth:`stop` (1 s later, as a
        supervisor does)."""
        while not self._stop.wait(0.5):
            proc = self.proc
            if proc is not None and proc.poll() is not None and not self._stop.is_set():
                time.sleep(1.0)
                if not self._stop.is_set():
                    self.start()

    def kill(self) -> int:
        """SIGKILL the running worker process (and its group); its pid."""
        with self._lock:
            proc = self.proc
        if proc is None or proc.poll() is not None:
            raise RuntimeError("the worker is not running")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return proc.pid

    def stop(self) -> None:
        self._stop.set()
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextlib.contextmanager
def running_worker(
    env: Mapping[str, str],
    logfile: Path,
    *,
    queues: Sequence[str] = (),
    concurrency: int = 1,
    poll: float = 1.0,
    restart: bool = False,
) -> Iterator[Worker]:
    """``borderwatch worker`` running while the block runs.

    Args:
        env: added to this process's environment (``DATABASE_URL`` at least).
        logfile: where its output goes (appended).
        queues: only these queues (all when empty).
        concurrency: jobs at once.
        poll: seconds between looks for jobs when no notification came.
        restart: start it again whenever it stops (a supervisor).
    """
    command = [str(BORDERWATCH), "worker", "--poll", str(poll), "--concurrency", str(concurrency)]
    for queue in queues:
        command += ["--queue", queue]
    worker = Worker(command, {**os.environ, **env}, logfile, restart)
    worker.start()
    supervisor = None
    if restart:
        supervisor = threading.Thread(target=worker.supervise, daemon=True)
        supervisor.start()
    try:
        yield worker
    finally:
        worker.stop()
        if supervisor is not None:
            supervisor.join(timeout=5)
