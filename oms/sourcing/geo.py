"""Great-circle distances, with country centroids standing in for missing coordinates."""
from __future__ import annotations

from collections.abc import Iterable
from math import asin, cos, dist, radians, sin, sqrt

EARTH_RADIUS_KM = 6371.0088

# Rough geographic centres, good enough to rank far-apart countries when an
# address or a node has no coordinates.
COUNTRY_CENTROIDS: dict[str, tuple[float, float]] = {
    "AT": (47.59, 14.14),
    "BE": (50.64, 4.67),
    "CH": (46.80, 8.23),
    "CZ": (49.74, 15.34),
    "DE": (51.10, 10.45),
    "DK": (56.00, 10.00),
    "ES": (40.24, -3.65),
    "FR": (46.60, 2.40),
    "GB": (54.00, -2.00),
    "GR": (39.07, 22.96),
    "IE": (53.18, -8.14),
    "IT": (42.83, 12.83),
    "LU": (49.78, 6.09),
    "NL": (52.21, 5.60),
    "PL": (52.13, 19.39),
    "PT": (39.56, -7.84),
    "SE": (62.20, 15.00),
    "US": (39.83, -98.58),
}

Point = tuple[float, float]
"Latitude and longitude, in radians."


def resolve_point(
    latitude: float | None, longitude: float | None, country: str | None
) -> Point | None:
    """The coordinates when both are known, else the country's centroid, else None."""
    if latitude is not None and longitude is not None:
        return radians(latitude), radians(longitude)
    centroid = COUNTRY_CENTROIDS.get((country or "").upper())
    if centroid is None:
        return None
    return radians(centroid[0]), radians(centroid[1])


def haversine_km(origin: Point, target: Point) -> float:
    """Great-circle distance in km between two points given in radians."""
    return _haversine(origin[0], origin[1], target[0], target[1])


def distance_km(
    latitude: float | None, longitude: float | None, country: str | None, target: Point
) -> float | None:
    """Km from a place (coordinates, else country centroid) to `target`; None if unknown."""
    if latitude is not None and longitude is not None:
        return _haversine(radians(latitude), radians(longitude), target[0], target[1])
    origin = resolve_point(None, None, country)
    return None if origin is None else haversine_km(origin, target)


def distances_km(places: Iterable[tuple[float | None, float | None, str | None]],
                 target: Point) -> list[float | None]:
    """`distance_km` from each (latitude, longitude, country) to `target`, to within a
    micrometre. A decision measures a thousand nodes, so each place's unit vector is kept (per
    process) and a distance is the chord between two of them (`math.dist`, one C call)."""
    aim = _unit_vector(target)
    diameter = 2 * EARTH_RADIUS_KM
    known = _UNIT_VECTORS.get
    found: list[float | None] = []
    for place in places:
        point = known(place, _UNSEEN)
        if point is _UNSEEN:
            point = _remember(place)
        if point is None:
            found.append(None)
            continue
        half_chord = 0.5 * dist(point, aim)
        found.append(diameter * asin(half_chord if half_chord < 1.0 else 1.0))
    return found


Vector3 = tuple[float, float, float]
_UNSEEN: Vector3 = (0.0, 0.0, 0.0)
_UNIT_VECTORS: dict[tuple[float | None, float | None, str | None], Vector3 | None] = {}
_UNIT_VECTORS_MAX = 100_000


def _remember(place: tuple[float | None, float | None, str | None]) -> Vector3 | None:
    if len(_UNIT_VECTORS) >= _UNIT_VECTORS_MAX:
        _UNIT_VECTORS.clear()
    point = resolve_point(*place)
    vector = _UNIT_VECTORS[place] = None if point is None else _unit_vector(point)
    return vector


def _unit_vector(point: Point) -> Vector3:
    """Where a point (radians) is on the unit sphere."""
    latitude, longitude = point
    across = cos(latitude)
    return across * cos(longitude), across * sin(longitude), sin(latitude)


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    chord = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(sqrt(min(1.0, chord)))
