"""JSON API of reference editing (issue 22); its routes are described in docs/api.md."""

from __future__ import annotations

from webapp.reference import bp  # noqa: F401
