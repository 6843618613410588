"""Lambda prices for the power tuner from the Price List API (botocore Stubber: moto has no
Price List API): first tier, free-tier rows skipped, a region nobody prices is unknown."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import Stubber

from gpukit.guard import lambda_pricing as lp
from gpukit.guard.clients import ClientFactory
from gpukit.guard.price_list import PRICING_REGION
from gpukit.policies.pricing import UnknownPrice, load_bundled


def lambda_product(group: str, tiers: list[tuple[str, str]], location: str) -> str:
    """An AWSLambda product: ``tiers`` are (beginRange, USD) price dimensions."""
    dimensions = {
        f"SKU.TERM.RATE{i}": {
            "unit": "Lambda-GB-Second",
            "beginRange": begin,
            "endRange": "Inf",
            "pricePerUnit": {"USD": usd},
        }
        for i, (begin, usd) in enumerate(tiers)
    }
    attributes = {"group": group, "location": location, "regionCode": "af-south-1"}
    return json.dumps(
        {
            "product": {"productFamily": "Serverless", "attributes": attributes},
            "terms": {"OnDemand": {"SKU.TERM": {"priceDimensions": dimensions}}},
        }
    )


def params() -> dict[str, Any]:
    return {
        "ServiceCode": "AWSLambda",
        "Filters": lp.lambda_filters("af-south-1"),
        "FormatVersion": "aws_v1",
    }


def stub_products(factory: ClientFactory, items: list[str]) -> Stubber:
    stub = Stubber(factory.client("pricing", PRICING_REGION, max_attempts=2))
    stub.add_response("get_products", {"PriceList": items, "FormatVersion": "aws_v1"}, params())
    return stub


CAPE = "Africa (Cape Town)"
CAPE_TOWN = [
    lambda_product("AWS-Lambda-Duration", [("0", "0.0000221"), ("6e9", "0.0000199")], CAPE),
    lambda_product("AWS-Lambda-Duration-ARM", [("0", "0.0000177")], CAPE),
    lambda_product("AWS-Lambda-Requests", [("0", "0.00000028")], CAPE),
    lambda_product("AWS-Lambda-Duration", [("0", "0")], "Any"),  # the free tier
]


def test_first_tier_prices_of_the_region_are_used() -> None:
    factory = ClientFactory(max_attempts=2)
    with stub_products(factory, CAPE_TOWN):
        prices = lp.live_tuning_prices(factory, "af-south-1", load_bundled())
    assert prices["gbSecond"] == {"x86_64": 0.0000221, "arm64": 0.0000177}
    assert prices["requestPerMillion"] == pytest.approx(0.28)
    assert "af-south-1" in prices["source"] and "live" in prices["source"]


def test_a_region_the_price_list_lacks_is_unknown() -> None:
    factory = ClientFactory(max_attempts=2)
    with stub_products(factory, CAPE_TOWN[2:]), pytest.raises(UnknownPrice, match="af-south-1"):
        lp.live_tuning_prices(factory, "af-south-1", load_bundled())


def test_the_bundled_book_never_lends_another_regions_price() -> None:
    with pytest.raises(UnknownPrice, match="af-south-1"):
        load_bundled().lambda_gb_second("af-south-1", "arm64")
