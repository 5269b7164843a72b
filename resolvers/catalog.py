from __future__ import annotations

import strawberry

from oms import catalog
from oms.scopes import Scope
from resolvers.base import mutate
from schema.catalog import (
    Channel,
    ChannelInput,
    ChannelPayload,
    FulfillmentNode,
    NodeInput,
    NodePayload,
)
from schema.context import Info
from schema.enums import NodeType


@strawberry.type
class CatalogQuery:
    @strawberry.field
    async def nodes(self, info: Info, type: NodeType | None = None,
                    active: bool | None = None) -> list[FulfillmentNode]:
        await info.context.principal()
        return [FulfillmentNode.of(n) for n in await catalog.list_nodes(type, active)]

    @strawberry.field
    async def node(self, info: Info, code: str) -> FulfillmentNode | None:
        await info.context.principal()
        node = await catalog.get_node(code)
        return FulfillmentNode.of(node) if node else None

    @strawberry.field
    async def channels(self, info: Info) -> list[Channel]:
        who = await info.context.principal()
        return [Channel.of(c) for c in await catalog.list_channels() if who.sees_channel(c.code)]

    @strawberry.field
    async def channel(self, info: Info, code: str) -> Channel | None:
        who = await info.context.principal()
        found = await catalog.get_channel(code)
        return Channel.of(found) if found and who.sees_channel(code) else None


@strawberry.type
class CatalogMutation:
    @strawberry.mutation
    async def upsert_node(self, info: Info, input: NodeInput) -> NodePayload:
        out = await mutate(info, (Scope.ADMIN,),
                           lambda uow, who: catalog.upsert_node(uow, who, input.to_spec()),
                           audit=lambda node: f"node:{node.code}")
        return NodePayload(node=out.map(FulfillmentNode.of), user_errors=out.user_errors)

    @strawberry.mutation
    async def upsert_channel(self, info: Info, input: ChannelInput) -> ChannelPayload:
        out = await mutate(info, (Scope.ADMIN,),
                           lambda uow, who: catalog.upsert_channel(uow, who, input.to_spec()),
                           audit=lambda channel: f"channel:{channel.code}")
        return ChannelPayload(channel=out.map(Channel.of), user_errors=out.user_errors)
