"""Staff page for the office calendar: typhoon closures, days off, make-up days, DGPA import."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from powerdesk.core import actions, selectors
from powerdesk.core.domain.errors import DomainError
from powerdesk.core.errors import ApplicationError, InvalidInputError
from powerdesk.core.forms import CalendarDayForm, CalendarImportForm
from powerdesk.core.models import OfficeCalendarDay
from powerdesk.staff import selectors as staff_selectors
from powerdesk.staff.domain import Capability

MAX_UPLOAD_BYTES = 1_000_000
DAYS_SHOWN = 90


def _attach(form: CalendarDayForm | CalendarImportForm, error: InvalidInputError) -> None:
    language = get_language() or "zh-hant"
    for problem in error.problems:
        field = problem.field if problem.field in form.fields else None
        form.add_error(field, problem.message.in_language(language))


@login_required
@require_http_methods(["GET", "POST"])
def calendar_view(request: HttpRequest) -> HttpResponse:
    if not staff_selectors.may(request.user, Capability.CALENDAR_EDIT):
        return render(request, "web/403.html", status=403)
    day_form = CalendarDayForm(request.POST if request.POST.get("form") == "day" else None)
    import_form = CalendarImportForm(
        request.POST if request.POST.get("form") == "import" else None,
        request.FILES if request.POST.get("form") == "import" else None,
    )
    if request.method == "POST" and day_form.is_bound and day_form.is_valid():
        data = day_form.cleaned_data
        try:
            actions.calendar_day_record(
                actor=request.user,
                day=data["day"],
                kind=data["kind"],
                name_zh=data["name_zh"],
                name_en=data["name_en"],
                from_time=data["from_time"],
            )
        except InvalidInputError as error:
            _attach(day_form, error)
        except ApplicationError as error:
            day_form.add_error(None, error.text())
        else:
            messages.success(request, _("The calendar was updated; deadlines use it from now on."))
            return redirect("staff:calendar")
    if request.method == "POST" and import_form.is_bound and import_form.is_valid():
        upload = import_form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            import_form.add_error("file", _("The file is larger than 1 MB."))
        else:
            try:
                count = actions.calendar_import(
                    actor=request.user, raw=upload.read(), source_name=upload.name
                )
            except InvalidInputError as error:
                _attach(import_form, error)
            else:
                messages.success(request, _("Imported %(count)d calendar days.") % {"count": count})
                return redirect("staff:calendar")
    today = timezone.localdate()
    working = selectors.working_calendar(today=today)
    upcoming = []
    for offset in range(DAYS_SHOWN):
        day = today + timedelta(days=offset)
        try:
            info = working.describe_day(day)
        except DomainError:
            break
        if not info.is_working_day or info.closes_at is not None or info.reason == "makeup_workday":
            upcoming.append(info)
    records = OfficeCalendarDay.objects.filter(source=OfficeCalendarDay.Source.OFFICE).order_by(
        "-day"
    )[:50]
    return render(
        request,
        "core/calendar.html",
        {
            "day_form": day_form,
            "import_form": import_form,
            "upcoming": upcoming,
            "records": records,
            "days_shown": DAYS_SHOWN,
        },
    )
