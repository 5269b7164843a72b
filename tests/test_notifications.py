"""Customer notifications end to end: orders placed and moved through the API, the emails
received by a real SMTP server (aiosmtpd), their language, content and escaping, never two
of one kind per order, RECORDED without SMTP, retries while the server is down, reminders."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from oms.clock import ManualClock, use
from oms.config import ConfigError, Settings
from oms.enums import NotificationKind
from oms.models import Notification, Order
from oms.notifications.orders import Draft, write
from oms.uow import unit_of_work
from tests.helpers import channel, stock
from tests.journeys import (
    cancel,
    fulfillment_at,
    line_id,
    ok,
    place_paid,
    receive_return,
    refund_return,
    request_return,
    step,
    walk,
)
from tests.journeys import ship as ship_parcel
from tests.order_helpers import BERGAMO, network
from tests.servers import eventually
from tests.smtp_sink import FAST, Pigeon, SmtpSink, parts, served

NOTIFICATIONS = """query($id: ID!) { order(id: $id) { number
  notifications { kind recipient medium status subject createdAt sentAt } } }"""
MADRID = {"name": "Ana", "line1": "Gran Via 1", "city": "Madrid", "country": "ES"}
PARIS = {"line1": "Rue de Rivoli 1", "city": "Paris", "country": "FR"}


async def notifications(api: Any, order_id: str) -> list[dict[str, Any]]:
    return (await api(NOTIFICATIONS, {"id": order_id}))["order"]["notifications"]


async def settled(api: Any, order_id: str, count: int) -> list[dict[str, Any]]:
    """The order's notifications once `count` of them are no longer QUEUED."""
    found: list[dict[str, Any]] = []

    async def done() -> bool:
        found[:] = await notifications(api, order_id)
        return sum(n["status"] != "QUEUED" for n in found) >= count
    await eventually(done, within=10)
    return found


async def test_an_italian_order_is_told_in_italian_once_per_step(database: Settings, admin_token: str,
                                                                 sink: SmtpSink) -> None:
    async with served(database, admin_token, smtp_url=sink.url, **FAST) as api:
        await network(api)
        await stock(api, ("A", "MIL", 5), ("B", "TOR", 5))
        address = {**BERGAMO, "name": "Anna <b>Rossi</b>"}
        placed = await place_paid(api, ("A", 1), ("B", 1), shippingAddress=address,
                                  idempotencyKey="cart-1")
        again = await place_paid(api, ("A", 1), ("B", 1), shippingAddress=address,
                                 idempotencyKey="cart-1")
        assert again["id"] == placed["id"]
        for code in ("MIL", "TOR"):  # two parcels: the customer hears of the first
            parcel = fulfillment_at(placed, code)
            await walk(api, parcel["id"], "accept", "pick", "pack")
            await ok(await ship_parcel(api, parcel["id"], carrier="BRT & Co",
                                       tracking=f"TRK-<{code}>"))
            await ok(await step(api, "deliver", parcel["id"]))
        repeated = await step(api, "deliver", fulfillment_at(placed, "TOR")["id"])
        assert [e["code"] for e in repeated["userErrors"]] == ["INVALID_TRANSITION"]

        told = await settled(api, placed["id"], 3)
        number = placed["number"]
        assert [(n["kind"], n["status"], n["subject"]) for n in told] == [
            ("ORDER_CONFIRMED", "SENT", f"Il tuo ordine {number} è confermato"),
            ("SHIPPED", "SENT", f"Il tuo ordine {number} è stato spedito"),
            ("DELIVERED", "SENT", f"Il tuo ordine {number} è stato consegnato"),
        ]
        assert all(n["recipient"] == "ann@example.com" and n["medium"] == "EMAIL" and n["sentAt"]
                   for n in told)
        await asyncio.sleep(0.3)  # time enough for a duplicate to arrive, if there were one
    mails = sink.to("ann@example.com")
    assert [m["Subject"] for m in mails] == [n["subject"] for n in told]
    text, html = parts(mails[1])
    assert "in viaggio con BRT & Co" in text and "TRK-<MIL>" in text
    assert "Gentile Anna <b>Rossi</b>," in text
    assert "BRT &amp; Co" in html and "TRK-&lt;MIL&gt;" in html
    assert "Anna &lt;b&gt;Rossi&lt;/b&gt;" in html and "<b>" not in html
    assert mails[0]["Content-Language"] == "it"
    assert "1 x A" in parts(mails[0])[0] and "1 x B" in parts(mails[0])[0]


async def test_the_language_follows_the_channel_then_the_address(database: Settings,
                                                                 admin_token: str,
                                                                 sink: SmtpSink) -> None:
    async with served(database, admin_token, smtp_url=sink.url, **FAST) as api:
        await network(api)
        await stock(api, ("A", "MIL", 9))
        await channel(api, "es-web", language="es")
        spanish = await place_paid(api, ("A", 1), shippingAddress=MADRID)
        english = await place_paid(api, ("A", 1), shippingAddress=PARIS)
        by_channel = await place_paid(api, ("A", 1), channel_code="es-web")  # an Italian address
        subjects = {key: (await settled(api, order["id"], 1))[0]["subject"] for key, order in
                    (("es", spanish), ("en", english), ("channel", by_channel))}
    assert subjects == {"es": f"Tu pedido {spanish['number']} está confirmado",
                        "en": f"Your order {english['number']} is confirmed",
                        "channel": f"Tu pedido {by_channel['number']} está confirmado"}
    assert "Hola Ana:" in parts(sink.messages[0])[0]


async def test_a_channel_language_without_templates_is_refused(api: Any) -> None:
    data = await api("""mutation { upsertChannel(input: {code: "x", name: "x", type: WEB,
        currency: "EUR", language: "fr"}) { channel { code } userErrors { code field } } }""")
    assert data["upsertChannel"] == {"channel": None,
                                     "userErrors": [{"code": "INVALID_INPUT", "field": ["language"]}]}


async def test_without_smtp_each_notification_is_recorded(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5))
    placed = await place_paid(api, ("A", 2))
    assert (await cancel(api, placed["id"]))["userErrors"] == []
    told = await settled(api, placed["id"], 2)
    assert [(n["kind"], n["status"], n["sentAt"]) for n in told] == [
        ("ORDER_CONFIRMED", "RECORDED", None), ("CANCELLED", "RECORDED", None)]
    assert told[1]["subject"] == f"Il tuo ordine {placed['number']} è stato annullato"


async def test_concurrent_writers_leave_one_notification_per_order_and_kind(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5))
    placed = await place_paid(api, ("A", 2))
    outcomes = await asyncio.gather(cancel(api, placed["id"]), cancel(api, placed["id"]))
    assert sorted(len(o["userErrors"]) for o in outcomes) == [0, 1]
    order = await Order.get(id=placed["id"])

    async def told_again() -> None:
        async with unit_of_work("tests") as uow:
            await write([Draft(order, NotificationKind.CANCELLED, {})])
            assert uow is not None
    await asyncio.gather(*(told_again() for _ in range(4)))
    kinds = await Notification.filter(order_id=order.id).values_list("kind", flat=True)
    assert sorted(kinds) == ["CANCELLED", "ORDER_CONFIRMED"]


async def test_a_message_waits_out_an_smtp_outage_then_arrives_once(database: Settings,
                                                                    admin_token: str) -> None:
    down = SmtpSink()  # nobody listens on its port yet
    async with served(database, admin_token, smtp_url=down.url,
                      **{**FAST, "notify_max_attempts": 50}) as api:
        await network(api)
        await stock(api, ("A", "MIL", 5))
        placed = await place_paid(api, ("A", 1))
        await eventually(lambda: Notification.filter(attempts__gte=2, status="QUEUED").exists())
        assert (await notifications(api, placed["id"]))[0]["status"] == "QUEUED"
        await down.start()
        try:
            told = await settled(api, placed["id"], 1)
            await asyncio.sleep(0.3)
        finally:
            await down.stop()
    assert told[0]["status"] == "SENT"
    assert [m["Subject"] for m in down.messages] == [told[0]["subject"]]
    row = await Notification.get(order_id=placed["id"])
    assert row.attempts >= 3 and row.last_error is None


async def test_a_message_fails_after_the_last_retry(database: Settings, admin_token: str) -> None:
    down = SmtpSink()
    async with served(database, admin_token, smtp_url=down.url, **FAST) as api:
        await network(api)
        await stock(api, ("A", "MIL", 5))
        placed = await place_paid(api, ("A", 1))
        told = await settled(api, placed["id"], 1)
    assert (told[0]["status"], told[0]["sentAt"]) == ("FAILED", None)
    row = await Notification.get(order_id=placed["id"])
    assert row.attempts == FAST["notify_max_attempts"] and row.last_error


async def test_a_pickup_waiting_past_the_configured_hours_is_reminded_once(
        database: Settings, admin_token: str, sink: SmtpSink) -> None:
    with use(ManualClock()) as clock:
        async with served(database, admin_token, smtp_url=sink.url, pickup_reminder_hours=24.0,
                          pickup_reminder_sweep_seconds=0.05, **FAST) as api:
            await network(api, MIL={"type": "STORE", "canPickup": True, "name": "Milano Duomo"})
            await stock(api, ("A", "MIL", 5))
            pickups = [await place_paid(api, ("A", 1), deliveryMethod="PICKUP_IN_STORE",
                                        pickupNodeCode="MIL", shippingAddress=None)
                       for _ in range(2)]
            for placed in pickups:
                await walk(api, fulfillment_at(placed, "MIL")["id"], "accept", "pick", "pack",
                           "ready")
            await walk(api, fulfillment_at(pickups[1], "MIL")["id"], "pickedUp")
            clock.advance(23 * 3600)
            await asyncio.sleep(0.3)
            assert [n["kind"] for n in await notifications(api, pickups[0]["id"])] == [
                "ORDER_CONFIRMED", "READY_FOR_PICKUP"]
            clock.advance(2 * 3600)
            waiting, collected = (await settled(api, pickups[0]["id"], 3),
                                  await settled(api, pickups[1]["id"], 2))
            await asyncio.sleep(0.3)
    assert [n["kind"] for n in waiting] == ["ORDER_CONFIRMED", "READY_FOR_PICKUP", "PICKUP_REMINDER"]
    assert [n["kind"] for n in collected] == ["ORDER_CONFIRMED", "READY_FOR_PICKUP"]
    number = pickups[0]["number"]
    reminders = [m for m in sink.messages if m["Subject"].startswith("Promemoria")]
    assert [m["Subject"] for m in reminders] == [f"Promemoria: il tuo ordine {number} ti aspetta"]
    assert "ti aspetta presso Milano Duomo, x, MIL da 24 ore" in parts(reminders[0])[0]


async def test_another_notifier_plugs_in_through_its_setting(database: Settings,
                                                             admin_token: str) -> None:
    Pigeon.sent.clear()
    async with served(database, admin_token, notifier="tests.smtp_sink:pigeon",
                      **FAST) as api:
        await network(api)
        await stock(api, ("A", "MIL", 5))
        placed = await place_paid(api, ("A", 1), shippingAddress=MADRID)
        told = await settled(api, placed["id"], 1)
    assert [(n["medium"], n["status"]) for n in told] == [("PIGEON", "SENT")]
    assert [(m.kind, m.recipient, m.language, m.subject) for m in Pigeon.sent] == [
        ("ORDER_CONFIRMED", "ann@example.com", "es", f"Tu pedido {placed['number']} está confirmado")]
    assert "Hola Ana:" in Pigeon.sent[0].text and "<p>Hola Ana:</p>" in Pigeon.sent[0].html


@pytest.mark.parametrize(("variable", "value"), [
    ("OMS_SMTP_URL", "http://mail.example.com"), ("OMS_SMTP_URL", "smtp://"),
    ("OMS_SMTP_URL", "smtp://mail:port"), ("OMS_SMTP_FROM", "nobody"),
    ("OMS_NOTIFY_RETRY_SECONDS", "0"), ("OMS_PICKUP_REMINDER_HOURS", "soon"),
    ("OMS_NOTIFIER", "no-colon")])
def test_bad_notification_settings_fail_at_start_naming_the_variable(
        monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env()


async def test_a_refund_is_told_with_its_amount(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5))
    placed = await place_paid(api, ("A", 2))
    parcel = fulfillment_at(placed, "MIL")["id"]
    await walk(api, parcel, "accept", "pick", "pack", "ship", "deliver")
    asked = await ok(await request_return(api, placed["id"], (line_id(placed, "A"), 1)))
    rma = asked["return"]["id"]
    await ok(await receive_return(api, rma, "MIL", (line_id(placed, "A"), 1, "RESTOCK")))
    await ok(await refund_return(api, rma))
    told = await settled(api, placed["id"], 4)
    assert [n["kind"] for n in told] == ["ORDER_CONFIRMED", "SHIPPED", "DELIVERED", "REFUNDED"]
    assert told[3]["subject"] == f"Rimborso del tuo ordine {placed['number']}"
    row = await Notification.get(order_id=placed["id"], kind="REFUNDED")
    assert "abbiamo rimborsato 10.00 EUR" in (row.body_text or "")


async def test_two_server_processes_never_send_one_notification_twice(
        database: Settings, admin_token: str, sink: SmtpSink) -> None:
    """Two runtimes (their own sender loops, claiming from one database) behind one API."""
    async with served(database, admin_token, smtp_url=sink.url, **FAST) as api, \
            served(database, admin_token, smtp_url=sink.url, **FAST) as other:
        await network(api)
        await stock(api, ("A", "MIL", 50))
        placed = [await place_paid(api if i % 2 else other, ("A", 1)) for i in range(12)]
        await eventually(lambda: len(sink.messages) >= 12, within=15)
        await asyncio.sleep(0.3)
    assert sorted(m["Subject"] for m in sink.messages) == sorted(
        f"Il tuo ordine {p['number']} è confermato" for p in placed)
