"""Price book: plain data with lookups. The guard may build one from the Price List API;
``load_bundled()`` is the dated fallback that ships with the kit."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

BUNDLED_PATH = Path(__file__).parent / "data" / "prices.json"


def priced_model_id(model: str) -> str:
    """The model id a PTU is priced by, from a model id or ARN: the last path segment of a
    foundation-model ARN; for a custom model (``...:custom-model/<base-model-id>/<id>``) its
    base model, whose price it shares."""
    _, _, path = model.partition(":custom-model/")
    if path.count("/") == 1:
        return path.split("/", 1)[0]
    return model.rsplit("/", 1)[-1]


class UnknownPrice(LookupError):
    """The book holds no price for this; the message names what is missing."""


class LambdaPrices(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    request_per_million: float = Field(ge=0)
    gb_second: dict[str, dict[str, float]]


class TokenPrice(BaseModel):
    """On-demand USD per million input and output tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float = Field(ge=0)
    output: float = Field(ge=0)


class PriceBook(BaseModel):
    """Hourly and per-use prices in USD, with where they came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    as_of: date
    note: str = ""
    region: str = "us-east-1"
    hours_per_month: float = 730
    bedrock_ptu_hourly_per_unit: dict[str, dict[str, float]]
    bedrock_on_demand_per_1m_tokens: dict[str, TokenPrice] = Field(default_factory=dict)
    #: Estimates: AWS does not publish model-unit throughput uniformly.
    bedrock_ptu_tokens_per_second_per_unit: dict[str, float] = Field(default_factory=dict)
    sagemaker_hourly: dict[str, float]
    lambda_: LambdaPrices = Field(alias="lambda")
    stepfunctions_per_state_transition: float = Field(ge=0)

    def describe(self) -> str:
        """One line saying which prices were used, for every report."""
        return f"prices: {self.source} ({self.region}, as of {self.as_of.isoformat()})"

    def model_key(self, model_id: str) -> str | None:
        """The price-book key for a model id or ARN (see :func:`priced_model_id`): the
        longest matching model-id prefix, or ``None`` for a model the book does not list."""
        base = priced_model_id(model_id)
        matches = [k for k in self.bedrock_ptu_hourly_per_unit if k != "*" and base.startswith(k)]
        return max(matches, key=len) if matches else None

    def known_models(self) -> list[str]:
        """Models with both a PTU price and an on-demand token price."""
        return sorted(k for k in self.bedrock_on_demand_per_1m_tokens if self.model_key(k) == k)

    def ptu_unit_hourly(self, model_id: str, commitment: str | None) -> float:
        """Hourly price of one model unit; a model the book does not list gets the ``*``
        row, so a forgotten PTU of an unlisted model is never priced at zero."""
        term = commitment or "none"
        table = self.bedrock_ptu_hourly_per_unit[self.model_key(model_id) or "*"]
        return table.get(term, table["none"])

    def on_demand_tokens(self, model_id: str) -> TokenPrice | None:
        """On-demand token prices of a model, or ``None`` when the book has none for it."""
        key = self.model_key(model_id)
        return self.bedrock_on_demand_per_1m_tokens.get(key) if key else None

    def ptu_tokens_per_second(self, model_id: str) -> float | None:
        """Estimated tokens per second of one model unit, or ``None`` when unknown."""
        key = self.model_key(model_id)
        return self.bedrock_ptu_tokens_per_second_per_unit.get(key) if key else None

    def instance_hourly(self, instance_type: str) -> float | None:
        return self.sagemaker_hourly.get(instance_type)

    def lambda_gb_second(self, region: str, architecture: str) -> float:
        """Lambda's first-tier price per GB-second; :class:`UnknownPrice` for a region or
        architecture the book does not list (never another region's price)."""
        table = self.lambda_.gb_second.get(region)
        if table is None:
            listed = ", ".join(sorted(self.lambda_.gb_second))
            raise UnknownPrice(f"no Lambda price for region {region} in {self.source} ({listed})")
        if architecture not in table:
            raise UnknownPrice(f"no Lambda price for architecture {architecture!r} in {region}")
        return table[architecture]

    def tuning_prices(self, region: str) -> dict[str, object]:
        """The power tuner's ``prices`` input for functions in ``region`` (see
        docs/powertuning.md); :class:`UnknownPrice` when the book lacks the region."""
        return {
            "gbSecond": {a: self.lambda_gb_second(region, a) for a in ("x86_64", "arm64")},
            "requestPerMillion": self.lambda_.request_per_million,
            "stateTransition": self.stepfunctions_per_state_transition,
            "source": self.describe(),
        }


@cache
def load_bundled() -> PriceBook:
    """The dated price file that ships with gpukit."""
    return PriceBook.model_validate(json.loads(BUNDLED_PATH.read_text(encoding="utf-8")))
