"""Great-circle distances, with country centroids standing in for missing coordinates."""
from __future__ import annotations

from collections.abc import Iterable
from math import asin, cos, radians, sin, sqrt

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
    """`distance_km` from each (latitude, longitude, country) to `target` (the same figures to
    the last few bits): a decision measures a thousand nodes, so each node's radians and
    cosine are kept (per process, per place) and the target's are worked out once."""
    lat2, lon2 = target
    cos2 = cos(lat2)
    diameter = 2 * EARTH_RADIUS_KM
    known = _RADIANS.get
    found: list[float | None] = []
    for latitude, longitude, country in places:
        if latitude is None or longitude is None:
            found.append(distance_km(latitude, longitude, country, target))
            continue
        point = known((latitude, longitude)) or _radians(latitude, longitude)
        lat1, lon1, cos1 = point
        north, east = sin((lat2 - lat1) / 2), sin((lon2 - lon1) / 2)
        chord = north * north + cos1 * cos2 * east * east
        found.append(diameter * asin(sqrt(chord if chord < 1.0 else 1.0)))
    return found


_RADIANS: dict[tuple[float, float], tuple[float, float, float]] = {}
_RADIANS_MAX = 100_000


def _radians(latitude: float, longitude: float) -> tuple[float, float, float]:
    if len(_RADIANS) >= _RADIANS_MAX:
        _RADIANS.clear()
    lat = radians(latitude)
    point = _RADIANS[(latitude, longitude)] = (lat, radians(longitude), cos(lat))
    return point


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    chord = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(sqrt(min(1.0, chord)))
