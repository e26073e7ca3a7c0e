"""The fixed lists an organisation is described by. Benchmarks group organisations by them, so a
value, once used, is never renamed: change only the label."""

from __future__ import annotations

from typing import Any, Final
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _

#: The one name of each questionnaire, by its kind, used on every page that names it (the file's
#: longer title is shown under it as what the questionnaire is about).
QUESTIONNAIRE_NAMES: Final[dict[str, Any]] = {
    "definition": _("Definition"),
    "model-fit": _("Model fit"),
    "adoption": _("Adoption"),
}

#: Sectors of the public sector: stored value -> label (lazy: translated when shown).
SECTORS: Final[dict[str, Any]] = {
    "local_government": _("Local government"),
    "central_government": _("Central government department"),
    "arms_length_body": _("Executive agency or arm's-length body"),
    "health": _("Health and social care"),
    "education": _("Education"),
    "emergency_services": _("Police, fire and emergency services"),
    "housing": _("Housing"),
    "other_public": _("Other public body"),
}

#: Size bands by number of staff: stored value -> label.
SIZE_BANDS: Final[dict[str, Any]] = {
    "under_250": _("Under 250 staff"),
    "250_999": _("250 to 999 staff"),
    "1000_4999": _("1,000 to 4,999 staff"),
    "5000_plus": _("5,000 staff or more"),
}

#: Countries by ISO 3166-1 alpha-2 code: the United Kingdom and Ireland first, then the rest of
#: Europe and the countries whose public bodies most often use English-language tools.
COUNTRIES: Final[dict[str, Any]] = {
    "GB": _("United Kingdom"),
    "IE": _("Ireland"),
    "AT": _("Austria"),
    "AU": _("Australia"),
    "BE": _("Belgium"),
    "BG": _("Bulgaria"),
    "CA": _("Canada"),
    "CH": _("Switzerland"),
    "CY": _("Cyprus"),
    "CZ": _("Czechia"),
    "DE": _("Germany"),
    "DK": _("Denmark"),
    "EE": _("Estonia"),
    "ES": _("Spain"),
    "FI": _("Finland"),
    "FR": _("France"),
    "GR": _("Greece"),
    "HR": _("Croatia"),
    "HU": _("Hungary"),
    "IN": _("India"),
    "IS": _("Iceland"),
    "IT": _("Italy"),
    "LT": _("Lithuania"),
    "LU": _("Luxembourg"),
    "LV": _("Latvia"),
    "MT": _("Malta"),
    "NL": _("Netherlands"),
    "NO": _("Norway"),
    "NZ": _("New Zealand"),
    "PL": _("Poland"),
    "PT": _("Portugal"),
    "RO": _("Romania"),
    "SE": _("Sweden"),
    "SG": _("Singapore"),
    "SI": _("Slovenia"),
    "SK": _("Slovakia"),
    "US": _("United States"),
    "ZA": _("South Africa"),
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
