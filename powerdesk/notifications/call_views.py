"""Staff call lists (the ``voice`` channel): the open calls of a service centre, the outcome
form, and the CSV export for an IVR system. Mounted at ``/staff/calls/`` (``call_urls``).

Access: ``customer.view`` for the task's service centre to see the list (names and phone
numbers masked), ``customer.edit`` to record an outcome; the full numbers (needed to call)
appear with ``customer.view_personal`` and that view is audited, as is every export.

IVR export columns (UTF-8 CSV with a header row, one open call per row, due first):
``task_id`` (send back with the outcome), ``service_centre`` (code), ``phone`` (E.164),
``language`` (``zh-hant``/``en``: the voice to use), ``text`` (what to say), ``call_after``
(ISO 8601 with offset; do not call earlier), ``attempt`` (1 = first call),
``message_key`` (the notification's idempotency key).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from powerdesk.core.audit import audit_record
from powerdesk.core.domain.masking import mask_name, mask_phone
from powerdesk.core.errors import ApplicationError, ConflictError, InvalidInputError
from powerdesk.core.models import AuditEvent
from powerdesk.customers.models import ServiceCentre
from powerdesk.notifications import actions
from powerdesk.notifications.models import CallTask
from powerdesk.staff import selectors as staff_selectors
from powerdesk.staff.domain import Capability

IVR_COLUMNS = [
    "task_id",
    "service_centre",
    "phone",
    "language",
    "text",
    "call_after",
    "attempt",
    "message_key",
]


def call_tasks_for(
    actor: Any, *, centre: ServiceCentre, status: str = "open"
) -> QuerySet[CallTask]:
    """The calls of one service centre the actor may see (``customer.view`` there)."""
    staff_selectors.require(actor, Capability.CUSTOMER_VIEW, target_centre_id=centre.pk)
    tasks = CallTask.objects.filter(service_centre=centre).select_related(
        "message", "message__customer", "staff"
    )
    if status in (CallTask.Status.OPEN, CallTask.Status.DONE):
        tasks = tasks.filter(status=status)
    return tasks.order_by("call_after", "id")


def _centre(request: HttpRequest) -> ServiceCentre | None:
    """The centre asked for (``?centre=<id>``), else the actor's own centre."""
    wanted = request.GET.get("centre") or ""
    if wanted.isdigit():
        return ServiceCentre.objects.filter(pk=int(wanted)).first()
    own = staff_selectors.centre_id_of(request.user)
    if own is not None:
        return ServiceCentre.objects.filter(pk=own).first()
    return ServiceCentre.objects.order_by("code").first()


class CallOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=CallTask.Outcome.choices, widget=forms.RadioSelect
    )
    promised_on = forms.DateField(
        label=_("Promised payment date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only when the customer promised to pay."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    retry = forms.BooleanField(
        label=_("Call again later"),
        required=False,
        help_text=_("Only after no answer: the call goes back on the list in a few hours."),
    )


def _row(task: CallTask, *, personal: bool) -> dict[str, Any]:
    customer = task.message.customer
    name = customer.name if customer is not None else ""
    organisation = customer is not None and customer.kind == "organisation"
    return {
        "task": task,
        "name": name if personal else mask_name(name, is_organisation=organisation),
        "phone": task.phone if personal else mask_phone(task.phone),
    }


@login_required
def call_list_view(request: HttpRequest) -> HttpResponseBase:
    centre = _centre(request)
    if centre is None:
        return render(request, "web/404.html", status=404)
    status = request.GET.get("status", "open")
    try:
        tasks = call_tasks_for(request.user, centre=centre, status=status)
    except ApplicationError:
        return render(request, "web/403.html", status=403)
    personal = staff_selectors.may(
        request.user, Capability.CUSTOMER_VIEW_PERSONAL, target_centre_id=centre.pk
    )
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    if personal and page.object_list:
        audit_record(
            actor=request.user,
            verb="notification.call_list_view",
            target=centre,
            kind=AuditEvent.Kind.VIEW_PERSONAL,
            details={"tasks": [task.pk for task in page.object_list]},
        )
    centres = [
        c
        for c in ServiceCentre.objects.order_by("code")
        if staff_selectors.may(request.user, Capability.CUSTOMER_VIEW, target_centre_id=c.pk)
    ]
    return render(
        request,
        "notifications/calls/list.html",
        {
            "centre": centre,
            "centres": centres,
            "status": status,
            "page": page,
            "rows": [_row(task, personal=personal) for task in page.object_list],
            "personal": personal,
            "can_export": personal,
            "query": f"centre={centre.pk}&status={status}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_outcome_view(request: HttpRequest, task_id: int) -> HttpResponseBase:
    task = get_object_or_404(
        CallTask.objects.select_related("message", "message__customer"), pk=task_id
    )
    if not staff_selectors.may(
        request.user, Capability.CUSTOMER_VIEW, target_centre_id=task.service_centre_id
    ):
        return render(request, "web/403.html", status=403)
    personal = staff_selectors.may(
        request.user, Capability.CUSTOMER_VIEW_PERSONAL, target_centre_id=task.service_centre_id
    )
    form = CallOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.call_outcome_record(
                actor=request.user,
                task=task,
                outcome=form.cleaned_data["outcome"],
                promised_on=form.cleaned_data["promised_on"],
                note=form.cleaned_data["note"],
                retry=form.cleaned_data["retry"],
            )
        except InvalidInputError as error:
            for problem in error.problems:
                field = problem.field if problem.field in form.fields else None
                form.add_error(field, str(problem.message.in_language(_lang(request))))
        except ConflictError as error:
            form.add_error(None, error.text(_lang(request)))
        except ApplicationError:
            return render(request, "web/403.html", status=403)
        else:
            messages.success(request, _("The outcome of the call was recorded."))
            return redirect(
                reverse("notifications_calls:list") + f"?centre={task.service_centre_id}"
            )
    if personal:
        audit_record(
            actor=request.user,
            verb="notification.call_view",
            target=task,
            kind=AuditEvent.Kind.VIEW_PERSONAL,
        )
    return render(
        request,
        "notifications/calls/outcome.html",
        {
            "row": _row(task, personal=personal),
            "task": task,
            "form": form,
            "list_url": reverse("notifications_calls:list") + f"?centre={task.service_centre_id}",
        },
        status=422 if request.method == "POST" else 200,
    )


def _lang(request: HttpRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", "zh-hant") or "zh-hant"


@login_required
def call_export_view(request: HttpRequest) -> HttpResponseBase:
    """The open calls of a centre as CSV for an IVR system (full numbers: audited)."""
    centre = _centre(request)
    if centre is None:
        return render(request, "web/404.html", status=404)
    if not staff_selectors.may(
        request.user, Capability.CUSTOMER_VIEW_PERSONAL, target_centre_id=centre.pk
    ):
        return render(request, "web/403.html", status=403)
    tasks = list(call_tasks_for(request.user, centre=centre, status="open"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(IVR_COLUMNS)
    for task in tasks:
        writer.writerow(
            [
                task.pk,
                centre.code,
                task.phone,
                task.message.language,
                task.message.body_text,
                timezone.localtime(task.call_after).isoformat(timespec="seconds"),
                task.attempt,
                task.message.idempotency_key,
            ]
        )
    audit_record(
        actor=request.user,
        verb="notification.call_export",
        target=centre,
        kind=AuditEvent.Kind.VIEW_PERSONAL,
        details={"tasks": [task.pk for task in tasks]},
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="calls-{centre.code}-{day}.csv"'
    return response
