"""Checkov custom checks (``CKV_GPK_<n>``): thin adapters from Terraform configuration to the
gpukit rules. ``translate`` turns a resource's checkov configuration into
:class:`gpukit.policies.model.Resource`; each check module holds one check,
named after the rule it adapts (``gpk002_commitment_allowed``; the IAM check: ``no_wildcard_iam``).

Checkov registers a check when it is instantiated, so every check module ends with one
module-level instance (checkov's documented convention for ``--external-checks-dir``).
:func:`gpukit.policies.checkov.checks.load` imports them explicitly and adds the graph check.
"""
