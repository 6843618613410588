"""The reviewed list of deliberate exceptions to checkov's built-in checks (``skips.yaml``).

checkov's ``--skip-check`` drops a check everywhere, and inline ``#checkov:skip`` comments
are lost on the plan path, so the gate applies this list to the results itself: a failed
result whose check, resource address and file match an entry becomes a skipped result
carrying the entry's reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from gpukit.policies.errors import InputError

SKIPS_FILE = Path(__file__).with_name("skips.yaml")
_INSTANCE_KEY = re.compile(r"\[[^\]]*\]")


class Skip(BaseModel):
    """One exception: ``check`` on ``resource`` (its address within the module, in any
    module instance) in ``file`` (relative to ``modules/terraform``), because ``reason``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check: str = Field(pattern=r"^CKV2?_[A-Z0-9]+_[0-9]+$")
    resource: str = Field(pattern=r"^[a-z0-9_]+\.[A-Za-z0-9_-]+$")
    file: str = Field(min_length=1)
    reason: str = Field(min_length=10)

    def matches(self, check_id: str, address: str, file_path: str = "") -> bool:
        """True for this check on ``module.<...>.<resource>`` (any ``count``/``for_each``
        key); when the result points at a ``.tf`` file (HCL scans, enriched plans) that file
        must be ``file``, and the module scanned on its own (``<resource>``) matches too."""
        if check_id != self.check:
            return False
        address = _INSTANCE_KEY.sub("", address)  # tuner["analyzer"] is tuner
        in_module = address.startswith("module.") and address.endswith(f".{self.resource}")
        path = file_path.replace("\\", "/")
        if path.endswith(".tf"):
            in_file = path == self.file or path.endswith(f"/{self.file}")
            return in_file and (in_module or address == self.resource)
        return in_module


class _SkipsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    skips: list[Skip]


def load_skips(path: Path = SKIPS_FILE) -> list[Skip]:
    """The entries of ``path`` (the bundled file by default); :class:`InputError` naming the
    file and field when it is malformed."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        return _SkipsFile.model_validate(document).skips
    except OSError as exc:
        raise InputError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    except yaml.YAMLError as exc:
        raise InputError([f"{path}: not valid YAML: {exc}"]) from None
    except ValueError as exc:
        first = str(exc).strip().splitlines()
        raise InputError([f"{path}: {' '.join(first[:3])}"]) from None


def find_skip(skips: Iterable[Skip], check_id: str, address: str, file_path: str) -> Skip | None:
    """The entry that covers this result, if any."""
    return next((s for s in skips if s.matches(check_id, address, file_path)), None)


def skipped_check_ids(skips: Iterable[Skip]) -> list[str]:
    """The check ids the file names (for tools that can only skip a check everywhere)."""
    return sorted({s.check for s in skips})
