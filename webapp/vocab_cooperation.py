"""Labels of the cooperation register's vocabularies (``gis.types``: activity kinds, topics,
sides, participant groups, action statuses, audited records), merged into
:data:`webapp.vocab.LABELS`. Kept apart so that the register's catalogue (``cooperation.po``)
holds its own words; the ``cooperation`` context keeps them from meeting the same English word
elsewhere ("Open", "Education")."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from flask_babel import lazy_gettext, lazy_pgettext
from flask_babel.speaklater import LazyString

from gis.types import (
    ActionStatus,
    ActivityKind,
    CooperationRecord,
    CooperationTopic,
    ParticipantGroup,
    Side,
)

#: The register's item in the header's navigation (:mod:`webapp.nav`).
NAV_TITLE = lazy_gettext("Cooperation")
#: The activities' collection on the export page (:mod:`webapp.export.views`).
COLLECTION_TITLE = lazy_pgettext("collection", "Cooperation activities")

COOPERATION_LABELS: Mapping[type[enum.Enum], Mapping[enum.Enum, LazyString]] = {
    ActivityKind: {
        ActivityKind.MWCC_MEETING: lazy_pgettext("cooperation", "MWCC meeting"),
        ActivityKind.CULTURAL_EXCHANGE: lazy_pgettext("cooperation", "Cultural exchange"),
        ActivityKind.SPORTS: lazy_pgettext("cooperation", "Sports"),
        ActivityKind.EDUCATION: lazy_pgettext("cooperation", "Education"),
        ActivityKind.STUDY_VISIT: lazy_pgettext("cooperation", "Study visit across the border"),
        ActivityKind.VISIT_RECEIVED: lazy_pgettext("cooperation", "Visit received"),
        ActivityKind.JOINT_TRAINING: lazy_pgettext("cooperation", "Joint training"),
        ActivityKind.JOINT_OPERATION: lazy_pgettext(
            "cooperation", "Joint patrol or joint checkpoint operation"
        ),
        ActivityKind.OTHER: lazy_pgettext("cooperation", "Other activity"),
    },
    CooperationTopic: {
        CooperationTopic.HEALTH_CARE: lazy_pgettext("cooperation", "Health care"),
        CooperationTopic.EDUCATION: lazy_pgettext("cooperation", "Education"),
        CooperationTopic.ENVIRONMENT: lazy_pgettext("cooperation", "Environmental conservation"),
        CooperationTopic.BORDER_CROSSINGS: lazy_pgettext(
            "cooperation", "Permanent and temporary border crossings"
        ),
        CooperationTopic.DRUG_TRAFFICKING: lazy_pgettext("cooperation", "Drug trafficking"),
        CooperationTopic.ONLINE_FRAUD: lazy_pgettext("cooperation", "Online fraud"),
        CooperationTopic.ILLEGAL_IMMIGRATION: lazy_pgettext("cooperation", "Illegal immigration"),
        CooperationTopic.SMUGGLING: lazy_pgettext("cooperation", "Cross-border smuggling"),
        CooperationTopic.HUMAN_TRAFFICKING: lazy_pgettext("cooperation", "Human trafficking"),
        CooperationTopic.SEASONAL_LABOUR: lazy_pgettext("cooperation", "Seasonal labour"),
        CooperationTopic.STOLEN_VEHICLES: lazy_pgettext("cooperation", "Stolen vehicles"),
        CooperationTopic.OTHER: lazy_pgettext("cooperation", "Other topic"),
    },
    Side: {
        Side.THA: lazy_pgettext("cooperation", "Thai"),
        Side.LAO: lazy_pgettext("cooperation", "Lao"),
        Side.KHM: lazy_pgettext("cooperation", "Cambodian"),
    },
    ParticipantGroup: {
        ParticipantGroup.OFFICIALS: lazy_pgettext("cooperation", "Officials"),
        ParticipantGroup.SECURITY: lazy_pgettext("cooperation", "Security"),
        ParticipantGroup.COMMUNITY_LEADERS: lazy_pgettext(
            "cooperation", "Village headmen and community leaders"
        ),
        ParticipantGroup.RESIDENTS: lazy_pgettext("cooperation", "Residents"),
        ParticipantGroup.YOUTH: lazy_pgettext("cooperation", "Youth"),
    },
    ActionStatus: {
        ActionStatus.OPEN: lazy_pgettext("cooperation", "Open"),
        ActionStatus.IN_PROGRESS: lazy_pgettext("cooperation", "In progress"),
        ActionStatus.DONE: lazy_pgettext("cooperation", "Done"),
        ActionStatus.DROPPED: lazy_pgettext("cooperation", "Dropped"),
    },
    CooperationRecord: {
        CooperationRecord.ACTIVITY: lazy_pgettext("cooperation", "Activity"),
        CooperationRecord.ACTION_ITEM: lazy_pgettext("cooperation", "Agreement or action item"),
        CooperationRecord.ALLOCATION: lazy_pgettext("cooperation", "Budget allocation"),
        CooperationRecord.SPENDING: lazy_pgettext("cooperation", "Spending line"),
    },
}
