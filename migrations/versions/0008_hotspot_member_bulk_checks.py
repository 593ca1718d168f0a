"""hotspot_member: statement-level integrity checks instead of per-row foreign keys, BRIN.

A hotspot run stores up to a million members in one COPY. The two foreign keys checked each row
with its own lookup and locked each referenced incident (``FOR KEY SHARE``): 2.1 s of the 3.2 s
it took to store 100,000 members (bench/hotspots.py). The same rules now hold per statement:

- an INSERT or UPDATE of members whose hotspot or incident does not exist fails with SQLSTATE
  23503 (foreign_key_violation), checked by one anti-join over the statement's new rows;
- deleting hotspots (also by deleting their run) or incidents deletes their members;
  truncating either table (also by ``TRUNCATE … CASCADE`` from ``hotspot_run``) truncates
  ``hotspot_member``.

The indexes go too. The one on ``incident_id``: inserting a run's members in incident order into
it cost 0.7 s per 100,000 members, and nothing asks "which hotspots hold this incident" often
(deleting an incident, which the application never does, scans the members once per statement).
The primary key (hotspot_id, incident_id) becomes a BRIN index on ``hotspot_id``: a run writes
its members in hotspot order, so block ranges follow hotspots and "the members of hotspot H"
stays an index scan, while a million members are stored in 1.5 s instead of 5 s (the B-tree and
its WAL). A member is unique by construction (DBSCAN puts an incident in one cluster); nothing
enforces it any more.

The hotspot engine, which inserts the hotspots and reads the incidents in the transaction that
writes their members, skips the check for its COPY (``SET LOCAL borderwatch.members_checked =
'on'``); every other writer is checked.

Unlike a foreign key, the check does not lock the incidents: an incident deleted by a concurrent
transaction between the check and the commit could leave members behind (incidents are never
deleted by the application).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = """
CREATE FUNCTION hotspot_member_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('borderwatch.members_checked', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM new_members n
               WHERE NOT EXISTS (SELECT 1 FROM hotspot h WHERE h.id = n.hotspot_id)
                  OR NOT EXISTS (SELECT 1 FROM incident i WHERE i.id = n.incident_id)) THEN
        RAISE EXCEPTION 'hotspot_member refers to a hotspot or incident that does not exist'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$
"""

CASCADE = """
CREATE FUNCTION hotspot_member_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'hotspot' THEN
        DELETE FROM hotspot_member m USING old_rows o WHERE m.hotspot_id = o.id;
    ELSE
        DELETE FROM hotspot_member m USING old_rows o WHERE m.incident_id = o.id;
    END IF;
    RETURN NULL;
END
$$
"""


TRUNCATE_MEMBERS = """
CREATE FUNCTION hotspot_member_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE hotspot_member;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.drop_constraint("fk_hotspot_member_hotspot_id_hotspot", "hotspot_member", type_="foreignkey")
    op.drop_constraint(
        "fk_hotspot_member_incident_id_incident", "hotspot_member", type_="foreignkey"
    )
    op.drop_index("ix_hotspot_member_incident_id", table_name="hotspot_member")
    op.drop_constraint("pk_hotspot_member", "hotspot_member", type_="primary")
    op.create_index(
        "ix_hotspot_member_hotspot_id", "hotspot_member", ["hotspot_id"], postgresql_using="brin"
    )
    op.execute(CHECK)
    op.execute(CASCADE)
    op.execute(TRUNCATE_MEMBERS)
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER hotspot_member_check_{event.lower()} AFTER {event} ON hotspot_member "
            "REFERENCING NEW TABLE AS new_members FOR EACH STATEMENT "
            "EXECUTE FUNCTION hotspot_member_check()"
        )
    for table in ("hotspot", "incident"):
        op.execute(
            f"CREATE TRIGGER {table}_member_cascade AFTER DELETE ON {table} "
            "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
            "EXECUTE FUNCTION hotspot_member_cascade()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_member_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION hotspot_member_truncate()"
        )


def downgrade() -> None:
    for table in ("hotspot", "incident"):
        op.execute(f"DROP TRIGGER {table}_member_cascade ON {table}")
        op.execute(f"DROP TRIGGER {table}_member_truncate ON {table}")
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER hotspot_member_check_{event} ON hotspot_member")
    op.execute("DROP FUNCTION hotspot_member_truncate()")
    op.execute("DROP FUNCTION hotspot_member_cascade()")
    op.execute("DROP FUNCTION hotspot_member_check()")
    op.execute(
        "DELETE FROM hotspot_member m WHERE NOT EXISTS "
        "(SELECT 1 FROM hotspot h WHERE h.id = m.hotspot_id) OR NOT EXISTS "
        "(SELECT 1 FROM incident i WHERE i.id = m.incident_id)"
    )
    op.drop_index("ix_hotspot_member_hotspot_id", table_name="hotspot_member")
    op.execute(
        "DELETE FROM hotspot_member a USING hotspot_member b WHERE a.ctid > b.ctid "
        "AND a.hotspot_id = b.hotspot_id AND a.incident_id = b.incident_id"
    )
    op.create_primary_key("pk_hotspot_member", "hotspot_member", ["hotspot_id", "incident_id"])
    op.create_index("ix_hotspot_member_incident_id", "hotspot_member", ["incident_id"])
    op.create_foreign_key(
        "fk_hotspot_member_hotspot_id_hotspot",
        "hotspot_member",
        "hotspot",
        ["hotspot_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        "fk_hotspot_member_incident_id_incident",
        "hotspot_member",
        "incident",
        ["incident_id"],
        ["id"],
        ondelete="CASCADE",
    )
