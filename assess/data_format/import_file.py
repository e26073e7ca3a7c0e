"""Reading an export file, before anything is stored: size, encoding, JSON, format version,
schema, checksum, duplicate ids and references, and the audit events' own hashes.

:func:`read` returns the document or raises :class:`FileRefused` with a sentence a person can act
on, naming the record where there is one. Nothing here touches the database: what the receiving
database already holds (clashing ids) is checked by :mod:`assess.services.data_transfer`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match

from assess import audit_chain
from assess.data_format import export_file, schema, serializer
from assess.data_format.serializer import KINDS

#: The format versions this version of assess reads.
READABLE_VERSIONS = (serializer.FORMAT_VERSION,)
#: Containers nested deeper than this are refused before the document is parsed (the exported
#: data nests a few levels; answers' values and audit details a few more).
MAX_DEPTH = 64


class FileRefused(Exception):
    """The file cannot be imported; ``str(error)`` says why, for a person."""


def read_capped(stream: IO[bytes], max_bytes: int) -> bytes:
    """At most ``max_bytes`` of ``stream``; refuses a longer file without reading it all."""
    content = stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise FileRefused(
            f"The file is larger than the import limit of {_size(max_bytes)} "
            "(ASSESS_IMPORT_MAX_BYTES). Raise the limit for this import if the file is genuine."
        )
    return content


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.0f} MB"
    return f"{count} bytes"


def _text(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        len(content) > 1 and b"\x00" in content[:4]
    ):
        raise FileRefused(
            "The file is not UTF-8 (it looks like UTF-16 or UTF-32): an assess export is UTF-8. "
            "Use the file as assess wrote it."
        )
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileRefused(
            f"The file is not valid UTF-8 (at byte {error.start}): it was damaged or re-encoded "
            "after export. Use the file as assess wrote it."
        ) from None


def _too_deep() -> FileRefused:
    return FileRefused(
        f"The file nests data more than {MAX_DEPTH} levels deep, which no assess export does: "
        "it is not an export, or it was damaged."
    )


def _depth_check(document: Any) -> None:
    """Refuse containers nested deeper than :data:`MAX_DEPTH` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep()
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, (dict, list)))


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise FileRefused(f'The file names "{key}" twice in one object: it was damaged.')
        found[key] = value
    return found


def _no_constant(name: str) -> Any:
    raise FileRefused(f"The file holds {name}, which is not JSON: it was damaged.")


def _parse(text: str) -> Any:
    try:
        document = json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant
        )
    except json.JSONDecodeError as error:
        stripped = text.strip()
        if stripped.startswith("{") and not stripped.endswith("}"):
            raise FileRefused(
                "The file ends too soon: it was cut off (an interrupted download or copy). "
                "Export it again."
            ) from None
        raise FileRefused(
            f"The file is not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg}): it is not an assess export, or it was damaged."
        ) from None
    except RecursionError:  # the parser's own limit, far past MAX_DEPTH
        raise _too_deep() from None
    _depth_check(document)
    return document


def _record_name(document: Any, path: list[Any]) -> str:
    """ "answers record 17" for a path into the records, else the path."""
    if len(path) >= 3 and path[0] == "records":
        key, index = path[1], path[2]
        kind = serializer.KIND_BY_KEY.get(key)
        try:
            identifier = document["records"][key][index].get(kind.primary_key) if kind else None
        except (AttributeError, IndexError, KeyError, TypeError):
            identifier = None
        where = "/".join(str(p) for p in path[3:])
        name = f"{key} record {identifier}" if identifier is not None else f"{key} item {index}"
        return f"{name}{', ' + where if where else ''}"
    return "/".join(str(p) for p in path) or "the file"


def _schema_errors(document: Any) -> None:
    try:
        error: ValidationError | None = best_match(schema.validator().iter_errors(document))
    except RecursionError:  # pragma: no cover (the depth check comes first)
        raise FileRefused("The file nests data too deeply: it was damaged.") from None
    if error is not None:
        raise FileRefused(
            "The file does not match the format (assess-export version "
            f"{serializer.FORMAT_VERSION}): {_record_name(document, list(error.absolute_path))}: "
            f"{error.message}"
        )


def _records(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for kind in KINDS:
        for data in document["records"][kind.key]:
            yield kind.key, data


def _duplicates(document: dict[str, Any]) -> None:
    for kind in KINDS:
        seen: set[Any] = set()
        for data in document["records"][kind.key]:
            identifier = data[kind.primary_key]
            if identifier in seen:
                raise FileRefused(
                    f"The file holds {kind.key} record {identifier} twice: ids must be unique."
                )
            seen.add(identifier)


def _references(document: dict[str, Any]) -> None:
    present = {
        kind.key: {data[kind.primary_key] for data in document["records"][kind.key]}
        for kind in KINDS
    }
    for kind in KINDS:
        refs = serializer.references(kind)
        for data in document["records"][kind.key]:
            for column, target in refs.items():
                value = data.get(column)
                if value is not None and value not in present[target.key]:
                    raise FileRefused(
                        f"{kind.key} record {data[kind.primary_key]} refers to {target.key} "
                        f"record {value} ({column}), which is not in the file."
                    )
    people_refs = {data["ref"] for data in document["records"]["audit_people"]}
    for data in document["records"]["audit_events"]:
        for column in ("actor_ref", "subject_ref"):
            if data[column] is not None and data[column] not in people_refs:
                raise FileRefused(
                    f"audit_events record {data['id']} names the person {data[column]} "
                    f"({column}), who is not among the file's audit_people."
                )


def _event_hashes(document: dict[str, Any]) -> None:
    for data in document["records"]["audit_events"]:
        content = {name: data[name] for name in (*audit_chain.FIELDS, "prev_hash")}
        content["occurred_at"] = serializer.from_json_value(
            serializer.KIND_BY_KEY["audit_events"].table.columns["occurred_at"], data["occurred_at"]
        )
        if audit_chain.content_hash(content) != data["event_hash"]:
            raise FileRefused(
                f"audit_events record {data['id']} does not match its own hash: the event was "
                "changed after it was written."
            )


def chains_from(document: dict[str, Any], head: str) -> bool:
    """Whether the file's audit events, in id order, continue a chain that ends at ``head``."""
    expected = head
    for data in sorted(document["records"]["audit_events"], key=lambda d: d["id"]):
        if data["prev_hash"] != expected:
            return False
        expected = data["event_hash"]
    return True


def read(content: bytes) -> dict[str, Any]:
    """The export document in ``content``, checked; raises :class:`FileRefused`."""
    document = _parse(_text(content))
    if not isinstance(document, dict) or document.get("format") != serializer.FORMAT_NAME:
        raise FileRefused(
            'The file is not an assess export (it has no "format": "assess-export"). '
            "Choose a file made by assess export."
        )
    version = document.get("format_version")
    if version not in READABLE_VERSIONS:
        readable = ", ".join(str(v) for v in READABLE_VERSIONS)
        raise FileRefused(
            f"The file is in export format version {version!r}, which this version of assess "
            f"cannot read (it reads version {readable}). Import it with the version of assess "
            "that wrote it, or a newer one."
        )
    _schema_errors(document)
    for key in serializer.LATER_KINDS:  # a file from before the kind existed has none
        document["records"].setdefault(key, [])
    if export_file.checksum_of(document) != document["checksum"]:
        raise FileRefused(
            "The file's checksum does not match its content: it was changed or damaged after "
            "export. Export it again."
        )
    _duplicates(document)
    try:
        for key, data in _records(document):
            serializer.from_record(key, data)
    except ValueError as error:
        raise FileRefused(f"{key} record {data.get('id')}: {error}") from None
    _references(document)
    _event_hashes(document)
    if document["scope"]["kind"] == "instance":
        if not chains_from(document, audit_chain.GENESIS):
            raise FileRefused(
                "The file's audit events do not form one unbroken chain from the first event: "
                "events were removed or changed. Export it again."
            )
        chain = document["audit_chain"]
        events = document["records"]["audit_events"]
        last = max(events, key=lambda d: d["id"]) if events else None
        if chain is None or chain["last_event_id"] != (last["id"] if last else None):
            raise FileRefused("The file's audit_chain does not name its last audit event.")
    return document
