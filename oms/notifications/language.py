"""Which language a customer is written to in: the channel's, else the address country's."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LANGUAGES = ("en", "es", "it")
"Languages with a full set of templates (oms/notifications/templates/<language>/)."
DEFAULT = "en"
COUNTRY_LANGUAGES: Mapping[str, str] = {
    "IT": "it", "SM": "it", "VA": "it",
    **{country: "es" for country in (
        "ES", "MX", "AR", "CO", "CL", "PE", "VE", "EC", "GT", "CU", "BO", "DO", "HN", "PY",
        "SV", "NI", "CR", "PA", "UY", "PR", "GQ")},
}
"ISO 3166 alpha-2 country -> language, for the countries whose language has templates."


def language_of(channel_language: str | None, address: Mapping[str, Any] | None) -> str:
    """The channel's language when it has one; else the one of the address's country; else
    English."""
    if channel_language in LANGUAGES:
        return channel_language
    country = str((address or {}).get("country") or "").strip().upper()
    return COUNTRY_LANGUAGES.get(country, DEFAULT)
