"""How the accounts page names places, scopes and recorded values, in the request's language.

Districts and provinces read by their Thai names on Thai pages (``name_th``) and by their English
names otherwise; roles by their labels (:mod:`webapp.vocab`). The record of account changes
keeps codes (``coordinator``, ``district:TH5703``, ``true``): :func:`change_value` turns them into
words, looking up every place the shown rows name in one query per kind of place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from gis.accounts.changes import ChangeRow
from gis.models import District, Province
from gis.types import AccountChangeKind, Role
from webapp.vocab import label


def thai() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "th"


def district_words(district: str, province: str) -> str:
    """A district with its province ("อ.เชียงของ จ.เชียงราย", "Chiang Khong, Chiang Rai")."""
    return _("%(district)s, %(province)s", district=district, province=province)


def scope_words(row: Any) -> str:
    """An account's area: its district, its province or the whole country, from a row with
    ``district``/``district_th``, ``district_province``/``district_province_th`` and
    ``province``/``province_th``."""
    local = thai()
    if row.district:
        return district_words(
            row.district_th if local else row.district,
            row.district_province_th if local else row.district_province,
        )
    if row.province:
        return _("%(province)s province", province=row.province_th if local else row.province)
    return _("National")


def place_names(session: Session, changes: Iterable[ChangeRow]) -> dict[str, str]:
    """``district:<P-code>`` and ``province:<P-code>`` of the changes' values -> their words."""
    wanted: dict[str, set[str]] = {"district": set(), "province": set()}
    for change in changes:
        for value in (change.old_value, change.new_value):
            for part in (value or "").split():
                kind, _sep, pcode = part.partition(":")
                if kind in wanted and pcode:
                    wanted[kind].add(pcode)
    local = thai()
    names: dict[str, str] = {}
    if wanted["district"]:
        of = aliased(Province)
        rows = session.execute(
            select(District.pcode, District.name, District.name_th, of.name, of.name_th)
            .join(of, of.id == District.province_id)
            .where(District.pcode.in_(wanted["district"]))
        )
        for pcode, name, name_th, province, province_th in rows:
            names[f"district:{pcode}"] = district_words(
                name_th if local else name, province_th if local else province
            )
    if wanted["province"]:
        rows = session.execute(
            select(Province.pcode, Province.name, Province.name_th).where(
                Province.pcode.in_(wanted["province"])
            )
        )
        for pcode, name, name_th in rows:
            names[f"province:{pcode}"] = _(
                "%(province)s province", province=name_th if local else name
            )
    return names


def scope_value(value: str, places: Mapping[str, str]) -> str:
    if value == "national":
        return _("National")
    return places.get(value, value)


def change_value(what: AccountChangeKind, value: str | None, places: Mapping[str, str]) -> str:
    """A recorded value of a change of kind ``what`` in words ("" for none)."""
    if not value:
        return ""
    if what is AccountChangeKind.ROLE:
        return label(value, Role)
    if what is AccountChangeKind.SCOPE:
        return scope_value(value, places)
    if what is AccountChangeKind.ACTIVE:
        return _("Enabled") if value == "true" else _("Disabled")
    if what is AccountChangeKind.CREATED:  # "<role> <scope>"
        role, _sep, scope = value.partition(" ")
        return _("%(role)s, %(area)s", role=label(role, Role), area=scope_value(scope, places))
    return value  # a token's name and first characters
