"""GET /documents/{id}.pdf: the PDF of a document, for a bearer token that may read its order.

The token is checked and counted like a GraphQL request (its own rate limit, else the
server's); a document of an order the token may not see is 404, as one that does not exist.
"""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from oms import scopes
from oms.auth import Principal, authenticate, bearer_secret
from oms.documents.access import visible_document
from oms.documents.render import render_pdf
from oms.errors import AccessDenied, ErrorCode
from oms.runtime import Runtime


async def serve_document(request: Request) -> Response:
    try:
        principal = await authenticate(bearer_secret(request.headers.get("authorization")))
        principal.require(*scopes.READ_ORDERS)
    except AccessDenied as exc:
        status = 401 if exc.code is ErrorCode.UNAUTHENTICATED else 403
        return _error(status, exc.code, str(exc))
    refused = await _over_limit(request.app.state.runtime, principal)
    if refused is not None:
        return refused
    document = await visible_document(principal, request.path_params["id"])
    if document is None:
        return _error(404, ErrorCode.NOT_FOUND, "no such document")
    pdf = await run_in_threadpool(render_pdf, document.content)
    return Response(pdf, media_type="application/pdf", headers={
        "content-disposition": f'inline; filename="{document.number}.pdf"',
        "cache-control": "private, no-store"})


async def _over_limit(runtime: Runtime, principal: Principal) -> Response | None:
    own = principal.rate_limit
    limit = own if own is not None else runtime.settings.rate_limit_per_minute
    refusal = await runtime.rate_limits.hit(f"token:{principal.token_id}", limit)
    if refusal is None:
        return None
    return _error(429, ErrorCode.RATE_LIMITED, f"rate limit of {refusal.limit} requests a minute "
                  f"reached: retry in {refusal.retry_after} s",
                  {"retry-after": str(refusal.retry_after)})


def _error(status: int, code: ErrorCode, message: str,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": str(code), "message": message}}, status_code=status,
                        headers=headers)
