"""HQ export: streamed GeoJSON, CSV and GeoPackage, OGC API - Features, personal API tokens."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from gis.export.words import use_words

bp = Blueprint("export", __name__)


@bp.record_once
def give_the_worker_its_words(state: BlueprintSetupState) -> None:
    """The worker writes an export job's KML and Shapefile in the language of the account
    that asked for it, with the app's catalogues (:func:`webapp.export.words.app_words`)."""
    from webapp.export.views import TITLES
    from webapp.export.words import app_words

    use_words(app_words(state.app, TITLES))


from webapp.export import (  # noqa: E402,F401
    api,
    auth,
    errors,
    job_page,
    jobs,
    ogcapi,
    openapi,
    tokens,
    views,
)
