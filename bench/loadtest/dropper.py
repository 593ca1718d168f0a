"""The soak harness's app (``bench/soak.py``): borderwatch with a test-only fault.

:class:`DropAfterCommit` wraps the WSGI app and, for a share of the ``POST /api/incidents``
requests that the app answered with 200 or 201 (so after the report was committed), shuts the
client's socket down instead of answering: the client sees the connection close with no answer,
exactly as when a weak rural link drops the reply, and must retry the same idempotency key.
It lives here, not in the app: only the harness serves it.

Served by gunicorn as ``loadtest.dropper:app()`` (``--pythonpath bench``); the share comes from
``SOAK_DROP_RATE`` (default 0.01) and each worker writes how many answers it dropped to
``SOAK_DROP_LOG`` (one line per drop), so that the harness can report it.
"""

from __future__ import annotations

import os
import random
import socket
from collections.abc import Callable, Iterable
from typing import Any


class DropAfterCommit:
    def __init__(self, app: Any, rate: float, log_path: str | None = None) -> None:
        self.app = app
        self.rate = rate
        self.log_path = log_path
        self.random = random.Random()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if not (
            environ.get("REQUEST_METHOD") == "POST"
            and environ.get("PATH_INFO") == "/api/incidents"
            and self.random.random() < self.rate
        ):
            return self.app(environ, start_response)
        answer: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer["status"], answer["headers"] = status, headers
            return lambda _data: None

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        client = environ.get("gunicorn.socket")
        if answer["status"][:3] in ("200", "201") and client is not None:
            client.shutdown(socket.SHUT_RDWR)  # committed, and the answer never arrives
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as log:
                    log.write(f"{os.getpid()}\n")
        start_response(answer["status"], answer["headers"])
        return [body]


def app() -> DropAfterCommit:
    from webapp import create_app

    return DropAfterCommit(
        create_app(),
        float(os.environ.get("SOAK_DROP_RATE", "0.01")),
        os.environ.get("SOAK_DROP_LOG"),
    )
