"""Time helpers: aware UTC datetimes and the learner's local day."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """The current time as a timezone-aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Treat naive datetimes (as SQLite returns them) as UTC; convert aware ones to UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def start_of_local_day(now: datetime, timezone: str) -> datetime:
    """The UTC instant when the learner's current local day began."""
    local = as_utc(now).astimezone(ZoneInfo(timezone))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0, fold=0)
    return midnight.astimezone(UTC)


def local_time(moment: datetime, timezone: str, fmt: str = "%d %b %Y, %H:%M") -> str:
    """Format an instant in the learner's time zone, e.g. '02 Mar 2026, 10:00 CET'."""
    local = as_utc(moment).astimezone(ZoneInfo(timezone))
    return f"{local.strftime(fmt)} {local.tzname()}"


def humanize_delta(delta: timedelta) -> str:
    """'now' (already due), 'in under a minute', 'in 10 minutes', 'in 3 days'."""
    seconds = delta.total_seconds()
    if seconds <= 0:
        return "now"
    if seconds < 60:
        return "in under a minute"
    units = ((60, "minute"), (3600, "hour"), (86400, "day"), (86400 * 30, "month"))
    size, unit = next((u for u in reversed(units) if seconds >= u[0]), units[0])
    count = round(seconds / size)
    bigger = next((u for u in units if u[0] > size), None)
    if bigger and count * size >= bigger[0]:  # 59.6 minutes reads "in 1 hour"
        size, unit = bigger
        count = round(seconds / size)
    return f"in {count} {unit}{'s' if count != 1 else ''}"
