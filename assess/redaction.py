"""Removing contact details from free text before anyone reads it.

Survey comments are written by members of the public, who sometimes add their email address,
phone number or postcode. :func:`redact` replaces each with a marker before the comment is stored,
so that nobody (staff, a consultant, a report reader) ever sees them and the stored row holds none.

What is matched:

* email addresses (``name@example.org``, with or without dots and plus signs);
* phone numbers: a run of 9 to 13 digits that may be written with spaces, dots, hyphens or
  brackets and may start with ``+`` (UK numbers are 10 or 11 digits; ``+44`` adds two);
* full UK postcodes in any case, with or without the space (``SW1A 1AA``, ``m11ae``).

Dates (8 digits at most) and amounts are left alone; a partial postcode ("SW1A") is not a
postcode. The markers are fixed English words in square brackets.
"""

from __future__ import annotations

import re

EMAIL_MARKER = "[email address removed]"
PHONE_MARKER = "[phone number removed]"
POSTCODE_MARKER = "[postcode removed]"

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-]{6,}\d(?![\w])")
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
_PHONE_DIGITS = range(9, 14)


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    return PHONE_MARKER if digits in _PHONE_DIGITS else text


def redact(text: str) -> str:
    """``text`` with email addresses, phone numbers and UK postcodes replaced by markers."""
    text = _EMAIL.sub(EMAIL_MARKER, text)
    text = _POSTCODE.sub(POSTCODE_MARKER, text)
    return _PHONE.sub(_phone, text)
