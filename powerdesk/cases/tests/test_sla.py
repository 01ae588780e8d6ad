"""Tests of the SLA clock (pure; no database).

Expected values were worked out by hand with office hours 08:30–17:30 (9 working hours a
day) and the DGPA calendars as the holidays package records them:

* 2025 春節: off Sat 01-25 to Sun 02-02 (Mon 01-27 an adjusted day off), made up on Sat 02-08.
* 2026 春節: off Sat 02-14 to Sun 02-22, no make-up day; Fri 02-27 off (和平紀念日 observed).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerdesk.cases.domain.sla import (
    CaseClock,
    NotifyRole,
    Pause,
    PauseReason,
    SlaError,
    SlaLimit,
    SlaPolicy,
    SlaState,
    SlaUnit,
    Threshold,
    actual_working_days,
    clock_start,
    deemed_receipt_day,
    due_at,
    elapsed_working_time,
    sla_status,
)
from powerdesk.core.domain.calendar import (
    TAIPEI,
    BusinessHours,
    CalendarOverride,
    OverrideKind,
    WorkingCalendar,
)

CALENDAR = WorkingCalendar.build(years=range(2024, 2028))


def t(text: str) -> datetime:
    """A local Asia/Taipei instant."""
    return datetime.fromisoformat(text).replace(tzinfo=TAIPEI)


def days(amount: int) -> SlaLimit:
    return SlaLimit(amount=amount, unit=SlaUnit.WORKING_DAYS)


def hours(amount: int) -> SlaLimit:
    return SlaLimit(amount=amount, unit=SlaUnit.WORKING_HOURS)


def due(
    clock: CaseClock, *, at: str = "2027-06-30T00:00", calendar: WorkingCalendar = CALENDAR
) -> datetime:
    return due_at(clock, at=t(at), calendar=calendar)


# --- Receipt and day counting ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "received", "expected"),
    [
        ("working day, office hours", "2026-03-02T10:00", "2026-03-02"),
        ("before opening counts that day", "2026-03-02T07:00", "2026-03-02"),
        ("one second before closing", "2026-03-02T17:29:59", "2026-03-02"),
        ("at closing time: next working day", "2026-03-02T17:30", "2026-03-03"),
        ("evening: next working day", "2026-03-02T18:00", "2026-03-03"),
        ("Saturday: Monday", "2026-03-07T10:00", "2026-03-09"),
        ("Friday evening before 2026 春節", "2026-02-13T18:00", "2026-02-23"),
        ("during 2025 春節", "2025-01-29T10:00", "2025-02-03"),
        ("make-up Saturday 2025-02-08 is a working day", "2025-02-08T10:00", "2025-02-08"),
    ],
)
def test_deemed_receipt_day(_case, received, expected):
    # given / when
    day = deemed_receipt_day(t(received), calendar=CALENDAR)
    # then
    assert day == date.fromisoformat(expected)


def test_deemed_receipt_day_with_an_earlier_cutoff():
    # given the office stops taking cases for the day at 16:30
    policy = SlaPolicy(receipt_cutoff=time(16, 30))
    # when / then
    assert deemed_receipt_day(t("2026-03-02T16:29"), calendar=CALENDAR, policy=policy) == date(
        2026, 3, 2
    )
    assert deemed_receipt_day(t("2026-03-02T16:30"), calendar=CALENDAR, policy=policy) == date(
        2026, 3, 3
    )


@pytest.mark.parametrize(
    ("_case", "received", "limit", "expected_due"),
    [
        ("plain week: Tue, Wed, Thu", "2026-03-02T10:00", 3, "2026-03-05T17:30"),
        ("after hours counts from Wednesday", "2026-03-02T18:00", 3, "2026-03-06T17:30"),
        ("Saturday receipt counts from Tuesday", "2026-03-07T10:00", 3, "2026-03-12T17:30"),
        ("across 2026 春節", "2026-02-12T10:00", 2, "2026-02-23T17:30"),
        ("after hours on the last day before 2026 春節", "2026-02-13T18:00", 1, "2026-02-24T17:30"),
        ("over 和平紀念日 observed 2026-02-27", "2026-02-25T10:00", 2, "2026-03-02T17:30"),
        ("across 2025 春節", "2025-01-24T09:00", 5, "2025-02-07T17:30"),
        ("make-up Saturday 2025-02-08 is working day 6", "2025-01-24T09:00", 6, "2025-02-08T17:30"),
        ("over the make-up Saturday", "2025-02-06T10:00", 2, "2025-02-08T17:30"),
        ("received on the make-up Saturday", "2025-02-08T10:00", 1, "2025-02-10T17:30"),
    ],
)
def test_due_at_working_days(_case, received, limit, expected_due):
    # given
    clock = CaseClock(received_at=t(received), limit=days(limit))
    # when / then
    assert due(clock) == t(expected_due)


def test_clock_of_a_day_limit_starts_at_the_close_of_the_receipt_day():
    # given
    clock = CaseClock(received_at=t("2026-03-02T10:00"), limit=days(3))
    # when
    start = clock_start(clock, calendar=CALENDAR)
    status = sla_status(clock, at=t("2026-03-02T16:00"), calendar=CALENDAR)
    # then the receipt day itself is never counted (行政程序法 §48 II)
    assert start == t("2026-03-02T17:30")
    assert status.elapsed == timedelta(0)
    assert status.allowed == timedelta(hours=27)
    assert status.state is SlaState.RUNNING


# --- Typhoon closures ------------------------------------------------------------------------


def test_due_date_skips_a_whole_day_typhoon_closure():
    # given Wednesday 2026-03-04 closed all day
    calendar = CALENDAR.with_overrides(
        [CalendarOverride(day=date(2026, 3, 4), kind=OverrideKind.CLOSED)]
    )
    clock = CaseClock(received_at=t("2026-03-02T10:00"), limit=days(3))
    # when / then: Tue (1), Thu (2), Fri (3)
    assert due(clock, calendar=calendar) == t("2026-03-06T17:30")


def test_receipt_after_a_partial_closure_counts_from_the_next_working_day():
    # given Tuesday 2026-03-03 closed from 12:00
    calendar = CALENDAR.with_overrides(
        [CalendarOverride(day=date(2026, 3, 3), kind=OverrideKind.CLOSED, from_time=time(12))]
    )
    before = CaseClock(received_at=t("2026-03-03T11:00"), limit=days(3))
    after = CaseClock(received_at=t("2026-03-03T13:00"), limit=days(3))
    # when / then
    assert deemed_receipt_day(after.received_at, calendar=calendar) == date(2026, 3, 4)
    assert due(before, calendar=calendar) == t("2026-03-06T17:30")
    assert due(after, calendar=calendar) == t("2026-03-09T17:30")


def test_partial_closure_on_the_due_day_ends_the_limit_at_the_closure():
    # given Thursday 2026-03-05 closed from 12:00
    calendar = CALENDAR.with_overrides(
        [CalendarOverride(day=date(2026, 3, 5), kind=OverrideKind.CLOSED, from_time=time(12))]
    )
    clock = CaseClock(received_at=t("2026-03-02T10:00"), limit=days(3))
    # when / then
    assert due(clock, calendar=calendar) == t("2026-03-05T12:00")


# --- Working hours (1911) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "received", "limit", "expected_due"),
    [
        ("inside one day", "2026-03-02T09:00", 4, "2026-03-02T13:00"),
        ("over the evening", "2026-03-02T16:00", 4, "2026-03-03T11:00"),
        ("received at night starts at opening", "2026-03-02T20:00", 4, "2026-03-03T12:30"),
        ("ends exactly at closing time", "2026-03-02T08:30", 9, "2026-03-02T17:30"),
        ("across 2026 春節", "2026-02-13T16:30", 8, "2026-02-23T15:30"),
        ("on the 2025 make-up Saturday", "2025-02-08T10:00", 8, "2025-02-10T09:00"),
        ("Friday into the make-up Saturday", "2025-02-07T17:00", 2, "2025-02-08T10:00"),
    ],
)
def test_due_at_working_hours(_case, received, limit, expected_due):
    # given
    clock = CaseClock(received_at=t(received), limit=hours(limit))
    # when / then
    assert due(clock) == t(expected_due)


def test_hour_limit_counts_from_the_instant_of_receipt():
    # given
    clock = CaseClock(received_at=t("2026-03-02T10:15"), limit=hours(4))
    # when
    status = sla_status(clock, at=t("2026-03-02T12:15"), calendar=CALENDAR)
    # then
    assert status.clock_start == t("2026-03-02T10:15")
    assert status.elapsed == timedelta(hours=2)
    assert status.share_used == Decimal("0.5")


def test_hour_limit_pause_moves_the_due_instant_by_the_paused_hours():
    # given a 1911 case paused for an hour while another agency answers
    clock = CaseClock(
        received_at=t("2026-03-02T09:00"),
        limit=hours(4),
        pauses=(
            Pause(
                reason=PauseReason.OTHER_AGENCY,
                start=t("2026-03-02T10:00"),
                end=t("2026-03-02T11:00"),
            ),
        ),
    )
    # when / then
    assert due(clock) == t("2026-03-02T14:00")


# --- Pauses ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", list(PauseReason))
def test_each_pause_reason_stops_the_clock_and_moves_the_due_date(reason):
    # given a whole working day paused
    clock = CaseClock(
        received_at=t("2026-03-02T10:00"),
        limit=days(3),
        pauses=(Pause(reason=reason, start=t("2026-03-03T08:30"), end=t("2026-03-04T08:30")),),
    )
    # when
    during = sla_status(clock, at=t("2026-03-03T12:00"), calendar=CALENDAR)
    after = sla_status(clock, at=t("2026-03-04T12:00"), calendar=CALENDAR)
    # then
    assert during.state is SlaState.PAUSED
    assert during.pause_reason is reason
    assert during.elapsed == timedelta(0)
    assert after.state is SlaState.RUNNING
    assert after.pause_reason is None
    assert after.elapsed == timedelta(hours=3, minutes=30)
    assert after.paused == timedelta(hours=9)
    assert after.due_at == t("2026-03-06T17:30")


def test_partial_day_pause_rounds_the_due_date_up_to_a_whole_day():
    # given two working hours paused
    clock = CaseClock(
        received_at=t("2026-03-02T10:00"),
        limit=days(3),
        pauses=(
            Pause(
                reason=PauseReason.DOCUMENTS_MISSING,
                start=t("2026-03-03T09:00"),
                end=t("2026-03-03T11:00"),
            ),
        ),
    )
    # when
    status = sla_status(clock, at=t("2026-03-10T00:00"), calendar=CALENDAR)
    # then the clock would run out on Friday 10:30; the due date is Friday
    assert status.due_at == t("2026-03-06T17:30")
    assert status.due_date == date(2026, 3, 6)
    assert status.allowed == timedelta(hours=27 + 7)


def test_pause_entirely_inside_2026_spring_festival_changes_nothing():
    # given
    base = CaseClock(received_at=t("2026-02-11T10:00"), limit=days(3))
    paused = CaseClock(
        received_at=base.received_at,
        limit=base.limit,
        pauses=(
            Pause(
                reason=PauseReason.ROAD_PERMIT,
                start=t("2026-02-15T10:00"),
                end=t("2026-02-21T12:00"),
            ),
        ),
    )
    # when / then: Thu 12 (1), Fri 13 (2), Mon 23 (3)
    assert due(base) == t("2026-02-23T17:30")
    assert due(paused) == t("2026-02-23T17:30")


def test_pause_starting_on_a_working_day_and_ending_on_a_holiday():
    # given a pause from Friday noon into 春節
    clock = CaseClock(
        received_at=t("2026-02-11T10:00"),
        limit=days(3),
        pauses=(
            Pause(
                reason=PauseReason.CUSTOMER_REQUEST,
                start=t("2026-02-13T12:00"),
                end=t("2026-02-21T00:00"),
            ),
        ),
    )
    # when / then: 5.5 paused hours push the end to Tuesday 14:00, i.e. due Tuesday
    assert due(clock) == t("2026-02-24T17:30")


def test_pause_starting_on_a_holiday_and_ending_on_a_working_day():
    # given a pause from 春節 until Tuesday morning: all of Monday 02-23 is paused
    clock = CaseClock(
        received_at=t("2026-02-11T10:00"),
        limit=days(3),
        pauses=(
            Pause(
                reason=PauseReason.ROAD_PERMIT,
                start=t("2026-02-18T09:00"),
                end=t("2026-02-24T08:30"),
            ),
        ),
    )
    # when / then
    assert due(clock) == t("2026-02-24T17:30")


def test_pausing_the_make_up_saturday_moves_the_due_date_to_monday():
    # given a case due on the 2025 make-up Saturday
    base = CaseClock(received_at=t("2025-02-05T10:00"), limit=days(3))
    paused = CaseClock(
        received_at=base.received_at,
        limit=base.limit,
        pauses=(
            Pause(
                reason=PauseReason.DOCUMENTS_MISSING,
                start=t("2025-02-08T00:00"),
                end=t("2025-02-09T00:00"),
            ),
        ),
    )
    # when / then
    assert due(base) == t("2025-02-08T17:30")
    assert due(paused) == t("2025-02-10T17:30")


def test_open_pause_moves_the_due_date_as_time_passes():
    # given a pause that has not ended
    clock = CaseClock(
        received_at=t("2026-03-02T10:00"),
        limit=days(3),
        pauses=(Pause(reason=PauseReason.DOCUMENTS_MISSING, start=t("2026-03-03T08:30")),),
    )
    # when
    one_day = sla_status(clock, at=t("2026-03-04T08:30"), calendar=CALENDAR)
    two_days = sla_status(clock, at=t("2026-03-05T08:30"), calendar=CALENDAR)
    # then
    assert one_day.state is SlaState.PAUSED
    assert one_day.due_at == t("2026-03-06T17:30")
    assert two_days.due_at == t("2026-03-09T17:30")
    assert two_days.elapsed == timedelta(0)


def test_overlapping_pauses_count_once():
    # given two overlapping pauses covering Tuesday
    clock = CaseClock(
        received_at=t("2026-03-02T10:00"),
        limit=days(3),
        pauses=(
            Pause(
                reason=PauseReason.DOCUMENTS_MISSING,
                start=t("2026-03-03T08:30"),
                end=t("2026-03-03T15:00"),
            ),
            Pause(
                reason=PauseReason.OTHER_AGENCY,
                start=t("2026-03-03T12:00"),
                end=t("2026-03-04T08:30"),
            ),
        ),
    )
    # when
    status = sla_status(clock, at=t("2026-03-04T08:30"), calendar=CALENDAR)
    # then
    assert status.paused == timedelta(hours=9)
    assert status.due_at == t("2026-03-06T17:30")


def test_pause_before_the_clock_starts_does_not_count():
    # given documents asked for on the receipt day and delivered the same afternoon
    clock = CaseClock(
        received_at=t("2026-03-02T10:00"),
        limit=days(3),
        pauses=(
            Pause(
                reason=PauseReason.DOCUMENTS_MISSING,
                start=t("2026-03-02T10:30"),
                end=t("2026-03-02T15:00"),
            ),
        ),
    )
    # when / then: the receipt day is not counted anyway
    assert due(clock) == t("2026-03-05T17:30")


# --- States and thresholds -------------------------------------------------------------------


def test_thresholds_are_crossed_in_order_and_name_who_to_tell():
    # given a 3-day case: 27 allowed hours from Monday 17:30
    clock = CaseClock(received_at=t("2026-03-02T10:00"), limit=days(3))
    # when
    before = sla_status(clock, at=t("2026-03-04T12:59"), calendar=CALENDAR)
    half = sla_status(clock, at=t("2026-03-04T13:00"), calendar=CALENDAR)
    eighty = sla_status(clock, at=t("2026-03-05T12:06"), calendar=CALENDAR)
    full = sla_status(clock, at=t("2026-03-05T17:30"), calendar=CALENDAR)
    # then
    assert [item.at for item in before.crossings] == [
        t("2026-03-04T13:00"),
        t("2026-03-05T12:06"),
        t("2026-03-05T17:30"),
    ]
    assert before.crossed == ()
    assert before.notify == ()
    assert [item.percent for item in half.crossed] == [50]
    assert half.notify == (NotifyRole.ASSIGNEE,)
    assert half.share_used == Decimal("0.5")
    assert [item.percent for item in eighty.crossed] == [50, 80]
    assert eighty.notify == (NotifyRole.ASSIGNEE, NotifyRole.SUPERVISOR)
    assert eighty.share_used == Decimal("0.8")
    assert [item.percent for item in full.crossed] == [50, 80, 100]
    assert full.state is SlaState.RUNNING
    assert full.remaining == timedelta(0)


def test_clock_is_breached_once_the_allowed_time_is_used_up():
    # given
    clock = CaseClock(received_at=t("2026-03-02T10:00"), limit=days(3))
    # when
    evening = sla_status(clock, at=t("2026-03-05T23:00"), calendar=CALENDAR)
    next_morning = sla_status(clock, at=t("2026-03-06T08:31"), calendar=CALENDAR)
    # then the due day's evening is still within the limit
    assert evening.state is SlaState.RUNNING
    assert next_morning.state is SlaState.BREACHED
    assert next_morning.remaining == -timedelta(minutes=1)
    assert next_morning.share_used == Decimal("1.0006")


def test_breach_stays_a_breach_when_paused_afterwards():
    # given a 1911 case over its 4 hours, then paused
    clock = CaseClock(
        received_at=t("2026-03-02T09:00"),
        limit=hours(4),
        pauses=(Pause(reason=PauseReason.CUSTOMER_REQUEST, start=t("2026-03-02T14:00")),),
    )
    # when
    status = sla_status(clock, at=t("2026-03-02T15:00"), calendar=CALENDAR)
    # then
    assert status.state is SlaState.BREACHED
    assert status.elapsed == timedelta(hours=5)


@pytest.mark.parametrize(
    ("_case", "completed", "state"),
    [
        ("completed early", "2026-03-04T10:00", SlaState.MET),
        ("completed on the due day after hours", "2026-03-05T18:00", SlaState.MET),
        ("completed next morning", "2026-03-06T09:00", SlaState.BREACHED),
    ],
)
def test_completed_case_is_met_or_breached(_case, completed, state):
    # given
    clock = CaseClock(received_at=t("2026-03-02T10:00"), limit=days(3), completed_at=t(completed))
    # when
    status = sla_status(clock, at=t("2026-04-01T00:00"), calendar=CALENDAR)
    # then
    assert status.state is state


def test_completed_case_was_running_before_completion():
    # given
    clock = CaseClock(
        received_at=t("2026-03-02T10:00"), limit=days(3), completed_at=t("2026-03-04T10:00")
    )
    # when / then
    assert sla_status(clock, at=t("2026-03-03T10:00"), calendar=CALENDAR).state is SlaState.RUNNING
    assert elapsed_working_time(clock, at=t("2026-04-01T00:00"), calendar=CALENDAR) == timedelta(
        hours=10, minutes=30
    )


def test_custom_thresholds():
    # given
    policy = SlaPolicy(
        thresholds=(
            Threshold(percent=25, notify=(NotifyRole.ASSIGNEE,)),
            Threshold(percent=150, notify=(NotifyRole.SUPERVISOR,)),
        )
    )
    clock = CaseClock(received_at=t("2026-03-02T09:00"), limit=hours(4))
    # when
    status = sla_status(clock, at=t("2026-03-02T15:00"), calendar=CALENDAR, policy=policy)
    # then
    assert [item.at for item in status.crossings] == [t("2026-03-02T10:00"), t("2026-03-02T15:00")]
    assert status.notify == (NotifyRole.SUPERVISOR,)
    assert status.state is SlaState.BREACHED


# --- Actual working days ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "received", "completed", "pauses", "expected"),
    [
        ("same day", "2026-03-02T10:00", "2026-03-02T15:00", (), 0),
        ("Tue, Wed, Thu", "2026-03-02T10:00", "2026-03-05T10:00", (), 3),
        (
            "completed before opening counts that day only if open time ran",
            "2026-03-02T10:00",
            "2026-03-05T08:00",
            (),
            2,
        ),
        (
            "a fully paused day is excluded",
            "2026-03-02T10:00",
            "2026-03-05T10:00",
            (("2026-03-04T00:00", "2026-03-05T00:00"),),
            2,
        ),
        (
            "a partly paused day still counts",
            "2026-03-02T10:00",
            "2026-03-05T10:00",
            (("2026-03-04T09:00", "2026-03-05T00:00"),),
            3,
        ),
        (
            "across 2025 春節 with the make-up Saturday",
            "2025-01-24T10:00",
            "2025-02-10T10:00",
            (),
            7,
        ),
        ("across 2026 春節", "2026-02-12T10:00", "2026-02-24T10:00", (), 3),
        ("received after hours", "2026-03-02T18:00", "2026-03-05T10:00", (), 2),
    ],
)
def test_actual_working_days(_case, received, completed, pauses, expected):
    # given
    clock = CaseClock(
        received_at=t(received),
        limit=days(5),
        pauses=tuple(
            Pause(reason=PauseReason.ROAD_PERMIT, start=t(a), end=t(b)) for a, b in pauses
        ),
        completed_at=t(completed),
    )
    # when / then
    assert actual_working_days(clock, calendar=CALENDAR) == expected


def test_actual_working_days_needs_a_completed_case():
    clock = CaseClock(received_at=t("2026-03-02T10:00"), limit=days(5))
    with pytest.raises(SlaError) as caught:
        actual_working_days(clock, calendar=CALENDAR)
    assert caught.value.code == "sla.not_completed"
    assert caught.value.message.zh_hant.startswith("案件尚未完成")


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [0, -1, True, 1.5])
def test_limit_must_be_a_positive_whole_number(amount):
    with pytest.raises(SlaError) as caught:
        SlaLimit(amount=amount, unit=SlaUnit.WORKING_DAYS)
    assert caught.value.code == "sla.limit_amount"
    assert caught.value.field == "amount"


def test_limit_label_is_bilingual():
    assert days(1).label.zh_hant == "1 個工作天"
    assert days(10).label.en == "10 working days"
    assert hours(4).label.zh_hant == "4 個上班小時"
    assert hours(1).label.en == "1 working hour"


def test_naive_datetimes_are_refused():
    with pytest.raises(SlaError) as caught:
        CaseClock(received_at=datetime(2026, 3, 2, 10), limit=days(3))  # noqa: DTZ001
    assert caught.value.code == "sla.naive_datetime"
    assert caught.value.field == "received_at"


def test_pause_cannot_end_before_it_starts():
    with pytest.raises(SlaError) as caught:
        Pause(
            reason=PauseReason.ROAD_PERMIT, start=t("2026-03-03T10:00"), end=t("2026-03-03T09:00")
        )
    assert caught.value.code == "sla.pause_order"
    assert "before it starts" in caught.value.message.en


def test_pause_before_receipt_names_the_pause():
    with pytest.raises(SlaError) as caught:
        CaseClock(
            received_at=t("2026-03-02T10:00"),
            limit=days(3),
            pauses=(
                Pause(
                    reason=PauseReason.ROAD_PERMIT,
                    start=t("2026-03-02T11:00"),
                    end=t("2026-03-02T12:00"),
                ),
                Pause(reason=PauseReason.ROAD_PERMIT, start=t("2026-03-01T11:00")),
            ),
        )
    assert caught.value.field == "pauses[1].start"
    assert "第 2 次暫停" in caught.value.message.zh_hant


def test_pause_after_completion_and_completion_before_receipt_are_refused():
    with pytest.raises(SlaError) as after:
        CaseClock(
            received_at=t("2026-03-02T10:00"),
            limit=days(3),
            completed_at=t("2026-03-03T10:00"),
            pauses=(Pause(reason=PauseReason.ROAD_PERMIT, start=t("2026-03-04T11:00")),),
        )
    with pytest.raises(SlaError) as before:
        CaseClock(
            received_at=t("2026-03-02T10:00"), limit=days(3), completed_at=t("2026-03-01T10:00")
        )
    assert after.value.code == "sla.pause_after_completed"
    assert before.value.code == "sla.completed_before_received"


def test_thresholds_must_increase():
    with pytest.raises(SlaError) as caught:
        SlaPolicy(
            thresholds=(
                Threshold(percent=80, notify=(NotifyRole.ASSIGNEE,)),
                Threshold(percent=50, notify=(NotifyRole.ASSIGNEE,)),
            )
        )
    assert caught.value.code == "sla.thresholds_order"


@pytest.mark.parametrize("percent", [0, 1001, True])
def test_threshold_percent_range(percent):
    with pytest.raises(SlaError) as caught:
        Threshold(percent=percent, notify=(NotifyRole.ASSIGNEE,))
    assert caught.value.code == "sla.threshold"


# --- Invariants ------------------------------------------------------------------------------

_START = datetime(2025, 1, 1, tzinfo=TAIPEI)
_instants = st.integers(min_value=0, max_value=640 * 24 * 60).map(
    lambda minutes: _START + timedelta(minutes=minutes)
)
_limits = st.one_of(
    st.integers(min_value=1, max_value=40).map(days),
    st.integers(min_value=1, max_value=80).map(hours),
)


@st.composite
def _clocks(draw: st.DrawFn) -> CaseClock:
    received = draw(_instants)
    pauses = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        start = received + timedelta(minutes=draw(st.integers(min_value=0, max_value=40 * 24 * 60)))
        length = timedelta(minutes=draw(st.integers(min_value=0, max_value=10 * 24 * 60)))
        pauses.append(
            Pause(reason=draw(st.sampled_from(list(PauseReason))), start=start, end=start + length)
        )
    return CaseClock(received_at=received, limit=draw(_limits), pauses=tuple(pauses))


_LATE = "2027-06-30T00:00"


@settings(max_examples=80, deadline=None)
@given(
    clock=_clocks(),
    extra_start=st.integers(min_value=0, max_value=60 * 24 * 60),
    extra_length=st.integers(min_value=1, max_value=20 * 24 * 60),
)
def test_pausing_never_makes_the_due_date_earlier(clock, extra_start, extra_length):
    # given one more pause
    start = clock.received_at + timedelta(minutes=extra_start)
    more = CaseClock(
        received_at=clock.received_at,
        limit=clock.limit,
        pauses=(
            *clock.pauses,
            Pause(
                reason=PauseReason.OTHER_AGENCY,
                start=start,
                end=start + timedelta(minutes=extra_length),
            ),
        ),
    )
    bare = CaseClock(received_at=clock.received_at, limit=clock.limit)
    # when / then
    assert due(bare) <= due(clock) <= due(more)


@settings(max_examples=80, deadline=None)
@given(
    clock=_clocks(),
    offset=st.integers(min_value=0, max_value=60 * 24 * 60),
    step=st.integers(min_value=0, max_value=5 * 24 * 60),
)
def test_elapsed_never_exceeds_wall_time_and_never_decreases(clock, offset, step):
    # given two instants
    first = clock.received_at + timedelta(minutes=offset)
    second = first + timedelta(minutes=step)
    # when
    elapsed_first = elapsed_working_time(clock, at=first, calendar=CALENDAR)
    elapsed_second = elapsed_working_time(clock, at=second, calendar=CALENDAR)
    # then
    assert timedelta(0) <= elapsed_first <= first - clock.received_at
    assert elapsed_first <= elapsed_second
    assert elapsed_second - elapsed_first <= second - first


@settings(max_examples=80, deadline=None)
@given(received=_instants, amount=st.integers(min_value=1, max_value=40))
def test_unpaused_day_limit_is_exactly_n_working_days_after_the_receipt_day(received, amount):
    # given
    clock = CaseClock(received_at=received, limit=days(amount))
    # when
    status = sla_status(clock, at=received, calendar=CALENDAR)
    receipt = deemed_receipt_day(received, calendar=CALENDAR)
    # then the due day is a working day, N working days on, due at its closing time
    assert CALENDAR.is_working_day(status.due_date)
    assert CALENDAR.working_days_between(receipt, end=status.due_date) == amount
    assert status.due_at == datetime.combine(status.due_date, time(17, 30), tzinfo=TAIPEI)
    assert status.allowed == timedelta(hours=9 * amount)


@settings(max_examples=60, deadline=None)
@given(clock=_clocks())
def test_at_the_due_instant_the_limit_is_used_up_but_not_breached(clock):
    # given the due instant as known once every pause is over
    when = due(clock)
    # when
    status = sla_status(clock, at=when, calendar=CALENDAR)
    later = sla_status(
        clock, at=CALENDAR.add_working_hours(when, hours=timedelta(minutes=1)), calendar=CALENDAR
    )
    # then
    assert status.elapsed == status.allowed
    assert status.state is not SlaState.BREACHED
    assert status.share_used == Decimal("1")
    # a minute of working time later the case is breached, unless a pause covers that minute
    assert later.state is SlaState.BREACHED or later.elapsed == later.allowed
    assert [item.at for item in status.crossings] == sorted(item.at for item in status.crossings)


def test_dates_are_not_instants():
    with pytest.raises(SlaError) as caught:
        CaseClock(received_at=date(2026, 3, 2), limit=days(3))  # type: ignore[arg-type]
    assert caught.value.code == "sla.not_datetime"


def test_receipt_cutoff_is_a_local_time():
    with pytest.raises(SlaError) as caught:
        SlaPolicy(receipt_cutoff=time(16, 30, tzinfo=TAIPEI))
    assert caught.value.field == "receipt_cutoff"


def test_office_hours_come_from_the_calendar():
    # given an office open 08:00–17:00 with a lunch break 12:00–13:00
    calendar = WorkingCalendar.build(
        years=range(2025, 2028),
        hours=BusinessHours(opens_at=time(8), closes_at=time(17), lunch_break=(time(12), time(13))),
    )
    call = CaseClock(received_at=t("2026-03-02T10:00"), limit=hours(4))
    counter = CaseClock(received_at=t("2026-03-02T16:59"), limit=days(1))
    # when / then: 10–12 and 13–15; the day limit ends at 17:00
    assert due(call, calendar=calendar) == t("2026-03-02T15:00")
    assert due(counter, calendar=calendar) == t("2026-03-03T17:00")
