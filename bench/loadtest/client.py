"""HTTP load generator of ``bench/ingest.py``: sustained POSTs from keep-alive clients.

:func:`run_load` starts a few client processes (``python -m loadtest.client``, a config in JSON
on stdin, the results in JSON on stdout), each with some threads; every thread is one client
with one keep-alive connection that sends the next request as soon as the last one is answered.
Processes keep the clients off a single GIL; each request is written and read on a plain socket
(a prepared header, a small parser), so that the generator costs a fraction of what the server
spends. Every request carries a fresh idempotency key and a point drawn from a given list.

Phases, on one clock for all processes: connect, warm-up (answers counted for the accounting
only), then the measured window: requests sent in it count for the rate and the latencies.
When the window ends each client finishes the request it has sent, so that every request sent
is answered and counted.
"""

from __future__ import annotations

import json
import os
import random
import resource
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent.parent
#: Most client processes: more than the cores only adds switching.
MAX_PROCESSES = 4
#: Seconds the processes get to start and connect before the warm-up begins.
START_DELAY = 1.5
BODY = '{{"lon":{:.6f},"lat":{:.6f},"category":"{}","occurred_at":"{}","idempotency_key":"{}"}}'


@dataclass
class LoadResult:
    """What a run measured."""

    clients: int
    duration_s: float
    measured: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # every answer, warm-up included
    measured_statuses: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)  # measured window
    client_cpu_s: float = 0.0  # CPU seconds the generator's processes used, start-up included

    @property
    def rate(self) -> float:
        return self.measured / self.duration_s

    @property
    def created(self) -> int:
        return self.statuses.get("201", 0)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != "201")

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


class Connection:
    """One keep-alive HTTP/1.1 connection that sends a POST and reads its answer."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.sock: socket.socket | None = None
        self.buffer = b""

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.buffer = sock, b""
        return sock

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None

    def post(self, head: bytes, body: bytes) -> int:
        """Send one request; the answer's status code."""
        sock = self.sock or self._connect()
        sock.sendall(head + str(len(body)).encode() + b"\r\n\r\n" + body)
        while b"\r\n\r\n" not in self.buffer:
            self._read(sock)
        header, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = header.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
            elif name == b"transfer-encoding":
                raise RuntimeError("chunked answers are not expected here")
        while len(rest) < length:
            rest += self._read(sock, keep=False)
        self.buffer = rest[length:]
        if close:
            self.close()
        return status

    def _read(self, sock: socket.socket, keep: bool = True) -> bytes:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        if keep:
            self.buffer += chunk
        return chunk


def _client(config: dict[str, Any], seed: int, out: dict[str, Any], lock: threading.Lock) -> None:
    """One client: requests until the window ends; results merged into ``out``."""
    rng = random.Random(seed)
    points = config["points"]
    categories = config["categories"]
    occurred_at = config["occurred_at"]
    headers = "".join(f"{k}: {v}\r\n" for k, v in config["headers"].items())
    head = (
        f"POST {config['path']} HTTP/1.1\r\nHost: {config['host']}:{config['port']}\r\n"
        f"Content-Type: application/json\r\n{headers}Content-Length: "
    ).encode()
    conn = Connection(config["host"], config["port"])
    statuses: dict[str, int] = {}
    measured_statuses: dict[str, int] = {}
    latencies: list[float] = []
    warm_end, end = config["warm_end"], config["end"]
    clock = time.time
    try:
        conn._connect()
        time.sleep(max(0.0, config["start_at"] - clock()))
        while True:
            started = clock()
            if started >= end:
                break
            lon, lat = rng.choice(points)
            body = BODY.format(lon, lat, rng.choice(categories), occurred_at, uuid.uuid4())
            t0 = time.perf_counter()
            try:
                status = str(conn.post(head, body.encode()))
            except (OSError, ValueError, RuntimeError) as exc:
                status = f"error:{type(exc).__name__}"
                conn.close()
            elapsed = (time.perf_counter() - t0) * 1000
            statuses[status] = statuses.get(status, 0) + 1
            if started >= warm_end:
                measured_statuses[status] = measured_statuses.get(status, 0) + 1
                latencies.append(elapsed)
    finally:
        conn.close()
        with lock:
            for status, n in statuses.items():
                out["statuses"][status] = out["statuses"].get(status, 0) + n
            for status, n in measured_statuses.items():
                out["measured_statuses"][status] = out["measured_statuses"].get(status, 0) + n
            out["latencies_ms"].extend(latencies)


def worker(config: dict[str, Any]) -> dict[str, Any]:
    """Run ``config["threads"]`` clients in this process until the window ends."""
    out: dict[str, Any] = {"statuses": {}, "measured_statuses": {}, "latencies_ms": []}
    lock = threading.Lock()
    threads = [
        threading.Thread(target=_client, args=(config, config["seed"] * 1000 + i, out, lock))
        for i in range(config["threads"])
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def run_load(
    host: str,
    port: int,
    path: str,
    *,
    clients: int,
    duration: float,
    warmup: float,
    points: list[tuple[float, float]],
    categories: list[str],
    occurred_at: str,
    headers: dict[str, str] | None = None,
    seed: int = 1,
) -> LoadResult:
    """Sustained POSTs from ``clients`` keep-alive clients for ``warmup`` + ``duration`` seconds.

    Args:
        host, port, path: where to send.
        clients: concurrent clients (connections), spread over at most :data:`MAX_PROCESSES`
            processes.
        duration: seconds of the measured window.
        warmup: seconds before it.
        points: (lon, lat) pairs to draw from.
        categories: categories to draw from.
        occurred_at: the reports' ``occurred_at`` (RFC 3339).
        headers: extra request headers (cookie, CSRF token).
        seed: seed of the draws.

    Returns:
        The statuses of every answer, and the rate and latencies of the measured window.
    """
    processes = min(clients, MAX_PROCESSES)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start_at = time.time() + START_DELAY
    base = {
        "host": host,
        "port": port,
        "path": path,
        "headers": headers or {},
        "points": points,
        "categories": categories,
        "occurred_at": occurred_at,
        "start_at": start_at,
        "warm_end": start_at + warmup,
        "end": start_at + warmup + duration,
    }
    env = {**os.environ, "PYTHONPATH": str(BENCH)}
    procs = []
    for i in range(processes):
        threads = clients // processes + (1 if i < clients % processes else 0)
        config = {**base, "threads": threads, "seed": seed * 100 + i}
        proc = subprocess.Popen(
            [sys.executable, "-m", "loadtest.client"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=BENCH,
        )
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(config).encode())
        proc.stdin.close()
        procs.append(proc)
    result = LoadResult(clients=clients, duration_s=duration)
    failures = []
    for proc in procs:
        assert proc.stdout is not None
        output = proc.stdout.read()
        proc.stdout.close()
        if proc.wait() != 0:
            failures.append(proc.returncode)
            continue
        part = json.loads(output)
        for status, n in part["statuses"].items():
            result.statuses[status] = result.statuses.get(status, 0) + n
        for status, n in part["measured_statuses"].items():
            result.measured_statuses[status] = result.measured_statuses.get(status, 0) + n
        result.latencies_ms.extend(part["latencies_ms"])
    if failures:
        raise RuntimeError(f"load generator processes failed with exit codes {failures}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the clients, reaped above
    result.client_cpu_s = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    result.measured = sum(result.measured_statuses.values())
    return result


if __name__ == "__main__":
    json.dump(worker(json.load(sys.stdin)), sys.stdout)
