"""Rate limits per token (per client address for calls without one) and open websockets
per token, shared by every server process through Redis when `OMS_REDIS_URL` is set, in
this process's memory otherwise.

Requests are counted with the `limits` library's sliding-window counter (two counters
per key and minute, weighted by how far into the minute we are: a smooth limit, like a
token bucket refilling every second, that costs one Redis round trip). Websockets are
leases in a Redis sorted set scored by their expiry and renewed while they are open, so
the sockets of a process that died stop counting a minute later.

The limiter fails open: if Redis is unreachable the API keeps serving (logged), as the
rest of the server does without its broker.
"""
from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

log = logging.getLogger(__name__)
LEASE_SECONDS = 60.0
"A websocket's lease on a connection slot; renewed every third of it while open."
UNLIMITED = 0
"A limit of 0 means none."
REDIS_TIMEOUT = 0.5
"A limiter that cannot reach Redis quickly lets the request through rather than stall it."


@dataclass(frozen=True)
class Refusal:
    """A request over its limit: the limit, and the seconds until one more is allowed."""

    limit: int
    retry_after: int


class RateLimiter:
    """One process's view of the shared request counters and connection leases."""

    def __init__(self, redis_url: str | None, prefix: str) -> None:
        self.prefix = prefix
        storage: Storage = (RedisStorage(f"async+{redis_url}", implementation="redispy",
                                         key_prefix=f"{prefix}:requests", wrap_exceptions=True,
                                         socket_timeout=REDIS_TIMEOUT,
                                         socket_connect_timeout=REDIS_TIMEOUT)
                            if redis_url else MemoryStorage())
        self._requests = SlidingWindowCounterRateLimiter(storage)
        self._redis = (aioredis.Redis.from_url(redis_url, socket_timeout=REDIS_TIMEOUT,
                                               socket_connect_timeout=REDIS_TIMEOUT)
                       if redis_url else None)
        self._leases: dict[str, dict[str, float]] = {}
        self._warned = False

    async def hit(self, key: str, per_minute: int) -> Refusal | None:
        """Count one request against `key`; a Refusal when it is over `per_minute`."""
        if per_minute == UNLIMITED:
            return None
        item = RateLimitItemPerMinute(per_minute)
        allowed = await self._fail_open(lambda: self._requests.hit(item, key), True)
        if allowed:
            return None
        stats = await self._fail_open(lambda: self._requests.get_window_stats(item, key), None)
        wait = stats.reset_time - time.time() if stats is not None else 1.0
        return Refusal(per_minute, max(1, math.ceil(wait)))

    async def lease(self, token_id: str, limit: int) -> ConnectionLease | None:
        """A slot among the token's open websockets, or None when it holds `limit` already."""
        if limit == UNLIMITED:
            return ConnectionLease(self, token_id, uuid.uuid4().hex, counted=False)
        lease = ConnectionLease(self, token_id, uuid.uuid4().hex)
        count = await self._fail_open(lambda: self._take(lease, limit), 0)
        return lease if count <= limit else None

    async def _take(self, lease: ConnectionLease, limit: int) -> int:
        """Add the lease, drop expired ones, and count; over the limit the lease is withdrawn."""
        now = time.time()
        if self._redis is None:
            held = self._leases.setdefault(lease.token_id, {})
            for member in [m for m, until in held.items() if until <= now]:
                del held[member]
            held[lease.member] = now + LEASE_SECONDS
            count = len(held)
        else:
            key = self._lease_key(lease.token_id)
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(key, "-inf", now)
                pipe.zadd(key, {lease.member: now + LEASE_SECONDS})
                pipe.zcard(key)
                pipe.expire(key, int(LEASE_SECONDS * 2))
                count = int((await pipe.execute())[2])
        if count > limit:
            await self.release(lease)
        return count

    async def renew(self, lease: ConnectionLease) -> None:
        until = time.time() + LEASE_SECONDS
        if self._redis is None:
            self._leases.setdefault(lease.token_id, {})[lease.member] = until
            return
        redis = self._redis
        await self._fail_open(lambda: redis.zadd(self._lease_key(lease.token_id),
                                                 {lease.member: until}, xx=True), None)

    async def release(self, lease: ConnectionLease) -> None:
        if self._redis is None:
            self._leases.get(lease.token_id, {}).pop(lease.member, None)
            return
        redis = self._redis
        await self._fail_open(lambda: redis.zrem(self._lease_key(lease.token_id), lease.member), None)

    def _lease_key(self, token_id: str) -> str:
        return f"{self.prefix}:sockets:{token_id}"

    async def _fail_open(self, call: Callable[[], Awaitable[Any]], fallback: Any) -> Any:
        try:
            result = await call()
        except Exception as exc:  # Redis down or timing out: serve rather than refuse
            if not self._warned:
                log.warning("rate limits not enforced: %s", exc)
                self._warned = True
            return fallback
        self._warned = False
        return result

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()


@dataclass(frozen=True)
class ConnectionLease:
    """One open websocket's slot among its token's connections."""

    limiter: RateLimiter
    token_id: str
    member: str
    counted: bool = True
    "False for a token without a connection limit: nothing is held, renewed or released."

    async def renew(self) -> None:
        if self.counted:
            await self.limiter.renew(self)

    async def release(self) -> None:
        if self.counted:
            await self.limiter.release(self)


__all__ = ["LEASE_SECONDS", "UNLIMITED", "ConnectionLease", "RateLimiter", "Refusal"]
