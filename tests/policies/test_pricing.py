"""Price lookups: model ids from ARNs, custom models priced as their base model."""

from __future__ import annotations

import pytest

from gpukit.policies.pricing import load_bundled, priced_model_id

CUSTOM = "arn:aws:bedrock:us-east-1:111122223333:custom-model/amazon.titan-text-lite-v1:0:4k/x1"
BASE = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"


def test_custom_models_are_priced_as_their_base_model() -> None:
    assert priced_model_id(CUSTOM) == "amazon.titan-text-lite-v1:0:4k"
    assert priced_model_id(BASE) == "amazon.titan-text-express-v1"


def test_unit_price_accepts_ids_and_arns_alike() -> None:
    book = load_bundled()
    assert book.ptu_unit_hourly(CUSTOM, None) == pytest.approx(7.10)
    assert (
        book.ptu_unit_hourly(BASE, "SixMonths")
        == book.ptu_unit_hourly("amazon.titan-text-express-v1", "SixMonths")
        == pytest.approx(14.80)
    )


def test_a_model_or_term_the_book_lacks_is_unknown_not_another_price() -> None:
    book = load_bundled()
    assert book.ptu_unit_hourly("vendor.unlisted-model", "OneMonth") is None
    assert book.ptu_unit_hourly("anthropic.claude-sonnet-4-5-20250929-v1:0", None) is None
    # Titan Embeddings G1 is listed with commitment prices only: no-commitment is unknown
    assert book.ptu_unit_hourly("amazon.titan-embed-text-v1:2:8k", None) is None
    assert book.ptu_unit_hourly("amazon.titan-embed-text-v1:2:8k", "OneMonth") == 6.40
    assert book.instance_hourly("ml.g5.xlarge") is None
