"""Idempotent writes: insert new rows, update changed ones, leave equal rows untouched."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, literal_column, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from gis.db import Base


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.inserted + self.updated


def upsert_rows(
    session: Session,
    model: type[Base],
    key: str,
    rows: Sequence[dict[str, Any]],
    counts: Counts,
    insert_only: Sequence[str] = (),
    progress: Callable[[str, int, int], None] | None = None,
) -> list[int]:
    """Upsert ``rows`` on the unique column ``key``.

    A row whose values all equal the stored ones is not written at all (no new row version),
    so running the same load twice changes nothing. Columns in ``insert_only`` are written on
    insert and never overwritten (decisions that administrators own).

    Args:
        session: open session; the caller commits.
        model: mapped class of the target table.
        key: name of a unique column.
        rows: column values per row.
        counts: updated in place.
        insert_only: columns never updated.
        progress: optional ``(table, done, total)`` callback.

    Returns:
        The ``id`` of every inserted or updated row, in input order (unchanged rows omitted).
    """
    table: Table = model.__table__  # type: ignore[assignment]
    ids: list[int] = []
    for i, values in enumerate(rows, 1):
        insert = pg_insert(table).values(**values)
        updatable = [c for c in values if c != key and c not in insert_only]
        stmt = insert.on_conflict_do_update(
            index_elements=[key],
            set_={c: insert.excluded[c] for c in updatable},
            where=tuple_(*(table.c[c] for c in updatable)).is_distinct_from(
                tuple_(*(insert.excluded[c] for c in updatable))
            ),
        ).returning(table.c.id, literal_column("xmax = 0").label("inserted"))
        result = session.execute(stmt).first()
        if result is None:
            counts.unchanged += 1
        else:
            ids.append(result.id)
            if result.inserted:
                counts.inserted += 1
            else:
                counts.updated += 1
        if progress:
            progress(table.name, i, len(rows))
    return ids
