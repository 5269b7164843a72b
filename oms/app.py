"""The ASGI application: GraphQL at /graphql, health at /healthz, Prometheus metrics at
/metrics (unless off or on a port of their own), GraphiQL's assets at /static/graphiql/,
the operations dashboard at /dashboard (its modules at /static/dashboard/), document PDFs
at /documents/{id}.pdf.

The GraphQL layer lives outside `oms` (it depends on us, not we on it); it is plugged
in by name, like an ASGI app handed to uvicorn.
"""
from __future__ import annotations

import asyncio
import gc
import importlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from oms import db, telemetry
from oms.config import Settings
from oms.documents.http import serve_document
from oms.http import RequestEdge
from oms.notifications.reminders import remind_forever
from oms.orders.sweeper import sweep_reservations
from oms.runtime import Job, Runtime
from oms.sampler import sample_forever
from oms.schedules.runner import schedule_forever

API_FACTORY = "resolvers.api:graphql_app"
HEALTH_PROBE_SECONDS = 2.0
"How long /healthz waits for each dependency: a stalled one is reported, not waited on."
log = logging.getLogger(__name__)
_probes: set[asyncio.Task[None]] = set()
"GraphiQL's scripts and styles (oms/static/graphiql: pinned npm packages, copied by its build.sh)."
GRAPHIQL_ASSETS = Path(__file__).resolve().parent / "static" / "graphiql" / "assets"
GRAPHIQL_ASSETS_URL = "/static/graphiql"
"The dashboard: plain HTML, CSS and ES modules written here (no build step, no third-party code)."
DASHBOARD_ASSETS = Path(__file__).resolve().parent / "static" / "dashboard"
DASHBOARD_ASSETS_URL = "/static/dashboard"
DASHBOARD_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
"The page talks to this server only (websockets included: CSP 3 counts ws: of the same host as 'self')."


def load_api_factory(path: str = API_FACTORY) -> Callable[..., Any]:
    module, _, attr = path.partition(":")
    factory: Callable[..., Any] = getattr(importlib.import_module(module), attr)
    return factory


def background_jobs(settings: Settings) -> list[tuple[str, Job]]:
    """Everything a server process runs besides requests, in one place."""
    jobs: list[tuple[str, Job]] = [
        ("event-hub", lambda runtime: runtime.hub.run()),
        ("outbox-relay", lambda runtime: runtime.relay.run()),
        ("outbox-prune", lambda runtime: runtime.relay.prune_forever()),
        ("webhook-sender", lambda runtime: runtime.webhooks.run()),
        ("reservation-sweeper", sweep_reservations),
        ("notification-sender", lambda runtime: runtime.notifications.run()),
        ("pickup-reminders", remind_forever),
        ("order-schedules", schedule_forever),
    ]
    if settings.metrics:
        jobs.append(("metrics-sampler", sample_forever))
    return jobs


def create_app(settings: Settings | None = None, *, manage_db: bool = True,
               api_factory: str = API_FACTORY) -> Starlette:
    """Build the app. With `manage_db=False` the caller has initialised Tortoise (tests)."""
    settings = settings or Settings.from_env()
    runtime = Runtime(settings, background_jobs(settings))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runtime.start(init_db=manage_db)
        if manage_db:  # a served process (tests share one process and skip this)
            settle_heap()
        try:
            yield
        finally:
            await runtime.stop(close_db=manage_db)
            telemetry.worker_stopped()

    graphql = load_api_factory(api_factory)(settings)
    app = Starlette(
        middleware=[
            Middleware(RequestEdge, max_body_bytes=settings.max_body_bytes),
            Middleware(CORSMiddleware, allow_origins=list(settings.allowed_origins),
                       allow_methods=["GET", "POST"], allow_headers=["authorization", "content-type",
                                                                     "x-request-id"],
                       expose_headers=["x-request-id"]),
        ],
        routes=routes(settings, graphql),
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.settings = settings
    return app


def routes(settings: Settings, graphql: Any) -> list[BaseRoute]:
    served: list[BaseRoute] = [
        Route("/", lambda request: RedirectResponse("/graphql")),
        Route("/healthz", health),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/dashboard", dashboard),
        Route("/documents/{id}.pdf", serve_document, methods=["GET"]),
        Mount(DASHBOARD_ASSETS_URL, StaticFiles(directory=DASHBOARD_ASSETS)),
    ]
    if settings.metrics and settings.metrics_port is None:
        served.append(Route("/metrics", serve_metrics))
    if settings.graphiql:
        served.append(Mount(GRAPHIQL_ASSETS_URL, StaticFiles(directory=GRAPHIQL_ASSETS)))
    return served


async def dashboard(request: Request) -> Response:
    return FileResponse(DASHBOARD_ASSETS / "index.html", headers={
        "content-security-policy": DASHBOARD_POLICY, "cache-control": "no-cache"})


async def serve_metrics(request: Request) -> Response:
    """Prometheus text; under several workers every worker's files are read (off the loop)."""
    body, content_type = await run_in_threadpool(telemetry.exposition, request.headers.get("accept"))
    return Response(body, headers={"content-type": content_type})


def settle_heap() -> None:
    """Move everything alive at start-up (modules, the schema, pools: most of the heap) out
    of the garbage collector's sight. Otherwise each full collection walks all of it, and
    one stalled the event loop for 330 ms (every request and /healthz waiting behind it)."""
    gc.collect()
    gc.freeze()


async def health(request: Request) -> JSONResponse:
    """200 when the database and the broker answer; else 503 naming what is unavailable
    (the reason goes to the log only), within HEALTH_PROBE_SECONDS."""
    runtime: Runtime = request.app.state.runtime
    probes = {"database": db.ping, "broker": runtime.broker.ping}
    states = await asyncio.gather(*(_probe(name, probe) for name, probe in probes.items()))
    checks = dict(zip(probes, states, strict=True))
    healthy = all(state == "ok" for state in states)
    return JSONResponse({"status": "ok" if healthy else "unavailable", **checks},
                        status_code=200 if healthy else 503,
                        headers=None if healthy else {"Retry-After": "1"})


async def _probe(name: str, probe: Callable[[], Awaitable[None]]) -> str:
    # Shielded: cancelling a statement on a stalled link can itself stall; it ends on its
    # own (the statement timeout), this answer does not wait for it.
    task = asyncio.ensure_future(probe())
    _probes.add(task)
    task.add_done_callback(_forget)
    try:
        async with asyncio.timeout(HEALTH_PROBE_SECONDS):
            await asyncio.shield(task)
        return "ok"
    except Exception as exc:
        log.warning("health: %s unavailable (%s: %s)", name, type(exc).__name__, exc)
        return "unavailable"


def _forget(task: asyncio.Task[None]) -> None:
    _probes.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: a probe that failed after its answer is not news
