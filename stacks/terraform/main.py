"""``cdktf synth`` entry point (cdktf.json runs ``python main.py``), or run it directly."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from stacks.terraform.app import build_app

    build_app(Path(__file__).parent / "cdktf.out").synth()


if __name__ == "__main__":
    main()
