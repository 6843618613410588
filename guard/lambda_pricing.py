"""Lambda prices from the AWS Price List API (``ServiceCode=AWSLambda``), for the power tuner.

What the parser assumes about a product (the shape public Price List readers rely on; AWS
documents no schema for it):

- ``product.attributes.group`` is ``AWS-Lambda-Duration`` (x86_64, per GB-second),
  ``AWS-Lambda-Duration-ARM`` (arm64) or ``AWS-Lambda-Requests`` (per request); rows whose
  ``location`` is ``Any`` are the free tier and are skipped.
- Duration is priced in tiers; the first tier (``beginRange`` ``0``) is the price a tuning
  run pays, as the bundled book's first-tier figures are.
"""

from __future__ import annotations

from typing import Any

from gpukit.guard.clients import ClientFactory
from gpukit.guard.price_list import on_demand_dimensions, products
from gpukit.policies.pricing import PriceBook, UnknownPrice

SERVICE_CODE = "AWSLambda"
DURATION_GROUPS = {"AWS-Lambda-Duration": "x86_64", "AWS-Lambda-Duration-ARM": "arm64"}
REQUESTS_GROUP = "AWS-Lambda-Requests"


def lambda_filters(region: str) -> list[dict[str, str]]:
    return [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]


def first_tier_usd(product: dict[str, Any]) -> float | None:
    """The USD price of the tier that starts at zero, if the product has one."""
    for dimension in on_demand_dimensions(product):
        if str(dimension.get("beginRange", "0")) not in ("0", "0.0"):
            continue
        try:
            return float(dimension["pricePerUnit"]["USD"])
        except (KeyError, TypeError, ValueError):
            return None
    return None


def live_tuning_prices(factory: ClientFactory, region: str, book: PriceBook) -> dict[str, Any]:
    """The tuner's ``prices`` input for ``region`` from the Price List API (Step Functions'
    transition price from ``book``); :class:`UnknownPrice` naming what the API lacks. AWS
    errors propagate."""
    gb_second: dict[str, float] = {}
    request: float | None = None
    for product in products(factory, SERVICE_CODE, lambda_filters(region)):
        attributes = product.get("product", {}).get("attributes", {})
        if attributes.get("location") == "Any":
            continue
        group = attributes.get("group", "")
        usd = first_tier_usd(product)
        if usd is None:
            continue
        if group in DURATION_GROUPS:
            gb_second[DURATION_GROUPS[group]] = usd
        elif group == REQUESTS_GROUP:
            request = usd
    missing = [g for g, arch in DURATION_GROUPS.items() if arch not in gb_second]
    if request is None:
        missing.append(REQUESTS_GROUP)
    if missing or request is None:
        raise UnknownPrice(f"the Price List has no {', '.join(missing)} price for {region}")
    return {
        "gbSecond": gb_second,
        "requestPerMillion": request * 1_000_000,
        "stateTransition": book.stepfunctions_per_state_transition.usd,
        "source": f"prices: live Price List API (AWSLambda, {region})",
    }
