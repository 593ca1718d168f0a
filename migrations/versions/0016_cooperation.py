"""The cooperation register (issue 17): activities with the parallel areas, their areas,
topics and participant counts, agreements and action items, budget allocations per district and
Thai fiscal year, spending lines, and the cooperation_change record of every change.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "budget_allocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.SmallInteger(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_budget_allocation_amount")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_budget_allocation_dates")),
        sa.CheckConstraint(
            "starts_on >= make_date(fiscal_year - 544, 10, 1) AND ends_on <= make_date(fiscal_year - 543, 9, 30)",
            name=op.f("ck_budget_allocation_within_fiscal_year"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_budget_allocation_created_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_budget_allocation_district_id_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_allocation")),
    )
    op.create_index(
        "ix_budget_allocation_district_year",
        "budget_allocation",
        ["district_id", "fiscal_year"],
        unique=False,
    )
    op.create_geospatial_table(
        "cooperation_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "mwcc_meeting",
                "cultural_exchange",
                "sports",
                "education",
                "study_visit",
                "visit_received",
                "joint_training",
                "joint_operation",
                "other",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("other_areas", sa.Text(), nullable=True),
        sa.Column("organisers", sa.Text(), nullable=True),
        sa.Column("partners", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "char_length(title) BETWEEN 1 AND 200", name=op.f("ck_cooperation_activity_title")
        ),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_cooperation_activity_dates")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_cooperation_activity_created_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["district.id"],
            name=op.f("fk_cooperation_activity_district_id_district"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cooperation_activity")),
    )
    op.create_geospatial_index(
        "idx_cooperation_activity_geom",
        "cooperation_activity",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        "ix_cooperation_activity_district_starts",
        "cooperation_activity",
        ["district_id", "starts_on"],
        unique=False,
    )
    op.create_table(
        "cooperation_change",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column(
            "record",
            sa.Enum(
                "activity",
                "action_item",
                "allocation",
                "spending",
                name="record",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("old_value", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("new_value", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_id"], ["app_user.id"], name=op.f("fk_cooperation_change_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["district.id"],
            name=op.f("fk_cooperation_change_district_id_district"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cooperation_change")),
    )
    op.create_index(
        "ix_cooperation_change_district_at",
        "cooperation_change",
        ["district_id", "at"],
        unique=False,
    )
    op.create_index(
        "ix_cooperation_change_record", "cooperation_change", ["record", "record_id"], unique=False
    )
    op.create_table(
        "cooperation_activity_area",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("parallel_area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["cooperation_activity.id"],
            name=op.f("fk_cooperation_activity_area_activity_id_cooperation_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parallel_area_id"],
            ["parallel_area.id"],
            name=op.f("fk_cooperation_activity_area_parallel_area_id_parallel_area"),
        ),
        sa.PrimaryKeyConstraint(
            "activity_id", "parallel_area_id", name=op.f("pk_cooperation_activity_area")
        ),
    )
    op.create_index(
        op.f("ix_cooperation_activity_area_parallel_area_id"),
        "cooperation_activity_area",
        ["parallel_area_id"],
        unique=False,
    )
    op.create_table(
        "cooperation_activity_topic",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column(
            "topic",
            sa.Enum(
                "health_care",
                "education",
                "environment",
                "border_crossings",
                "drug_trafficking",
                "online_fraud",
                "illegal_immigration",
                "smuggling",
                "human_trafficking",
                "seasonal_labour",
                "stolen_vehicles",
                "other",
                name="topic",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["cooperation_activity.id"],
            name=op.f("fk_cooperation_activity_topic_activity_id_cooperation_activity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", "topic", name=op.f("pk_cooperation_activity_topic")),
    )
    op.create_table(
        "cooperation_participants",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column(
            "side",
            sa.Enum(
                "THA",
                "LAO",
                "KHM",
                name="side",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "group",
            sa.Enum(
                "officials",
                "security",
                "community_leaders",
                "residents",
                "youth",
                name="group",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("women", sa.Integer(), nullable=False),
        sa.CheckConstraint("total >= 0", name=op.f("ck_cooperation_participants_total")),
        sa.CheckConstraint(
            "women >= 0 AND women <= total", name=op.f("ck_cooperation_participants_women")
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["cooperation_activity.id"],
            name=op.f("fk_cooperation_participants_activity_id_cooperation_activity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "activity_id", "side", "group", name=op.f("pk_cooperation_participants")
        ),
    )
    op.create_table(
        "spending_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("allocation_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("spent_on", sa.Date(), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("overspend_reason", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_spending_line_amount")),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["cooperation_activity.id"],
            name=op.f("fk_spending_line_activity_id_cooperation_activity"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["allocation_id"],
            ["budget_allocation.id"],
            name=op.f("fk_spending_line_allocation_id_budget_allocation"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_spending_line_created_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spending_line")),
    )
    op.create_index(
        op.f("ix_spending_line_activity_id"), "spending_line", ["activity_id"], unique=False
    )
    op.create_index(
        op.f("ix_spending_line_allocation_id"), "spending_line", ["allocation_id"], unique=False
    )
    op.create_table(
        "cooperation_action_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "owner_side",
            sa.Enum(
                "THA",
                "LAO",
                "KHM",
                name="owner_side",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("owner_agency", sa.String(length=200), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "in_progress",
                "done",
                "dropped",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            server_default="open",
            nullable=False,
        ),
        sa.Column("incident_id", sa.BigInteger(), nullable=True),
        sa.Column("hotspot_id", sa.Integer(), nullable=True),
        sa.Column("natural_crossing_id", sa.Integer(), nullable=True),
        sa.Column("checkpoint_id", sa.Integer(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "char_length(text) BETWEEN 1 AND 2000", name=op.f("ck_cooperation_action_item_text")
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["cooperation_activity.id"],
            name=op.f("fk_cooperation_action_item_activity_id_cooperation_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["checkpoint.id"],
            name=op.f("fk_cooperation_action_item_checkpoint_id_checkpoint"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hotspot_id"],
            ["hotspot.id"],
            name=op.f("fk_cooperation_action_item_hotspot_id_hotspot"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_cooperation_action_item_incident_id_incident"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["natural_crossing_id"],
            ["natural_crossing.id"],
            name=op.f("fk_cooperation_action_item_natural_crossing_id_natural_crossing"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cooperation_action_item")),
    )
    op.create_index(
        op.f("ix_cooperation_action_item_activity_id"),
        "cooperation_action_item",
        ["activity_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_cooperation_action_item_checkpoint_id"),
        "cooperation_action_item",
        ["checkpoint_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_cooperation_action_item_hotspot_id"),
        "cooperation_action_item",
        ["hotspot_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_cooperation_action_item_incident_id"),
        "cooperation_action_item",
        ["incident_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_cooperation_action_item_natural_crossing_id"),
        "cooperation_action_item",
        ["natural_crossing_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_cooperation_action_item_natural_crossing_id"), table_name="cooperation_action_item"
    )
    op.drop_index(
        op.f("ix_cooperation_action_item_incident_id"), table_name="cooperation_action_item"
    )
    op.drop_index(
        op.f("ix_cooperation_action_item_hotspot_id"), table_name="cooperation_action_item"
    )
    op.drop_index(
        op.f("ix_cooperation_action_item_checkpoint_id"), table_name="cooperation_action_item"
    )
    op.drop_index(
        op.f("ix_cooperation_action_item_activity_id"), table_name="cooperation_action_item"
    )
    op.drop_table("cooperation_action_item")
    op.drop_index(op.f("ix_spending_line_allocation_id"), table_name="spending_line")
    op.drop_index(op.f("ix_spending_line_activity_id"), table_name="spending_line")
    op.drop_table("spending_line")
    op.drop_table("cooperation_participants")
    op.drop_table("cooperation_activity_topic")
    op.drop_index(
        op.f("ix_cooperation_activity_area_parallel_area_id"),
        table_name="cooperation_activity_area",
    )
    op.drop_table("cooperation_activity_area")
    op.drop_index("ix_cooperation_change_record", table_name="cooperation_change")
    op.drop_index("ix_cooperation_change_district_at", table_name="cooperation_change")
    op.drop_table("cooperation_change")
    op.drop_index("ix_cooperation_activity_district_starts", table_name="cooperation_activity")
    op.drop_geospatial_index(
        "idx_cooperation_activity_geom",
        table_name="cooperation_activity",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("cooperation_activity")
    op.drop_index("ix_budget_allocation_district_year", table_name="budget_allocation")
    op.drop_table("budget_allocation")
