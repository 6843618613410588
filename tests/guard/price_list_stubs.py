"""Price List API answers for the guard's pricing tests (botocore Stubber: moto has no
Price List API). A helper module, not a test module: import these from here."""

from __future__ import annotations

import json
from typing import Any

from botocore.stub import Stubber

from gpukit.guard.clients import ClientFactory
from gpukit.guard.price_list import PRICING_REGION
from gpukit.guard.pricing import SERVICE_CODE, hosting_filters


def price_item(family: str, attributes: dict[str, str], usd: str, unit: str) -> str:
    """One Price List product as the API returns it: a JSON string with one on-demand price."""
    return json.dumps(
        {
            "product": {"productFamily": family, "attributes": attributes},
            "terms": {
                "OnDemand": {
                    "SKU.TERM": {
                        "priceDimensions": {
                            "SKU.TERM.RATE": {"unit": unit, "pricePerUnit": {"USD": usd}}
                        }
                    }
                }
            },
        }
    )


def product(instance: str, usd: str, unit: str = "Hrs") -> str:
    return price_item("ML Instance", {"instanceName": instance, "component": "Hosting"}, usd, unit)


def stubbed(factory: ClientFactory) -> Stubber:
    return Stubber(factory.client("pricing", PRICING_REGION, max_attempts=2))


def params(token: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ServiceCode": SERVICE_CODE,
        "Filters": hosting_filters("us-east-1"),
        "FormatVersion": "aws_v1",
    }
    if token:
        out["NextToken"] = token
    return out
