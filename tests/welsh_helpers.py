"""A throwaway Welsh catalogue for tests that must tell Welsh text from English without depending
on the real translation (which translators are still writing): every extracted message becomes
``"Cy:" + msgid``. Compile it once per module and point ``BABEL_TRANSLATION_DIRECTORIES`` at it.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo

ROOT = Path(__file__).resolve().parent.parent
#: The keywords of the extract command in CONTRIBUTING.md.
KEYWORDS = {**DEFAULT_KEYWORDS, "Message": None, "ServiceError": None, "ChoiceError": None}
#: What every "Welsh" message starts with.
MARK = "Cy:"


def welsh(text: str) -> str:
    """``text`` as the throwaway catalogue has it in Welsh."""
    return MARK + text


def compile_welsh_catalogue(folder: Path) -> Path:
    """Write ``cy/LC_MESSAGES/messages.mo`` under ``folder``: every message, marked."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(locale="cy", domain="messages")
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        if isinstance(message, tuple):
            singular, plural = message[0], message[1]
            forms = tuple(welsh(singular if n == 1 else plural) for n in range(catalog.num_plurals))
            catalog.add((singular, plural), forms, context=context)
        else:
            catalog.add(message, welsh(message), context=context)
    target = folder / "cy" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    return folder
