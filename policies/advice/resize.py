"""Fewer or smaller GPU instances, from the measured GPU utilisation and memory."""

from __future__ import annotations

from gpukit.policies.advice.base import EndpointFacts, series
from gpukit.policies.advice.instances import shape, siblings
from gpukit.policies.advice.model import GPU_MEMORY, GPU_UTILIZATION, Recommendation
from gpukit.policies.advice.shape import gaps
from gpukit.policies.cost.base import ceil_units
from gpukit.policies.model import Variant


def resize(e: EndpointFacts, v: Variant) -> list[Recommendation]:
    own = shape(v.instance_type)
    util = e.history.values(series(GPU_UTILIZATION, v.name))
    if own is None or not util or not v.instance_count:
        return []
    price = e.prices.instance_hourly(v.instance_type) or 0.0
    gap_count = gaps(e.history, series(GPU_UTILIZATION, v.name), e.since)
    target = e.options.target_gpu_utilisation
    peak = max(util.values()) / (100 * own.gpus)
    needed = ceil_units(peak * v.instance_count / target, 1)
    out = []
    figures: dict[str, int | float | str | None] = {
        "variant": v.name,
        "peak_gpu_utilisation": round(peak, 4),
        "target_gpu_utilisation": target,
        "instances_now": v.instance_count,
        "instances_needed": needed,
    }
    if needed >= v.instance_count:
        out.append(
            e.rec(
                None,
                gap_count,
                kind="fewer-instances",
                summary=f"fewer than {v.instance_count} x {v.instance_type} ({v.name})",
                assumption=f"the busiest hour runs each instance's GPUs {peak:.0%} busy",
                figures=figures,
                viable=False,
                why_not=f"the busiest hour needs {needed} at <= {target:.0%} GPU utilisation",
            )
        )
    else:
        out.append(
            e.rec(
                e.monthly(e.current_hourly - (v.instance_count - needed) * price),
                gap_count,
                kind="fewer-instances",
                summary=f"{needed} x {v.instance_type} instead of {v.instance_count} ({v.name})",
                assumption=(
                    f"the busiest hour's average GPU utilisation ({peak:.0%} of each"
                    f" instance) spread over {needed} stays under {target:.0%}"
                ),
                figures=figures,
            )
        )
    count = min(needed, v.instance_count)
    gpus_needed = ceil_units(peak * own.gpus * v.instance_count / count / target, 1)
    memory = e.history.values(series(GPU_MEMORY, v.name))
    if not memory and not e.options.model_params:
        return out
    gb, size = e.model_gb
    need_gb = (gb or 0.0) * (1 + e.options.headroom)
    fits = []
    for t in siblings(v.instance_type):
        s, p = shape(t), e.prices.instance_hourly(t)
        if (
            s
            and p is not None
            and p < price
            and s.gpus >= gpus_needed
            and s.gpu_memory_gb >= need_gb
        ):
            fits.append((p, t))
    if not fits:
        return out
    new_price, new_type = min(fits)
    new_shape = shape(new_type)
    assert new_shape is not None
    proposed = e.monthly(e.current_hourly - v.instance_count * price + count * new_price)
    out.append(
        e.rec(
            proposed,
            gap_count,
            kind="smaller-instance",
            summary=f"{count} x {new_type} instead of {v.instance_count} x {v.instance_type}"
            f" ({v.name})",
            assumption=(
                f"{gpus_needed} GPU{'s' if gpus_needed > 1 else ''} per instance keep the busiest"
                f" hour under {target:.0%}; model {size} plus {e.options.headroom:.0%} fits"
                f" {new_shape.gpu_memory_gb:g} GB"
                " (a model split across GPUs must be re-sharded)"
            ),
            figures={
                **figures,
                "instance_type": new_type,
                "gpus_needed": gpus_needed,
                "gpu_memory_needed_gb": round(need_gb, 2),
            },
        )
    )
    return out
