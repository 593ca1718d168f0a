"""Reference editing (issue 22): districts keep their checkpoints, coordination centres, natural
crossings and flagged border stretches true, with review and history. JSON in api.py (the
contract: docs/api.md), the editor's and reviewers' pages in pages.py."""

from flask import Blueprint

bp = Blueprint("reference", __name__)

from webapp.reference import api, pages  # noqa: E402,F401
