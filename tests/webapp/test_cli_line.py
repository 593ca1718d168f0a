"""``borderwatch line test``: a push through the channel to the stand-in; a bad user id, a
missing token and a refusal are errors that name what is wrong and never the token."""

from __future__ import annotations

import pytest

from gis.line import LineSettings
from tests.support.line_standin import LineStandin
from webapp.cli.line import line_group
from webapp.line import EXTENSION

USER = "U" + "e" * 32


@pytest.fixture
def standin():
    with LineStandin("cli-token") as server:
        yield server


def run(app, *args):
    return app.test_cli_runner().invoke(line_group, ["test", *args])


def test_a_test_message_is_pushed(app, standin):
    app.extensions[EXTENSION] = LineSettings("s", "cli-token", standin.url)
    result = run(app, "--to", USER)
    assert result.exit_code == 0, result.output
    assert standin.recorded.pushes[0]["to"] == USER
    assert "borderwatch" in standin.pushed_texts(USER)[0]
    assert standin.url in result.output


def test_a_bad_user_id_is_refused(app, standin):
    app.extensions[EXTENSION] = LineSettings("s", "cli-token", standin.url)
    result = run(app, "--to", "someone")
    assert result.exit_code == 2 and "--to" in result.output
    assert standin.recorded.pushes == []


def test_no_token_is_an_error(app):
    app.extensions[EXTENSION] = LineSettings()
    result = run(app, "--to", USER)
    assert result.exit_code == 1 and "LINE_CHANNEL_ACCESS_TOKEN" in result.output


def test_a_refusal_is_an_error_without_the_token(app, standin):
    app.extensions[EXTENSION] = LineSettings("s", "wrong-token", standin.url)
    result = run(app, "--to", USER)
    assert result.exit_code == 1 and "401" in result.output
    assert "wrong-token" not in result.output
