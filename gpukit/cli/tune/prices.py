"""Which Lambda prices a tuning run is priced with: the Price List API when asked, else the
bundled book, and never another region's prices."""

from __future__ import annotations

from typing import Any

from gpukit.cli.common import fail_input
from gpukit.guard.awsutil import AwsError, error_message
from gpukit.guard.clients import ClientFactory
from gpukit.guard.lambda_pricing import live_tuning_prices
from gpukit.policies.pricing import UnknownPrice, load_bundled

LIVE_HINT = "pass --live-prices to read them from the AWS Price List API"


def tuning_prices(region: str, live: bool) -> tuple[dict[str, Any], str | None]:
    """The execution input's ``prices`` for a function in ``region``, and a note when live
    prices were asked for but not used; exits 2 when no source has the region."""
    book = load_bundled()
    note = None
    if live:
        try:
            return live_tuning_prices(ClientFactory(max_attempts=2), region, book), None
        except (UnknownPrice, *AwsError) as exc:
            why = str(exc) if isinstance(exc, UnknownPrice) else error_message(exc)
            note = f"live prices not read ({why})"
    try:
        return book.tuning_prices(region), note and f"{note}; using the bundled ones"
    except UnknownPrice as exc:
        why = f"{note}, and {exc}" if note else f"{exc}; {LIVE_HINT}"
        fail_input(f"--function: {why}")
