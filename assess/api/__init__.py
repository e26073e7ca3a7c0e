"""The read API, ``/api/v1``: organisations, assessments, answers, results, gaps and action plans,
as JSON, for a personal API token (see ``docs/api.md``).

:mod:`assess.api.views` holds the routes, :mod:`assess.api.representations` the JSON of each
resource, :mod:`assess.api.openapi` the OpenAPI 3.1 document that describes them, and
:mod:`assess.api.problems` the RFC 9457 problem documents every error is answered with.
"""

from __future__ import annotations

from flask import request

#: Where the API's version 1 lives.
PREFIX = "/api/v1"


def is_api_request() -> bool:
    """Whether the request is for the API (its errors are then problem documents, not pages)."""
    try:
        path = request.path
    except RuntimeError:  # outside a request
        return False
    return path == PREFIX or path.startswith(PREFIX + "/")
