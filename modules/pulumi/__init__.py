"""Pulumi ComponentResources, one per file, and ``collect`` to plan a stack under mocks.

Import the components from their own modules (``gpukit.modules.pulumi.gpu_endpoint`` ...):
importing this package stays cheap and free of pulumi_aws.
"""
