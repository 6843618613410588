"""gpukit report: one fleet report (HTML, Markdown or CSV) from a scan or the audit trail."""

from gpukit.cli.report.cmd import report

__all__ = ["report"]
