"""The fixed lists an organisation is described by. Benchmarks group organisations by them, so a
value, once used, is never renamed: change only the label."""

from __future__ import annotations

from typing import Final
from zoneinfo import available_timezones

#: Sectors of the public sector: stored value -> label.
SECTORS: Final[dict[str, str]] = {
    "local_government": "Local government",
    "central_government": "Central government department",
    "arms_length_body": "Executive agency or arm's-length body",
    "health": "Health and social care",
    "education": "Education",
    "emergency_services": "Police, fire and emergency services",
    "housing": "Housing",
    "other_public": "Other public body",
}

#: Size bands by number of staff: stored value -> label.
SIZE_BANDS: Final[dict[str, str]] = {
    "under_250": "Under 250 staff",
    "250_999": "250 to 999 staff",
    "1000_4999": "1,000 to 4,999 staff",
    "5000_plus": "5,000 staff or more",
}

#: Countries by ISO 3166-1 alpha-2 code: the United Kingdom and Ireland first, then the rest of
#: Europe and the countries whose public bodies most often use English-language tools.
COUNTRIES: Final[dict[str, str]] = {
    "GB": "United Kingdom",
    "IE": "Ireland",
    "AT": "Austria",
    "AU": "Australia",
    "BE": "Belgium",
    "BG": "Bulgaria",
    "CA": "Canada",
    "CH": "Switzerland",
    "CY": "Cyprus",
    "CZ": "Czechia",
    "DE": "Germany",
    "DK": "Denmark",
    "EE": "Estonia",
    "ES": "Spain",
    "FI": "Finland",
    "FR": "France",
    "GR": "Greece",
    "HR": "Croatia",
    "HU": "Hungary",
    "IN": "India",
    "IS": "Iceland",
    "IT": "Italy",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "LV": "Latvia",
    "MT": "Malta",
    "NL": "Netherlands",
    "NO": "Norway",
    "NZ": "New Zealand",
    "PL": "Poland",
    "PT": "Portugal",
    "RO": "Romania",
    "SE": "Sweden",
    "SG": "Singapore",
    "SI": "Slovenia",
    "SK": "Slovakia",
    "US": "United States",
    "ZA": "South Africa",
}

#: A sensible time zone to suggest for each country (the capital's).
COUNTRY_TIME_ZONES: Final[dict[str, str]] = {
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "AU": "Australia/Sydney",
    "CA": "America/Toronto",
    "IN": "Asia/Kolkata",
    "NZ": "Pacific/Auckland",
    "SG": "Asia/Singapore",
    "US": "America/New_York",
    "ZA": "Africa/Johannesburg",
}

DEFAULT_TIME_ZONE: Final = "Europe/London"


def time_zones() -> list[str]:
    """Every IANA time zone name that zoneinfo can load, sorted (from the tzdata package)."""
    return sorted(name for name in available_timezones() if "/" in name or name == "UTC")


def is_time_zone(name: str) -> bool:
    """Whether ``name`` is a known IANA time zone."""
    return name in _zones()


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(time_zones())
    return _ZONES
