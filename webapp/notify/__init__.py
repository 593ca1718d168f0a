"""Notifications in the app: the bell's count (``/api/notifications/unread``, polled by
static/js/bell.js), the list (``/notifications``), an account's notification settings and LINE
link code (``/account/notifications``) and the administrators' page of deliveries that wait or
failed (``/admin/notifications``)."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from gis.notify.channels import COMPOSER_KEY, use_composer

bp = Blueprint("notify", __name__)


@bp.record_once
def give_the_worker_its_words(state: BlueprintSetupState) -> None:
    """The worker's notification task writes its messages with the app's catalogues: the
    composer, which enters the app's context, goes into the configuration it is given."""
    from webapp.notify.messages import app_composer

    state.app.config.setdefault(COMPOSER_KEY, app_composer(state.app))
    use_composer(state.app.config[COMPOSER_KEY])


from webapp.notify import admin, api, views  # noqa: E402,F401
