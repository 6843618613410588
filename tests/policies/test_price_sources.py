"""Every figure in the bundled price book names where it was read and when."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from gpukit.policies.pricing import BUNDLED_PATH, PriceBook, load_bundled

RAW = json.loads(BUNDLED_PATH.read_text(encoding="utf-8"))


def test_every_entry_names_a_source_with_title_url_and_read_date() -> None:
    book = load_bundled()
    entries = list(book.entry_sources())
    assert len(entries) > 30
    for family, key, ref in entries:
        assert ref, f"{family}.{key} has no source"
        source = book.sources[ref]
        assert source.title.strip() and source.url.startswith("https://"), (family, key)
        assert date(2024, 1, 1) <= source.read <= book.as_of, (family, key)


def test_the_file_itself_gives_every_entry_a_source_key() -> None:
    """Checked on the raw JSON too, so a default in the model cannot hide a missing one."""
    for family in (
        "bedrock_ptu_hourly_per_unit",
        "bedrock_on_demand_per_1m_tokens",
        "sagemaker_hourly",
    ):
        for key, entry in RAW[family].items():
            assert entry.get("source") in RAW["sources"], f"{family}.{key}"
    for family in (
        "lambda",
        "stepfunctions_per_state_transition",
        "bedrock_no_commitment_base_models",
    ):
        assert RAW[family].get("source") in RAW["sources"], family
    for ref, source in RAW["sources"].items():
        assert {"title", "url", "read"} <= source.keys(), ref
        date.fromisoformat(source["read"])


def test_a_third_party_copy_says_which_aws_page_it_copies() -> None:
    for ref, source in load_bundled().sources.items():
        if "aws.amazon.com" not in source.url:
            assert "third-party" in source.title and "aws.amazon.com" in source.copy_of, ref


def test_no_placeholder_rows_and_no_throughput_guesses() -> None:
    book = load_bundled()
    assert "*" not in book.bedrock_ptu_hourly_per_unit
    assert book.bedrock_ptu_tokens_per_second_per_unit == {}


def test_an_entry_naming_a_missing_source_is_refused() -> None:
    broken = json.loads(json.dumps(RAW))
    broken["sagemaker_hourly"]["ml.g4dn.xlarge"]["source"] = "nowhere"
    with pytest.raises(ValueError, match=re.escape("sagemaker_hourly.ml.g4dn.xlarge: 'nowhere'")):
        PriceBook.model_validate(broken)
