"""The reference editor's and reviewers' pages (issue 22). Owned by the pages' engineer: the map
editor and the review page are built here against the JSON of :mod:`webapp.reference.api`."""

from __future__ import annotations

from webapp.reference import bp  # noqa: F401
