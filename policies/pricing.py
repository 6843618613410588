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


class LambdaPrices(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    request_per_million: float = Field(ge=0)
    gb_second: dict[str, dict[str, float]]


class PriceBook(BaseModel):
    """Hourly and per-use prices in USD, with where they came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    as_of: date
    note: str = ""
    region: str = "us-east-1"
    hours_per_month: float = 730
    bedrock_ptu_hourly_per_unit: dict[str, dict[str, float]]
    sagemaker_hourly: dict[str, float]
    lambda_: LambdaPrices = Field(alias="lambda")
    stepfunctions_per_state_transition: float = Field(ge=0)

    def describe(self) -> str:
        """One line saying which prices were used, for every report."""
        return f"prices: {self.source} ({self.region}, as of {self.as_of.isoformat()})"

    def ptu_unit_hourly(self, model_id: str, commitment: str | None) -> float:
        """Hourly price of one model unit (``model_id`` may be an ARN, see
        :func:`priced_model_id`); the longest matching model-id prefix wins."""
        term = commitment or "none"
        base = priced_model_id(model_id)
        matches = [k for k in self.bedrock_ptu_hourly_per_unit if k != "*" and base.startswith(k)]
        key = max(matches, key=len) if matches else "*"
        table = self.bedrock_ptu_hourly_per_unit[key]
        return table.get(term, table["none"])

    def instance_hourly(self, instance_type: str) -> float | None:
        return self.sagemaker_hourly.get(instance_type)

    def lambda_gb_second(self, region: str, architecture: str) -> float:
        table = self.lambda_.gb_second.get(region) or self.lambda_.gb_second[self.region]
        if architecture not in table:
            raise KeyError(f"no Lambda price for architecture {architecture!r}")
        return table[architecture]


@cache
def load_bundled() -> PriceBook:
    """The dated price file that ships with gpukit."""
    return PriceBook.model_validate(json.loads(BUNDLED_PATH.read_text(encoding="utf-8")))
