"""What the command modules share: a committed session, progress bars and their option."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy.orm import Session
from tqdm import tqdm

from gis.errors import BorderwatchError
from webapp.db import database


@contextmanager
def transaction() -> Iterator[Session]:
    """A session committed on success and rolled back on any error; domain errors become a
    clean ``Error: ...`` message and exit status 1."""
    session = database().sessionmaker()
    try:
        yield session
        session.commit()
    except BorderwatchError as exc:
        session.rollback()
        raise click.ClickException(exc.message) from exc
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
