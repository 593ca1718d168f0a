"""What the command modules share: a committed session, progress bars and their option, and
the operator's language.

Language: what a command prints while it works (results, errors) is marked for the catalogues
(``N_``, area ``cli``) and said with :func:`say` in the language the environment names:
``BORDERWATCH_LANG``, else ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` in POSIX order (the first one
set decides); Thai when it names Thai (``th``, ``th_TH.UTF-8``), English otherwise. The app's
catalogues are used through Flask-Babel's ``force_locale`` (a command runs in an app context and
has no request). ``--help`` texts stay English.
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import click
from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session
from tqdm import tqdm

from gis.errors import BorderwatchError
from gis.text import N_
from webapp.db import database
from webapp.errors import user_message
from webapp.vocab import label

#: The environment variables that name the operator's language, the first one set deciding.
LANGUAGE_VARIABLES = ("BORDERWATCH_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def cli_language(environ: Mapping[str, str] = os.environ) -> str:
    """``th`` when the environment names Thai (:data:`LANGUAGE_VARIABLES`), else ``en``."""
    for name in LANGUAGE_VARIABLES:
        value = environ.get(name, "")
        if value:
            return "th" if value.lower().startswith("th") else "en"
    return "en"


def say(text: str, /, **values: Any) -> str:
    """``text`` (English, marked with ``N_``, ``%(name)s`` for each value) in the operator's
    language, filled with ``values``."""
    with force_locale(cli_language()):
        return gettext(text, **values)


def label_of(member: enum.Enum) -> str:
    """A vocabulary member's label (:mod:`webapp.vocab`) in the operator's language."""
    with force_locale(cli_language()):
        return label(member)


def error_text(exc: BorderwatchError, *, field: bool = False) -> str:
    """A domain error's message in the operator's language (:func:`webapp.errors.user_message`);
    with ``field``, after the name of the field (the option) it is about."""
    with force_locale(cli_language()):
        message = user_message(exc)
    if field and exc.field:
        return say(N_("%(field)s: %(message)s"), field=exc.field, message=message)
    return message


@contextmanager
def transaction() -> Iterator[Session]:
    """A session committed on success and rolled back on any error; domain errors become a
    clean ``Error: ...`` message in the operator's language and exit status 1."""
    session = database().sessionmaker()
    try:
        yield session
        session.commit()
    except BorderwatchError as exc:
        session.rollback()
        raise click.ClickException(error_text(exc)) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class Bars:
    """A tqdm progress bar on stderr per step, for loaders reporting (step, done, total).

    Steps come one after another: a new step closes the previous bar, so each step leaves one
    finished line, also when stderr is not a terminal (a log file, CI).
    """

    FORMAT = "{desc}: {percentage:3.0f}%|{bar:24}| {n_fmt}/{total_fmt} [{elapsed}]"

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.step: str | None = None
        self.bar: tqdm | None = None

    def __call__(self, step: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None or step != self.step:
            self.close()
            self.step = step
            self.bar = tqdm(
                total=total, desc=f"{step:>22}", file=sys.stderr, bar_format=self.FORMAT
            )
        self.bar.total = total
        self.bar.update(done - self.bar.n)  # redraws at most every 0.1 s

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def progress_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--progress/--no-progress", default=True, help="Show progress bars.")(f)
