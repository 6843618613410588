"""Price book: plain data with lookups. The guard may build one from the Price List API;
``load_bundled()`` is the dated fallback that ships with the kit."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gpukit.policies.errors import InputError

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


class Source(BaseModel):
    """Where a figure was read: the page's title and address, the AWS page a third-party
    copy is of, and the day it was read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    url: str = Field(min_length=1)
    read: date
    copy_of: str = ""


class LambdaPrices(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    request_per_million: float = Field(ge=0)
    gb_second: dict[str, dict[str, float]]
    source: str = ""


class TokenPrice(BaseModel):
    """On-demand USD per million input and output tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    source: str = ""


class PtuPrice(BaseModel):
    """USD per model unit per hour by commitment; a term the source does not sell or list
    is absent (``None``), never filled in from another term."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    none: float | None = Field(default=None, gt=0)
    OneMonth: float | None = Field(default=None, gt=0)
    SixMonths: float | None = Field(default=None, gt=0)
    source: str = ""

    def term(self, commitment: str | None) -> float | None:
        value = getattr(self, commitment or "none", None)
        return value if isinstance(value, float) else None


class SourcedPrice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    usd: float = Field(gt=0)
    source: str = ""


class ModelList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    models: list[str] = Field(default_factory=list)
    source: str = ""


def _longest_prefix(base: str, keys: Iterable[str]) -> str | None:
    matches = [k for k in keys if base.startswith(k)]
    return max(matches, key=len) if matches else None


class PriceBook(BaseModel):
    """Hourly and per-use prices in USD, each entry naming its source (a key of
    ``sources``), with where the book as a whole came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    as_of: date
    note: str = ""
    region: str = "us-east-1"
    hours_per_month: float = 730
    sources: dict[str, Source] = Field(default_factory=dict)
    bedrock_ptu_hourly_per_unit: dict[str, PtuPrice] = Field(default_factory=dict)
    #: Base models whose PTU may be bought without commitment (custom models always may).
    bedrock_no_commitment_base_models: ModelList = Field(default_factory=ModelList)
    bedrock_on_demand_per_1m_tokens: dict[str, TokenPrice] = Field(default_factory=dict)
    #: Yours only: AWS publishes no model-unit throughput (ask your account team).
    bedrock_ptu_tokens_per_second_per_unit: dict[str, float] = Field(default_factory=dict)
    sagemaker_hourly: dict[str, SourcedPrice] = Field(default_factory=dict)
    lambda_: LambdaPrices = Field(alias="lambda")
    stepfunctions_per_state_transition: SourcedPrice

    @model_validator(mode="after")
    def _sources_resolve(self) -> PriceBook:
        missing = sorted(
            f"{family}.{key}: {ref!r}"
            for family, key, ref in self.entry_sources()
            if ref and ref not in self.sources
        )
        if missing:
            raise ValueError(f"entries name sources not in 'sources': {', '.join(missing)}")
        return self

    def entry_sources(self) -> Iterator[tuple[str, str, str]]:
        """``(family, key, source reference)`` of every price entry in the book."""
        tables: dict[str, Mapping[str, PtuPrice | TokenPrice | SourcedPrice]] = {
            "bedrock_ptu_hourly_per_unit": self.bedrock_ptu_hourly_per_unit,
            "bedrock_on_demand_per_1m_tokens": self.bedrock_on_demand_per_1m_tokens,
            "sagemaker_hourly": self.sagemaker_hourly,
        }
        for family, table in tables.items():
            for key, entry in table.items():
                yield family, key, entry.source
        no_commitment = self.bedrock_no_commitment_base_models
        yield "bedrock_no_commitment_base_models", "", no_commitment.source
        yield "lambda", "", self.lambda_.source
        steps = self.stepfunctions_per_state_transition
        yield "stepfunctions_per_state_transition", "", steps.source

    def describe(self) -> str:
        """One line saying which prices were used, for every report."""
        return f"prices: {self.source} ({self.region}, as of {self.as_of.isoformat()})"

    def model_key(self, model_id: str) -> str | None:
        """The price-book key for a model id or ARN (see :func:`priced_model_id`): the
        longest matching model-id prefix among the PTU and token tables, or ``None``."""
        keys = {*self.bedrock_ptu_hourly_per_unit, *self.bedrock_on_demand_per_1m_tokens}
        return _longest_prefix(priced_model_id(model_id), keys)

    def known_models(self) -> list[str]:
        """Models with a PTU price or an on-demand token price."""
        return sorted({*self.bedrock_ptu_hourly_per_unit, *self.bedrock_on_demand_per_1m_tokens})

    def ptu_unit_hourly(self, model_id: str, commitment: str | None) -> float | None:
        """Hourly price of one model unit, or ``None`` (price unknown) for a model or term
        the book does not list: never another model's or another term's price."""
        key = _longest_prefix(priced_model_id(model_id), self.bedrock_ptu_hourly_per_unit)
        return self.bedrock_ptu_hourly_per_unit[key].term(commitment) if key else None

    def ptu_terms(self, model_id: str) -> dict[str, float]:
        """The commitment terms the book prices for this model, term -> USD/unit/hour."""
        key = _longest_prefix(priced_model_id(model_id), self.bedrock_ptu_hourly_per_unit)
        row = self.bedrock_ptu_hourly_per_unit[key] if key else PtuPrice()
        found = {t: row.term(t) for t in ("none", "OneMonth", "SixMonths")}
        return {t: v for t, v in found.items() if v is not None}

    def on_demand_tokens(self, model_id: str) -> TokenPrice | None:
        """On-demand token prices of a model, or ``None`` when the book has none for it."""
        key = _longest_prefix(priced_model_id(model_id), self.bedrock_on_demand_per_1m_tokens)
        return self.bedrock_on_demand_per_1m_tokens[key] if key else None

    def ptu_tokens_per_second(self, model_id: str) -> float | None:
        """Tokens per second of one model unit from the user's own price file, or ``None``."""
        table = self.bedrock_ptu_tokens_per_second_per_unit
        key = _longest_prefix(priced_model_id(model_id), table)
        return table[key] if key else None

    def allows_no_commitment(self, model_id: str) -> bool:
        """Whether a PTU of this model may be bought without commitment: every custom model
        may; a base model only if the supported-models page says so."""
        if ":custom-model/" in model_id:
            return True
        base = model_id.rsplit("/", 1)[-1]
        return _longest_prefix(base, self.bedrock_no_commitment_base_models.models) is not None

    def instance_hourly(self, instance_type: str) -> float | None:
        price = self.sagemaker_hourly.get(instance_type)
        return price.usd if price else None

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
            "stateTransition": self.stepfunctions_per_state_transition.usd,
            "source": self.describe(),
        }


#: The families a user's price file may add to or replace entries of.
FILE_FAMILIES = (
    "sources",
    "bedrock_ptu_hourly_per_unit",
    "bedrock_on_demand_per_1m_tokens",
    "bedrock_ptu_tokens_per_second_per_unit",
    "sagemaker_hourly",
)


def with_price_file(book: PriceBook, path: Path) -> PriceBook:
    """``book`` with the entries of the user's JSON price file (see :data:`FILE_FAMILIES`)
    over its own; :class:`InputError` naming the field when the file is unreadable or wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError([f"cannot read it ({exc})"]) from None
    if not isinstance(data, dict):
        raise InputError(["must be a JSON object"])
    unknown = sorted(set(data) - set(FILE_FAMILIES))
    if unknown:
        raise InputError([f"{k}: not a price family ({', '.join(FILE_FAMILIES)})" for k in unknown])
    merged = book.model_dump(by_alias=True, mode="json")
    for family in FILE_FAMILIES:
        extra = data.get(family, {})
        if not isinstance(extra, dict):
            raise InputError([f"{family}: must be an object"])
        merged[family] = {**merged[family], **extra}
    merged["source"] = f"{path} over {book.source}"
    try:
        return PriceBook.model_validate(merged)
    except ValidationError as exc:
        raise InputError(
            [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        ) from None


@cache
def load_bundled() -> PriceBook:
    """The dated price file that ships with gpukit."""
    return PriceBook.model_validate(json.loads(BUNDLED_PATH.read_text(encoding="utf-8")))
