"""The gate's own result model: what checkov's JSON report says (or what the Pulumi path
finds), with file paths relative to the repository, ready for every output format."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

#: Result values, in the order the outputs list them.
RESULTS = ("failed", "skipped", "unknown", "passed")


@dataclass(frozen=True)
class Result:
    check_id: str
    check_name: str
    #: One of :data:`RESULTS`.
    result: str
    resource: str
    #: Relative to the repository root, with ``/`` separators and no leading slash.
    file: str
    #: First and last line in ``file`` (``0, 0`` when not known).
    lines: tuple[int, int] = (0, 0)
    details: tuple[str, ...] = ()
    suppress_comment: str | None = None
    #: checkov's guideline URL for built-in checks.
    guideline: str | None = None

    @property
    def reason(self) -> str:
        """Why it failed (or was skipped, or stayed unknown); the check name when nothing
        more specific is known."""
        if self.result == "skipped":
            return f"skipped: {self.suppress_comment or 'no reason given'}"
        return "; ".join(self.details) or self.check_name


@dataclass
class Scan:
    results: list[Result] = field(default_factory=list)
    #: Resources checkov saw (its summary's ``resource_count``).
    resource_count: int = 0

    def of(self, result: str) -> list[Result]:
        return [r for r in self.results if r.result == result]

    @property
    def failed(self) -> list[Result]:
        return self.of("failed")

    @property
    def scanned_anything(self) -> bool:
        return bool(self.results or self.resource_count)

    def summary(self) -> dict[str, int]:
        return {name: len(self.of(name)) for name in ("passed", "failed", "skipped", "unknown")}


def merge_scans(scans: list[Scan]) -> Scan:
    return Scan([r for s in scans for r in s.results], sum(s.resource_count for s in scans))


def repo_root(start: Path) -> Path:
    """The repository holding ``start`` (the nearest folder with ``.git``), else the
    current directory: SARIF and JUnit paths are relative to it."""
    here = start.resolve()
    for folder in [here, *here.parents]:
        if (folder / ".git").exists():
            return folder
    return Path.cwd().resolve()


def relative(path: str | Path, root: Path) -> str:
    """``path`` relative to ``root`` with ``/`` separators (unchanged when outside it)."""
    absolute = Path(path).resolve()
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(absolute, root)).as_posix()
