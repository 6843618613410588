"""``gpukit cost`` output: one document per command, printed as JSON or read as lines."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from gpukit.cli.cost.inputs import Inputs
from gpukit.policies.cost.base import short_count
from gpukit.policies.cost.coldstart import ColdStart
from gpukit.policies.cost.commitment import CommitmentOption, Running
from gpukit.policies.cost.gpu import GpuComparison
from gpukit.policies.cost.tokens import TokenBreakeven, TokenComparison, TokenPricing
from gpukit.policies.pricing import PriceBook

Doc = dict[str, Any]
FREE_TIER = "not subtracted: every figure is list price from the first unit"


def emit(doc: Doc, fmt: str, lines: Callable[[Doc], list[str]]) -> None:
    if fmt == "json":
        print(json.dumps(doc, indent=2))
        return
    print("\n".join(lines(doc)))


def usd(value: float) -> str:
    return f"${value:,.2f}" if abs(value) >= 0.01 or value == 0 else f"${value:.6f}"


def price(value: float) -> str:
    """A unit price: enough digits to see it (``$0.375``, ``$0.000306``)."""
    return f"${value:.4g}"


def num(value: float) -> str:
    return short_count(value) if abs(value) >= 1e6 else f"{value:g}"


def pct(value: float) -> str:
    return f"{value:.1%}"


def fields(obj: object, *names: str) -> Doc:
    """The named attributes of ``obj``, in that order, as a JSON object."""
    return {name: getattr(obj, name) for name in names}


def running(r: Running) -> Doc:
    return fields(r, "usd_per_hour", "usd_per_day", "usd_per_month", "usd_per_year")


def _inputs(doc: Doc, inputs: Inputs) -> Doc:
    return {**doc, **inputs.as_json()}


def breakeven_doc(
    book: PriceBook,
    model: str | None,
    commitment: str,
    inputs: Inputs,
    pricing: TokenPricing,
    result: TokenBreakeven,
    at: TokenComparison | None,
    options: list[tuple[CommitmentOption, TokenBreakeven]],
    forgotten: Running,
) -> Doc:
    doc: Doc = {
        "command": "breakeven",
        "prices": book.describe(),
        "model": model,
        "commitment": commitment,
    }
    return _inputs(doc, inputs) | {
        "blended_usd_per_1m_tokens": pricing.blended_usd_per_1m,
        "output_share": pricing.output_share,
        "units": result.units,
        "unit_usd_per_day": result.unit_usd_per_day,
        "unit_usd_per_month": result.unit_usd_per_day * result.days_per_month,
        "unit_tokens_per_day": result.unit_tokens_per_day,
        "breakeven_tokens_per_day": result.tokens_per_day,
        "breakeven_tokens_per_month": result.tokens_per_month,
        "breakeven_tokens_per_second": result.tokens_per_second,
        "breakeven_utilisation": result.utilisation,
        "provisioned_can_win": result.provisioned_can_win,
        "full_units_on_demand_usd_per_day": result.full_units_on_demand_usd_per_day,
        "at_volume": None if at is None else {
            "tokens_per_day": at.tokens_per_day,
            "units": at.units,
            "needs_more_units": at.needs_more_units,
            "utilisation": at.utilisation,
            "on_demand_usd_per_day": at.on_demand_usd_per_day,
            "provisioned_usd_per_day": at.provisioned_usd_per_day,
            "cheaper": at.cheaper,
            "saving_usd_per_day": at.saving_usd_per_day,
            "saving_usd_per_month": at.saving_usd_per_month,
        },
        "commitments": [
            {
                "term": o.term,
                "usd_per_hour_per_unit": o.usd_per_hour_per_unit,
                "discount": o.discount,
                **running(o.running),
                "minimum_usd": o.minimum_usd,
                "breakeven_tokens_per_day": b.tokens_per_day,
                "breakeven_utilisation": b.utilisation,
            }
            for o, b in options
        ],
        "forgotten_ptu": running(forgotten),
        "free_tier": FREE_TIER,
    }  # fmt: skip


def _units(count: int) -> str:
    return f"{count} unit{'s' * (count > 1)}"


def breakeven_lines(doc: Doc) -> list[str]:
    units = doc["units"]
    what = doc["model"] or "your prices"
    term = "no" if doc["commitment"] == "none" else doc["commitment"]
    out = [f"gpukit cost breakeven: {what}, {term} commitment", doc["prices"]]
    out += ["inputs:", *_input_lines(doc)]
    capacity = doc["unit_tokens_per_day"]
    out.append(
        f"on demand: {price(doc['blended_usd_per_1m_tokens'])} per 1M tokens"
        f" ({pct(doc['output_share'])} of them output)"
    )
    out.append(
        f"provisioned: {usd(doc['unit_usd_per_day'])}/day ({usd(doc['unit_usd_per_month'])}/month)"
        f" per model unit, serving up to {short_count(capacity)} tokens/day"
    )
    if doc["provisioned_can_win"]:
        out.append(
            f"break-even ({_units(units)}):"
            f" {short_count(doc['breakeven_tokens_per_day'])} tokens/day ="
            f" {short_count(doc['breakeven_tokens_per_month'])}/month ="
            f" {short_count(doc['breakeven_tokens_per_second'])} tokens/s"
        )
        out.append(
            f"  provisioned wins when its units are at least {pct(doc['breakeven_utilisation'])}"
            " busy, for any number of units; below that, pay per token"
        )
    else:
        out.append(
            f"break-even: none. Provisioned never wins: {_units(units)} at full"
            f" capacity ({short_count(units * capacity)} tokens/day) cost"
            f" {usd(doc['full_units_on_demand_usd_per_day'])}/day on demand against"
            f" {usd(units * doc['unit_usd_per_day'])}/day provisioned"
            f" (it would need {pct(doc['breakeven_utilisation'])} utilisation)"
        )
    at = doc["at_volume"]
    if at is not None:
        more = " (more than --model-units)" if at["needs_more_units"] else ""
        out.append(
            f"at {short_count(at['tokens_per_day'])} tokens/day: on demand"
            f" {usd(at['on_demand_usd_per_day'])}/day, provisioned"
            f" {usd(at['provisioned_usd_per_day'])}/day with {at['units']} unit(s){more},"
            f" {pct(at['utilisation'])} busy: {at['cheaper']}"
            + ("" if at["cheaper"] == "tie" else f" saves {usd(at['saving_usd_per_month'])}/month")
        )
    if doc["commitments"]:
        out.append(f"commitments ({_units(units)}):")
        out.append(
            f"  {'term':<10}{'$/h/unit':>10}{'discount':>10}{'$/day':>12}{'$/month':>13}"
            f"{'$/year':>14}{'break-even/day':>16}{'locked in':>14}"
        )
        for c in doc["commitments"]:
            even = c["breakeven_tokens_per_day"]
            out.append(
                f"  {c['term']:<10}{c['usd_per_hour_per_unit']:>10,.2f}{pct(c['discount']):>10}"
                f"{c['usd_per_day']:>12,.2f}{c['usd_per_month']:>13,.2f}{c['usd_per_year']:>14,.2f}"
                f"{'never' if even is None else short_count(even):>16}{c['minimum_usd']:>14,.2f}"
            )
        out.append(
            "  A committed PTU cannot be deleted before its term ends ('locked in' is the"
            " least it bills); every PTU bills until it is deleted."
        )
    f = doc["forgotten_ptu"]
    out.append(
        f"a forgotten PTU ({_units(units)}, {term} commitment):"
        f" {usd(f['usd_per_day'])}/day, {usd(f['usd_per_month'])}/month,"
        f" {usd(f['usd_per_year'])}/year"
    )
    out.append(f"free tier: {doc['free_tier']}")
    return out


def _input_lines(doc: Doc) -> list[str]:
    values = doc["values"]
    width = max((len(flag) for flag in values), default=0)
    out = [
        f"  {flag:<{width}}  {'-' if v['value'] is None else num(v['value'])}  ({v['source']})"
        for flag, v in values.items()
    ]
    if doc["overrides"]:
        out.append("overrides: " + "; ".join(doc["overrides"]))
    return out


def compare_doc(
    book: PriceBook,
    instance_type: str | None,
    inputs: Inputs,
    result: GpuComparison,
    derived: ColdStart | None,
) -> Doc:
    s, d = result.serverless, result.dedicated
    days = book.hours_per_month / 24
    doc: Doc = {"command": "compare", "prices": book.describe(), "instance_type": instance_type}
    return _inputs(doc, inputs) | {
        "serverless": {
            "usd_per_day": s.usd_per_day,
            "usd_per_month": s.usd_per_day * days,
            **fields(
                s,
                "compute_usd_per_day",
                "cold_start_usd_per_day",
                "request_usd_per_day",
                "keep_warm_usd_per_day",
                "cold_starts_per_day",
                "billed_seconds_per_request",
            ),
        },
        "dedicated": {
            "usd_per_day": d.usd_per_day,
            "usd_per_month": d.usd_per_day * days,
            **fields(d, "instances", "hours_per_day", "utilisation", "needs_more_instances"),
        },
        "cheaper": result.cheaper,
        "saving_usd_per_month": abs(s.usd_per_day - d.usd_per_day) * days,
        "breakeven_requests_per_day": result.breakeven_requests_per_day,
        "at_full_load": {
            "requests_per_day": result.full_requests_per_day,
            "serverless_usd_per_day": result.serverless_usd_at_full,
            "dedicated_usd_per_day": result.dedicated_usd_at_full,
        },
        "cold_start": None if derived is None else coldstart_result(derived),
        "free_tier": FREE_TIER,
    }


def _per_day(count: float) -> str:
    """A rate people read: ``<0.01/day`` rather than ``1.39e-26/day``."""
    return "<0.01/day" if 0 < count < 0.01 else f"{count:.3g}/day"


def compare_lines(doc: Doc) -> list[str]:
    s, d = doc["serverless"], doc["dedicated"]
    instance = doc["instance_type"] or "instance"
    out = [f"gpukit cost compare: serverless GPU-seconds vs dedicated {instance}"]
    out += [doc["prices"], "inputs:", *_input_lines(doc)]
    out.append(
        f"serverless: {usd(s['usd_per_day'])}/day ({usd(s['usd_per_month'])}/month) ="
        f" compute {usd(s['compute_usd_per_day'])} + cold starts {usd(s['cold_start_usd_per_day'])}"
        f" ({_per_day(s['cold_starts_per_day'])}) + requests {usd(s['request_usd_per_day'])}"
        f" + keep-warm {usd(s['keep_warm_usd_per_day'])}"
    )
    more = " (more than --dedicated-instances)" if d["needs_more_instances"] else ""
    out.append(
        f"dedicated: {usd(d['usd_per_day'])}/day ({usd(d['usd_per_month'])}/month) ="
        f" {d['instances']} instance(s){more} x {d['hours_per_day']:g} h,"
        f" {pct(d['utilisation'])} busy"
    )
    saving = "" if doc["cheaper"] == "tie" else f", saving {usd(doc['saving_usd_per_month'])}/month"
    out.append(f"cheaper: {doc['cheaper']}{saving}")
    even, full = doc["breakeven_requests_per_day"], doc["at_full_load"]
    out.append(
        f"break-even: none. Fully busy ({short_count(full['requests_per_day'])} requests/day),"
        f" dedicated costs {usd(full['dedicated_usd_per_day'])}/day against"
        f" {usd(full['serverless_usd_per_day'])}/day serverless"
        if even is None
        else f"break-even: {short_count(even)} requests/day: serverless is cheaper below it;"
        " above it dedicated is, except just past each added instance (a step up)"
    )
    if doc["cold_start"] is not None:
        out.append(f"cold start from the model size: {_cold_text(doc['cold_start'])}")
    out.append(f"free tier: {doc['free_tier']}")
    return out


def coldstart_result(c: ColdStart) -> Doc:
    return fields(
        c,
        "model_gb",
        "physical_minimum_seconds",
        "transfer_seconds",
        "overhead_seconds",
        "expected_seconds",
    )


def _cold_text(c: Doc) -> str:
    return (
        f"{c['model_gb']:.3g} GB of weights: physical minimum"
        f" {c['physical_minimum_seconds']:.1f} s;"
        f" expected {c['expected_seconds']:.1f} s (transfer {c['transfer_seconds']:.1f} s +"
        f" container and runtime {c['overhead_seconds']:.1f} s)"
    )


def coldstart_doc(inputs: Inputs, result: ColdStart) -> Doc:
    return _inputs({"command": "coldstart"}, inputs) | coldstart_result(result)


def coldstart_lines(doc: Doc) -> list[str]:
    return ["gpukit cost coldstart", "inputs:", *_input_lines(doc), _cold_text(doc)]
