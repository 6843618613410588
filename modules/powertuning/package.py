"""Build the tuner's Lambda zip for the Terraform module: ``python -m
gpukit.modules.powertuning.package OUT.zip``. The zip holds what :func:`source_dir` stages (the
functions and the modules they import; standard library and boto3 only), with sorted entries
and fixed timestamps, so the same sources give the same bytes."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from gpukit.modules.powertuning import source_dir

FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def build_zip(dest: Path) -> Path:
    root = source_dir()
    files = sorted(p for p in root.rglob("*.py") if p.is_file())
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(root).as_posix(), FIXED_TIME)
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return dest


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m gpukit.modules.powertuning.package OUT.zip", file=sys.stderr)
        return 2
    dest = build_zip(Path(args[0]))
    print(f"wrote {dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
