"""`python -m oms.devcheck PG_URL REDIS_URL`: exit 0 when both answer (used by CI)."""
from __future__ import annotations

import asyncio
import sys

import asyncpg
import redis.asyncio as redis


async def reachable(pg_url: str, redis_url: str) -> bool:
    try:
        conn = await asyncpg.connect(pg_url, timeout=5)
        await conn.close()
        client = redis.from_url(redis_url, socket_connect_timeout=5)
        await client.ping()
        await client.aclose()
    except Exception as exc:
        print(f"unreachable: {exc}", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    sys.exit(0 if asyncio.run(reachable(sys.argv[1], sys.argv[2])) else 1)
