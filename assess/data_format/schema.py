"""The JSON Schema of the export format: made from the serializer's kinds, shipped in
``schemas/v<version>.json`` (read with :func:`load`), published in ``docs/formats/``.

The shipped file is what validates exports and imports at run time; :func:`generate` is how it was
written (``python -m assess.data_format.schema > assess/data_format/schemas/v1.json``), and a test
keeps the two equal, and the published copy equal to the shipped one.
"""

from __future__ import annotations

import json
import re
import sys
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy import CheckConstraint, String
from sqlalchemy.schema import Column

from assess.data_format import values
from assess.data_format.serializer import (
    CREDENTIAL_COLUMNS,
    FORMAT_NAME,
    FORMAT_VERSION,
    KINDS,
    LATER_COLUMNS,
    LATER_KINDS,
    column_type_name,
)

_HEX64 = "^[0-9a-f]{64}$"


_ONE_OF = re.compile(r"^(\w+) IN \(((?:'[^']*'(?:, )?)+)\)$")


def _choices(column: Column[Any]) -> list[str] | None:
    """The values a CHECK constraint ``column IN (...)`` allows (see ``assess.db.one_of``)."""
    for constraint in column.table.constraints:
        if isinstance(constraint, CheckConstraint):
            match = _ONE_OF.match(str(constraint.sqltext))
            if match and match.group(1) == column.key:
                return re.findall(r"'([^']*)'", match.group(2))
    return None


def _column_schema(column: Column[Any]) -> dict[str, Any]:
    name = column_type_name(column)
    schema: dict[str, Any]
    choices = _choices(column)
    if choices is not None:
        schema = {"enum": choices}
    elif name == "time":
        schema = {"type": "string", "pattern": values.UTC_PATTERN}
    elif name == "date":
        schema = {"type": "string", "pattern": values.DATE_PATTERN}
    elif name == "base64":
        schema = {
            "type": "string",
            "contentEncoding": "base64",
            "pattern": "^[A-Za-z0-9+/]*={0,2}$",
        }
    elif name == "json":
        return {"description": column.comment or "JSON, as stored"}
    elif name == "text":
        schema = {"type": "string"}
        if isinstance(column.type, String) and column.type.length:
            schema["maxLength"] = column.type.length
    else:
        schema = {"type": name}
    if column.nullable and not column.primary_key:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def generate() -> dict[str, Any]:
    """The schema of format version :data:`FORMAT_VERSION`, made from the models."""
    definitions = {}
    for kind in KINDS:
        columns = list(kind.table.columns)
        optional = CREDENTIAL_COLUMNS.get(kind.key, frozenset()) | set(
            LATER_COLUMNS.get(kind.key, {})
        )
        definitions[kind.key] = {
            "type": "object",
            "properties": {column.key: _column_schema(column) for column in columns},
            "required": [column.key for column in columns if column.key not in optional],
            "additionalProperties": False,
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://assess.example/formats/assess-export-v{FORMAT_VERSION}.schema.json",
        "title": f"assess export, format version {FORMAT_VERSION}",
        "type": "object",
        "properties": {
            "format": {"const": FORMAT_NAME},
            "format_version": {"const": FORMAT_VERSION},
            "scope": {
                "oneOf": [
                    {
                        "type": "object",
                        "properties": {
                            "kind": {"const": "organisation"},
                            "organisation_id": {"type": "integer"},
                        },
                        "required": ["kind", "organisation_id"],
                        "additionalProperties": False,
                    },
                    {
                        "type": "object",
                        "properties": {"kind": {"const": "instance"}},
                        "required": ["kind"],
                        "additionalProperties": False,
                    },
                ]
            },
            "exported_at": {"type": "string", "pattern": values.UTC_PATTERN},
            "application_version": {"type": "string"},
            "method_version": {"type": "string"},
            "with_credentials": {"type": "boolean"},
            "records": {
                "type": "object",
                "properties": {
                    kind.key: {"type": "array", "items": {"$ref": f"#/$defs/{kind.key}"}}
                    for kind in KINDS
                },
                "required": [kind.key for kind in KINDS if kind.key not in LATER_KINDS],
                "additionalProperties": False,
            },
            "audit_chain": {
                "anyOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "properties": {
                            "last_event_id": {"type": ["integer", "null"]},
                            "last_hash": {"type": "string", "pattern": _HEX64},
                        },
                        "required": ["last_event_id", "last_hash"],
                        "additionalProperties": False,
                    },
                ]
            },
            "checksum": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
        },
        "required": [
            "format",
            "format_version",
            "scope",
            "exported_at",
            "application_version",
            "method_version",
            "with_credentials",
            "records",
            "audit_chain",
            "checksum",
        ],
        "additionalProperties": False,
        "$defs": definitions,
    }


def schema_filename(version: int = FORMAT_VERSION) -> str:
    """The shipped (and published) schema's file name."""
    return f"assess-export-v{version}.schema.json"


@cache
def load(version: int = FORMAT_VERSION) -> dict[str, Any]:
    """The shipped schema of ``version`` (raises FileNotFoundError for one that is not shipped)."""
    text = resources.files("assess.data_format").joinpath("schemas", schema_filename(version))
    return json.loads(text.read_text("utf-8"))  # type: ignore[no-any-return]


@cache
def validator() -> Draft202012Validator:
    """A validator of whole export files of the current version."""
    return Draft202012Validator(load(), format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def record_validator(key: str) -> Draft202012Validator:
    """A validator of one record of kind ``key`` (the export checks each as it writes it)."""
    shipped = load()
    return Draft202012Validator({"$ref": f"#/$defs/{key}", "$defs": shipped["$defs"]})


def dumps(schema: dict[str, Any]) -> str:
    """The schema as it is written to its file."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover (how the shipped file is written)
    sys.stdout.write(dumps(generate()))
