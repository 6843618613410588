"""Price List API prices (botocore Stubber: moto has no Price List API), with fallback."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from gpukit.emulator import Emulator
from gpukit.guard.audit import FileAuditStore
from gpukit.guard.bedrock_pricing import token_filters
from gpukit.guard.clients import ClientFactory
from gpukit.guard.pricing import load_prices
from gpukit.guard.runner import GuardConfig, run_guard
from gpukit.policies.pricing import load_bundled
from tests.guard.conftest import factory_for
from tests.guard.price_list_stubs import params, product, stubbed


def bedrock_params() -> dict[str, Any]:
    return {
        "ServiceCode": "AmazonBedrock",
        "Filters": token_filters("us-east-1"),
        "FormatVersion": "aws_v1",
    }


def test_live_prices_override_bundled_ones_and_say_so() -> None:
    factory = ClientFactory()
    with stubbed(factory) as stub:
        stub.add_response(
            "get_products",
            {
                "PriceList": [product("ml.g5.xlarge", "2.5"), product("ml.g6.xlarge", "1.9")],
                "NextToken": "page2",
                "FormatVersion": "aws_v1",
            },
            params(),
        )
        stub.add_response(
            "get_products",
            {
                "PriceList": [
                    product("ml.p4d.24xlarge", "0.0"),
                    product("ml.g4dn.xlarge", "9", "GB"),
                ],
                "FormatVersion": "aws_v1",
            },
            params("page2"),
        )
        stub.add_response(
            "get_products", {"PriceList": [], "FormatVersion": "aws_v1"}, bedrock_params()
        )
        book = load_prices(factory, "us-east-1", today=date(2026, 11, 23))
        stub.assert_no_pending_responses()
    bundled = load_bundled()
    assert book.instance_hourly("ml.g5.xlarge") == 2.5
    assert book.instance_hourly("ml.g6.xlarge") == 1.9
    assert book.instance_hourly("ml.g4dn.xlarge") == bundled.instance_hourly("ml.g4dn.xlarge")
    assert book.bedrock_ptu_hourly_per_unit == bundled.bedrock_ptu_hourly_per_unit
    assert "AWS Price List API for 2 SageMaker instance types" in book.describe()
    assert "2026-11-23" in book.describe()


def test_a_failing_price_list_falls_back_to_bundled_and_says_why() -> None:
    factory = ClientFactory()
    with stubbed(factory) as stub:
        stub.add_client_error("get_products", "AccessDeniedException", "not allowed")
        book = load_prices(factory)
    assert book.sagemaker_hourly == load_bundled().sagemaker_hourly
    assert "bundled; Price List API failed: AccessDeniedException" in book.describe()


def test_an_empty_price_list_falls_back_to_bundled() -> None:
    factory = ClientFactory()
    with stubbed(factory) as stub:
        stub.add_response("get_products", {"PriceList": [], "FormatVersion": "aws_v1"}, params())
        stub.add_response(
            "get_products", {"PriceList": [], "FormatVersion": "aws_v1"}, bedrock_params()
        )
        book = load_prices(factory)
        stub.assert_no_pending_responses()
    assert (
        book.describe() == "prices: bundled; Price List API returned no prices"
        f" (us-east-1, as of {load_bundled().as_of.isoformat()})"
    )


def test_a_run_with_live_prices_reports_the_fallback_on_an_emulator(
    aws: Emulator, audit_path: Path
) -> None:
    config = GuardConfig(live_prices=True, audit=FileAuditStore(audit_path))
    report = run_guard(factory_for(aws), config)
    assert report.prices.startswith("prices: bundled; Price List API failed")
