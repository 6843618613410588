"""ISO-8601 parsing shared by rules and loaders; naive times are taken as UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_iso(value: str) -> datetime:
    """Parse an ISO-8601 timestamp (``Z`` suffix allowed); raise ``ValueError`` if malformed."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def try_parse_iso(value: str | None) -> datetime | None:
    """Like :func:`parse_iso` but returns ``None`` for missing or malformed input."""
    if not value:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        return None


def iso(moment: datetime) -> str:
    """Format as ISO-8601 UTC with a ``Z`` suffix, seconds precision."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
