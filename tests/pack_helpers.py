"""Questionnaire packs for tests: zips made from the shipped questionnaires, changed as asked."""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from assess import paths

#: The shipped questionnaire files, parsed.
SHIPPED: dict[str, dict[str, Any]] = {
    path.name: yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in sorted(Path(paths.QUESTIONNAIRES_DIR).glob("*.yaml"))
}
#: The text of a question the tests rename: the first of the adoption questionnaire.
FIRST_ADOPTION = SHIPPED["adoption.yaml"]["sections"][0]["questions"][0]


def manifest(pack_id: str = "parish-light", version: str = "1.0.0", **extra: Any) -> str:
    data = {"id": pack_id, "version": version, "title": {"en": "Parish light"}, **extra}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def questionnaire_files(
    change: Callable[[dict[str, dict[str, Any]]], None] | None = None,
    *,
    label: str = "parish-light",
    perception: bool = False,
    unlabelled: tuple[str, ...] = (),
) -> dict[str, str]:
    """The shipped files as a pack's: each version the shipped one labelled ``+label`` (so that
    it is the pack's own), then ``change`` applied; the survey only when ``perception``. Files
    named in ``unlabelled`` keep the shipped version."""
    files = copy.deepcopy(SHIPPED)
    if not perception:
        files.pop("perception.yaml")
    for name, data in files.items():
        if name not in unlabelled:
            data["version"] = f"{data['version']}+{label}"
    if change is not None:
        change(files)
    return {
        name: yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        for name, data in files.items()
    }


def english_only(files: dict[str, dict[str, Any]]) -> None:
    """Take every Welsh text out of the files (the shipped ones are bilingual)."""

    def strip(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("cy", None)
            for value in node.values():
                strip(value)
        elif isinstance(node, list):
            for value in node:
                strip(value)

    strip(files)


def rename_first_adoption_question(text: str) -> Callable[[dict[str, dict[str, Any]]], None]:
    def change(files: dict[str, dict[str, Any]]) -> None:
        files["adoption.yaml"]["sections"][0]["questions"][0]["text"] = {"en": text}

    return change


def zip_bytes(members: Mapping[str, str | bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def pack_zip(
    change: Callable[[dict[str, dict[str, Any]]], None] | None = None,
    *,
    pack_id: str = "parish-light",
    version: str = "1.0.0",
    folder: str = "",
    perception: bool = False,
    unlabelled: tuple[str, ...] = (),
    extra: Mapping[str, str | bytes] | None = None,
) -> bytes:
    """A valid pack (unless ``change`` breaks it), as a zip."""
    members: dict[str, str | bytes] = {f"{folder}pack.yaml": manifest(pack_id, version)}
    for name, text in questionnaire_files(
        change, label=pack_id, perception=perception, unlabelled=unlabelled
    ).items():
        members[f"{folder}{name}"] = text
    members.update(extra or {})
    return zip_bytes(members)
