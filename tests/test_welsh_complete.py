"""Every word a person reads exists in Welsh: the interface's catalogue and the questionnaires.

- Every message ``pybabel extract`` finds in the code and templates (with the keywords
  CONTRIBUTING.md gives) has a Welsh translation in ``assess/translations/cy``: not empty, not
  fuzzy, with the same placeholders; a new English string fails here until it is translated.
- The compiled ``messages.mo`` that ships is the ``messages.po`` beside it, compiled.
- Every text of every shipped questionnaire (titles, questions, options, guidance, levels,
  criteria, steps) has Welsh beside its English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from test_i18n_coverage import KEYWORDS

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "assess" / "translations" / "cy" / "LC_MESSAGES"
#: Texts that read the same in Welsh, as Welsh: a bare placeholder, a product or file name.
SAME_IN_WELSH = {"Model", "PDF", "CSV", "JSON", "API", "SHA-256", "OpenAPI", "assess"}


def _welsh() -> Any:
    with (CATALOGUE / "messages.po").open("rb") as handle:
        return read_po(handle, locale="cy")


def _translated(message: Any) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(s and s.strip() for s in strings) and "fuzzy" not in message.flags


def test_every_message_in_the_code_has_welsh():
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    welsh = _welsh()
    missing = []
    for filename, line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        key = message[0] if isinstance(message, tuple) else message
        found = welsh.get(key, context=context)
        if found is None or not _translated(found):
            missing.append(f"{filename}:{line}: {key[:80]!r}")
    assert not missing, (
        f"{len(missing)} messages have no Welsh (see CONTRIBUTING.md, Translations):\n"
        + "\n".join(missing[:40])
    )


def test_the_welsh_keeps_every_placeholder():
    problems = [(m.id, errors) for m, errors in _welsh().check()]
    assert problems == []


def test_welsh_plurals_have_all_six_forms():
    welsh = _welsh()
    assert welsh.num_plurals == 6
    short = [m.id[0] for m in welsh if isinstance(m.id, tuple) and len(m.string) != 6]
    assert short == []


def _plain(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple) else value


def test_the_shipped_mo_file_is_the_po_file_compiled():
    welsh = _welsh()
    with (CATALOGUE / "messages.mo").open("rb") as handle:
        compiled = read_mo(handle)
    expected = {
        (_plain(m.id), m.context): _plain(m.string) for m in welsh if m.id and _translated(m)
    }
    shipped = {(_plain(m.id), m.context): _plain(m.string) for m in compiled if m.id}
    assert shipped == expected, (
        "messages.mo is out of date: run `.venv/bin/pybabel compile -d assess/translations`"
    )


def _texts(node: Any, where: str) -> list[tuple[str, dict[str, str]]]:
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("en"), str):
            found.append((where, node))
        for key, value in node.items():
            found.extend(_texts(value, f"{where}.{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_texts(value, f"{where}[{index}]"))
    return found


@pytest.mark.parametrize(
    "path", sorted((ROOT / "questionnaires").glob("*.yaml")), ids=lambda p: p.name
)
def test_every_questionnaire_text_has_welsh(path: Path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts = _texts(data, path.stem)
    assert len(texts) > 10
    missing = [where for where, text in texts if not (text.get("cy") or "").strip()]
    assert not missing, f"{len(missing)} texts without Welsh, first: {missing[:10]}"
    same = [
        where
        for where, text in texts
        if text["cy"].strip() == text["en"].strip() and text["en"].strip() not in SAME_IN_WELSH
    ]
    assert not same, f"Welsh that is the English text: {same[:10]}"
