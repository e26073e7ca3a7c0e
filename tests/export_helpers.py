"""Export files in tests: writing one with the command, changing one and signing it again, and
comparing two up to the fields a move is documented to change (docs/formats/assess-export.md)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from flask import Flask

from assess.data_format import export_file

#: Audit actions a move itself adds to the trail (the export and the import).
MOVE_ACTIONS = {"data.exported", "data.imported"}


def export(app: Flask, path: Path, *args: str) -> dict[str, Any]:
    result = app.test_cli_runner().invoke(args=["export", *args, "-o", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text("utf-8"))


def import_file(app: Flask, path: Path, *args: str):
    return app.test_cli_runner().invoke(args=["import", str(path), *args])


def signed(document: dict[str, Any]) -> bytes:
    """``document`` as a file whose checksum fits its (changed) content."""
    document = copy.deepcopy(document)
    document["checksum"] = export_file.checksum_of(document)
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` without what a move changes by design: the header's time, checksum and chain
    end, the move's own audit events, and the moment a survey whose responses stayed behind was
    closed to more."""
    document = copy.deepcopy(document)
    for name in ("exported_at", "checksum", "audit_chain"):
        document.pop(name)
    records = document["records"]
    records["audit_events"] = [
        e for e in records["audit_events"] if e["action"] not in MOVE_ACTIONS
    ]
    for survey in records["surveys"]:
        survey["responses_deleted_at"] = None
    return document
