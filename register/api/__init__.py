"""The read-only JSON API (SPEC §3): the register's meetings, issues, organisations,
officials and units, described by `/api/v1/openapi.json`. Open to any origin for GET;
errors are JSON too."""

from __future__ import annotations

import json

from flask import Blueprint, Response, request

PREFIX = "/api/v1"

bp = Blueprint("api", __name__, url_prefix=PREFIX)

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
# The /meetings filters (SPEC §3), and what each list takes besides.
FILTERS = ("q", "official", "organisation", "issue", "kind", "unit", "from", "to", "format")
MEETING_PARAMETERS = (*FILTERS, "sort", "cursor", "limit")
PAGE_PARAMETERS = ("cursor", "limit")

# Headers a browser script may read (beyond the safelisted ones) and send.
EXPOSED_HEADERS = "ETag, Link"
ALLOWED_REQUEST_HEADERS = "If-None-Match, If-Modified-Since"


def is_api_request() -> bool:
    """Whether the request is for an API address, whether or not one answers there."""
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def json_response(data: object, status: int = 200) -> Response:
    """JSON in the order the data has it (the meeting items keep the export's column
    order), UTF-8 without escapes."""
    return Response(
        json.dumps(data, ensure_ascii=False) + "\n", status=status, mimetype="application/json"
    )


def error_response(status: int, message: str, fields: dict[str, str] | None = None) -> Response:
    """SPEC §3's error shape: a message, and the bad parameters each with its own."""
    return json_response({"error": str(message), "fields": fields or {}}, status)


@bp.after_app_request
def open_to_any_origin(response: Response) -> Response:
    """CORS for the API, errors included: any site may read it; no credentials."""
    if not is_api_request():
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_REQUEST_HEADERS
        response.headers["Access-Control-Max-Age"] = "86400"
    response.vary.add("Accept-Language")  # the error messages are translated
    return response


from . import openapi, routes  # noqa: E402,F401
