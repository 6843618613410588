"""The AWS Price List API (``pricing``), read the same way for every service: the products
of a paginated ``GetProducts``, and each product's on-demand price dimensions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from gpukit.guard.clients import ClientFactory

#: The Price List API is served from a few regions only; us-east-1 answers for all.
PRICING_REGION = "us-east-1"


def products(
    factory: ClientFactory, service_code: str, filters: list[dict[str, str]]
) -> Iterator[dict[str, Any]]:
    """Every product of ``service_code`` matching ``filters``, parsed (the API sends JSON
    text), page by page; a failing call raises from the iteration."""
    client = factory.client("pricing", PRICING_REGION, max_attempts=2)
    pages = client.get_paginator("get_products").paginate(
        ServiceCode=service_code, Filters=filters, FormatVersion="aws_v1"
    )
    for page in pages:
        for item in page.get("PriceList", []):
            yield json.loads(item) if isinstance(item, str) else item


def on_demand_dimensions(product: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The price dimensions (``unit``, ``pricePerUnit``) of a product's on-demand terms."""
    for term in product.get("terms", {}).get("OnDemand", {}).values():
        yield from term.get("priceDimensions", {}).values()
