"""The words people read for the values of each vocabulary (``gis.types``), in their language.

A vocabulary's value (``drug_trafficking``) is what the database and the API keep; people read
its label (``Drug trafficking`` / ``ค้ามยาเสพติด``). Every page, script configuration, printout and
message takes labels from here: :func:`label` for one value (Jinja: ``{{ item.status | label }}``)
and :func:`labels` for a whole vocabulary in its order (selects, JSON handed to scripts).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_babel.speaklater import LazyString

from gis.incidents.public import PublicState
from gis.types import (
    AccountChangeKind,
    Agency,
    AreaLevel,
    BoundaryKind,
    Channel,
    CheckpointKind,
    CheckpointStatus,
    Demarcation,
    IncidentCategory,
    IncidentStatus,
    Neighbour,
    PatrolUnit,
    RiskLevel,
    Role,
    RunStatus,
    StopOutcome,
)
from webapp.vocab_cooperation import COOPERATION_LABELS
from webapp.vocab_notify import NOTIFY_LABELS
from webapp.vocab_reference import REFERENCE_LABELS

#: Label of every value of every vocabulary people read.
LABELS: Mapping[type[enum.Enum], Mapping[enum.Enum, LazyString]] = {
    IncidentCategory: {
        IncidentCategory.DRUG_TRAFFICKING: _l("Drug trafficking"),
        IncidentCategory.HUMAN_TRAFFICKING: _l("Human trafficking"),
        IncidentCategory.ILLEGAL_ENTRY: _l("Illegal entry"),
        IncidentCategory.SMUGGLING: _l("Smuggling of goods"),
        IncidentCategory.VEHICLE_THEFT: _l("Vehicle theft or stolen goods across the border"),
        IncidentCategory.ONLINE_FRAUD: _l("Online fraud"),
        IncidentCategory.OTHER: _l("Other"),
    },
    IncidentStatus: {
        IncidentStatus.NEW: _l("New"),
        IncidentStatus.VERIFIED: _l("Verified"),
        IncidentStatus.REJECTED: _l("Rejected"),
        IncidentStatus.DUPLICATE: _l("Duplicate"),
        IncidentStatus.REFERRED: _l("Referred"),
        IncidentStatus.CLOSED: _l("Closed"),
    },
    Agency: {
        Agency.POLICE: _l("Provincial police"),
        Agency.CUSTOMS: _l("Customs"),
        Agency.IMMIGRATION: _l("Immigration"),
        Agency.BORDER_PATROL_POLICE: _l("Border Patrol Police"),
        Agency.ANTI_TRAFFICKING: _l("Anti-human-trafficking division"),
        Agency.HEALTH: _l("Public health"),
        Agency.COUNTERPART_AUTHORITY: _l("Counterpart authority across the border"),
    },
    Channel: {
        Channel.MWCC_WALK_IN: _l("Walk-in at the MWCC"),
        Channel.ONLINE_PUBLIC: _l("Public online report"),
        Channel.OFFICER_APP: _l("Officer's app"),
        Channel.PATROL: _l("Patrol"),
        Channel.HOTLINE: _l("Hotline"),
        Channel.LINE: _l("LINE chat"),
    },
    Role: {
        Role.ADMINISTRATOR: _l("Administrator"),
        Role.HQ_ANALYST: _l("HQ analyst"),
        Role.PATROL_PLANNER: _l("Patrol planner"),
        Role.COORDINATOR: _l("MWCC coordinator"),
        Role.OFFICER: _l("District officer"),
        Role.VOLUNTEER: _l("Village security volunteer"),
    },
    PatrolUnit: {
        PatrolUnit.VILLAGE_SECURITY_VOLUNTEERS: _l("Village security volunteers"),
        PatrolUnit.POLICE: _l("Police"),
        PatrolUnit.BORDER_PATROL_POLICE: _l("Border Patrol Police"),
        PatrolUnit.JOINT_PATROL: _l("Joint patrol with the counterpart across the border"),
    },
    StopOutcome: {
        StopOutcome.VISITED: _l("Visited"),
        StopOutcome.NOTHING_FOUND: _l("Nothing found"),
        StopOutcome.INCIDENT_FOUND: _l("Incident found"),
    },
    RunStatus: {
        RunStatus.QUEUED: _l("Queued"),
        RunStatus.RUNNING: _l("Running"),
        RunStatus.DONE: _l("Finished"),
        RunStatus.FAILED: _l("Failed"),
    },
    CheckpointKind: {
        CheckpointKind.PERMANENT_CROSSING: _l("Permanent border crossing"),
        CheckpointKind.BORDER_TRADE_CHECKPOINT: _l("Border trade checkpoint"),
        CheckpointKind.TEMPORARY_CROSSING: _l("Temporary crossing point"),
        CheckpointKind.JOINT_INSPECTION_CHECKPOINT: _l("Joint inspection checkpoint"),
    },
    CheckpointStatus: {
        CheckpointStatus.UNKNOWN: _l("Status unknown"),
        CheckpointStatus.OPEN: lazy_pgettext("checkpoint", "Open"),
        CheckpointStatus.RESTRICTED: _l("Restricted"),
        CheckpointStatus.CLOSED: lazy_pgettext("checkpoint", "Closed"),
    },
    RiskLevel: {
        RiskLevel.LOW: _l("Low risk"),
        RiskLevel.MEDIUM: _l("Medium risk"),
        RiskLevel.HIGH: _l("High risk"),
    },
    Neighbour: {
        Neighbour.LAO: _l("Lao PDR"),
        Neighbour.KHM: _l("Cambodia"),
    },
    BoundaryKind: {
        BoundaryKind.MEKONG_RIVER: _l("Mekong river"),
        BoundaryKind.LAND_OR_OTHER_RIVER: _l("Land or other river"),
    },
    Demarcation: {
        Demarcation.UNKNOWN: _l("Demarcation unknown"),
        Demarcation.DEMARCATED: _l("Demarcated"),
        Demarcation.UNMARKED: _l("Unmarked or undemarcated"),
    },
    AreaLevel: {
        AreaLevel.DISTRICT: _l("District"),
        AreaLevel.PROVINCE: _l("Province"),
    },
    AccountChangeKind: {
        AccountChangeKind.CREATED: _l("Account created"),
        AccountChangeKind.ROLE: _l("Role changed"),
        AccountChangeKind.SCOPE: _l("Area changed"),
        AccountChangeKind.ACTIVE: _l("Enabled or disabled"),
        AccountChangeKind.PASSWORD_CHANGED: _l("Password changed"),
        AccountChangeKind.PASSWORD_RESET: _l("Password reset"),
        AccountChangeKind.TOKEN_MADE: _l("API token made"),
        AccountChangeKind.TOKEN_REVOKED: _l("API token revoked"),
    },
    PublicState: {
        PublicState.RECEIVED: _l("Received"),
        PublicState.IN_PROGRESS: _l("Being handled"),
        PublicState.CLOSED: _l("Closed"),
    },
    **COOPERATION_LABELS,
    **NOTIFY_LABELS,
    **REFERENCE_LABELS,
}


def label(value: enum.Enum | str | None, vocabulary: type[enum.Enum] | None = None) -> str:
    """What people read for ``value`` of a vocabulary, in the request's language.

    ``value`` is a member, or a stored string with its ``vocabulary`` named. ``None`` reads "–";
    a value with no label is shown as stored (a test checks that every value has one).
    """
    if value is None:
        return "–"
    if not isinstance(value, enum.Enum):
        if vocabulary is None:
            return str(value)
        try:
            value = vocabulary(value)
        except ValueError:
            return str(value)
    found = LABELS.get(type(value), {}).get(value)
    return str(found) if found is not None else str(value.value)


def labels(vocabulary: type[enum.Enum]) -> list[tuple[str, str]]:
    """``[(value, label), ...]`` of a whole vocabulary in its order, in the request's language."""
    return [(str(member.value), label(member)) for member in vocabulary]


def init_app(app: Flask) -> None:
    """The ``label`` filter and ``labels`` in every template."""
    app.add_template_filter(label, "label")
    app.add_template_global(labels, "labels")
