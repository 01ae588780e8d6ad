"""The SLA clock of a counter case on the office's working-day calendar (pure; no Django).

Every application kind has a standard limit (:class:`SlaLimit`) either in **working days**
(counter applications) or in **working hours** (cases forwarded by the 1911 call centre). The
clock measures *working time*: the office's open hours on its working days, as defined by the
:class:`~powerdesk.core.domain.calendar.WorkingCalendar` passed in (its ``hours``, by default
08:30–17:30 Asia/Taipei; weekends, national holidays, 春節, adjusted days off, make-up working
Saturdays (補班, which *are* working days) and typhoon closures all come from that calendar).

Definitions (these are the rules the tests check):

**Deemed receipt day.** A case received on a working day before the *receipt cut-off* (by
default the day's closing time; a partial closure such as a typhoon 停止上班 from 12:00 moves
it earlier; :attr:`SlaPolicy.receipt_cutoff` may set an earlier time) is received that day. A
case received later, or on a day off, is deemed received on the next working day.

**N working days.** Following 行政程序法 第48條第2項 (the start day is not counted), the limit is
the end of office hours on the N-th working day after the deemed receipt day. Received Monday
10:00 with a limit of 3: Tuesday is day 1, due Thursday at closing time. Received Monday
18:00: deemed received Tuesday, due Friday. So the clock starts at the close of the deemed
receipt day, and the *budget* is the open time of those N working days.

**N working hours.** Following 第48條第1項 (即時起算), the clock starts at the instant of receipt
and counts only open hours: a call forwarded at 20:00 starts counting at the next opening.

**Pauses.** While the case waits on something outside the office's control (missing documents
補件, a delay the customer asked for, a road-dig permit 路權申請, another agency), the clock stops:
elapsed working time excludes the open time inside paused intervals, and the due instant moves
later by exactly the paused working time (for day limits it is then rounded up to the close of
the day it falls on, so a due date is always a whole working day). A pause may start or end on
a holiday or at night; only its overlap with open hours matters. Overlapping pauses count once.
A pause still open is treated, for a status at instant ``at``, as ending at ``at``.

**States.** At an instant a clock is ``running``, ``paused``, ``met`` (completed within the
allowed working time) or ``breached`` (the allowed working time is used up before completion;
a breach is final even if the case is paused afterwards).

**Thresholds.** The share of the allowed working time used is compared with thresholds
(default 50 %, 80 %, 100 %); each says who is told when it is crossed (the assignee first, the
supervisor from 80 %). A threshold of p % is crossed once elapsed ≥ p % of the allowed time.

**Actual working days** (for the public page of average processing times, which Taipower
district offices publish "excluding customer-caused delay, weekends/holidays and waiting for
road-dig permits"): the number of working days after the deemed receipt day, up to and
including the completion day, on which the clock ran for some of the open hours. A case
completed on its receipt day took 0 days; a working day entirely inside a pause is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from powerdesk.core.domain.calendar import TAIPEI, WorkingCalendar
from powerdesk.core.domain.errors import DomainError, Message

__all__ = [
    "DEFAULT_POLICY",
    "DEFAULT_THRESHOLDS",
    "PAUSE_REASON_LABELS",
    "CaseClock",
    "NotifyRole",
    "Pause",
    "PauseReason",
    "SlaError",
    "SlaLimit",
    "SlaPolicy",
    "SlaState",
    "SlaStatus",
    "SlaUnit",
    "Threshold",
    "ThresholdCrossing",
    "actual_working_days",
    "clock_start",
    "deemed_receipt_day",
    "due_at",
    "elapsed_working_time",
    "sla_status",
]

_ZERO = timedelta(0)
_SHARE_PLACES = Decimal("0.0001")


class SlaError(DomainError):
    """Bad input to the SLA clock (naive datetime, pause ending before it starts …)."""


class SlaUnit(StrEnum):
    """What a limit counts."""

    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"


class PauseReason(StrEnum):
    """Why the clock is stopped: the case waits on something outside the office's control."""

    DOCUMENTS_MISSING = "documents_missing"  # 待補件
    CUSTOMER_REQUEST = "customer_request"  # 用戶因素：要求延後、約定較晚之供電日期、待繳費
    ROAD_PERMIT = "road_permit"  # 路權（道路挖掘）申請中
    OTHER_AGENCY = "other_agency"  # 待他機關辦理（建管、消防、公所 …）


PAUSE_REASON_LABELS: dict[PauseReason, Message] = {
    PauseReason.DOCUMENTS_MISSING: Message(zh_hant="待用戶補件", en="Waiting for documents"),
    PauseReason.CUSTOMER_REQUEST: Message(
        zh_hant="用戶因素延後（用戶要求延後或待用戶繳費）",
        en="Delayed by the customer (at their request, or awaiting their payment)",
    ),
    PauseReason.ROAD_PERMIT: Message(zh_hant="路權申請中", en="Waiting for the road-dig permit"),
    PauseReason.OTHER_AGENCY: Message(zh_hant="待他機關辦理", en="Waiting for another agency"),
}


class SlaState(StrEnum):
    """State of a clock at an instant."""

    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"


class NotifyRole(StrEnum):
    """Who is told when a threshold is crossed."""

    ASSIGNEE = "assignee"  # the case's handler (承辦人)
    SUPERVISOR = "supervisor"  # the handler's supervisor (課長／主管)


def _error(code: str, *, zh_hant: str, en: str, field: str | None = None) -> SlaError:
    return SlaError(code=code, zh_hant=zh_hant, en=en, field=field)


def _aware(moment: datetime, *, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise _error(
            "sla.not_datetime",
            zh_hant=f"「{name}」必須是日期時間。",
            en=f"{name!r} must be a datetime.",
            field=name,
        )
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _error(
            "sla.naive_datetime",
            zh_hant=f"「{name}」的時間 {moment.isoformat()} 沒有時區。",
            en=f"The time {moment.isoformat()} given as {name!r} has no time zone.",
            field=name,
        )
    return moment.astimezone(TAIPEI)


@dataclass(frozen=True, slots=True)
class SlaLimit:
    """A standard limit: ``amount`` working days or working hours (a positive whole number)."""

    amount: int
    unit: SlaUnit

    def __post_init__(self) -> None:
        if type(self.amount) is not int or self.amount < 1:
            raise _error(
                "sla.limit_amount",
                zh_hant=f"處理時限必須是正整數，不可為 {self.amount!r}。",
                en=f"A time limit must be a positive whole number, not {self.amount!r}.",
                field="amount",
            )
        object.__setattr__(self, "unit", SlaUnit(self.unit))

    @property
    def label(self) -> Message:
        """The limit in words, e.g. 「10 個工作天」 / "10 working days"."""
        if self.unit is SlaUnit.WORKING_DAYS:
            plural = "" if self.amount == 1 else "s"
            return Message(
                zh_hant=f"{self.amount} 個工作天", en=f"{self.amount} working day{plural}"
            )
        plural = "" if self.amount == 1 else "s"
        return Message(
            zh_hant=f"{self.amount} 個上班小時", en=f"{self.amount} working hour{plural}"
        )


@dataclass(frozen=True, slots=True)
class Pause:
    """An interval ``[start, end)`` during which the clock is stopped; ``end=None``: still paused."""

    reason: PauseReason
    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", PauseReason(self.reason))
        object.__setattr__(self, "start", _aware(self.start, name="start"))
        if self.end is not None:
            end = _aware(self.end, name="end")
            if end < self.start:
                raise _error(
                    "sla.pause_order",
                    zh_hant=f"暫停結束時間 {end.isoformat()} 早於開始時間 {self.start.isoformat()}。",
                    en=f"The pause ends ({end.isoformat()}) before it starts ({self.start.isoformat()}).",
                    field="end",
                )
            object.__setattr__(self, "end", end)


@dataclass(frozen=True, slots=True)
class Threshold:
    """At ``percent`` % of the allowed working time, tell ``notify``."""

    percent: int
    notify: tuple[NotifyRole, ...]

    def __post_init__(self) -> None:
        if type(self.percent) is not int:
            raise _error(
                "sla.threshold",
                zh_hant=f"警示門檻必須是整數百分比，不可為 {self.percent!r}。",
                en=f"A warning threshold must be a whole percentage, not {self.percent!r}.",
                field="percent",
            )
        if not 1 <= self.percent <= 1000:
            raise _error(
                "sla.threshold",
                zh_hant=f"警示門檻 {self.percent}% 必須介於 1% 與 1000% 之間。",
                en=f"The warning threshold {self.percent}% must be between 1% and 1000%.",
                field="percent",
            )
        object.__setattr__(self, "notify", tuple(NotifyRole(role) for role in self.notify))


DEFAULT_THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(percent=50, notify=(NotifyRole.ASSIGNEE,)),
    Threshold(percent=80, notify=(NotifyRole.ASSIGNEE, NotifyRole.SUPERVISOR)),
    Threshold(percent=100, notify=(NotifyRole.ASSIGNEE, NotifyRole.SUPERVISOR)),
)
"""Office policy: the handler hears at half time, the supervisor too from 80 % and at the limit."""


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """Office parameters of the clock.

    ``receipt_cutoff``: a case received on a working day at or after this local time is deemed
    received on the next working day; ``None`` means the day's closing time (the calendar's
    ``hours.closes_at``, or the time of a partial closure). ``thresholds``: strictly increasing.
    """

    receipt_cutoff: time | None = None
    thresholds: tuple[Threshold, ...] = DEFAULT_THRESHOLDS

    def __post_init__(self) -> None:
        if self.receipt_cutoff is not None and self.receipt_cutoff.tzinfo is not None:
            raise _error(
                "sla.receipt_cutoff",
                zh_hant="收件截止時間必須是臺北當地時間，不可帶時區。",
                en="The receipt cut-off must be a local Asia/Taipei time without a time zone.",
                field="receipt_cutoff",
            )
        percents = [threshold.percent for threshold in self.thresholds]
        if percents != sorted(set(percents)):
            raise _error(
                "sla.thresholds_order",
                zh_hant=f"警示門檻必須由小到大且不重複：{percents}。",
                en=f"Warning thresholds must be strictly increasing: {percents}.",
                field="thresholds",
            )


DEFAULT_POLICY = SlaPolicy()


@dataclass(frozen=True, slots=True)
class CaseClock:
    """What the clock needs to know about a case."""

    received_at: datetime
    limit: SlaLimit
    pauses: tuple[Pause, ...] = ()
    completed_at: datetime | None = None

    def __post_init__(self) -> None:
        received = _aware(self.received_at, name="received_at")
        object.__setattr__(self, "received_at", received)
        object.__setattr__(self, "pauses", tuple(self.pauses))
        completed = None
        if self.completed_at is not None:
            completed = _aware(self.completed_at, name="completed_at")
            if completed < received:
                raise _error(
                    "sla.completed_before_received",
                    zh_hant=f"結案時間 {completed.isoformat()} 早於收件時間 {received.isoformat()}。",
                    en=f"Completed ({completed.isoformat()}) before received ({received.isoformat()}).",
                    field="completed_at",
                )
            object.__setattr__(self, "completed_at", completed)
        for index, pause in enumerate(self.pauses):
            if pause.start < received:
                raise _error(
                    "sla.pause_before_received",
                    zh_hant=f"第 {index + 1} 次暫停開始於收件之前（{pause.start.isoformat()}）。",
                    en=f"Pause {index + 1} starts before the case was received ({pause.start.isoformat()}).",
                    field=f"pauses[{index}].start",
                )
            if completed is not None and pause.start > completed:
                raise _error(
                    "sla.pause_after_completed",
                    zh_hant=f"第 {index + 1} 次暫停開始於結案之後（{pause.start.isoformat()}）。",
                    en=f"Pause {index + 1} starts after the case was completed ({pause.start.isoformat()}).",
                    field=f"pauses[{index}].start",
                )


@dataclass(frozen=True, slots=True)
class ThresholdCrossing:
    """When a threshold is (or, if the clock keeps running, will be) crossed."""

    threshold: Threshold
    at: datetime
    crossed: bool


@dataclass(frozen=True, slots=True)
class SlaStatus:
    """The clock at the instant ``at`` (open pauses treated as ending at ``at``).

    ``due_at`` is the instant the allowed working time runs out if the clock runs from now on
    (for day limits: closing time of ``due_date``). ``share_used`` is ``elapsed / allowed``
    rounded down to four places. ``notify`` lists who should have been told by now: the roles
    of the highest threshold crossed.
    """

    state: SlaState
    at: datetime
    clock_start: datetime
    due_at: datetime
    due_date: date
    elapsed: timedelta
    allowed: timedelta
    paused: timedelta
    share_used: Decimal
    crossings: tuple[ThresholdCrossing, ...]
    pause_reason: PauseReason | None = None
    notify: tuple[NotifyRole, ...] = field(default=())

    @property
    def remaining(self) -> timedelta:
        """Working time left (negative once breached)."""
        return self.allowed - self.elapsed

    @property
    def crossed(self) -> tuple[Threshold, ...]:
        """The thresholds crossed so far, lowest first."""
        return tuple(item.threshold for item in self.crossings if item.crossed)


# --- Clock arithmetic -----------------------------------------------------------------------


def _closing_time(day: date, *, calendar: WorkingCalendar) -> time:
    info = calendar.describe_day(day)
    return info.closes_at or calendar.hours.closes_at


def _end_of_day(day: date, *, calendar: WorkingCalendar) -> datetime:
    return datetime.combine(day, _closing_time(day, calendar=calendar), tzinfo=TAIPEI)


def deemed_receipt_day(
    received_at: datetime, *, calendar: WorkingCalendar, policy: SlaPolicy = DEFAULT_POLICY
) -> date:
    """The working day on which a case received at ``received_at`` counts as received."""
    local = _aware(received_at, name="received_at")
    day = local.date()
    if calendar.is_working_day(day):
        cutoff = _closing_time(day, calendar=calendar)
        if policy.receipt_cutoff is not None:
            cutoff = min(cutoff, policy.receipt_cutoff)
        if local.time() < cutoff:
            return day
    return calendar.next_working_day(day)


def clock_start(
    clock: CaseClock, *, calendar: WorkingCalendar, policy: SlaPolicy = DEFAULT_POLICY
) -> datetime:
    """The instant from which working time counts (see the module docstring)."""
    if clock.limit.unit is SlaUnit.WORKING_HOURS:
        return clock.received_at
    day = deemed_receipt_day(clock.received_at, calendar=calendar, policy=policy)
    return _end_of_day(day, calendar=calendar)


def _budget(
    clock: CaseClock, *, start: datetime, calendar: WorkingCalendar, policy: SlaPolicy
) -> timedelta:
    """Working time the limit allows when the clock is never paused."""
    if clock.limit.unit is SlaUnit.WORKING_HOURS:
        return timedelta(hours=clock.limit.amount)
    receipt = deemed_receipt_day(clock.received_at, calendar=calendar, policy=policy)
    last = calendar.add_working_days(receipt, days=clock.limit.amount)
    return calendar.working_time_between(start, end=_end_of_day(last, calendar=calendar))


def _merged(
    pauses: tuple[Pause, ...], *, start: datetime, horizon: datetime
) -> list[tuple[datetime, datetime]]:
    """Pauses as disjoint sorted intervals inside ``[start, horizon]``; open ones end at horizon."""
    intervals = sorted(
        (max(pause.start, start), min(pause.end or horizon, horizon))
        for pause in pauses
        if pause.start <= horizon
    )
    merged: list[tuple[datetime, datetime]] = []
    for begin, end in intervals:
        if end <= begin:
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _running_between(
    start: datetime,
    end: datetime,
    *,
    pauses: list[tuple[datetime, datetime]],
    calendar: WorkingCalendar,
) -> timedelta:
    """Working time in ``[start, end]`` outside the (merged) pauses; zero if ``end <= start``."""
    if end <= start:
        return _ZERO
    total = calendar.working_time_between(start, end=end)
    for begin, finish in pauses:
        low, high = max(begin, start), min(finish, end)
        if high > low:
            total -= calendar.working_time_between(low, end=high)
    return total


def _instant_after_running(
    start: datetime,
    amount: timedelta,
    *,
    pauses: list[tuple[datetime, datetime]],
    calendar: WorkingCalendar,
) -> datetime:
    """The earliest instant at which ``amount`` of unpaused working time has run since ``start``."""
    cursor, remaining = start, amount
    # ``pauses`` are disjoint, sorted and start at or after ``start`` (see ``_merged``), so
    # every one of them ends after ``cursor``.
    for begin, finish in pauses:
        if begin > cursor:
            available = calendar.working_time_between(cursor, end=begin)
            if available >= remaining:
                return calendar.add_working_hours(cursor, hours=remaining)
            remaining -= available
        cursor = max(cursor, finish)
    return calendar.add_working_hours(cursor, hours=remaining)


def _horizon(clock: CaseClock, at: datetime) -> datetime:
    if clock.completed_at is not None and clock.completed_at < at:
        return clock.completed_at
    return at


@dataclass(frozen=True, slots=True)
class _Frame:
    start: datetime
    pauses: list[tuple[datetime, datetime]]
    due_at: datetime
    allowed: timedelta


def _frame(
    clock: CaseClock, *, at: datetime, calendar: WorkingCalendar, policy: SlaPolicy
) -> _Frame:
    start = clock_start(clock, calendar=calendar, policy=policy)
    horizon = _horizon(clock, at)
    pauses = _merged(clock.pauses, start=start, horizon=max(horizon, start))
    budget = _budget(clock, start=start, calendar=calendar, policy=policy)
    instant = _instant_after_running(start, budget, pauses=pauses, calendar=calendar)
    if clock.limit.unit is SlaUnit.WORKING_DAYS:
        due = _end_of_day(instant.date(), calendar=calendar)
        allowed = _running_between(start, due, pauses=pauses, calendar=calendar)
    else:
        due, allowed = instant, budget
    return _Frame(start=start, pauses=pauses, due_at=due, allowed=allowed)


def due_at(
    clock: CaseClock,
    *,
    at: datetime,
    calendar: WorkingCalendar,
    policy: SlaPolicy = DEFAULT_POLICY,
) -> datetime:
    """The due instant as known at ``at`` (pauses still open are taken to end at ``at``)."""
    return _frame(clock, at=_aware(at, name="at"), calendar=calendar, policy=policy).due_at


def elapsed_working_time(
    clock: CaseClock,
    *,
    at: datetime,
    calendar: WorkingCalendar,
    policy: SlaPolicy = DEFAULT_POLICY,
) -> timedelta:
    """Unpaused working time from the clock's start to ``at`` (or to completion, if earlier)."""
    moment = _aware(at, name="at")
    start = clock_start(clock, calendar=calendar, policy=policy)
    horizon = _horizon(clock, moment)
    pauses = _merged(clock.pauses, start=start, horizon=max(horizon, start))
    return _running_between(start, horizon, pauses=pauses, calendar=calendar)


def sla_status(
    clock: CaseClock,
    *,
    at: datetime,
    calendar: WorkingCalendar,
    policy: SlaPolicy = DEFAULT_POLICY,
) -> SlaStatus:
    """The state of the clock at the instant ``at``."""
    moment = _aware(at, name="at")
    frame = _frame(clock, at=moment, calendar=calendar, policy=policy)
    horizon = _horizon(clock, moment)
    elapsed = _running_between(frame.start, horizon, pauses=frame.pauses, calendar=calendar)
    paused = (
        calendar.working_time_between(frame.start, end=horizon) - elapsed
        if horizon > frame.start
        else _ZERO
    )
    active = next(
        (
            pause
            for pause in clock.pauses
            if pause.start <= moment and (pause.end is None or moment < pause.end)
        ),
        None,
    )
    completed = clock.completed_at is not None and clock.completed_at <= moment
    if completed:
        state = SlaState.MET if elapsed <= frame.allowed else SlaState.BREACHED
    elif elapsed > frame.allowed:
        state = SlaState.BREACHED
    elif active is not None:
        state = SlaState.PAUSED
    else:
        state = SlaState.RUNNING
    allowed_us = frame.allowed // timedelta(microseconds=1)
    elapsed_us = elapsed // timedelta(microseconds=1)
    crossings = tuple(
        ThresholdCrossing(
            threshold=threshold,
            at=_instant_after_running(
                frame.start,
                timedelta(microseconds=allowed_us * threshold.percent // 100),
                pauses=frame.pauses,
                calendar=calendar,
            ),
            crossed=elapsed_us * 100 >= allowed_us * threshold.percent,
        )
        for threshold in policy.thresholds
    )
    crossed = [item.threshold for item in crossings if item.crossed]
    share = (Decimal(elapsed_us) / Decimal(allowed_us)).quantize(
        _SHARE_PLACES, rounding=ROUND_FLOOR
    )
    return SlaStatus(
        state=state,
        at=moment,
        clock_start=frame.start,
        due_at=frame.due_at,
        due_date=frame.due_at.date(),
        elapsed=elapsed,
        allowed=frame.allowed,
        paused=paused,
        share_used=share,
        crossings=crossings,
        pause_reason=active.reason if active is not None and not completed else None,
        notify=crossed[-1].notify if crossed else (),
    )


def actual_working_days(
    clock: CaseClock, *, calendar: WorkingCalendar, policy: SlaPolicy = DEFAULT_POLICY
) -> int:
    """Working days a completed case took, pauses excluded (see the module docstring)."""
    if clock.completed_at is None:
        raise _error(
            "sla.not_completed",
            zh_hant="案件尚未完成，無法計算實際處理日數。",
            en="The case is not completed; its actual working days cannot be counted yet.",
            field="completed_at",
        )
    completed = clock.completed_at
    receipt = deemed_receipt_day(clock.received_at, calendar=calendar, policy=policy)
    start = _end_of_day(receipt, calendar=calendar)
    pauses = _merged(clock.pauses, start=start, horizon=max(completed, start))
    count = 0
    for ordinal in range(receipt.toordinal() + 1, completed.date().toordinal() + 1):
        day = date.fromordinal(ordinal)
        if not calendar.is_working_day(day):
            continue
        low = max(datetime.combine(day, time(0), tzinfo=TAIPEI), start)
        high = min(datetime.combine(day + timedelta(days=1), time(0), tzinfo=TAIPEI), completed)
        if _running_between(low, high, pauses=pauses, calendar=calendar) > _ZERO:
            count += 1
    return count
