"""Inputs of ``gpukit cost``: numbers from flags, prices from the book, and where each came
from. Every bad value ends as one ``--flag: reason`` line and exit code 2."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import typer

from gpukit.cli.common import check_regions, fail_input
from gpukit.cli.options import format_option, number_option, whole_option
from gpukit.policies.errors import InputError
from gpukit.policies.pricing import PriceBook, load_bundled, with_price_file

T = TypeVar("T")


def flag_for(message: str, flags: Mapping[str, str]) -> str:
    """``field: reason`` from the cost model -> ``--flag: reason``."""
    name, sep, reason = message.partition(": ")
    if not sep:
        return message
    return f"{flags.get(name, '--' + name.replace('_', '-'))}: {reason}"


def build(make: Callable[[], T], flags: Mapping[str, str]) -> T:
    """Run a cost-model constructor; its :class:`InputError` becomes flag-named lines."""
    try:
        return make()
    except InputError as exc:
        fail_input([flag_for(m, flags) for m in exc.messages])


def price_book(live: bool, region: str, prices_file: Path | None = None) -> PriceBook:
    """The bundled book, or the Price List API's figures over it with ``--live-prices``;
    then the user's ``--prices FILE`` over either."""
    check_regions([region])
    book = load_bundled()
    if live:
        from gpukit.guard.clients import ClientFactory
        from gpukit.guard.pricing import load_prices

        book = load_prices(ClientFactory(max_attempts=2), region)
    if prices_file is None:
        return book
    try:
        return with_price_file(book, prices_file)
    except InputError as exc:
        fail_input([f"--prices: {prices_file}: {m}" for m in exc.messages])


def model_key(book: PriceBook, model: str | None) -> str | None:
    """``--model``'s price-book key, or ``None`` (the missing prices then come from flags;
    :func:`unpriced` says how when they are not given)."""
    return None if model is None else book.model_key(model)


def unpriced(book: PriceBook, model: str | None, what: str) -> str:
    """Why a value is required: no ``--model``, or no price for it in the book."""
    if model is None:
        return WITHOUT_MODEL
    return (
        f"(no {what} for model {model!r} in {book.describe()}; pass this flag, your own"
        " --prices FILE or --live-prices)"
    )


@dataclass
class Inputs:
    """Each value used, where it came from (flag, price book, default), and which flags
    overrode the price book. Values are read from the command's parsed (typed) options by
    parameter name, so each flag is spelled once, where it is declared."""

    ctx: typer.Context
    values: dict[str, float | None] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    overrides: list[str] = field(default_factory=list)

    def take(
        self,
        flag: str,
        given: float | None,
        book: float | None = None,
        default: float | None = None,
        needed: str = "",
        estimate: bool = False,
    ) -> float:
        """The flag's value, else the book's, else ``default``; exit 2 if none and
        ``needed`` says why the value is required."""
        value = self.maybe(flag, given, book, default)
        if estimate and self.sources[flag] == "price book":
            self.sources[flag] = "price book estimate"
        if value is None:
            fail_input(f"{flag}: required {needed}".rstrip())
        return value

    def flag(self, name: str) -> str:
        """The flag of the command's parameter ``name``, e.g. ``--requests-per-day``."""
        for param in self.ctx.command.params:
            if param.name == name:
                return max(param.opts, key=len)
        raise KeyError(name)

    def flags(self, params: Mapping[str, str]) -> dict[str, str]:
        """Cost-model field -> flag, from field -> the command's parameter name (for
        :func:`build`'s error lines)."""
        return {field: self.flag(param) for field, param in params.items()}

    def read(
        self,
        name: str,
        book: float | None = None,
        default: float | None = None,
        needed: str = "",
        estimate: bool = False,
        default_label: str = "default",
    ) -> float:
        """:meth:`take` of the option ``name``'s value."""
        flag = self.flag(name)
        value = self.take(flag, self.ctx.params[name], book, default, needed, estimate)
        if self.sources[flag] == "default":
            self.sources[flag] = default_label
        return value

    def read_maybe(self, name: str, default_label: str) -> float | None:
        """The option's number, or ``None`` (recorded as ``default_label``) when not given."""
        flag = self.flag(name)
        value = self.maybe(flag, self.ctx.params[name])
        if value is None:
            self.sources[flag] = default_label
        return value

    def read_whole(
        self, name: str, default: int | None = None, default_label: str = ""
    ) -> int | None:
        """A whole-number option, recorded like the others."""
        flag, value = self.flag(name), self.ctx.params[name]
        self.maybe(flag, None if value is None else float(value), default=default)
        if value is None and default_label:
            self.sources[flag] = default_label
        return default if value is None else int(value)

    def maybe(
        self,
        flag: str,
        given: float | None,
        book: float | None = None,
        default: float | None = None,
    ) -> float | None:
        if given is not None:
            self._record(flag, given, "flag")
            if book is not None and given != book:
                self.overrides.append(f"{flag} {given:g} (price book: {book:g})")
            return given
        if book is not None:
            self._record(flag, book, "price book")
            return book
        self._record(flag, default, "default")
        return default

    def _record(self, flag: str, value: float | None, source: str) -> None:
        self.values[flag] = value
        self.sources[flag] = source

    def as_json(self) -> dict[str, object]:
        return {
            "values": {
                flag: {"value": v, "source": self.sources[flag]} for flag, v in self.values.items()
            },
            "overrides": self.overrides,
        }


WITHOUT_MODEL = "(or pass --model to take it from the price book)"
FORMAT = format_option()
LIVE = typer.Option(
    False,
    "--live-prices",
    help="Read current prices from the AWS Price List API (needs AWS credentials; falls "
    "back to the bundled file and says why).",
)
PRICES = typer.Option(
    None,
    "--prices",
    metavar="FILE",
    help="Your own prices and model-unit throughput (JSON, the bundled book's families, see "
    "docs/cost.md), merged over the bundled or live book.",
)
REGION = typer.Option("us-east-1", "--region", help="Region priced with --live-prices.")
PLOT = typer.Option(
    None,
    "--plot",
    metavar="FILE.png",
    help="Draw cost per day against volume for both options, break-even marked "
    "(needs matplotlib: pip install 'gpukit\\[tune]').",
)

#: An optional number flag; see :func:`gpukit.cli.options.number_option`.
opt = number_option
whole_opt = whole_option
