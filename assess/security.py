"""HTTP hardening applied to every response: security headers and cookie settings.

The Content-Security-Policy allows scripts, styles, images and fonts from this site only, with no
inline script or style, so markup that slips into a page cannot run.
"""

from __future__ import annotations

from flask import Flask, Response

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


def init_app(app: Flask) -> None:
    """Set secure cookie options for HTTPS deployments and add the headers to every response."""
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
