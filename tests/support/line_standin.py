"""A stand-in of the LINE Messaging API on 127.0.0.1, for tests and local runs.

The real SDK talks to it (``LINE_API_URL=http://127.0.0.1:PORT``) and
:class:`gis.line.content.HostContent` reads its content. It checks the bearer token,
records pushes and replies, answers profiles (with a language) and serves message content, and
can be made to fail: :meth:`LineStandin.fail` answers the next requests with an error status,
:meth:`LineStandin.down` closes the port for a while. A push with an ``X-Line-Retry-Key`` seen
before is answered 409, as LINE does.

Run it for ``make run``'s demo::

    .venv/bin/python -m tests.support.line_standin --port 8071 --token demo-token

and start the app with ``LINE_API_URL=http://127.0.0.1:8071`` and
``LINE_CHANNEL_ACCESS_TOKEN=demo-token``; what the app sends is printed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PUSH = "/v2/bot/message/push"
REPLY = "/v2/bot/message/reply"
PROFILE = re.compile(r"/v2/bot/profile/(U[0-9a-f]{32})")
CONTENT = re.compile(r"/v2/bot/message/([0-9A-Za-z]+)/content")


def sign(secret: str, body: bytes) -> str:
    """The ``X-Line-Signature`` LINE sends with ``body``: base64 of its HMAC-SHA256."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass
class Recorded:
    """What the stand-in was sent (each list in arrival order)."""

    pushes: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)


class LineStandin:
    """The stand-in server. Use as a context manager, or :meth:`start` and :meth:`stop`.

    Args:
        access_token: the bearer token it accepts.
        port: the port (0: any free one).
    """

    def __init__(self, access_token: str = "standin-token", port: int = 0, echo: bool = False):
        self.access_token = access_token
        self.recorded = Recorded()
        self.profiles: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}
        self.echo = echo
        self._failures: list[int] = []
        self._retry_keys: set[str] = set()
        #: retry keys of pushes sent again and answered 409 (taken once)
        self.repeats: list[str] = []
        self._lock = threading.Lock()
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- the server -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> LineStandin:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                standin._handle(self, "GET")

            def do_POST(self) -> None:
                standin._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._server.daemon_threads = True
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LineStandin:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # --- what tests set and read ------------------------------------------------------------

    def fail(self, status: int = 500, times: int = 1) -> None:
        """Answer the next ``times`` requests with ``status``."""
        with self._lock:
            self._failures.extend([status] * times)

    @contextmanager
    def down(self):
        """The port closed while the block runs (no answer at all), open again after it."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    def set_profile(self, user_id: str, language: str | None = "th", name: str = "ผู้ใช้") -> None:
        self.profiles[user_id] = {"userId": user_id, "displayName": name, "language": language}

    def pushed_texts(self, user_id: str | None = None) -> list[str]:
        """The texts of the pushes (to ``user_id``), in order."""
        with self._lock:
            pushes = list(self.recorded.pushes)
        return [
            m.get("text", "")
            for p in pushes
            if user_id is None or p["to"] == user_id
            for m in p["messages"]
        ]

    def replies(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.recorded.replies)

    def clear(self) -> None:
        with self._lock:
            self.recorded = Recorded()

    # --- handling ---------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return _answer(request, 401, {"message": "Authentication failed"})
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            return _answer(request, failure, {"message": "stand-in failure"})
        path = request.path.split("?", 1)[0]
        if method == "POST" and path in (PUSH, REPLY):
            length = int(request.headers.get("Content-Length") or 0)
            body = json.loads(request.rfile.read(length) or b"{}")
            return self._message(request, path, body)
        if method == "GET" and (match := PROFILE.fullmatch(path)):
            profile = self.profiles.get(match[1])
            if profile is None:
                return _answer(request, 404, {"message": "Not found"})
            return _answer(request, 200, profile)
        if method == "GET" and (match := CONTENT.fullmatch(path)):
            data = self.contents.get(match[1])
            if data is None:
                return _answer(request, 404, {"message": "Not found"})
            request.send_response(200)
            request.send_header("Content-Type", "image/jpeg")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
            return None
        return _answer(request, 404, {"message": "Not found"})

    def _message(self, request: BaseHTTPRequestHandler, path: str, body: dict[str, Any]) -> None:
        messages = body.get("messages") or []
        if not 1 <= len(messages) <= 5:
            return _answer(request, 400, {"message": "The request body has 1 error(s)"})
        key = request.headers.get("X-Line-Retry-Key")
        with self._lock:
            if path == PUSH:
                if key is not None and key in self._retry_keys:
                    self.repeats.append(key)
                    return _answer(request, 409, {"message": "The retry key is already accepted"})
                if key is not None:
                    self._retry_keys.add(key)
                self.recorded.pushes.append(
                    {"to": body.get("to"), "messages": messages, "retry_key": key}
                )
            else:
                self.recorded.replies.append(
                    {"replyToken": body.get("replyToken"), "messages": messages}
                )
        if self.echo:
            print(path, json.dumps(body, ensure_ascii=False), flush=True)
        sent = [{"id": str(int(time.time() * 1000)), "quoteToken": uuid.uuid4().hex}]
        return _answer(request, 200, {"sentMessages": sent * len(messages)})


def _answer(request: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)


def main() -> None:
    parser = argparse.ArgumentParser(description="A LINE Messaging API stand-in on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8071)
    parser.add_argument("--token", default="demo-token")
    args = parser.parse_args()
    standin = LineStandin(args.token, args.port, echo=True).start()
    print(f"LINE stand-in at {standin.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        standin.stop()


if __name__ == "__main__":
    main()
