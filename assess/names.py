"""One rule for the names people read: a person's name, an organisation's, a workshop display name.

A name is stored as it was typed, trimmed and with runs of spaces made one, and otherwise unchanged:
accents, every script, emoji sequences (joined with U+200D), flags (regional indicators, and the
tag sequences of England, Scotland and Wales) and the zero-width non-joiner Persian needs all stay
intact. A name with characters that cannot be seen or that change how the text around it is shown
is refused with a message rather than silently altered: control characters (tabs and line breaks
inside it too), direction marks and overrides, other invisible format characters, and stray tag
characters. Pages isolate names from the text around them with ``<bdi>`` (the ``bdi`` filter) and
fields take them with ``dir="auto"``, so a right-to-left name needs no direction marks.
"""

from __future__ import annotations

import re
import unicodedata

from assess.questionnaire.validation import Message

#: Why a name was refused (translated where it is shown).
NAME_CHARACTERS = Message(
    "The name contains a control character or an invisible formatting mark (such as a direction "
    "mark). Type it again without them."
)

_ALLOWED_FORMAT = frozenset({"\u200c", "\u200d"})  # zero-width non-joiner and joiner
#: A flag of a subdivision (England, Scotland, Wales): a black flag, tag letters, a cancel tag.
_TAG_FLAG = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")
_SPACES = re.compile(r"[ \u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def clean(raw: str | None) -> str:
    """``raw`` as it is stored: surrounding white space removed, runs of spaces made one."""
    return _SPACES.sub(" ", (raw or "").strip())


def problem(name: str) -> Message | None:
    """Why ``name`` cannot be a name, or None when it can."""
    for character in _TAG_FLAG.sub("", name):
        if character in _ALLOWED_FORMAT:
            continue
        if unicodedata.category(character) in {"Cc", "Cf", "Cs", "Zl", "Zp"}:
            return NAME_CHARACTERS
    return None
