"""Pub/sub between server processes: Redis when configured, in-process otherwise.

Messages are dicts {"id": outbox id, "topic": ..., "payload": {...}}. Delivery is at
least once; consumers drop duplicates by id.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Protocol

import redis.asyncio as redis

from oms.clock import now

log = logging.getLogger(__name__)
CHANNEL = "oms:events"
# Yielded by `listen` after a lost connection came back: {"since": when it was lost}.
# What was published meanwhile never reached this listener; the hub re-reads the outbox.
RESUMED = "broker.resumed"
Message = dict[str, Any]


class Broker(Protocol):
    async def publish(self, messages: list[Message]) -> None: ...

    def listen(self) -> AsyncIterator[Message]: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


class InProcessBroker:
    """Fan-out inside one process, for the embedded default (SQLite, no Redis)."""

    def __init__(self) -> None:
        self._listeners: set[asyncio.Queue[Message]] = set()

    async def publish(self, messages: list[Message]) -> None:
        for queue in list(self._listeners):
            for message in messages:
                queue.put_nowait(message)

    async def listen(self) -> AsyncIterator[Message]:
        queue: asyncio.Queue[Message] = asyncio.Queue()
        self._listeners.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._listeners.discard(queue)

    async def ping(self) -> None:
        return None

    def listener_count(self) -> int:
        return len(self._listeners)

    async def close(self) -> None:
        self._listeners.clear()


class RedisBroker:
    """Redis pub/sub. The listener reconnects by itself; the outbox covers what publish misses."""

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        self.url = url
        self.channel = channel
        self._client: redis.Redis | None = None

    @property
    def client(self) -> redis.Redis:
        if self._client is None:
            self._client = redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)
        return self._client

    async def publish(self, messages: list[Message]) -> None:
        async with self.client.pipeline(transaction=False) as pipe:
            for message in messages:
                pipe.publish(self.channel, json.dumps(message, separators=(",", ":")))
            await pipe.execute()

    async def listen(self) -> AsyncIterator[Message]:
        lost_at: datetime | None = None
        while True:
            try:
                async for message in self._subscription():
                    if message is not None:
                        yield message
                    elif lost_at is not None:
                        yield {"id": None, "topic": RESUMED, "payload": {"since": lost_at.isoformat()}}
                        lost_at = None
            except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
                if lost_at is None:
                    log.warning("redis listener lost its connection (%s); retrying", exc)
                    lost_at = now()
                await asyncio.sleep(0.5)

    async def _subscription(self) -> AsyncIterator[Message | None]:
        """Messages of the channel, preceded by None once the subscription is in place."""
        client = redis.from_url(self.url, socket_connect_timeout=2)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self.channel)
            yield None
            while True:
                raw = await pubsub.get_message(timeout=5.0)
                if raw is not None:
                    yield json.loads(raw["data"])
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
            await client.aclose()

    async def ping(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def broker_for(redis_url: str | None, channel: str = CHANNEL) -> Broker:
    return RedisBroker(redis_url, channel) if redis_url else InProcessBroker()
