"""Current SageMaker hosting and Bedrock on-demand token prices from the AWS Price List
API, over the bundled book.

Bedrock Provisioned Throughput prices are not published per model unit in a form the
Price List API filters cleanly, so they stay bundled; the report's ``prices`` line says
which parts are live. Any failure falls back to the bundled, dated file and says why.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from gpukit.guard.awsutil import AwsError, error_message
from gpukit.guard.bedrock_pricing import bedrock_token_prices
from gpukit.guard.clients import ClientFactory
from gpukit.guard.price_list import on_demand_dimensions, products
from gpukit.policies.pricing import PriceBook, Source, SourcedPrice, TokenPrice, load_bundled

SERVICE_CODE = "AmazonSageMaker"
#: The ``source`` of every price read live.
LIVE_SOURCE = "aws-price-list"
PRICE_LIST_URL = "https://api.pricing.us-east-1.amazonaws.com (GetProducts)"


def hosting_filters(region: str) -> list[dict[str, str]]:
    return [
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region},
        {"Type": "TERM_MATCH", "Field": "component", "Value": "Hosting"},
        {"Type": "TERM_MATCH", "Field": "productFamily", "Value": "ML Instance"},
    ]


def hourly_on_demand(product: dict[str, Any]) -> tuple[str, float] | None:
    """``(instance type, USD per hour)`` from one Price List product, if it has both."""
    name = product.get("product", {}).get("attributes", {}).get("instanceName", "")
    for dimension in on_demand_dimensions(product):
        usd = dimension.get("pricePerUnit", {}).get("USD")
        if name.startswith("ml.") and dimension.get("unit") in ("Hrs", "Hours") and usd:
            price = float(usd)
            if price > 0:
                return name, price
    return None


def sagemaker_hosting_prices(factory: ClientFactory, region: str) -> dict[str, float]:
    prices: dict[str, float] = {}
    for product in products(factory, SERVICE_CODE, hosting_filters(region)):
        found = hourly_on_demand(product)
        if found is not None:
            prices[found[0]] = found[1]
    return prices


def _reason(exc: Exception) -> str:
    return error_message(exc).splitlines()[0][:120]


def load_prices(
    factory: ClientFactory, region: str = "us-east-1", today: date | None = None
) -> PriceBook:
    """Live SageMaker hosting and Bedrock on-demand token prices merged over the bundled
    book, else the bundled book; ``source`` says which parts are live and why not."""
    bundled = load_bundled()
    try:
        live = sagemaker_hosting_prices(factory, region)
    except AwsError as exc:
        return bundled.model_copy(
            update={"source": f"bundled; Price List API failed: {_reason(exc)}"}
        )
    tokens: dict[str, TokenPrice] = {}
    token_note = ""
    try:
        tokens = bedrock_token_prices(factory, region, bundled.bedrock_on_demand_per_1m_tokens)
    except AwsError as exc:
        token_note = f" (Bedrock token prices: {_reason(exc)})"
    if not live and not tokens:
        return bundled.model_copy(
            update={"source": f"bundled; Price List API returned no prices{token_note}"}
        )
    read = today or date.today()
    live_source = Source(
        title="AWS Price List API, GetProducts for AmazonSageMaker and AmazonBedrock",
        url=PRICE_LIST_URL,
        read=read,
    )
    got = [f"{len(live)} SageMaker instance types"] if live else []
    got += [f"{len(tokens)} Bedrock on-demand models"] if tokens else []
    rest = ["Bedrock PTUs"] + ([] if live else ["SageMaker"])
    rest += [] if tokens else ["Bedrock on-demand tokens"]
    return bundled.model_copy(
        update={
            "source": f"AWS Price List API for {' and '.join(got)},"
            f" bundled {bundled.as_of.isoformat()} for {', '.join(rest)}{token_note}",
            "as_of": read,
            "region": region,
            "sources": {**bundled.sources, LIVE_SOURCE: live_source},
            "sagemaker_hourly": {
                **bundled.sagemaker_hourly,
                **{t: SourcedPrice(usd=usd, source=LIVE_SOURCE) for t, usd in live.items()},
            },
            "bedrock_on_demand_per_1m_tokens": {
                **bundled.bedrock_on_demand_per_1m_tokens,
                **{k: p.model_copy(update={"source": LIVE_SOURCE}) for k, p in tokens.items()},
            },
        }
    )
