"""Loaded by ``checkov --external-checks-dir policies/checkov/external``: registers the
gpukit checks (``CKV_GPK_*``), resource and graph, with checkov in checkov's own process."""

from gpukit.policies.checkov.checks import load

load()
