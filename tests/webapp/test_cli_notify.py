"""``borderwatch notify test``: a test e-mail through the SMTP settings of the environment to a
local SMTP server; refused without settings or with an address of another channel."""

from __future__ import annotations

import pytest

from tests.gis.notify.smtp import SmtpServer
from webapp.cli.notify import notify_group

pytestmark = pytest.mark.db


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def test_a_test_email_goes_through_the_configured_server(app, smtp, monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("SMTP_FROM", "bw@example.org")
    result = app.test_cli_runner().invoke(
        notify_group, ["test", "--channel", "email", "--to", "coord@example.org"]
    )
    assert result.exit_code == 0, result.output
    (mail,) = smtp.inbox.messages
    assert smtp.inbox.recipients == [["coord@example.org"]]
    assert mail["From"] == "bw@example.org"


def test_without_settings_or_with_a_wrong_address_it_is_refused(app, monkeypatch):
    for key in ("SMTP_HOST", "LINE_CHANNEL_ACCESS_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    runner = app.test_cli_runner()
    result = runner.invoke(notify_group, ["test", "--channel", "email", "--to", "a@example.org"])
    assert result.exit_code != 0
    result = runner.invoke(notify_group, ["test", "--channel", "line", "--to", "a@example.org"])
    assert result.exit_code == 2 and "--to" in result.output
