"""The fleet report as titled tables of typed cells, so HTML, Markdown and CSV show the same
numbers: each renderer formats a cell by its kind (``usd`` as ``$1,234.56`` for people and
``1234.56`` in CSV)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from gpukit.policies.fleet_report import WINDOWS, FleetReport, WasteGroup
from gpukit.policies.timeutil import iso

CellKind = Literal["text", "usd", "rate", "int", "number", "time"]
Value = str | int | float | datetime | None


@dataclass(frozen=True)
class Cell:
    value: Value
    kind: CellKind = "text"

    def human(self) -> str:
        v = self.value
        if v is None:
            return "unknown" if self.kind in ("usd", "rate") else ""
        if isinstance(v, datetime):
            return iso(v)
        if self.kind == "usd":
            return f"${float(v):,.2f}"
        if self.kind == "rate":  # $/hour, to 4 places when cents would hide them
            return f"${float(v):,.2f}" if round(float(v), 2) == v else f"${float(v):,.4f}"
        if self.kind == "number":
            return f"{float(v):,.1f}"
        return str(v)

    def raw(self) -> str:
        v = self.value
        if v is None:
            return ""
        if isinstance(v, datetime):
            return iso(v)
        if self.kind == "usd":
            return f"{float(v):.2f}"
        return str(v)  # a number as the report holds it (hours to 4 places, days to 1)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    #: Said instead of an empty table.
    empty: str = "none"
    notes: list[str] = field(default_factory=list)


def _t(value: Value) -> Cell:
    return Cell(value)


def _usd(value: float | None) -> Cell:
    return Cell(value, "usd")


def _rate(value: float | None) -> Cell:
    return Cell(value, "rate")


def _int(value: int) -> Cell:
    return Cell(value, "int")


GROUP_HEADERS = ["resources", "wasting", "waste $/month", "cost $/month", "unpriced"]


def _group_rows(groups: list[WasteGroup]) -> list[list[Cell]]:
    return [
        [
            _t(g.name),
            _int(g.resources),
            _int(g.wasting),
            _usd(g.monthly_waste_usd),
            _usd(g.monthly_cost_usd),
            _int(g.unpriced),
        ]
        for g in groups
    ]


def summary(report: FleetReport) -> Section:
    rows = [
        [_t("resources judged"), _int(report.resources)],
        [_t("waste $/month"), _usd(report.monthly_waste_usd)],
        [_t("cost $/month (priced resources)"), _usd(report.monthly_cost_usd)],
        [_t("resources with no known price"), _int(len(report.unpriced))],
        *[
            [_t(f"commitments ending within {w} days"), _int(report.commitments_within[w])]
            for w in WINDOWS
        ],
        [_t("saved by past teardowns $"), _usd(report.saved_usd)],
        [_t("guard runs in the audit trail"), _int(len(report.runs))],
    ]
    if report.advice_monthly_saving_usd is not None:
        rows.append([_t("advisor's best saving $/month"), _usd(report.advice_monthly_saving_usd)])
    notes = [f"price unknown (not in the sums): {', '.join(report.unpriced)}"] * bool(
        report.unpriced
    )
    return Section("summary", "Summary", ["figure", "value"], rows, notes=notes)


def sections(report: FleetReport) -> list[Section]:
    """Every table of the report, in reading order."""
    return [
        summary(report),
        Section(
            "waste_by_owner",
            "Waste by team (owner)",
            ["owner", *GROUP_HEADERS],
            _group_rows(report.by_owner),
        ),
        Section(
            "waste_by_cost_center",
            "Waste by cost centre",
            ["cost centre", *GROUP_HEADERS],
            _group_rows(report.by_cost_center),
        ),
        Section(
            "waste_by_env",
            "Waste by environment",
            ["environment", *GROUP_HEADERS],
            _group_rows(report.by_env),
        ),
        Section(
            "forgotten",
            f"Top forgotten resources ({len(report.forgotten)})",
            ["resource", "kind", "owner", "env", "decision", "$/hour", "waste $/month", "why"],
            [
                [
                    _t(f.name),
                    _t(f.kind),
                    _t(f.owner or "(untagged)"),
                    _t(f.env),
                    _t(f.decision),
                    _rate(f.hourly_cost_usd),
                    _usd(f.monthly_waste_usd),
                    _t(f.reason),
                ]
                for f in report.forgotten
            ],
            empty="no resource wastes money",
        ),
        Section(
            "commitments",
            "Commitments ending in the next 30/60/90 days",
            ["resource", "owner", "commitment", "ends", "days left", "within (days)", "$/hour"],
            [
                [
                    _t(c.name),
                    _t(c.owner or "(untagged)"),
                    _t(c.commitment),
                    Cell(c.ends_at, "time"),
                    Cell(c.days_left, "number"),
                    _int(c.window_days),
                    _rate(c.hourly_cost_usd),
                ]
                for c in report.commitments
            ],
            empty="no commitment ends in the next 90 days",
        ),
        Section(
            "savings",
            "Savings realised by past teardowns",
            ["resource", "owner", "torn down", "restored", "hours gone", "$/hour", "saved $"],
            [
                [
                    _t(s.name),
                    _t(s.owner or "(untagged)"),
                    Cell(s.torn_down_at, "time"),
                    Cell(s.restored_at, "time"),
                    Cell(s.hours, "number"),
                    _rate(s.hourly_cost_usd),
                    _usd(s.saved_usd),
                ]
                for s in report.savings
            ],
            empty="no teardown in the audit trail",
            notes=[f"total saved: ${report.saved_usd:,.2f}"] if report.savings else [],
        ),
        Section(
            "runs",
            "Waste over time (per guard run)",
            ["run", "at", "mode", "resources", "failing", "waste $/month"],
            [
                [
                    _t(r.run_id),
                    Cell(r.at, "time"),
                    _t(r.mode),
                    _int(r.resources),
                    _int(r.failing),
                    _usd(r.monthly_waste_usd),
                ]
                for r in report.runs
            ],
            empty="no guard run in the audit trail",
        ),
        Section(
            "advice",
            "The advisor's recommendations",
            [
                "resource",
                "option",
                "$/month now",
                "$/month then",
                "saving $/month",
                "confidence",
                "best",
                "what",
            ],
            [
                [
                    _t(a.name),
                    _t(a.option),
                    _usd(a.current_usd_per_month),
                    _usd(a.proposed_usd_per_month),
                    _usd(a.saving_usd_per_month),
                    _t(a.confidence),
                    _t("yes" if a.best else ""),
                    _t(a.summary),
                ]
                for a in report.advice
            ],
            empty="no advice given (pass --advice FILE from `gpukit advise --format json`)"
            if report.advice_monthly_saving_usd is None
            else "nothing measured beats what runs",
        ),
    ]
