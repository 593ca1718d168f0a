"""The state of a replica: whether a session's server is a standby, and how far it lags.

The app reads the map layers, the OGC API, exports and the dashboard from ``DATABASE_REPLICA_URL``
when it is set (``webapp.db.get_read_session``); ``/healthz`` shows this state for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

#: On a standby: the WAL received but not replayed yet (bytes), and the age of the last replayed
#: transaction when some received WAL is still to be replayed (0 when it has caught up: an idle
#: primary sends nothing, and the last transaction's age says nothing of the lag then).
_STATE = text(
    """
    SELECT pg_is_in_recovery() AS standby,
           CASE WHEN NOT pg_is_in_recovery() THEN NULL
                WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn()
                THEN 0.0
                ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())
           END AS lag_s,
           CASE WHEN pg_is_in_recovery()
                THEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())
           END AS lag_bytes
    """
)


@dataclass(frozen=True)
class ReplicaState:
    """Where a replica session reads from."""

    #: The server is a standby (``False``: libpq fell back to the primary).
    standby: bool
    #: Seconds behind the primary (0 when it has replayed all it received); ``None`` on a primary.
    lag_s: float | None
    #: WAL received and not yet replayed, in bytes; ``None`` on a primary.
    lag_bytes: int | None


def replica_state(session: Session) -> ReplicaState:
    """The replica state of ``session``'s server.

    Args:
        session: a session on the replica (or on any server).

    Returns:
        Whether it is a standby and its lag.
    """
    row = session.execute(_STATE).one()
    lag_s = None if row.lag_s is None else max(0.0, round(float(row.lag_s), 3))
    lag_bytes = None if row.lag_bytes is None else int(row.lag_bytes)
    return ReplicaState(standby=bool(row.standby), lag_s=lag_s, lag_bytes=lag_bytes)
