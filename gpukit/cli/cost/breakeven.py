"""``gpukit cost breakeven``: pay per token against Bedrock provisioned model units."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from gpukit.cli.common import fail_input
from gpukit.cli.cost import render as cost_render
from gpukit.cli.cost.inputs import (
    FORMAT,
    LIVE,
    PLOT,
    PRICES,
    REGION,
    Inputs,
    build,
    model_key,
    opt,
    price_book,
    unpriced,
    whole_opt,
)
from gpukit.cli.cost.plot import require_matplotlib, token_figure, write_plot
from gpukit.cli.options import Format
from gpukit.policies.cost.commitment import TERMS, Running, commitment_options
from gpukit.policies.cost.tokens import (
    DEFAULT_OUTPUT_SHARE,
    Provisioned,
    TokenPricing,
    breakeven,
    compare_tokens,
)
from gpukit.policies.pricing import PriceBook

#: ``--commitment``: the commitment terms the cost model knows (a choice, so completed).
Term = StrEnum("Term", [(term, term) for term in TERMS])  # type: ignore[misc]
TERM_NAMES = {"none": "no-commitment", "OneMonth": "OneMonth", "SixMonths": "SixMonths"}
#: Cost-model fields whose option is named otherwise (the rest share their name).
TOKEN_PARAMS = {
    "usd_per_1m_input_tokens": "serverless_in",
    "usd_per_1m_output_tokens": "serverless_out",
    "usd_per_hour_per_unit": "provisioned_usd_per_hour",
    "tokens_per_second_per_unit": "tokens_per_second",
}


def breakeven_cmd(
    ctx: typer.Context,
    model: str = typer.Option(
        None, "--model", help="Bedrock model id or ARN, e.g. meta.llama3-8b-instruct-v1:0."
    ),
    model_units: int | None = whole_opt(
        "--model-units",
        "N",
        "Fix the number of model units (default: as many as the volume needs).",
    ),
    term: Term = typer.Option("none", "--commitment", help="none, OneMonth or SixMonths."),
    provisioned_usd_per_hour: float | None = opt(
        "--provisioned-usd-per-hour", "USD", "Price of one model unit per hour."
    ),
    serverless_usd_per_1m_tokens: float | None = opt(
        "--serverless-usd-per-1m-tokens", "USD", "One on-demand price for input and output."
    ),
    serverless_in: float | None = opt(
        "--serverless-usd-per-1m-input-tokens", "USD", "On-demand price of 1M input tokens."
    ),
    serverless_out: float | None = opt(
        "--serverless-usd-per-1m-output-tokens", "USD", "On-demand price of 1M output tokens."
    ),
    output_share: float | None = opt(
        "--output-share",
        "FRACTION",
        f"Share of the tokens that are output, 0..1 (default {DEFAULT_OUTPUT_SHARE:g}).",
    ),
    tokens_per_second: float | None = opt(
        "--tokens-per-second",
        "TOKENS",
        "Input+output tokens per second one model unit serves (AWS publishes none: ask your"
        " account team; or set it in your --prices FILE).",
    ),
    tokens_per_day: float | None = opt(
        "--tokens-per-day", "TOKENS", "Also compare both options at this volume."
    ),
    live_prices: bool = LIVE,
    prices_file: Path = PRICES,
    region: str = REGION,
    fmt: Format = FORMAT,
    plot: Path = PLOT,
) -> None:
    """Pay per token against Bedrock provisioned model units: the break-even volume, the
    utilisation at which provisioned wins, commitments, and what a forgotten PTU costs.
    Model units only: Provisioned Throughput bought by tokens is not modelled.
    Example: gpukit cost breakeven --model meta.llama3-8b-instruct --tokens-per-day 500M"""
    commitment = str(term)
    if plot is not None:
        require_matplotlib("cost breakeven")
    book = price_book(live_prices, region, prices_file)
    key = model_key(book, model)
    if model is not None and key is None and provisioned_usd_per_hour is None:
        fail_input(
            f"--model: no price for {model!r} in {book.describe()}; pass"
            " --provisioned-usd-per-hour and the --serverless-usd-per-1m-*-tokens prices,"
            " your own --prices FILE, or --live-prices"
        )
    inputs = Inputs(ctx)
    flags = inputs.flags(TOKEN_PARAMS)
    book_hourly = book.ptu_terms(model) if model else {}
    hourly = inputs.read(
        "provisioned_usd_per_hour",
        book_hourly.get(commitment),
        needed=unpriced(book, model, f"{TERM_NAMES[commitment]} provisioned price"),
    )
    usd_in, usd_out = _token_prices(
        inputs, book, model, serverless_usd_per_1m_tokens, serverless_in, serverless_out
    )
    share = inputs.read("output_share", default=DEFAULT_OUTPUT_SHARE)
    capacity = inputs.read(
        "tokens_per_second",
        book.ptu_tokens_per_second(model) if model else None,
        needed=unpriced(book, model, "model-unit throughput (AWS publishes none)"),
    )
    units = inputs.read_whole("model_units", default_label="as many as needed")
    pricing = build(
        lambda: TokenPricing.of(
            usd_per_1m_input_tokens=usd_in, usd_per_1m_output_tokens=usd_out, output_share=share
        ),
        flags,
    )
    hours = book.hours_per_month

    def provisioned_at(usd_per_hour: float) -> Provisioned:
        return build(
            lambda: Provisioned.of(
                usd_per_hour_per_unit=usd_per_hour,
                tokens_per_second_per_unit=capacity,
                model_units=units,
            ),
            flags,
        )

    provisioned = provisioned_at(hourly)
    volume = tokens_per_day
    at = (
        build(lambda: compare_tokens(volume, pricing, provisioned, hours), flags)
        if volume is not None
        else None
    )
    terms = {**book_hourly, commitment: hourly} if book_hourly else {}
    options = [
        (option, breakeven(pricing, provisioned_at(option.usd_per_hour_per_unit), hours))
        for option in (commitment_options(terms, units or 1, hours) if "none" in terms else [])
    ]
    result = breakeven(pricing, provisioned, hours)
    running = Running(hourly * (units or 1), hours)
    doc = cost_render.breakeven_doc(
        book, key or model, commitment, inputs, pricing, result, at, options, running
    )
    cost_render.emit(doc, fmt, cost_render.breakeven_lines)
    if plot is not None:
        write_plot(token_figure(pricing, provisioned, result, at), plot)


def _token_prices(
    inputs: Inputs,
    book: PriceBook,
    model: str | None,
    both: float | None,
    given_in: float | None,
    given_out: float | None,
) -> tuple[float, float]:
    if both is not None and (given_in is not None or given_out is not None):
        fail_input(
            "--serverless-usd-per-1m-tokens: give it or the -input-/-output- prices, not both"
        )
    price = book.on_demand_tokens(model) if model else None
    needed = unpriced(book, model, "on-demand token price")
    flags = (inputs.flag("serverless_in"), inputs.flag("serverless_out"))
    return (
        inputs.take(
            flags[0],
            both if both is not None else given_in,
            price.input if price else None,
            needed=needed,
        ),
        inputs.take(
            flags[1],
            both if both is not None else given_out,
            price.output if price else None,
            needed=needed,
        ),
    )
