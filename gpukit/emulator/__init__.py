"""A local AWS for gpukit's tests and demo: moto plus the Bedrock PTU API moto lacks."""

from gpukit.emulator.seed import seed_fleet
from gpukit.emulator.server import DUMMY_CREDENTIALS, Emulator, offline_env, start_emulator

__all__ = ["DUMMY_CREDENTIALS", "Emulator", "offline_env", "seed_fleet", "start_emulator"]
