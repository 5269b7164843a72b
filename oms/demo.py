"""Demo data for a believable Italian-Spanish retailer, seeded through the domain functions.

Forty fulfillment nodes in real cities (warehouses, distribution centers, stores, pickup
points and one drop-ship vendor), four sales channels (with return windows), two B2B
companies on payment terms, 300 SKUs with a few thousand stock positions, carriers with
rates for Italy, Spain and the EU (`oms.shipping.demo`), and an admin token. Everything is
deterministic for a given seed, and seeding
twice only re-applies the same upserts and snapshot (plus a fresh admin token).
"""
from __future__ import annotations

import random
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from oms.auth import NewToken, create_token
from oms.catalog import ChannelSpec, NodeSpec, upsert_channel, upsert_node
from oms.clock import now
from oms.companies import CompanySpec, upsert_company
from oms.enums import (
    ChannelType,
    DeliveryMethod,
    NodeType,
    PaymentTerms,
    ScheduleInterval,
    SplitPolicy,
)
from oms.inventory import InventoryRecord, sync_inventory
from oms.models import OrderSchedule
from oms.orders.inputs import LineSpec, OrderSpec, Price
from oms.routing.rules import RuleSpec, list_rules, upsert_rule
from oms.schedules.recurrence import add_months
from oms.schedules.service import ScheduleSpec, create_schedule
from oms.scopes import Scope
from oms.shipping.demo import seed_shipping
from oms.uow import UnitOfWork, unit_of_work

SKU_COUNT = 300
FEATURED_SKUS = ("SKU-0001", "SKU-0002")  # used by the GraphiQL examples: stocked everywhere
INACTIVE_STORES = {"ST-GEN-01"}  # closed for refit

# code, name, street, city, postal code, region, country, latitude, longitude
_Row = tuple[str, str, str, str, str, str, str, float, float]

_WAREHOUSES: list[_Row] = [
    ("WH-MIL", "Magazzino Lodi (Milano)", "Via Polenghi Lombardo 11", "Lodi", "26900",
     "Lombardia", "IT", 45.3138, 9.5018),
    ("WH-MAD", "Almacén Getafe (Madrid)", "Calle Torneros 3", "Getafe", "28906",
     "Comunidad de Madrid", "ES", 40.3057, -3.7329),
    ("WH-BCN", "Almacén ZAL Prat (Barcelona)", "Avinguda Ports d'Europa 100",
     "El Prat de Llobregat", "08820", "Cataluña", "ES", 41.3262, 2.0952),
]
_DCS: list[_Row] = [
    ("DC-ROM", "Centro distribuzione Pomezia (Roma)", "Via Pontina km 29", "Pomezia", "00071",
     "Lazio", "IT", 41.6693, 12.5017),
    ("DC-VLC", "Centro de distribución Riba-roja (Valencia)", "Carrer del Sequial 12",
     "Riba-roja de Túria", "46190", "Comunidad Valenciana", "ES", 39.5466, -0.5700),
]
_STORES: list[_Row] = [
    ("ST-MIL-01", "Milano Corso Buenos Aires", "Corso Buenos Aires 33", "Milano", "20124",
     "Lombardia", "IT", 45.4784, 9.2105),
    ("ST-MIL-02", "Milano Via Torino", "Via Torino 51", "Milano", "20123",
     "Lombardia", "IT", 45.4613, 9.1839),
    ("ST-BER-01", "Bergamo Porta Nuova", "Via XX Settembre 18", "Bergamo", "24122",
     "Lombardia", "IT", 45.6983, 9.6773),
    ("ST-TOR-01", "Torino Via Roma", "Via Roma 120", "Torino", "10121",
     "Piemonte", "IT", 45.0677, 7.6825),
    ("ST-GEN-01", "Genova Via XX Settembre", "Via XX Settembre 40", "Genova", "16121",
     "Liguria", "IT", 44.4063, 8.9381),
    ("ST-VEN-01", "Venezia Mestre", "Piazza Erminio Ferretto 22", "Venezia", "30174",
     "Veneto", "IT", 45.4906, 12.2425),
    ("ST-VER-01", "Verona Via Mazzini", "Via Mazzini 14", "Verona", "37121",
     "Veneto", "IT", 45.4407, 10.9964),
    ("ST-PAD-01", "Padova Centro", "Via Roma 35", "Padova", "35122",
     "Veneto", "IT", 45.4064, 11.8768),
    ("ST-BOL-01", "Bologna Via dell'Indipendenza", "Via dell'Indipendenza 24", "Bologna",
     "40121", "Emilia-Romagna", "IT", 44.4981, 11.3432),
    ("ST-FIR-01", "Firenze Via dei Calzaiuoli", "Via dei Calzaiuoli 7", "Firenze", "50122",
     "Toscana", "IT", 43.7714, 11.2548),
    ("ST-ROM-01", "Roma Via del Corso", "Via del Corso 189", "Roma", "00186",
     "Lazio", "IT", 41.9009, 12.4810),
    ("ST-ROM-02", "Roma EUR", "Viale Europa 96", "Roma", "00144",
     "Lazio", "IT", 41.8325, 12.4697),
    ("ST-NAP-01", "Napoli Via Toledo", "Via Toledo 210", "Napoli", "80134",
     "Campania", "IT", 40.8431, 14.2487),
    ("ST-BAR-01", "Bari Via Sparano", "Via Sparano da Bari 87", "Bari", "70121",
     "Puglia", "IT", 41.1234, 16.8700),
    ("ST-PAL-01", "Palermo Via Ruggero Settimo", "Via Ruggero Settimo 45", "Palermo", "90139",
     "Sicilia", "IT", 38.1222, 13.3586),
    ("ST-CAT-01", "Catania Via Etnea", "Via Etnea 160", "Catania", "95124",
     "Sicilia", "IT", 37.5079, 15.0830),
    ("ST-MAD-01", "Madrid Fuencarral", "Calle de Fuencarral 45", "Madrid", "28004",
     "Comunidad de Madrid", "ES", 40.4256, -3.7016),
    ("ST-MAD-02", "Madrid Serrano", "Calle de Serrano 52", "Madrid", "28001",
     "Comunidad de Madrid", "ES", 40.4290, -3.6870),
    ("ST-BCN-01", "Barcelona Passeig de Gràcia", "Passeig de Gràcia 32", "Barcelona", "08007",
     "Cataluña", "ES", 41.3917, 2.1649),
    ("ST-BCN-02", "Barcelona L'Illa Diagonal", "Avinguda Diagonal 557", "Barcelona", "08029",
     "Cataluña", "ES", 41.3888, 2.1353),
    ("ST-VAL-01", "Valencia Colón", "Carrer de Colón 27", "Valencia", "46004",
     "Comunidad Valenciana", "ES", 39.4702, -0.3720),
    ("ST-ALI-01", "Alicante Maisonnave", "Avenida de Maisonnave 19", "Alicante", "03003",
     "Comunidad Valenciana", "ES", 38.3436, -0.4932),
    ("ST-MUR-01", "Murcia Gran Vía", "Gran Vía Escultor Salzillo 11", "Murcia", "30004",
     "Región de Murcia", "ES", 37.9847, -1.1300),
    ("ST-SEV-01", "Sevilla Sierpes", "Calle Sierpes 65", "Sevilla", "41004",
     "Andalucía", "ES", 37.3916, -5.9946),
    ("ST-MAL-01", "Málaga Larios", "Calle Marqués de Larios 8", "Málaga", "29005",
     "Andalucía", "ES", 36.7196, -4.4216),
    ("ST-ZAR-01", "Zaragoza Independencia", "Paseo de la Independencia 21", "Zaragoza",
     "50004", "Aragón", "ES", 41.6500, -0.8810),
    ("ST-BIL-01", "Bilbao Gran Vía", "Gran Vía de Don Diego López de Haro 24", "Bilbao",
     "48001", "País Vasco", "ES", 43.2630, -2.9350),
    ("ST-PMI-01", "Palma Passeig des Born", "Passeig des Born 17", "Palma", "07012",
     "Illes Balears", "ES", 39.5696, 2.6480),
]
_PICKUP_POINTS: list[_Row] = [
    ("PP-MIL-CEN", "Locker Milano Centrale", "Piazza Duca d'Aosta 1", "Milano", "20124",
     "Lombardia", "IT", 45.4859, 9.2035),
    ("PP-TOR-PNU", "Locker Torino Porta Nuova", "Corso Vittorio Emanuele II 53", "Torino",
     "10125", "Piemonte", "IT", 45.0622, 7.6786),
    ("PP-ROM-TER", "Locker Roma Termini", "Piazza dei Cinquecento 1", "Roma", "00185",
     "Lazio", "IT", 41.9010, 12.5018),
    ("PP-MAD-ATO", "Punto de recogida Atocha", "Glorieta del Emperador Carlos V", "Madrid",
     "28045", "Comunidad de Madrid", "ES", 40.4066, -3.6892),
    ("PP-BCN-SAN", "Punt de recollida Sants", "Plaça dels Països Catalans 1", "Barcelona",
     "08014", "Cataluña", "ES", 41.3792, 2.1400),
    ("PP-VAL-NOR", "Punto de recogida Valencia Nord", "Carrer de Xàtiva 24", "Valencia",
     "46007", "Comunidad Valenciana", "ES", 39.4666, -0.3774),
]
_VENDOR: _Row = ("DS-ACME", "ACME Tessile (drop-ship)", "Via Galcianese 78", "Prato", "59100",
                 "Toscana", "IT", 43.8777, 11.1022)


def _address(row: _Row) -> dict[str, Any]:
    _, name, line1, city, postal_code, region, country, lat, lon = row
    return {"name": name, "line1": line1, "city": city, "postal_code": postal_code,
            "region": region, "country": country,
            "location": {"latitude": lat, "longitude": lon}}


def _node(row: _Row, type: NodeType, **kwargs: Any) -> NodeSpec:
    return NodeSpec(code=row[0], name=row[1], type=type, address=_address(row),
                    latitude=row[7], longitude=row[8], **kwargs)


def _build_nodes(rng: random.Random) -> list[NodeSpec]:
    nodes = [_node(r, NodeType.WAREHOUSE, priority=10 + 2 * i, can_pickup=False,
                   daily_capacity=rng.randrange(1000, 2001, 100), processing_time_hours=24)
             for i, r in enumerate(_WAREHOUSES)]
    nodes += [_node(r, NodeType.DISTRIBUTION_CENTER, priority=20, can_pickup=False,
                    daily_capacity=rng.randrange(500, 1001, 50), processing_time_hours=24)
              for r in _DCS]
    nodes += [_node(r, NodeType.STORE, active=r[0] not in INACTIVE_STORES,
                    priority=rng.randrange(50, 91, 5), can_pickup=True,
                    daily_capacity=rng.randrange(20, 61, 5),
                    processing_time_hours=rng.choice([4, 6, 8, 12]))
              for r in _STORES]
    nodes += [_node(r, NodeType.PICKUP_POINT, priority=95, can_ship=False, can_pickup=True,
                    daily_capacity=rng.randrange(10, 31, 5), processing_time_hours=12)
              for r in _PICKUP_POINTS]
    nodes.append(_node(_VENDOR, NodeType.DROPSHIP_VENDOR, priority=100, can_pickup=False,
                       daily_capacity=300, processing_time_hours=72))
    return nodes


_SHIPPING_TYPES = [NodeType.WAREHOUSE, NodeType.DISTRIBUTION_CENTER, NodeType.STORE,
                   NodeType.DROPSHIP_VENDOR]

DEMO_NODES: list[NodeSpec] = _build_nodes(random.Random(7))
DEMO_CHANNELS: list[ChannelSpec] = [
    ChannelSpec(code="web", name="Web shop", type=ChannelType.WEB, currency="EUR",
                node_types=_SHIPPING_TYPES, return_window_days=30),
    ChannelSpec(code="app", name="Mobile app", type=ChannelType.APP, currency="EUR",
                node_types=_SHIPPING_TYPES, return_window_days=30),
    ChannelSpec(code="marketplace", name="Marketplace", type=ChannelType.MARKETPLACE,
                currency="EUR", buffer=2, allocation_percent=60,
                node_types=[NodeType.WAREHOUSE, NodeType.DISTRIBUTION_CENTER, NodeType.STORE],
                excluded_node_codes=["ST-MIL-01", "ST-ROM-01", "ST-MAD-02", "ST-BCN-01",
                                     "ST-PMI-01"], return_window_days=14),
    ChannelSpec(code="store-pickup", name="Click & collect", type=ChannelType.STORE,
                currency="EUR", node_types=[NodeType.STORE, NodeType.PICKUP_POINT]),
]


DEMO_COMPANIES: list[CompanySpec] = [
    CompanySpec(code="FERRAMENTA-ROSSI", name="Ferramenta Rossi S.r.l.", vat_number="IT01234567897",
                payment_terms=PaymentTerms.NET_30, credit_limit=Price(Decimal("5000.00"), "EUR"),
                channels=["web"]),
    CompanySpec(code="HOTEL-SOL", name="Hoteles del Sol S.L.", vat_number="ESB12345674",
                payment_terms=PaymentTerms.NET_60, credit_limit=Price(Decimal("20000.00"), "EUR"),
                channels=["web", "app"]),
]
"Two B2B accounts buying on terms (an Italian hardware shop, a Spanish hotel chain)."


def sku_code(n: int) -> str:
    return f"SKU-{n:04d}"


def _stock_for(node: NodeSpec, sku: str, rank: int, rng: random.Random
               ) -> InventoryRecord | None:
    """One node's position for one SKU (rank 1 = best seller), or None if it is not stocked."""
    featured = sku in FEATURED_SKUS
    if node.type in (NodeType.WAREHOUSE, NodeType.DISTRIBUTION_CENTER):
        share = 0.85 if node.type is NodeType.WAREHOUSE else 0.6
        if featured or rng.random() < share:
            return InventoryRecord(sku, node.code, rng.randint(20, 500), 0)
    elif node.type is NodeType.STORE:
        if featured or rng.random() < (0.35 if rank <= 50 else 0.1):
            low = 3 if featured else 0
            return InventoryRecord(sku, node.code, rng.randint(low, 15), rng.randint(1, 2))
    elif node.type is NodeType.PICKUP_POINT:
        if featured or (rank <= 60 and rng.random() < 0.2):
            return InventoryRecord(sku, node.code, rng.randint(1, 4), 0)
    elif rank > 200 and rng.random() < 0.6:  # the vendor makes the long tail
        return InventoryRecord(sku, node.code, rng.randrange(200, 3001, 50), 0)
    return None


def build_inventory(rng: random.Random,
                    nodes: list[NodeSpec] = DEMO_NODES) -> list[InventoryRecord]:
    records = []
    for node in nodes:
        for rank in range(1, SKU_COUNT + 1):
            rec = _stock_for(node, sku_code(rank), rank, rng)
            if rec is not None:
                records.append(rec)
    return records


async def seed_demo(seed: int = 7) -> str:
    """Upsert the demo nodes, channels and stock; create an admin token and return its secret."""
    rng = random.Random(seed)
    nodes = _build_nodes(rng)
    records = build_inventory(rng, nodes)
    async with unit_of_work(actor="demo-seed") as uow:
        for node in nodes:
            await upsert_node(uow, None, node)
        for channel in DEMO_CHANNELS:
            await upsert_channel(uow, None, channel)
        await sync_inventory(uow, records, note="demo seed")
        await _seed_rules(uow)
        for company in DEMO_COMPANIES:
            await upsert_company(uow, None, company)
        await seed_shipping(uow, [sku_code(n) for n in range(1, SKU_COUNT + 1)],
                            random.Random(seed))
    async with unit_of_work(actor="demo-seed") as uow:
        await _seed_schedule(uow)
    async with unit_of_work(actor="demo-seed") as uow:
        _, secret = await create_token(
            uow, None, NewToken(name="demo admin", scopes=[Scope.ADMIN], channels=[], nodes=[])
        )
    return secret


DEMO_RULES = [
    RuleSpec(name="marketplace: warehouses, ship complete", rank=10, channels=["marketplace"],
             split_policy=SplitPolicy.SHIP_COMPLETE,
             prefer_node_types=[NodeType.WAREHOUSE, NodeType.DISTRIBUTION_CENTER],
             weights={"distance": 1.0, "cost": 1.0, "priority": 0.5}),
    RuleSpec(name="web and app: stores first, nearest", rank=20, channels=["web", "app"],
             delivery_methods=[DeliveryMethod.SHIP_TO_ADDRESS], max_splits=2,
             prefer_node_types=[NodeType.STORE], weights={"distance": 1.0, "backlog": 0.5}),
]


async def _seed_rules(uow: UnitOfWork) -> None:
    """The demo's routing rules, created once (a rule with the same name is left as it is)."""
    existing = {rule.name for rule in await list_rules(None)}
    for spec in DEMO_RULES:
        if spec.name not in existing:
            await upsert_rule(uow, None, spec)


DEMO_SCHEDULE_EMAIL = "bar.centrale@example.com"
"The demo's standing order: a Bergamo café restocking SKU-0001 on the 1st of every month."


async def _seed_schedule(uow: UnitOfWork) -> None:
    """One monthly schedule, first run on the coming 1st at 06:00 UTC (made once)."""
    if await _has_demo_schedule():
        return
    today = now().date()
    first = datetime.combine(today.replace(day=1), time(6), UTC)
    start = add_months(first, 1)
    template = OrderSpec(
        channel="web", customer_email=DEMO_SCHEDULE_EMAIL,
        delivery_method=DeliveryMethod.SHIP_TO_ADDRESS,
        shipping_address={"name": "Bar Centrale", "line1": "Via XX Settembre 4", "line2": None,
                          "city": "Bergamo", "postal_code": "24122", "region": "Lombardia",
                          "country": "IT"},
        lines=[LineSpec("SKU-0001", 6, Price(Decimal("19.90"), "EUR"))])
    await create_schedule(uow, None, ScheduleSpec(template, 1, ScheduleInterval.MONTH, start))


async def _has_demo_schedule() -> bool:
    return any(row.template.get("customerEmail") == DEMO_SCHEDULE_EMAIL
               for row in await OrderSchedule.all())
