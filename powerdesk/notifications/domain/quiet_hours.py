"""Quiet hours: no SMS and no phone calls at night unless the purpose is urgent.

The office's rule (a service practice, not a statute): between 21:00 and 08:00 Asia/Taipei a
customer is not texted or called; a message due then waits for the end of the quiet window.
An urgent purpose (an unplanned outage) is sent at once. E-mail, letters and push
notifications are not held: they do not wake anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from powerdesk.core.domain.errors import DomainError
from powerdesk.notifications.domain.channels import PURPOSE_RULES, Channel, Purpose


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window ``[start, end)`` in local time; it may cross midnight (21:00–08:00)."""

    start: time = time(21, 0)
    end: time = time(8, 0)
    time_zone: str = "Asia/Taipei"
    channels: frozenset[Channel] = field(
        default_factory=lambda: frozenset({Channel.SMS, Channel.VOICE})
    )


def _local(at: datetime, *, quiet: QuietHours) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise DomainError(
            code="datetime.naive",
            zh_hant="時間須含時區。",
            en="The time must carry a time zone.",
        )
    return at.astimezone(ZoneInfo(quiet.time_zone))


def is_quiet(at: datetime, *, quiet: QuietHours) -> bool:
    """Whether ``at`` (an aware datetime) falls in the quiet window."""
    clock = _local(at, quiet=quiet).time()
    if quiet.start == quiet.end:
        return False
    if quiet.start < quiet.end:  # a window inside one day, e.g. 12:00–13:00
        return quiet.start <= clock < quiet.end
    return clock >= quiet.start or clock < quiet.end


def quiet_end(at: datetime, *, quiet: QuietHours) -> datetime:
    """The first moment at or after ``at`` outside the quiet window (in ``at``'s time zone).

    Computed on the local calendar, so it is right across a DST change too (Taiwan has none).
    """
    if not is_quiet(at, quiet=quiet):
        return at
    local = _local(at, quiet=quiet)
    end = local.replace(
        hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0, fold=0
    )
    if end <= local:
        end = (local + timedelta(days=1)).replace(
            hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0, fold=0
        )
    return end.astimezone(at.tzinfo)


def earliest_delivery(
    requested: datetime, *, channel: Channel, purpose: Purpose, quiet: QuietHours
) -> datetime:
    """When a message requested for ``requested`` may be delivered on ``channel``."""
    if channel not in quiet.channels or PURPOSE_RULES[purpose].urgent:
        _local(requested, quiet=quiet)
        return requested
    return quiet_end(requested, quiet=quiet)
