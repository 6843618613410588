"""gpukit guard: find, judge, warn, mark and tear down idle GPU capacity on AWS.

The guard talks to AWS only through :class:`gpukit.guard.clients.ClientFactory`, so tests and
emulators inject an endpoint URL. Decisions come from :mod:`policies`; this package adds
discovery, usage metrics, actions, an audit trail and the Lambda entry point.
"""
