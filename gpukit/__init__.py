"""gpukit: the application layer (CLI and demo) over policies, guard and modules."""

__version__ = "0.1.0"
