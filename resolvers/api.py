"""The GraphQL schema and its ASGI app (what `oms.app` mounts at /graphql)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
import strawberry
from cross_web import HTTPException
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.tools import merge_types

from oms import telemetry
from oms.auth import authenticate, bearer_secret
from oms.config import Settings
from oms.errors import AccessDenied
from resolvers import sockets, throttle
from resolvers.access import AccessMutation, AccessQuery
from resolvers.catalog import CatalogMutation, CatalogQuery
from resolvers.companies import CompaniesMutation, CompaniesQuery
from resolvers.documents import DocumentsQuery
from resolvers.examples import EXAMPLES
from resolvers.fulfillment import FulfillmentMutation
from resolvers.graphiql import graphiql_page
from resolvers.inventory import InventoryMutation, InventoryQuery
from resolvers.metrics import MetricsQuery
from resolvers.notifications import NotificationsMutation
from resolvers.orders import OrderMutation, OrderQuery
from resolvers.replenishment import ReplenishmentMutation, ReplenishmentQuery
from resolvers.returns import ReturnsMutation, ReturnsQuery
from resolvers.schedules import SchedulesMutation, SchedulesQuery
from resolvers.shipping import ShippingMutation, ShippingQuery
from resolvers.sourcing import SourcingMutation, SourcingQuery
from resolvers.subscriptions import Subscription
from resolvers.webhooks import WebhooksMutation, WebhooksQuery
from schema import scalars
from schema.context import Context
from schema.errors import ClientErrors, OmsSchema
from schema.introspection import introspection_guard
from schema.limits import Limits, query_limits
from schema.shared_results import SharedResultExecutor
from schema.text import NoNulInText

Query = merge_types("Query", (CatalogQuery, InventoryQuery, AccessQuery, OrderQuery, SourcingQuery,
                              ReturnsQuery, MetricsQuery, WebhooksQuery, ReplenishmentQuery,
                              DocumentsQuery, SchedulesQuery, CompaniesQuery, ShippingQuery))
Mutation = merge_types("Mutation", (CatalogMutation, InventoryMutation, AccessMutation, OrderMutation,
                                    SourcingMutation, FulfillmentMutation, ReturnsMutation,
                                    WebhooksMutation, ReplenishmentMutation, NotificationsMutation,
                                    SchedulesMutation, CompaniesMutation, ShippingMutation))


def build_schema(limits: Limits | None = None, settings: Settings | None = None) -> strawberry.Schema:
    """The schema; `settings` decide who may introspect it (everyone when not given)."""
    settings = settings or Settings()
    return OmsSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        execution_context_class=SharedResultExecutor,
        scalar_overrides=scalars.OVERRIDES,
        extensions=[
            query_limits(limits or Limits()),  # parses and validates, both cached
            NoNulInText,
            introspection_guard(settings.introspection, authenticated_only=settings.production),
            ClientErrors,
        ],
    )


class OmsGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app with our context, websocket auth and a GraphiQL with examples."""

    def __init__(self, schema: strawberry.Schema, settings: Settings,
                 graphiql_token: str | None = None) -> None:
        super().__init__(
            schema,
            keep_alive=True,
            keep_alive_interval=15,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
            allowed_origins=settings.allowed_origins,  # browsers elsewhere: refused at handshake
            max_subscriptions_per_connection=None,  # ours refuses with a code (resolvers.sockets)
            graphql_ide="graphiql" if settings.graphiql else None,
        )
        self.settings = settings
        self.graphiql_token = graphiql_token

    websocket_adapter_class = sockets.ClosingAdapter  # type: ignore[assignment]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        runtime = scope["app"].state.runtime
        if scope["type"] == "http":
            if await throttle.admit(scope, send, runtime):
                await super().__call__(scope, receive, send)
            return
        try:
            with telemetry.WEBSOCKETS.track_inprogress():
                await super().__call__(scope, receive, send)
        finally:
            await sockets.unguard(scope)

    async def get_context(self, request: Request | WebSocket, response: Any = None) -> Context:
        runtime = request.app.state.runtime
        secret = bearer_secret(request.headers.get("authorization"))
        return Context(runtime=runtime, secret=secret, request=request, response=response,
                       _principal=throttle.principal_of(request.scope))

    async def on_ws_connect(self, context: Context) -> None:
        params = getattr(context, "connection_params", None) or {}
        header = next((v for k, v in params.items() if k.lower() == "authorization"), None)
        secret = bearer_secret(header) if isinstance(header, str) else None
        websocket = context.request
        try:
            context._principal = await authenticate(secret or context.secret)
        except AccessDenied:
            raise ConnectionRejectionError() from None
        context.secret = secret or context.secret
        if context.runtime is not None:
            await sockets.guard(websocket.scope, websocket, context.runtime, context._principal)

    def encode_json(self, data: object) -> str:
        """orjson: several times faster than json.dumps on large answers. Text, so websocket
        messages stay text frames."""
        return orjson.dumps(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def parse_json(self, data: str | bytes) -> Any:
        """A request body (or GET `variables`) that is JSON but no object or list is refused
        with 400: Strawberry would call `.get` on it and fail with a 500."""
        parsed = super().parse_json(data)
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "expected a JSON object")
        return parsed

    @property
    def graphql_ide_html(self) -> str:
        return graphiql_page(EXAMPLES, self.graphiql_token)


def graphql_app(settings: Settings) -> OmsGraphQL:
    import os

    limits = Limits(settings.max_depth, settings.max_aliases, settings.max_cost, settings.max_tokens,
                    settings.max_query_chars)
    return OmsGraphQL(build_schema(limits, settings), settings,
                      graphiql_token=os.environ.get("OMS_GRAPHIQL_TOKEN"))
