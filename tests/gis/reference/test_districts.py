"""District routing with known places."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from gis.errors import OutsideWatchArea
from gis.models import DistrictParallelArea, ParallelArea
from gis.reference.districts import (
    district_at,
    in_metric_domain,
    route_point,
    service_area_distance_m,
)

pytestmark = pytest.mark.db


@pytest.mark.parametrize(
    ("place", "lon", "lat", "district", "province"),
    [
        ("Aranyaprathet town", 102.5066, 13.6928, "Aranyaprathet", "Sa Kaeo"),
        ("Nong Khai riverside (Tha Sadet)", 102.7470, 17.8783, "Mueang Nong Khai", "Nong Khai"),
        ("Mukdahan town", 104.723, 16.545, "Mueang Mukdahan", "Mukdahan"),
        ("Chiang Khong town", 100.4053, 20.2627, "Chiang Khong", "Chiang Rai"),
        ("Nakhon Phanom riverside", 104.78, 17.40, "Mueang Nakhon Phanom", "Nakhon Phanom"),
    ],
)
def test_points_in_thai_target_districts(session, place, lon, lat, district, province):
    routing = route_point(session, lon, lat)
    assert routing.district.name == district
    assert routing.district.province == province
    assert routing.district.target is True
    assert routing.parallel_area_id is None
    assert routing.distance_m == 0


@pytest.mark.parametrize(
    ("place", "lon", "lat", "area", "district"),
    [
        ("Poipet (Cambodia)", 102.5635, 13.6590, "Poipet", "Aranyaprathet"),
        ("Savannakhet (Laos)", 104.75, 16.557, "Kaysone Phomvihane", "Mueang Mukdahan"),
        ("Thakhek (Laos)", 104.80, 17.40, "Thakhek", "Mueang Nakhon Phanom"),
        # Houayxay is paired with Chiang Khong and Wiang Kaen: the nearer one takes it.
        ("Houayxay town (Laos)", 100.4128, 20.2766, "Houayxay", "Chiang Khong"),
        ("Pailin (Cambodia)", 102.61, 12.85, "Pailin", "Pong Nam Ron"),
    ],
)
def test_points_across_the_border_go_to_the_paired_district(
    session, place, lon, lat, area, district
):
    routing = route_point(session, lon, lat)
    assert routing.parallel_area_name == area
    assert routing.district.name == district
    assert routing.distance_m == 0


def test_bangkok_is_outside_the_service_area(session):
    with pytest.raises(OutsideWatchArea) as exc:
        route_point(session, 100.5018, 13.7563)
    assert exc.value.distance_m == pytest.approx(174_900, rel=0.01)
    assert "outside the watch area" in exc.value.message
    assert exc.value.field == "location"


@pytest.mark.parametrize("lon, lat", [(10.6, 0.0), (-179.9, -89.9), (179.9, 89.9), (120.01, 15)])
def test_a_point_far_away_is_refused_without_projecting_it(session, lon, lat):
    """UTM 48N cannot project points far from its zone (PROJ's "outside of projection domain"
    was a database error, a 500: found by `make fuzz` at 10.6 E, 0 N)."""
    assert not in_metric_domain(lon, lat)
    with pytest.raises(OutsideWatchArea) as exc:
        route_point(session, lon, lat)
    assert exc.value.field == "location" and "far outside the watch area" in exc.value.message
    assert exc.value.distance_m > 1_000_000  # geodesic, to the nearest target district
    assert service_area_distance_m(session, lon, lat) == exc.value.distance_m


def test_point_in_a_non_target_district_is_refused_with_its_name(session):
    with pytest.raises(OutsideWatchArea, match=r"Tha Bo \(Nong Khai\) is not a target"):
        route_point(session, 102.58, 17.85)
    assert district_at(session, 102.58, 17.85).name == "Tha Bo"


def test_reach_across_the_border_is_configurable(session):
    # Luang Prabang lies about 38 km beyond the nearest parallel area.
    with pytest.raises(OutsideWatchArea) as exc:
        route_point(session, 102.135, 19.885)
    assert 30_000 < exc.value.distance_m < 45_000
    routed = route_point(session, 102.135, 19.885, max_distance_m=50_000)
    assert routed.district.target
    assert routed.distance_m == pytest.approx(exc.value.distance_m, rel=0.01)


def test_service_area_distance_is_zero_inside(session):
    assert service_area_distance_m(session, 102.5066, 13.6928) == 0


def test_a_new_target_district_routes(session):
    from gis.reference.admin import set_target

    set_target(session, "Tha Bo", True)
    assert route_point(session, 102.58, 17.85).district.name == "Tha Bo"


def test_a_new_target_district_gets_a_centre_named_in_both_languages(session):
    from gis.models import CoordinationCentre, District
    from gis.reference.admin import set_target

    set_target(session, "Thoeng", True)
    district = session.execute(select(District).where(District.name == "Thoeng")).scalar_one()
    centre = session.execute(
        select(CoordinationCentre).where(CoordinationCentre.district_id == district.id)
    ).scalar_one()
    assert (centre.name, centre.name_th) == ("NTS-MWCC Thoeng", "ศปก.อ." + district.name_th)
    assert centre.name_th == "ศปก.อ.เทิง"


def test_an_area_paired_with_no_target_district_is_refused_with_its_name(session):
    poipet = session.execute(select(ParallelArea.id).where(ParallelArea.name == "Poipet")).scalar()
    session.execute(
        delete(DistrictParallelArea).where(DistrictParallelArea.parallel_area_id == poipet)
    )
    with pytest.raises(OutsideWatchArea, match="Poipet is not paired with any target") as exc:
        route_point(session, 102.5635, 13.6590)
    assert exc.value.distance_m == 0 and exc.value.field == "location"
