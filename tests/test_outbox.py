"""The outbox keeps what is unpublished and prunes what went out long ago."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from oms.events.broker import InProcessBroker
from oms.events.relay import OutboxRelay
from oms.models import OutboxEvent


async def test_prune_drops_only_events_published_long_ago(database):
    old = datetime.now(UTC) - timedelta(days=2)
    await OutboxEvent.create(topic="t", payload={"n": 1}, published_at=old)
    await OutboxEvent.create(topic="t", payload={"n": 2}, published_at=datetime.now(UTC))
    await OutboxEvent.create(topic="t", payload={"n": 3})
    assert await OutboxRelay(InProcessBroker()).prune() == 1
    left = sorted(e.payload["n"] for e in await OutboxEvent.all())
    assert left == [2, 3]
