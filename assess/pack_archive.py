"""Reading an uploaded zip with hard limits: the one place a questionnaire pack's archive is opened.

Nothing in an archive is trusted. Before a byte is decompressed the archive's directory is checked
(how many members, their names, links, encryption, what they claim to hold); then each member is
read through a stream that stops one byte past its limit, so that a member that lies about its
size (a zip bomb) is caught by what it actually holds, not by what it declares. Members are never
written to disk under their own names: the caller gets ``{name: bytes}`` and decides where they go.

Every refusal is a :class:`ArchiveError` carrying a
:class:`~assess.questionnaire.validation.Message`, a plain sentence naming the member at fault.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from assess.questionnaire.validation import Message


@dataclass(frozen=True)
class Limits:
    """What an archive may hold. The defaults suit a questionnaire pack."""

    #: The archive itself, as uploaded, in bytes.
    archive_bytes: int = 4 * 1024 * 1024
    #: Members (files and folders) in the archive.
    members: int = 20
    #: One member, uncompressed, in bytes.
    member_bytes: int = 2 * 1024 * 1024
    #: All members together, uncompressed, in bytes.
    total_bytes: int = 8 * 1024 * 1024
    #: How many times larger than its compressed size one member may be (YAML compresses about
    #: 5 to 10 times; a zip bomb thousands of times).
    ratio: int = 100
    #: The longest member name, in characters.
    name_length: int = 200


DEFAULT_LIMITS = Limits()


class ArchiveError(Exception):
    """The archive cannot be read; ``message`` says why, in plain words."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def _check_name(name: str, limits: Limits) -> None:
    if len(name) > limits.name_length:
        raise ArchiveError(
            Message(
                "a file in the zip has a name longer than %(most)d characters",
                most=limits.name_length,
            )
        )
    if "\\" in name or "\x00" in name or any(ord(c) < 32 for c in name):
        raise ArchiveError(
            Message(
                "the zip holds %(name)r, a name with a backslash or a control character",
                name=name,
            )
        )
    path = PurePosixPath(name)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ArchiveError(
            Message(
                "the zip holds %(name)r, an absolute path: files in a pack must have plain names",
                name=name,
            )
        )
    if ".." in path.parts:
        raise ArchiveError(
            Message(
                "the zip holds %(name)r, a path that climbs out of its folder with ..",
                name=name,
            )
        )


def _is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    """The member's bytes, read in a stream that stops one byte past the limit."""
    budget = limits.member_bytes
    ratio_budget = max(info.compress_size, 1) * limits.ratio
    chunks: list[bytes] = []
    read = 0
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(64 * 1024)
            if not chunk:
                break
            read += len(chunk)
            if read > budget:
                raise ArchiveError(
                    Message(
                        "%(name)s is larger than %(most)s once unpacked",
                        name=info.filename,
                        most=_megabytes(budget),
                    )
                )
            if read > ratio_budget and read > 64 * 1024:
                raise ArchiveError(
                    Message(
                        "%(name)s unpacks to more than %(ratio)d times its packed size: "
                        "it looks like a zip bomb",
                        name=info.filename,
                        ratio=limits.ratio,
                    )
                )
            chunks.append(chunk)
    return b"".join(chunks)


def read(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """The files in the zip ``data`` by name (folders left out); raises :class:`ArchiveError`.

    Refused: an archive over the size limit, or not a zip from its first byte; too many
    members; a name that is absolute, climbs with ``..``, holds a backslash or a control
    character, or appears twice;
    a symbolic link; an encrypted member; a member, or all of them together, over the size
    limits or unpacking far beyond its packed size; a member that is damaged.
    """
    if len(data) > limits.archive_bytes:
        raise ArchiveError(
            Message("the zip is larger than %(most)s", most=_megabytes(limits.archive_bytes))
        )
    if not data:
        raise ArchiveError(Message("the file is empty"))
    if not data.startswith(b"PK\x03\x04"):
        # Not a zip from its first byte: a zip appended to something else (a self-extracting
        # program, a picture) is refused too.
        raise ArchiveError(Message("the file is not a zip archive, or it is damaged"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError):
        raise ArchiveError(Message("the file is not a zip archive, or it is damaged")) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.members:
            raise ArchiveError(
                Message(
                    "the zip holds %(count)d files; a pack has at most %(most)d",
                    count=len(infos),
                    most=limits.members,
                )
            )
        seen: set[str] = set()
        declared = 0
        for info in infos:
            _check_name(info.filename, limits)
            key = info.filename.rstrip("/").casefold()
            if key in seen:
                raise ArchiveError(
                    Message("the zip holds %(name)s twice", name=info.filename.rstrip("/"))
                )
            seen.add(key)
            if _is_link(info):
                raise ArchiveError(
                    Message(
                        "%(name)s is a symbolic link: a pack holds only plain files",
                        name=info.filename,
                    )
                )
            if info.flag_bits & 0x1:
                raise ArchiveError(
                    Message(
                        "%(name)s is encrypted: packs are not protected with a password",
                        name=info.filename,
                    )
                )
            declared += info.file_size
        if declared > limits.total_bytes:
            raise ArchiveError(
                Message(
                    "the zip unpacks to more than %(most)s",
                    most=_megabytes(limits.total_bytes),
                )
            )
        files: dict[str, bytes] = {}
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            try:
                content = _read_member(archive, info, limits)
            except ArchiveError:
                raise
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
                raise ArchiveError(
                    Message("%(name)s in the zip is damaged", name=info.filename)
                ) from None
            except (NotImplementedError, RuntimeError):
                raise ArchiveError(
                    Message(
                        "%(name)s is packed in a way this zip reader does not support: "
                        "use ordinary (deflate) compression",
                        name=info.filename,
                    )
                ) from None
            total += len(content)
            if total > limits.total_bytes:
                raise ArchiveError(
                    Message(
                        "the zip unpacks to more than %(most)s",
                        most=_megabytes(limits.total_bytes),
                    )
                )
            files[info.filename] = content
    return files


def strip_common_folder(names: Iterable[str]) -> str:
    """The one folder every name is inside (``"acme-pack/"``), or "" when they are not all in one.

    A pack zipped from its folder holds ``acme-pack/adoption.yaml``; zipped from inside, just
    ``adoption.yaml``. Both are read the same way.
    """
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1 and all("/" in name for name in names):
        return next(iter(tops)) + "/"
    return ""
