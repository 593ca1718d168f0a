"""Labels of the reference editing's vocabularies (``gis.types``: how well a position is known,
a crossing's season and what crosses there, the kinds of feature, a change's action and status),
merged into :data:`webapp.vocab.LABELS`; their words are in the reference catalogue
(``reference.po``)."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from flask_babel import lazy_gettext, lazy_pgettext
from flask_babel.speaklater import LazyString

from gis.types import (
    ChangeAction,
    ChangeStatus,
    CrossingSeason,
    CrossingUse,
    Precision,
    ReferenceFeature,
)

REFERENCE_LABELS: Mapping[type[enum.Enum], Mapping[enum.Enum, LazyString]] = {
    Precision: {
        Precision.SURVEYED: lazy_gettext("Surveyed on site"),
        Precision.IMAGERY: lazy_gettext("From imagery"),
        Precision.APPROXIMATE: lazy_pgettext("precision", "Approximate"),
    },
    CrossingSeason: {
        CrossingSeason.DRY_ONLY: lazy_gettext("Dry season only"),
        CrossingSeason.ALL_YEAR: lazy_gettext("All year"),
    },
    CrossingUse: {
        CrossingUse.PEOPLE: lazy_pgettext("crosses", "People"),
        CrossingUse.GOODS: lazy_pgettext("crosses", "Goods"),
        CrossingUse.VEHICLES: lazy_pgettext("crosses", "Vehicles"),
        CrossingUse.LIVESTOCK: lazy_pgettext("crosses", "Livestock"),
    },
    ReferenceFeature: {
        ReferenceFeature.CHECKPOINT: lazy_pgettext("feature", "Checkpoint"),
        ReferenceFeature.CENTRE: lazy_pgettext("feature", "Coordination centre"),
        ReferenceFeature.CROSSING: lazy_pgettext("feature", "Natural crossing"),
        ReferenceFeature.STRETCH: lazy_gettext("Flagged border stretch"),
    },
    ChangeAction: {
        ChangeAction.CREATE: lazy_gettext("New feature"),
        ChangeAction.UPDATE: lazy_gettext("Change"),
        ChangeAction.RETIRE: lazy_gettext("Retired"),
        ChangeAction.RESTORE: lazy_gettext("Earlier version restored"),
        ChangeAction.IMPORTED: lazy_gettext("As imported"),
    },
    ChangeStatus: {
        ChangeStatus.PROPOSED: lazy_gettext("Waiting for review"),
        ChangeStatus.ACCEPTED: lazy_pgettext("change", "Accepted"),
        ChangeStatus.REJECTED: lazy_pgettext("change", "Rejected"),
    },
}
