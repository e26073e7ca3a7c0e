"""HTTP hardening applied to every response: security headers and cookie settings; downloads
and uploads.

The Content-Security-Policy allows scripts, styles, images and fonts from this site only, with no
inline script or style, so markup that slips into a page cannot run.

Request bodies are limited by ``MAX_CONTENT_LENGTH`` (413 beyond it), form fields by
``MAX_FORM_MEMORY_SIZE`` and ``MAX_FORM_PARTS`` (see :mod:`assess.config`). A file the app hands
out is sent through :func:`attachment`, so a browser saves it rather than rendering it here; a
file a person sends is read through :func:`read_upload`, which checks its type and size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, abort, request
from werkzeug.datastructures import FileStorage
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.utils import secure_filename

#: The policy for every page. ``data:`` images let server-made SVG charts embed small images.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

#: Sent on every response whatever its type.
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

#: One year, as browsers' preload lists expect.
HSTS = "max-age=31536000; includeSubDomains"


#: Said when a request carries U+0000, which no text column (PostgreSQL's above all) can store.
NUL_MESSAGE = "Text cannot contain the NUL character (U+0000). Remove it and send the form again."


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def refuse_nul_characters() -> None:
    """Refuse (400) a request whose form fields, query or JSON hold a NUL character.

    Checked once for every request, so no form or endpoint can pass one on to the database.
    """
    fields = [*request.args.values(), *request.args.keys()]
    if request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        fields += [*request.form.keys(), *(v for _k, v in request.form.items(multi=True))]
    if any("\x00" in field for field in fields):
        abort(400, NUL_MESSAGE)
    if request.is_json and _has_nul(request.get_json(silent=True)):
        abort(400, NUL_MESSAGE)


def init_app(app: Flask) -> None:
    """Set secure cookie options for HTTPS deployments and add the headers to every response."""
    app.before_request(refuse_nul_characters)
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops < 0:
        raise ValueError(f"PROXY_FIX must be 0 or the number of trusted proxies, not {hops}")
    if hops:
        # Trust exactly this many proxies' X-Forwarded-* headers: the address limits count by
        # is then the person's, not the proxy's (one more hop would let anyone pick an address).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
    if app.config.get("HTTPS"):
        # The __Host- prefix binds the cookie to this host, over HTTPS, for the whole site.
        app.config["SESSION_COOKIE_SECURE"] = True
        if app.config.get("SESSION_COOKIE_NAME", "session") == "session":
            app.config["SESSION_COOKIE_NAME"] = "__Host-assess-session"
        app.config["PREFERRED_URL_SCHEME"] = "https"

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config.get("HTTPS"):
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if response.mimetype == "text/html":
            # Pages can hold personal data: do not keep them in shared caches.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def attachment(response: Response, filename: str) -> Response:
    """Make ``response`` a download named ``filename``: saved, never shown as a page of this
    site, and not kept in shared caches."""
    safe = secure_filename(filename) or "download"
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True)
class UploadType:
    """A kind of file an upload may be: its content type and the bytes it starts with."""

    content_type: str
    magic: bytes = b""


class UploadRefused(ValueError):
    """An uploaded file is of a type not accepted, or too large (the message says which)."""


def read_upload(upload: FileStorage, types: Mapping[str, UploadType], max_bytes: int) -> bytes:
    """The content of ``upload`` if its name ends in one of ``types``' extensions (``".csv"``),
    its declared type and first bytes match, and it is at most ``max_bytes`` long.

    Raises :class:`UploadRefused` otherwise. Whatever is accepted is still only ever handed back
    through :func:`attachment`.
    """
    name = (upload.filename or "").lower()
    extension = next((ext for ext in types if name.endswith(ext)), None)
    if extension is None:
        accepted = ", ".join(sorted(types))
        raise UploadRefused(f"Choose a file of one of these types: {accepted}.")
    kind = types[extension]
    if upload.mimetype != kind.content_type:
        raise UploadRefused(f"The file is not a {extension} file.")
    content = upload.stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise UploadRefused(f"The file is larger than {max_bytes // 1024} KB.")
    if not content.startswith(kind.magic):
        raise UploadRefused(f"The file is not a {extension} file.")
    return content
