"""Bedrock on-demand token prices from the Price List API (botocore Stubber: moto has no
Price List API), merged into the price book with SageMaker's, each falling back."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from botocore.stub import Stubber

from gpukit.guard import bedrock_pricing as bp
from gpukit.guard.clients import ClientFactory
from gpukit.guard.pricing import load_prices
from gpukit.policies.pricing import load_bundled
from tests.guard.price_list_stubs import params, price_item, product, stubbed


def token_product(usagetype: str, usd: str, unit: str = "1K tokens") -> str:
    """A product shaped like AmazonBedrock's: usagetype names model and direction."""
    attributes = {"usagetype": usagetype, "regionCode": "us-east-1"}
    return price_item("Amazon Bedrock", attributes, usd, unit)


def stub_one_sagemaker_price(stub: Stubber) -> None:
    stub.add_response(
        "get_products",
        {"PriceList": [product("ml.g5.xlarge", "2.5")], "FormatVersion": "aws_v1"},
        params(),
    )


def token_params(token: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ServiceCode": "AmazonBedrock",
        "Filters": bp.token_filters("us-east-1"),
        "FormatVersion": "aws_v1",
    }
    if token:
        out["NextToken"] = token
    return out


KEYS = list(load_bundled().bedrock_on_demand_per_1m_tokens)


@pytest.mark.parametrize(
    "segment, key",
    [
        ("meta.llama3-8b-instruct-v1", "meta.llama3-8b-instruct"),
        ("meta.llama3-70b-instruct-v1", "meta.llama3-70b-instruct"),
        ("anthropic.claude-3-haiku-20240307-v1", "anthropic.claude-3-haiku"),
        ("NovaLite", "amazon.nova-lite"),
        ("cohere.command-r-v1", "cohere.command-r"),
        ("CommandRPlus", "cohere.command-r-plus"),  # Command R+ never takes Command R's price
        ("TitanTextG1-Express", None),  # a marketing name we cannot map: stays bundled
    ],
)
def test_model_segments_map_to_price_book_keys(segment: str, key: str | None) -> None:
    assert bp.match_model(segment, KEYS) == key


def test_command_r_plus_never_takes_command_r_price_when_only_r_is_listed() -> None:
    assert bp.match_model("CommandRPlus", ["cohere.command-r"]) is None


def test_only_standard_in_region_token_prices_are_read() -> None:
    # 1K-token prices x 1000 = per 1M: 0.0003 -> 0.30
    got = bp.token_price(
        json.loads(token_product("USE1-meta.llama3-8b-instruct-v1-input-tokens", "0.0003"))
    )
    assert got == ("meta.llama3-8b-instruct-v1", "input", pytest.approx(0.30))
    per_million = token_product("USE1-meta.llama3-8b-instruct-v1-output-tokens", "0.6", "1M tokens")
    assert bp.token_price(json.loads(per_million)) == ("meta.llama3-8b-instruct-v1", "output", 0.6)
    for skipped in (
        token_product("USE1-meta.llama3-8b-instruct-v1-input-tokens-batch", "0.00015"),
        token_product("USE1-meta.llama3-8b-instruct-v1-input-tokens-cross-region-global", "1"),
        token_product("USE1-anthropic.claude-3-haiku-cache-read-input-token-count", "1"),
        token_product("USE1-Guardrail-ContentPolicyUnitsConsumed", "0.75"),
        token_product("USE1-meta.llama3-8b-instruct-v1-input-tokens", "0.3", "Hrs"),
    ):
        assert bp.token_price(json.loads(skipped)) is None


def test_live_token_prices_override_bundled_ones_and_say_so() -> None:
    factory = ClientFactory()
    with stubbed(factory) as stub:
        stub_one_sagemaker_price(stub)
        stub.add_response(
            "get_products",
            {
                "PriceList": [
                    token_product("USE1-meta.llama3-8b-instruct-v1-input-tokens", "0.00022"),
                    token_product("USE1-meta.llama3-8b-instruct-v1-output-tokens", "0.00072"),
                    # an input price alone is not enough to replace the bundled pair
                    token_product("USE1-amazon.nova-pro-v1-input-tokens", "0.0009"),
                ],
                "NextToken": "p2",
                "FormatVersion": "aws_v1",
            },
            token_params(),
        )
        stub.add_response(
            "get_products",
            {
                "PriceList": [
                    token_product(
                        "USE1-anthropic.claude-3-haiku-20240307-v1-input-tokens",
                        "0.25",
                        "1M tokens",
                    ),
                    token_product(
                        "USE1-anthropic.claude-3-haiku-20240307-v1-output-tokens",
                        "1.25",
                        "1M tokens",
                    ),
                ],
                "FormatVersion": "aws_v1",
            },
            token_params("p2"),
        )
        book = load_prices(factory, "us-east-1", today=date(2026, 12, 2))
        stub.assert_no_pending_responses()
    bundled = load_bundled()
    llama = book.on_demand_tokens("meta.llama3-8b-instruct-v1:0")
    assert llama is not None
    assert (llama.input, llama.output) == (pytest.approx(0.22), pytest.approx(0.72))
    assert book.on_demand_tokens("amazon.nova-pro-v1:0") == bundled.on_demand_tokens(
        "amazon.nova-pro"
    )
    assert book.describe() == (
        "prices: AWS Price List API for 1 SageMaker instance types and 2 Bedrock on-demand"
        f" models, bundled {load_bundled().as_of.isoformat()} for Bedrock PTUs"
        " (us-east-1, as of 2026-12-02)"
    )


def test_a_failing_bedrock_price_list_keeps_live_sagemaker_and_says_why() -> None:
    factory = ClientFactory()
    with stubbed(factory) as stub:
        stub_one_sagemaker_price(stub)
        stub.add_client_error("get_products", "ThrottlingException", "slow down")
        book = load_prices(factory, "us-east-1", today=date(2026, 12, 2))
        stub.assert_no_pending_responses()
    assert book.instance_hourly("ml.g5.xlarge") == 2.5
    assert book.bedrock_on_demand_per_1m_tokens == load_bundled().bedrock_on_demand_per_1m_tokens
    bundled_on = load_bundled().as_of.isoformat()
    assert f"bundled {bundled_on} for Bedrock PTUs, Bedrock on-demand tokens" in book.describe()
    assert "(Bedrock token prices: ThrottlingException: slow down)" in book.describe()
