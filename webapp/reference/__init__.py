"""Reference editing (issue 22): districts keep their checkpoints, coordination centres, natural
crossings and flagged border stretches true, with review and history. JSON in api.py (the
contract: docs/api.md), the editor's and reviewers' pages in pages.py."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from gis.reference.editing.changes import parse_reviewers

bp = Blueprint("reference", __name__)


@bp.record_once
def check_reviewers(state: BlueprintSetupState) -> None:
    """``REFERENCE_REVIEWERS`` is ``admin`` or ``province``: another value stops the app at
    start rather than at the first review."""
    parse_reviewers(state.app.config.get("REFERENCE_REVIEWERS"))


from webapp.reference import api, pages  # noqa: E402,F401
