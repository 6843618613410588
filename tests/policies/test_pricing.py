"""Price lookups: model ids from ARNs, custom models priced as their base model."""

from __future__ import annotations

import pytest

from policies.pricing import load_bundled, priced_model_id

CUSTOM = "arn:aws:bedrock:us-east-1:111122223333:custom-model/amazon.titan-text-lite-v1:0:4k/x1"
BASE = "arn:aws:bedrock:us-east-1::foundation-model/cohere.command-r-v1:0"


def test_custom_models_are_priced_as_their_base_model() -> None:
    assert priced_model_id(CUSTOM) == "amazon.titan-text-lite-v1:0:4k"
    assert priced_model_id(BASE) == "cohere.command-r-v1:0"


def test_unit_price_accepts_ids_and_arns_alike() -> None:
    book = load_bundled()
    assert book.ptu_unit_hourly(CUSTOM, None) == pytest.approx(7.10)
    assert book.ptu_unit_hourly(BASE, "SixMonths") == book.ptu_unit_hourly(
        "cohere.command-r-v1:0", "SixMonths"
    ) == pytest.approx(28.80)
    assert book.ptu_unit_hourly("vendor.unlisted-model", "OneMonth") == pytest.approx(18.00)
