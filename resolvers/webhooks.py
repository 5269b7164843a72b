"""Webhook endpoints: list, create or change, delete, rotate the secret, redeliver."""
from __future__ import annotations

import strawberry

from oms import scopes
from oms.webhooks import endpoints
from resolvers.base import mutate
from schema.context import Info
from schema.webhooks import (
    WebhookDelivery,
    WebhookDeliveryPayload,
    WebhookEndpoint,
    WebhookEndpointInput,
    WebhookEndpointPayload,
)


def _payload(saved: endpoints.Saved | None, user_errors: list) -> WebhookEndpointPayload:
    if saved is None:
        return WebhookEndpointPayload(user_errors=user_errors)
    return WebhookEndpointPayload(endpoint=WebhookEndpoint.of(saved.endpoint), secret=saved.secret)


@strawberry.type
class WebhooksQuery:
    @strawberry.field(description="Oldest first; a channel-limited token sees the endpoints "
                                  "within its channels.")
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpoint]:
        who = await info.context.require(*scopes.MANAGE_WEBHOOKS)
        return [WebhookEndpoint.of(row) for row in await endpoints.list_endpoints(who)]


@strawberry.type
class WebhooksMutation:
    @strawberry.mutation
    async def upsert_webhook_endpoint(self, info: Info,
                                      input: WebhookEndpointInput) -> WebhookEndpointPayload:
        spec = input.to_spec()
        runtime = info.context.runtime
        allow_private = bool(runtime and runtime.settings.webhook_allow_private)
        out = await mutate(info, scopes.MANAGE_WEBHOOKS,
                           lambda uow, who: endpoints.upsert_endpoint(uow, who, spec, allow_private),
                           audit=lambda saved: f"webhook:{saved.endpoint.id}")
        return _payload(out.value, out.user_errors)

    @strawberry.mutation
    async def delete_webhook_endpoint(self, info: Info, id: strawberry.ID) -> WebhookEndpointPayload:
        out = await mutate(info, scopes.MANAGE_WEBHOOKS,
                           lambda uow, who: endpoints.delete_endpoint(uow, who, str(id)),
                           audit=lambda endpoint: f"webhook:{endpoint.id}")
        return WebhookEndpointPayload(endpoint=out.map(WebhookEndpoint.of),
                                      user_errors=out.user_errors)

    @strawberry.mutation
    async def rotate_webhook_secret(self, info: Info, id: strawberry.ID) -> WebhookEndpointPayload:
        out = await mutate(info, scopes.MANAGE_WEBHOOKS,
                           lambda uow, who: endpoints.rotate_secret(uow, who, str(id)),
                           audit=lambda saved: f"webhook:{saved.endpoint.id}")
        return _payload(out.value, out.user_errors)

    @strawberry.mutation(description="Send one delivery again now (e.g. after fixing the receiver).")
    async def redeliver_webhook(self, info: Info, delivery_id: strawberry.ID) -> WebhookDeliveryPayload:
        out = await mutate(info, scopes.MANAGE_WEBHOOKS,
                           lambda uow, who: endpoints.redeliver(uow, who, str(delivery_id)),
                           audit=lambda delivery: f"webhookDelivery:{delivery.id}")
        if out.value is not None and info.context.runtime is not None:
            info.context.runtime.webhooks.wake()
        return WebhookDeliveryPayload(delivery=out.map(WebhookDelivery.of),
                                      user_errors=out.user_errors)
