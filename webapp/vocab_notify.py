"""Labels of the notifications' vocabularies (``gis.types``: what a notification tells, its
channel, where its delivery stands), merged into :data:`webapp.vocab.LABELS`; their words are
in the notifications' catalogue (``notify.po``)."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from flask_babel import lazy_gettext, lazy_pgettext
from flask_babel.speaklater import LazyString

from gis.types import DeliveryStatus, NotifyChannel, NotifyKind

NOTIFY_LABELS: Mapping[type[enum.Enum], Mapping[enum.Enum, LazyString]] = {
    NotifyKind: {
        NotifyKind.NEW_REPORT: lazy_gettext("New report in the district"),
        NotifyKind.REPORT_WAITING: lazy_gettext("Report waiting over 48 hours"),
        NotifyKind.STATUS_CHANGE: lazy_gettext("Status of my report changed"),
        NotifyKind.CITIZEN_STATUS: lazy_gettext("Status update to the citizen"),
        NotifyKind.PATROL_PLAN: lazy_gettext("Patrol plan for my unit"),
        NotifyKind.ACTION_OVERDUE: lazy_gettext("Overdue cooperation action item"),
    },
    NotifyChannel: {
        NotifyChannel.IN_APP: lazy_gettext("In the app"),
        NotifyChannel.EMAIL: lazy_gettext("E-mail"),
        NotifyChannel.LINE: lazy_pgettext("channel", "LINE"),
    },
    DeliveryStatus: {
        DeliveryStatus.WAITING: lazy_pgettext("delivery", "Waiting"),
        DeliveryStatus.SENT: lazy_pgettext("delivery", "Sent"),
        DeliveryStatus.FAILED: lazy_pgettext("delivery", "Failed"),
    },
}
