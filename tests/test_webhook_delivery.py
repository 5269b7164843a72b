"""Webhook delivery against a real receiver told to fail, hang or go away: retries spaced as
`oms.webhooks.schedule` says (base shortened), endpoints disabled after the failure limit,
one delivery in flight per endpoint and in order, redelivery, nothing lost while the
receiver was down."""
from __future__ import annotations

from oms.config import Settings
from oms.models import AuditEntry, OutboxEvent
from oms.webhooks.schedule import JITTER, nominal_delay
from tests.journeys import place_paid
from tests.receiver import receiver
from tests.servers import LiveServer, eventually
from tests.webhook_helpers import REDELIVER, UPSERT, all_sent, deliveries_of, hooked, listed, shop

BASE = 0.3
SLACK = 0.75
"Seconds an attempt may come later than its due time (polling, the request itself)."


async def test_failed_attempts_are_retried_with_backoff_and_the_same_event_id(
        database: Settings, admin_token: str) -> None:
    async with shop(database, admin_token, webhook_retry_base_seconds=BASE) as server, \
            receiver() as hook:
        made = await hooked(server.api, hook, ["ORDER_CREATED"])
        hook.answer(500, 503, 404)
        await place_paid(server.api, ("A", 1))

        async def retrying() -> bool:
            found = await deliveries_of(server.api, made["id"])  # none until the relay's turn
            if not found:
                return False
            (delivery,) = found
            return (delivery["status"], delivery["responseStatus"]) == ("RETRYING", 500) \
                and delivery["error"] == "answered HTTP 500" and bool(delivery["nextAttemptAt"])

        await eventually(retrying)
        (arrival,) = await hook.wait_for(1)
        attempts = hook.arrivals
        assert len(attempts) == 4 and len({a.event_id for a in attempts}) == 1
        assert all(a.verified for a in attempts)
        for k, (earlier, later) in enumerate(zip(attempts, attempts[1:], strict=False), 1):
            gap, due = later.at - earlier.at, nominal_delay(BASE, k)
            assert due <= gap <= due * (1 + JITTER) + SLACK, (k, gap)
        await all_sent()
        (done,) = await deliveries_of(server.api, made["id"])
        assert (done["status"], done["attempts"], done["responseStatus"], done["error"]) == (
            "DELIVERED", 4, 200, None)


async def test_an_endpoint_failing_n_times_in_a_row_is_disabled(database: Settings,
                                                                 admin_token: str) -> None:
    async with shop(database, admin_token, webhook_retry_base_seconds=0.05,
                    webhook_max_failures=5, webhook_max_attempts=3) as server, \
            receiver() as hook:
        hook.default = 500
        made = await hooked(server.api, hook, ["ORDER_CREATED"])
        await place_paid(server.api, ("A", 1))
        await place_paid(server.api, ("A", 1))
        await place_paid(server.api, ("A", 1))

        async def disabled() -> bool:
            return not (await listed(server.api))[0]["active"]

        await eventually(disabled, within=15)
        (state,) = await listed(server.api)
        assert state["consecutiveFailures"] == 5
        assert len(hook.arrivals) == 5, "3 attempts of the first, then 2 of the second"
        log = state["deliveries"]
        assert [d["status"] for d in log] == ["FAILED"] * 3
        assert [d["attempts"] for d in log] == [0, 2, 3]
        assert "disabled after 5 failed attempts" in log[0]["error"]
        entry = await AuditEntry.get(action="webhookEndpointDisabled")
        assert (entry.actor, entry.target) == ("webhooks", f"webhook:{made['id']}")
        event = await OutboxEvent.get(topic="webhook.endpoint_disabled")
        assert event.payload["endpoint_id"] == made["id"]
        await eventually(lambda: _published(event.id))
        await place_paid(server.api, ("A", 1))
        await server.settle()
        assert len((await listed(server.api))[0]["deliveries"]) == 3, "none while inactive"
        hook.default = 200
        back = await server.api(UPSERT, {"input": {"id": made["id"], "url": hook.url,
                                                   "events": ["ORDER_CREATED"]}})
        assert back["upsertWebhookEndpoint"]["endpoint"]["consecutiveFailures"] == 0
        await place_paid(server.api, ("A", 1))
        await hook.wait_for(1)


async def _published(event_id: int) -> bool:
    return (await OutboxEvent.get(id=event_id)).published_at is not None


async def test_each_endpoint_gets_its_events_one_at_a_time_in_order(database: Settings,
                                                                    admin_token: str) -> None:
    """The first delivery fails twice: the later ones wait for it (and then come in order)
    while another endpoint gets every event at once."""
    async with shop(database, admin_token) as server, receiver() as slow, \
            receiver() as other:
        slow.delay = 0.05
        slow.answer(500, 500)
        await hooked(server.api, slow, ["ORDER_CREATED", "FULFILLMENT_CREATED"])
        await hooked(server.api, other, ["ORDER_CREATED", "FULFILLMENT_CREATED"])
        orders = [await place_paid(server.api, ("A", 1)) for _ in range(4)]
        await other.wait_for(8)
        assert len(slow.delivered()) == 0, "the first is still being retried"
        assert {a.event_id for a in slow.arrivals} == {other.delivered_ids()[0]}
        await slow.wait_for(8)
        assert slow.delivered_ids() == other.delivered_ids()
        assert [a.body["data"]["orderId"] for a in slow.of_type("ORDER_CREATED")] == [
            o["id"] for o in orders]
        assert [a.event_id for a in slow.arrivals] == [slow.arrivals[0].event_id] * 2 + \
            slow.delivered_ids()
        assert slow.most_in_flight == 1


async def test_redelivery_sends_a_delivery_again_now(database: Settings,
                                                     admin_token: str) -> None:
    async with shop(database, admin_token, webhook_max_attempts=2,
                    webhook_retry_base_seconds=0.05) as server, receiver() as hook:
        made = await hooked(server.api, hook, ["ORDER_CREATED"])
        await place_paid(server.api, ("A", 1))
        (first,) = await hook.wait_for(1)
        await all_sent()
        (delivered,) = await deliveries_of(server.api, made["id"])
        again = (await server.api(REDELIVER, {"id": delivered["id"]}))["redeliverWebhook"]
        assert again["userErrors"] == [] and again["delivery"]["status"] == "PENDING"
        second = (await hook.wait_for(2))[1]
        assert second.event_id == first.event_id and second.verified
        hook.default = 500
        await place_paid(server.api, ("A", 1))

        async def failed() -> bool:
            return (await deliveries_of(server.api, made["id"]))[0]["status"] == "FAILED"

        await eventually(failed)
        hook.default = 200
        given_up = (await deliveries_of(server.api, made["id"]))[0]
        assert given_up["attempts"] == 2
        await server.api(REDELIVER, {"id": given_up["id"]})
        await hook.wait_for(3)
        await eventually(lambda: _status(server, made["id"], "DELIVERED", 2))
        unknown = (await server.api(REDELIVER, {"id": "999999"}))["redeliverWebhook"]
        assert [(e["code"], e["field"]) for e in unknown["userErrors"]] == [
            ("NOT_FOUND", ["deliveryId"])]
        await server.api(UPSERT, {"input": {"id": made["id"], "url": hook.url, "active": False,
                                            "events": ["ORDER_CREATED"]}})
        inactive = (await server.api(REDELIVER, {"id": given_up["id"]}))["redeliverWebhook"]
        assert [e["code"] for e in inactive["userErrors"]] == ["ENDPOINT_INACTIVE"]


async def _status(server: LiveServer, endpoint_id: str, status: str, count: int) -> bool:
    log = await deliveries_of(server.api, endpoint_id)
    return [d["status"] for d in log].count(status) == count


async def test_nothing_is_lost_while_the_receiver_is_down(database: Settings,
                                                          admin_token: str) -> None:
    async with shop(database, admin_token, webhook_retry_base_seconds=0.1) as server, \
            receiver() as hook:
        made = await hooked(server.api, hook, ["ORDER_CREATED"])
        await hook.stop()
        orders = [await place_paid(server.api, ("A", 1)) for _ in range(3)]

        async def refused_twice() -> bool:
            head = (await deliveries_of(server.api, made["id"]))[-1]
            return head["attempts"] >= 2 and "Connect" in (head["error"] or "")

        await eventually(refused_twice)
        await hook.start()
        await hook.wait_for(3)
        assert [a.body["data"]["orderId"] for a in hook.delivered()] == [o["id"] for o in orders]
        assert all(a.verified for a in hook.arrivals)
