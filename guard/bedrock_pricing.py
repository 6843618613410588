"""Bedrock on-demand token prices from the AWS Price List API (``ServiceCode=AmazonBedrock``).

What the parser assumes about a product (the shape ``awslabs/model-info-amazon-bedrock``
reads; AWS documents no schema for it):

- ``product.attributes.usagetype`` is ``<REGION>-<model>-input-tokens`` or
  ``...-output-tokens`` for standard, in-region, on-demand use. Other suffixes (batch,
  flex, priority, cross-region, cache reads and writes, long context, reserved, images)
  are other prices and are skipped.
- Where the product also says what it prices, it must agree: ``feature`` is
  ``On-demand Inference`` and ``inferenceType`` is ``Input tokens`` or ``Output tokens``
  in the usagetype's direction (the recorded product in
  ``tests/guard/fixtures/pricelist/`` has both); a product without them is judged by its
  usagetype alone.
- The price is ``terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD`` with ``unit``
  ``1K tokens`` (times 1000 for our per-million prices) or ``1M tokens``; any other unit is
  skipped.
- ``<model>`` is sometimes a model id (``meta.llama3-8b-instruct-v1``,
  ``anthropic.claude-3-haiku-20240307-v1``), sometimes a marketing name. It counts only
  when, lower-cased and stripped of punctuation, it is a price-book model key (with or
  without the provider prefix) followed by nothing or a version or date
  (``v1``, ``20240307``): Command R+ must not get Command R's price. Unmatched
  products are ignored, so those models keep their bundled prices. The ``model``
  attribute (``Claude 2.0``) is not used to match: squashed, ``Command R+`` would read as
  Command R.

Some third-party models are listed under other service codes
(``AmazonBedrockFoundationModels``); they keep their bundled prices too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from gpukit.guard.clients import ClientFactory
from gpukit.guard.price_list import on_demand_dimensions, products
from gpukit.policies.pricing import TokenPrice

SERVICE_CODE = "AmazonBedrock"
_USAGETYPE = re.compile(r"^[A-Z0-9]+-(?P<model>.+)-(?P<direction>input|output)-tokens$")
_VERSION_TAIL = re.compile(r"(v?\d[a-z0-9]*)?")
PER_UNIT = {"1K tokens": 1000.0, "1M tokens": 1.0}
ON_DEMAND_FEATURE = "On-demand Inference"
INFERENCE_TYPES = {"input": "Input tokens", "output": "Output tokens"}


def token_filters(region: str) -> list[dict[str, str]]:
    return [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def match_model(segment: str, keys: Iterable[str]) -> str | None:
    """The price-book key a usagetype's model segment names (see the module docstring);
    the longest key wins, and a tie between two keys is no match."""
    wanted = _squash(segment)
    hits: dict[str, int] = {}
    for key in keys:
        for form in (_squash(key), _squash(key.split(".", 1)[-1])):
            if form and wanted.startswith(form) and _VERSION_TAIL.fullmatch(wanted[len(form) :]):
                hits[key] = max(hits.get(key, 0), len(form))
    if not hits:
        return None
    best = max(hits.values())
    winners = [k for k, n in hits.items() if n == best]
    return winners[0] if len(winners) == 1 else None


def token_price(product: dict[str, Any]) -> tuple[str, str, float] | None:
    """``(model segment, "input"|"output", USD per 1M tokens)`` from one product, if it is a
    standard on-demand token price."""
    attributes = product.get("product", {}).get("attributes", {})
    found = _USAGETYPE.match(attributes.get("usagetype", ""))
    if found is None or attributes.get("feature", ON_DEMAND_FEATURE) != ON_DEMAND_FEATURE:
        return None
    kind = INFERENCE_TYPES[found["direction"]]
    if attributes.get("inferenceType", kind) != kind:
        return None
    for dimension in on_demand_dimensions(product):
        scale = PER_UNIT.get(dimension.get("unit", ""))
        usd = dimension.get("pricePerUnit", {}).get("USD")
        if scale is None or usd is None:
            continue
        try:
            price = float(usd) * scale
        except ValueError:
            continue
        return found["model"], found["direction"], price
    return None


def bedrock_token_prices(
    factory: ClientFactory, region: str, keys: Iterable[str]
) -> dict[str, TokenPrice]:
    """Live on-demand prices for the price-book models in ``keys`` that the Price List
    lists with both an input and an output price."""
    known = list(keys)
    sides: dict[str, dict[str, float]] = {}
    for product in products(factory, SERVICE_CODE, token_filters(region)):
        found = token_price(product)
        key = match_model(found[0], known) if found else None
        if found and key:
            sides.setdefault(key, {})[found[1]] = found[2]
    return {
        key: TokenPrice(input=side["input"], output=side["output"])
        for key, side in sides.items()
        if {"input", "output"} <= side.keys()
    }
