"""Back-in-stock notices through the API: registration (validated, idempotent, a storefront
token's), one email per registration when the channel's total rises from 0 (a sync, an
adjustment, a channel edit), none on a second restock."""
from __future__ import annotations

import asyncio
from typing import Any

from oms.config import Settings
from oms.models import BackInStockRequest, Notification
from tests.conftest import make_token
from tests.helpers import ADJUST, channel, node, stock
from tests.servers import eventually
from tests.smtp_sink import FAST, SmtpSink, parts, served

REQUEST = """mutation($input: BackInStockInput!) { requestBackInStockNotice(input: $input) {
  registered userErrors { code field } } }"""


async def ask(api: Any, email: str, sku: str = "A", channel_code: str = "web",
              token: str | None = None) -> dict[str, Any]:
    body = await api(REQUEST, {"input": {"channel": channel_code, "sku": sku, "email": email}},
                     token=token)
    return body["requestBackInStockNotice"]


async def world(api: Any) -> None:
    await node(api, "MIL", address={"line1": "x", "city": "Milano", "country": "IT"})
    await channel(api, "web", language="it")
    await channel(api, "b2b", type="B2B")
    await stock(api, ("A", "MIL", 0))


async def test_a_registration_is_checked_and_kept_once(api: Any) -> None:
    await world(api)
    storefront = await make_token(["availability:read"], channels=["web"], name="shop")
    assert await ask(api, "Ann@Example.com ", token=storefront) == {"registered": True,
                                                                   "userErrors": []}
    assert await ask(api, "ann@example.com", token=storefront) == {"registered": True,
                                                                  "userErrors": []}
    assert await BackInStockRequest.all().values_list("email", flat=True) == ["ann@example.com"]
    refused = await ask(api, "not-an-address", sku="NOPE", channel_code="b2b", token=storefront)
    assert refused == {"registered": False, "userErrors": [
        {"code": "UNKNOWN_CHANNEL", "field": ["channel"]}, {"code": "UNKNOWN_SKU", "field": ["sku"]},
        {"code": "INVALID_INPUT", "field": ["email"]}]}
    assert await BackInStockRequest.all().count() == 1


async def test_each_registered_email_hears_once_when_the_sku_comes_back(
        database: Settings, admin_token: str, sink: SmtpSink) -> None:
    async with served(database, admin_token, smtp_url=sink.url, **FAST) as api:
        await world(api)
        for email in ("ann@example.com", "bob@example.com"):
            assert (await ask(api, email))["registered"]
        assert (await ask(api, "carl@example.com", channel_code="b2b"))["registered"]
        await stock(api, ("A", "MIL", 0))  # still none: nobody is told
        await stock(api, ("A", "MIL", 4))
        await eventually(lambda: len(sink.messages) == 3, within=10)
        await api(ADJUST, {"adjustments": [{"sku": "A", "nodeCode": "MIL", "delta": 3}]})
        await stock(api, ("A", "MIL", 0))
        await stock(api, ("A", "MIL", 2))  # back again, but every registration has ended
        await asyncio.sleep(0.3)
    assert sorted(m["To"] for m in sink.messages) == [
        "ann@example.com", "bob@example.com", "carl@example.com"]
    italian = sink.to("ann@example.com")[0]
    assert italian["Subject"] == "A è di nuovo disponibile"
    assert "è di nuovo disponibile su web" in parts(italian)[0]
    assert sink.to("carl@example.com")[0]["Subject"] == "A is back in stock"
    assert await BackInStockRequest.all().count() == 0
    kinds = await Notification.all().values_list("kind", "status", "order_id")
    assert sorted(kinds) == [("BACK_IN_STOCK", "SENT", None)] * 3


async def test_a_channel_edit_that_makes_the_sku_promisable_tells_too(api: Any) -> None:
    await world(api)
    await stock(api, ("A", "MIL", 3))
    await channel(api, "web", language="es", buffer=5)  # 3 units, 5 held back: none to promise
    assert (await ask(api, "ann@example.com"))["registered"]
    assert await Notification.all().count() == 0
    await channel(api, "web", language="es", buffer=1)
    await eventually(lambda: Notification.filter(status="RECORDED").exists())
    told = await Notification.get(kind="BACK_IN_STOCK")
    assert (told.recipient, told.language, told.subject) == ("ann@example.com", "es",
                                                             "A vuelve a estar disponible")
    assert await BackInStockRequest.all().count() == 0


async def test_asking_needs_a_storefront_scope(api: Any) -> None:
    await world(api)
    writer = await make_token(["inventory:write"], name="wms")
    body = await api.raw(REQUEST, {"input": {"channel": "web", "sku": "A", "email": "a@b.co"}},
                         token=writer)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
