"""VAT on documents. Prices in the OMS are VAT-inclusive; a document splits its gross total
into net and VAT at the rate of the country the goods go to (the shipping address, or the
pickup store's), which for domestic sales is the seller's own and for EU distance sales is
what the OSS scheme asks."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

VAT_RATES: dict[str, Decimal] = {
    "IT": Decimal("22"), "ES": Decimal("21"), "FR": Decimal("20"), "DE": Decimal("19"),
    "PT": Decimal("23"), "AT": Decimal("20"), "BE": Decimal("21"), "NL": Decimal("21"),
}
"Standard rates per country (ISO-3166 alpha-2), in percent."
DEFAULT_VAT_RATE = Decimal("22")
"For a country not in the table (and an order with no country): the Italian standard rate."
CENT = Decimal("0.01")


@dataclass(frozen=True)
class VatLine:
    rate: Decimal
    net: Decimal
    vat: Decimal
    gross: Decimal


def rate_for(country: str | None) -> Decimal:
    return VAT_RATES.get((country or "").upper(), DEFAULT_VAT_RATE)


def split(gross: Decimal, rate: Decimal) -> VatLine:
    """The VAT inside a VAT-inclusive `gross` at `rate` percent (net rounded half up to the
    cent; VAT is the rest, so net + VAT is always the gross)."""
    net = (gross * 100 / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    return VatLine(rate=rate, net=net, vat=gross - net, gross=gross)
