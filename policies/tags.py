"""Tag keys every managed resource carries (see docs/architecture.md)."""

OWNER = "gpukit:owner"
ENV = "gpukit:env"
COST_CENTER = "gpukit:cost-center"
MANAGED_BY = "gpukit:managed-by"
EXPIRES_AT = "gpukit:expires-at"
EXEMPT = "gpukit:exempt"
EXEMPT_UNTIL = "gpukit:exempt-until"
MARKED = "gpukit:marked"
APPROVED_COMMITMENT = "gpukit:commitment-approved-by"

MANAGED_BY_VALUE = "gpukit"
ENVIRONMENTS = ("dev", "staging", "prod")


def normalise_env(value: str) -> str:
    """A ``gpukit:env`` value (or ``--env``) as compared with environment names and
    aliases: case and surrounding whitespace do not count."""
    return value.strip().casefold()
