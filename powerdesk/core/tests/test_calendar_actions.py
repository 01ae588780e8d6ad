"""The office calendar in the database: typhoon closures, DGPA import, the API."""

from datetime import date, time
from pathlib import Path

import pytest

from powerdesk.core import actions, selectors
from powerdesk.core.errors import InvalidInputError, PermissionDeniedError
from powerdesk.core.models import AuditEvent, OfficeCalendarDay

DATA = Path(__file__).parent / "data"


@pytest.mark.django_db
def test_typhoon_closure_moves_deadlines_and_is_audited(clerk) -> None:
    # given: Friday 2026-07-10 + 1 working day is Monday 2026-07-13
    assert selectors.working_calendar(today=date(2026, 7, 1)).add_working_days(
        date(2026, 7, 10), days=1
    ) == date(2026, 7, 13)
    # when: the office records a typhoon closure on Monday
    actions.calendar_day_record(
        actor=clerk,
        day=date(2026, 7, 13),
        kind="closed",
        name_zh="颱風停止上班",
        name_en="Typhoon closure",
    )
    # then: the deadline moves to Tuesday, and the record is audited
    working = selectors.working_calendar(today=date(2026, 7, 1))
    assert working.add_working_days(date(2026, 7, 10), days=1) == date(2026, 7, 14)
    assert working.describe_day(date(2026, 7, 13)).reason == "closure"
    assert AuditEvent.objects.filter(verb="calendar.day_record").count() == 1


@pytest.mark.django_db
def test_half_day_closure_keeps_the_day_but_cuts_hours(clerk) -> None:
    actions.calendar_day_record(
        actor=clerk,
        day=date(2026, 7, 13),
        kind="closed",
        name_zh="颱風下午停止上班",
        from_time=time(12, 0),
    )
    info = selectors.working_calendar(today=date(2026, 7, 1)).describe_day(date(2026, 7, 13))
    assert info.is_working_day is True
    assert info.closes_at == time(12, 0)


@pytest.mark.django_db
def test_calendar_record_refused_without_capability_and_nothing_saved(make_staff) -> None:
    with pytest.raises(PermissionDeniedError):
        actions.calendar_day_record(
            actor=make_staff("design"), day=date(2026, 7, 13), kind="closed", name_zh="x"
        )
    assert OfficeCalendarDay.objects.count() == 0


@pytest.mark.parametrize(
    ("_case", "kind", "name_zh", "from_time", "field"),
    [
        ("unknown kind", "party", "x", None, "kind"),
        ("no reason", "closed", " ", None, "name_zh"),
        ("from_time on a holiday", "holiday", "x", time(12, 0), "from_time"),
    ],
)
@pytest.mark.django_db
def test_calendar_record_bad_input(clerk, _case, kind, name_zh, from_time, field) -> None:
    with pytest.raises(InvalidInputError) as raised:
        actions.calendar_day_record(
            actor=clerk, day=date(2026, 7, 13), kind=kind, name_zh=name_zh, from_time=from_time
        )
    assert raised.value.problems[0].field == field
    assert OfficeCalendarDay.objects.count() == 0


@pytest.mark.django_db
def test_dgpa_import_then_office_record_wins(clerk) -> None:
    count = actions.calendar_import(
        actor=clerk, raw=(DATA / "dgpa-2025-sample.csv").read_bytes(), source_name="dgpa.csv"
    )
    assert count > 0
    assert OfficeCalendarDay.objects.filter(source="dgpa").count() == count
    working = selectors.working_calendar(today=date(2025, 1, 1))
    assert working.is_working_day(date(2025, 2, 8)) is True  # 補班 Saturday
    actions.calendar_day_record(
        actor=clerk, day=date(2025, 2, 8), kind="closed", name_zh="停止上班"
    )
    assert (
        selectors.working_calendar(today=date(2025, 1, 1)).is_working_day(date(2025, 2, 8)) is False
    )


@pytest.mark.django_db
def test_calendar_import_bad_file_saves_nothing(clerk) -> None:
    raw = "西元日期,星期,是否放假,備註\n20250101,三,2,開國紀念日\n2025013X,四,0,\n".encode()
    with pytest.raises(InvalidInputError) as raised:
        actions.calendar_import(actor=clerk, raw=raw, source_name="bad.csv")
    assert raised.value.problems[0].field == "file"
    assert "3" in raised.value.problems[0].message.en
    assert OfficeCalendarDay.objects.count() == 0


@pytest.mark.django_db
def test_calendar_api_days_and_add(client) -> None:
    days = client.get(
        "/api/v1/calendar/days",
        {"start": "2026-02-13", "end": "2026-02-23"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()
    assert [d["is_working_day"] for d in days] == [True] + [False] * 9 + [True]
    due = client.get(
        "/api/v1/calendar/add-working-days", {"start": "2026-03-02", "days": 10}
    ).json()
    assert due["result"] == "2026-03-16"


@pytest.mark.parametrize(
    ("_case", "params", "field"),
    [
        ("end before start", {"start": "2026-02-13", "end": "2026-02-01"}, "end"),
        ("too long", {"start": "2026-01-01", "end": "2027-12-31"}, "end"),
        ("bad date", {"start": "2026-02-30", "end": "2026-03-01"}, "start"),
        ("far future", {"start": "2090-01-01", "end": "2090-01-02"}, "start"),
    ],
)
@pytest.mark.django_db
def test_calendar_api_bad_input(client, _case, params, field) -> None:
    response = client.get("/api/v1/calendar/days", params)
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["field"] == field


@pytest.mark.django_db
def test_calendar_api_record_needs_staff(client, clerk) -> None:
    payload = {"day": "2026-07-13", "kind": "closed", "name_zh": "颱風停止上班"}
    anonymous = client.post("/api/v1/calendar/days", payload, content_type="application/json")
    client.force_login(clerk)
    recorded = client.post("/api/v1/calendar/days", payload, content_type="application/json")
    assert anonymous.status_code == 401
    assert recorded.status_code == 201
    assert recorded.json()["reason"] == "closure"


@pytest.mark.django_db
def test_calendar_page_records_a_typhoon_closure(client, clerk) -> None:
    client.force_login(clerk)
    page = client.get("/staff/calendar/")
    response = client.post(
        "/staff/calendar/",
        {
            "form": "day",
            "day": "2026-07-13",
            "kind": "closed",
            "name_zh": "颱風停止上班",
            "name_en": "Typhoon",
            "from_time": "",
        },
    )
    assert page.status_code == 200
    assert response.status_code == 302
    assert OfficeCalendarDay.objects.get().kind == "closed"


@pytest.mark.django_db
def test_calendar_page_shows_field_errors_and_saves_nothing(client, clerk) -> None:
    client.force_login(clerk)
    response = client.post(
        "/staff/calendar/",
        {
            "form": "day",
            "day": "2026-07-13",
            "kind": "holiday",
            "name_zh": "x",
            "from_time": "12:00",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["day_form"].errors["from_time"]
    assert OfficeCalendarDay.objects.count() == 0


@pytest.mark.django_db
def test_calendar_page_import_bad_file(client, clerk) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(clerk)
    upload = SimpleUploadedFile("cal.csv", b"nonsense,header\n1,2\n", content_type="text/csv")
    response = client.post("/staff/calendar/", {"form": "import", "file": upload})
    assert response.status_code == 200
    assert response.context["import_form"].errors["file"]
    assert OfficeCalendarDay.objects.count() == 0


@pytest.mark.django_db
def test_calendar_page_denied_to_design(client, make_staff) -> None:
    client.force_login(make_staff("design"))
    assert client.get("/staff/calendar/").status_code == 403
