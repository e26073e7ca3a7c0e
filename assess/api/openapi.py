"""The OpenAPI 3.1 description of the read API, as data (served at ``/api/v1/openapi.json``).

It is written by hand, beside the routes it describes: ``tests/test_api.py`` checks that every API
route is in it and every path in it is a route, and CI runs schemathesis against a running app to
check that no answer falls outside it (see ``docs/api.md``).
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from assess.api.representations import ADDED_MEMBERS
from assess.data_format import schema as export_schema
from assess.scoring import METHOD_VERSION

#: The version of this description (the API's path says its major version).
API_VERSION = "1.0.0"

_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_INTEGER = {"type": ["integer", "null"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any], *, extra: bool = False) -> dict[str, Any]:
    """An object with exactly (or, with ``extra``, at least) these properties, all present."""
    return {
        "type": "object",
        "required": sorted(properties),
        "properties": properties,
        "additionalProperties": extra,
    }


def _page(item: str) -> dict[str, Any]:
    return _object(
        {
            "items": {"type": "array", "items": _ref(item)},
            "next_cursor": {
                **_NULLABLE_STRING,
                "description": "Give as `after` for the next page; null on the last page.",
            },
            "previous_cursor": {
                **_NULLABLE_STRING,
                "description": "Give as `before` for the previous page; null on the first page.",
            },
        }
    )


SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "description": "An error, as RFC 9457 problem details.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
        },
    },
    "Step": {
        "type": "object",
        "description": "One practice to move up a level, and when it is done.",
    },
    "DimensionGap": _object(
        {
            "dimension_id": {"type": "string"},
            "title": {"type": "string"},
            "weight": {"type": "integer"},
            "current": {**_NULLABLE_INTEGER, "description": "The dimension's floor level."},
            "target": _NULLABLE_INTEGER,
            "targets": {
                "type": "array",
                "items": {"type": "object", "description": "One chosen model's target."},
            },
            "default_target": _NULLABLE_INTEGER,
            "target_rule": {
                "type": ["string", "null"],
                "enum": ["single", "fit_weighted", "mean", "lowered", None],
            },
            "lowered_reason": _NULLABLE_STRING,
            "status": {
                "type": "string",
                "enum": ["below_target", "at_target", "above_target", "no_level", "no_target"],
            },
            "gap": {"type": "integer", "minimum": 0},
            "above_by": {"type": "integer", "minimum": 0},
            "priority": {"type": "integer", "minimum": 0},
            "rank": {**_NULLABLE_INTEGER, "description": "1 for the gap to close first."},
            "completeness": {"type": ["number", "null"]},
            "floor_question_ids": {"type": "array", "items": {"type": "string"}},
            "steps": {"type": "array", "items": _ref("Step")},
        }
    ),
    "Gaps": _object(
        {
            "assessment_id": {"type": "integer"},
            "method_version": {"type": "string"},
            "chosen_models": {"type": "array", "items": {"type": "string"}},
            "chosen_by": {"type": ["string", "null"], "enum": ["body", "recommendation", None]},
            "gaps": {"type": "array", "items": _ref("DimensionGap")},
        }
    ),
    "Results": _object(
        {
            "assessment_id": {"type": "integer"},
            "status": {"type": "string", "enum": ["draft", "finalised", "superseded"]},
            "method_version": {
                "type": "string",
                "description": f"The scoring method's version ({METHOD_VERSION} today).",
            },
            "questionnaires": {"type": "array", "items": {"type": "object"}},
            "maturity": {
                "type": "object",
                "description": "Per dimension: floor, mean, completeness; the overall level.",
            },
            "fit": {
                "type": ["object", "null"],
                "description": "Each model's fit and the recommendation (null without answers).",
            },
            "chosen_models": {"type": "array", "items": {"type": "string"}},
            "chosen_by": {"type": ["string", "null"], "enum": ["body", "recommendation", None]},
            "segments": {"type": "array", "items": {"type": "object"}},
            "gaps": {"type": "array", "items": _ref("DimensionGap")},
            "definition_summary": {"type": "array", "items": {"type": "object"}},
            "contradictions": {"type": "array", "items": {"type": "object"}},
        }
    ),
}


def _record_schema(kind: str) -> dict[str, Any]:
    """The serializer's JSON Schema of records of ``kind`` (the export's), with the members the
    API adds (:data:`assess.api.representations.ADDED_MEMBERS`)."""
    record = deepcopy(export_schema.load()["$defs"][kind])
    added = ADDED_MEMBERS.get(kind, {})
    record["properties"].update(deepcopy(added))
    record["required"] = [*record["required"], *added]
    return record


SCHEMAS["Organisation"] = _record_schema("organisations")
SCHEMAS["Assessment"] = _record_schema("assessments")
SCHEMAS["Answer"] = _record_schema("answers")
SCHEMAS["Action"] = _record_schema("plan_actions")
SCHEMAS["OrganisationPage"] = _page("Organisation")
SCHEMAS["AssessmentPage"] = _page("Assessment")
SCHEMAS["AnswerPage"] = _page("Answer")
SCHEMAS["ActionPage"] = _page("Action")

_PROBLEM_CONTENT = {"application/problem+json": {"schema": _ref("Problem")}}


def _problem(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, "content": _PROBLEM_CONTENT}
    if headers:
        response["headers"] = headers
    return response


RESPONSES: dict[str, Any] = {
    "NotModified": {
        "description": "Not modified: the `If-None-Match` ETag is still current.",
        "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
    },
    "BadRequest": _problem("A parameter cannot be used (a page cursor, a limit)."),
    "Unauthorized": _problem(
        "No token, or one that is unknown, expired or revoked.",
        {"WWW-Authenticate": {"schema": {"type": "string"}, "required": True}},
    ),
    "Forbidden": _problem(
        "The token's person's role does not allow this, or the organisation is closed "
        "(pending approval, suspended, or being deleted)."
    ),
    "NotFound": _problem(
        "No such object, or not one the token may read (outside its scope, or of an "
        "organisation its person does not belong to): the two are not told apart."
    ),
    "TooManyRequests": _problem(
        "Too many requests from this token or address.",
        {"Retry-After": {"schema": {"type": "string"}, "required": True}},
    ),
}

PARAMETERS: dict[str, Any] = {
    "OrgId": {
        "name": "org_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    },
    "AssessmentId": {
        "name": "assessment_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    },
    "Limit": {
        "name": "limit",
        "in": "query",
        "description": "Rows on the page (default 50).",
        "schema": {"type": "integer", "minimum": 1, "maximum": 200},
    },
    "After": {
        "name": "after",
        "in": "query",
        "description": "The `next_cursor` of the page before: the page after it.",
        "schema": {"type": "string"},
    },
    "Before": {
        "name": "before",
        "in": "query",
        "description": "The `previous_cursor` of the page after: the page before it.",
        "schema": {"type": "string"},
    },
    "IfNoneMatch": {
        "name": "If-None-Match",
        "in": "header",
        "description": "An ETag from an earlier answer: 304 while it is still current.",
        "schema": {"type": "string"},
    },
}


def _ok(schema: str, description: str, *, paged: bool = False) -> dict[str, Any]:
    headers: dict[str, Any] = {"ETag": {"$ref": "#/components/headers/ETag"}}
    if paged:
        headers["Link"] = {
            "description": 'RFC 8288 links to the pages either side (rel="next", rel="prev").',
            "schema": {"type": "string"},
        }
    return {
        "description": description,
        "headers": headers,
        "content": {"application/json": {"schema": _ref(schema)}},
    }


def _get(
    operation_id: str,
    summary: str,
    schema: str,
    *,
    path_parameter: str | None = None,
    paged: bool = False,
    secured: bool = True,
) -> dict[str, Any]:
    parameters = [{"$ref": "#/components/parameters/IfNoneMatch"}]
    if path_parameter:
        parameters.insert(0, {"$ref": f"#/components/parameters/{path_parameter}"})
    if paged:
        parameters += [
            {"$ref": f"#/components/parameters/{name}"} for name in ("Limit", "After", "Before")
        ]
    responses: dict[str, Any] = {
        "200": _ok(schema, summary, paged=paged),
        "304": {"$ref": "#/components/responses/NotModified"},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "429": {"$ref": "#/components/responses/TooManyRequests"},
    }
    if secured:
        responses["401"] = {"$ref": "#/components/responses/Unauthorized"}
    if path_parameter:
        responses["403"] = {"$ref": "#/components/responses/Forbidden"}
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "parameters": parameters,
        "responses": responses,
    }
    if not secured:
        operation["security"] = []
    return {"get": operation}


PATHS: dict[str, Any] = {
    "/organisations": _get(
        "listOrganisations",
        "The organisations the token may read (in its scope, its person a member).",
        "OrganisationPage",
        paged=True,
    ),
    "/organisations/{org_id}": _get(
        "getOrganisation", "One organisation.", "Organisation", path_parameter="OrgId"
    ),
    "/organisations/{org_id}/assessments": _get(
        "listAssessments",
        "The organisation's assessments, newest first.",
        "AssessmentPage",
        path_parameter="OrgId",
        paged=True,
    ),
    "/assessments/{assessment_id}": _get(
        "getAssessment", "One assessment.", "Assessment", path_parameter="AssessmentId"
    ),
    "/assessments/{assessment_id}/answers": _get(
        "listAnswers",
        "The assessment's stored answers.",
        "AnswerPage",
        path_parameter="AssessmentId",
        paged=True,
    ),
    "/assessments/{assessment_id}/results": _get(
        "getResults",
        "The scoring result: maturity, model fit, register, gaps and contradictions.",
        "Results",
        path_parameter="AssessmentId",
    ),
    "/assessments/{assessment_id}/gaps": _get(
        "getGaps",
        "Every dimension against its target, ranked gaps first, with their steps.",
        "Gaps",
        path_parameter="AssessmentId",
    ),
    "/assessments/{assessment_id}/action-plan": _get(
        "listActions",
        "The actions of the assessment's plan.",
        "ActionPage",
        path_parameter="AssessmentId",
        paged=True,
    ),
    "/openapi.json": _get(
        "getOpenAPI", "This description of the API.", "OpenAPIDocument", secured=False
    ),
}
SCHEMAS["OpenAPIDocument"] = {"type": "object", "required": ["openapi", "paths"]}

_DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "assess read API",
        "version": API_VERSION,
        "summary": "Read an organisation's assessments, answers, results, gaps and action plans.",
        "description": (
            "Authenticate with a personal API token made on your account page "
            "(`Authorization: Bearer assess_...`). A token reads only the organisations in its "
            "scope, with its person's current role. Lists are read a page at a time with "
            "cursors; answers carry ETags; errors are RFC 9457 problem documents. "
            "See docs/api.md."
        ),
        "license": {"name": "Apache License 2.0", "identifier": "Apache-2.0"},
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerToken": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {
            "bearerToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "A personal API token, made on the account page.",
            }
        },
        "headers": {
            "ETag": {
                "description": "The representation's version; send it as If-None-Match.",
                "schema": {"type": "string"},
                "required": True,
            }
        },
        "schemas": SCHEMAS,
        "responses": RESPONSES,
        "parameters": PARAMETERS,
    },
}


def document(server: str | None = None) -> dict[str, Any]:
    """The OpenAPI document, with ``server`` (this site's API address) as its server."""
    result = deepcopy(_DOCUMENT)
    if server:
        result["servers"] = [{"url": server}]
    return result


__all__ = ["API_VERSION", "PATHS", "document"]
