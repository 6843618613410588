"""The live Price List path on recorded real ``GetProducts`` products (sources, dates and the
one edit are in ``tests/guard/fixtures/pricelist/SOURCES.md``), served through a real
botocore ``pricing`` client with the Stubber (moto has no Price List API), so each product
travels as the JSON string the API sends.

Bedrock Provisioned Throughput has no recording here (none could be found from a source
that can be named), which is why PTU prices stay in the bundled book."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gpukit.guard import bedrock_pricing as bp
from gpukit.guard.clients import ClientFactory
from gpukit.guard.pricing import hosting_filters, hourly_on_demand, load_prices
from gpukit.policies.pricing import load_bundled
from tests.guard.price_list_stubs import stubbed

RECORDED = Path(__file__).parent / "fixtures" / "pricelist"
#: aws/aws-cli#9567: Claude 2.0 input tokens, us-east-1, published 2025-06-18.
BEDROCK = RECORDED / "bedrock_aws-cli-issue-9567_claude2-input.json"
#: xbill9/sagemaker-gemma@6c18089f: ml.g6 hosting in us-east-2, recorded 2026-09-25.
SAGEMAKER = RECORDED / "sagemaker_xbill9-sagemaker-gemma_pricing-us-east-2.txt"


def bedrock_product() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(BEDROCK.read_text())
    return loaded


def sagemaker_products() -> list[dict[str, Any]]:
    """One product per recorded line, from the five recorded fields only."""
    out = []
    for line in SAGEMAKER.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields, description = line.split(" | ", 1)
        name, usagetype, usd, unit = fields.split()
        dimension = {"unit": unit, "pricePerUnit": {"USD": usd}, "description": description}
        out.append(
            {
                "product": {"attributes": {"instanceName": name, "usagetype": usagetype}},
                "terms": {"OnDemand": {"recorded": {"priceDimensions": {"recorded": dimension}}}},
            }
        )
    return out


def get_products(service: str, filters: list[dict[str, str]]) -> dict[str, Any]:
    return {"ServiceCode": service, "Filters": filters, "FormatVersion": "aws_v1"}


def page(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"PriceList": [json.dumps(item) for item in items], "FormatVersion": "aws_v1"}


def test_the_recorded_bedrock_product_reads_as_claude_2_input_at_8_dollars() -> None:
    # 0.0080000000 USD per "1K tokens" x 1000 = 8.00 per 1M input tokens
    assert bp.token_price(bedrock_product()) == ("Claude2.0", "input", pytest.approx(8.0))


def test_the_recorded_bedrock_product_through_the_client_leaves_the_model_unpriced() -> None:
    factory = ClientFactory()
    with stubbed(factory) as stub:
        stub.add_response(
            "get_products",
            page([]),
            get_products("AmazonSageMaker", hosting_filters("us-east-1")),
        )
        stub.add_response(
            "get_products",
            page([bedrock_product()]),
            get_products("AmazonBedrock", bp.token_filters("us-east-1")),
        )
        book = load_prices(factory, "us-east-1", today=date(2026, 12, 2))
        stub.assert_no_pending_responses()
    bundled = load_bundled()
    # Claude 2 is not in the book, and the real listing has only its input price (the
    # issue's complaint), so nothing is replaced and Claude 2 stays "price unknown".
    assert bp.match_model("Claude2.0", bundled.bedrock_on_demand_per_1m_tokens) is None
    assert book.on_demand_tokens("anthropic.claude-v2") is None
    assert book.bedrock_on_demand_per_1m_tokens == bundled.bedrock_on_demand_per_1m_tokens
    assert book.describe().startswith("prices: bundled; Price List API returned no prices")


def test_an_input_price_alone_never_prices_a_model_even_when_the_book_names_it() -> None:
    factory = ClientFactory()
    with stubbed(factory) as stub:
        stub.add_response(
            "get_products",
            page([bedrock_product()]),
            get_products("AmazonBedrock", bp.token_filters("us-east-1")),
        )
        got = bp.bedrock_token_prices(factory, "us-east-1", ["anthropic.claude-2.0"])
        stub.assert_no_pending_responses()
    assert got == {}


@pytest.mark.parametrize(
    "attribute, value",
    [
        # "Batch Inference" is the feature of the batch item quoted in the same issue
        ("feature", "Batch Inference"),
        ("feature", "Provisioned Throughput Inference - no commit"),
        # the usagetype says input; a product that says output is not trusted either way
        ("inferenceType", "Output tokens"),
        ("inferenceType", "Cache read input tokens"),
    ],
)
def test_a_product_whose_attributes_contradict_on_demand_input_is_skipped(
    attribute: str, value: str
) -> None:
    changed = copy.deepcopy(bedrock_product())
    changed["product"]["attributes"][attribute] = value
    assert bp.token_price(changed) is None


def test_a_product_without_feature_or_inference_type_is_judged_by_its_usagetype() -> None:
    bare = copy.deepcopy(bedrock_product())
    for attribute in ("feature", "inferenceType"):
        del bare["product"]["attributes"][attribute]
    assert bp.token_price(bare) == ("Claude2.0", "input", pytest.approx(8.0))


def test_recorded_sagemaker_products_read_as_their_recorded_hourly_prices() -> None:
    got = [hourly_on_demand(product) for product in sagemaker_products()]
    assert got == [("ml.g6.xlarge", 1.1267), ("ml.g6.2xlarge", 1.222), ("ml.g6.4xlarge", 1.654)]


def test_recorded_sagemaker_prices_through_the_client_price_instances_the_book_lacks() -> None:
    bundled = load_bundled()
    assert bundled.instance_hourly("ml.g6.xlarge") is None  # not in the book: live adds it
    factory = ClientFactory()
    with stubbed(factory) as stub:
        stub.add_response(
            "get_products",
            page(sagemaker_products()),
            get_products("AmazonSageMaker", hosting_filters("us-east-2")),
        )
        stub.add_response(
            "get_products",
            page([]),
            get_products("AmazonBedrock", bp.token_filters("us-east-2")),
        )
        book = load_prices(factory, "us-east-2", today=date(2026, 12, 2))
        stub.assert_no_pending_responses()
    assert book.instance_hourly("ml.g6.xlarge") == 1.1267
    assert book.instance_hourly("ml.g6.2xlarge") == 1.222
    assert book.instance_hourly("ml.g6.4xlarge") == 1.654
    assert book.bedrock_ptu_hourly_per_unit == bundled.bedrock_ptu_hourly_per_unit
    assert book.describe() == (
        "prices: AWS Price List API for 3 SageMaker instance types,"
        f" bundled {bundled.as_of.isoformat()} for Bedrock PTUs, Bedrock on-demand tokens"
        " (us-east-2, as of 2026-12-02)"
    )
