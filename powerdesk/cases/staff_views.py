"""Staff pages of counter cases (CPS), mounted at ``/staff/cases/``.

- Counter intake (全功能櫃台): kind picker, customer lookup, the 一次告知 checklist of the
  chosen kind, its extra questions and attachments; htmx refreshes the checklist and the
  customer list while typing, and every step also works as a plain form without JavaScript.
- Queues per department and "my cases", with search, filters, sorting, pagination, export and
  bulk reassignment; the overdue list.
- The case page: facts, SLA bar, timeline (internal and public events marked in words) and the
  actions (state, assignment, transfer, notes with response templates, pause/resume, agreed
  supply date, attachments), each a POST form that calls one action.
- The dashboard (counts, charts with tables of the same numbers, CSV/ODS export) and the
  catalogue editor of 業務組.

Reads go through :mod:`powerdesk.cases.selectors` (scoped by department and service centre);
writes through :mod:`powerdesk.cases.actions` (capability checks, audit, notifications).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from powerdesk.cases import actions, receipt, selectors, staff_forms
from powerdesk.cases.domain.catalogue import (
    WORKS_TYPE_LABELS,
    ApplicationKind,
    CatalogueError,
    WorksType,
)
from powerdesk.cases.domain.sla import PAUSE_REASON_LABELS, PauseReason, SlaUnit
from powerdesk.cases.domain.states import STATES, CaseState, allowed_transitions
from powerdesk.cases.models import OPEN_STATES, Case, CaseAttachment, CaseKind
from powerdesk.cases.staff_forms import text
from powerdesk.cases.views import receipt_pdf_response
from powerdesk.core.audit import audit_record
from powerdesk.core.domain.calendar import TAIPEI
from powerdesk.core.domain.errors import FieldProblem, Message
from powerdesk.core.domain.masking import (
    mask_account_number,
    mask_address,
    mask_email,
    mask_name,
    mask_phone,
)
from powerdesk.core.errors import (
    ApplicationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from powerdesk.core.models import AuditEvent
from powerdesk.core.selectors import working_calendar
from powerdesk.customers import selectors as customer_selectors
from powerdesk.customers.models import ServiceCentre
from powerdesk.staff import selectors as staff_selectors
from powerdesk.staff.domain import DEPARTMENT_NAMES, Capability, DepartmentCode
from powerdesk.staff.models import User

PAGE_SIZE = 25
# Departments that work on cases (the plan's sections with case.work).
WORK_DEPARTMENTS = (
    DepartmentCode.BUSINESS,
    DepartmentCode.BILLING,
    DepartmentCode.DESIGN,
    DepartmentCode.DISPATCH,
    DepartmentCode.MAINTENANCE,
    DepartmentCode.WORKS,
)
SORT_ORDER = {
    "due": ("due_at", "id"),
    "-due": ("-due_at", "-id"),
    "received": ("received_at", "id"),
    "-received": ("-received_at", "-id"),
    "number": ("number",),
    "kind": ("kind__position", "kind__code", "due_at"),
}
# Chart colours (SVG presentation attributes, so no inline style); each ≥ 4.5:1 on white and
# every bar also carries its number as text.
COLOURS = {"open": "#005ea5", "due_soon": "#8a5300", "overdue": "#b00020", "on_time": "#1b6e3a"}


# --- Small helpers ----------------------------------------------------------------------------


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "web/403.html", status=403)


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "web/404.html", status=404)


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render a case page with what the navigation between the case pages needs."""
    actor = request.user
    context["nav"] = {
        "intake": staff_selectors.may(actor, Capability.CASE_INTAKE),
        "supervise": staff_selectors.may(actor, Capability.CASE_SUPERVISE),
        "catalogue": staff_selectors.may(actor, Capability.CATALOGUE_EDIT),
    }
    return render(request, template, context, status=status)


def _office_wide(request: HttpRequest) -> bool:
    return staff_selectors.centre_id_of(request.user) is None


def _may(request: HttpRequest, capability: Capability) -> bool:
    return staff_selectors.may(request.user, capability)


def _department_label(code: str) -> str:
    try:
        zh, en = DEPARTMENT_NAMES[DepartmentCode(code)]
    except ValueError:
        return code
    return text(Message(zh_hant=zh, en=en))


def _centre_label(centre: ServiceCentre | None) -> str:
    if centre is None:
        return ""
    return text(Message(zh_hant=centre.name_zh, en=centre.name_en))


def _person_label(user: Any) -> str:
    if user is None:
        return ""
    return str(user.display_name or user.username)


def _local(moment: datetime | None) -> datetime | None:
    return None if moment is None else timezone.localtime(moment, TAIPEI)


def _problem(field: str, code: str, zh: str, en: str) -> FieldProblem:
    return FieldProblem(field=field, code=code, message=Message(zh_hant=zh, en=en))


def _kinds() -> list[CaseKind]:
    return list(selectors.kind_list())


def _people(actor: Any, *, departments: Iterable[str]) -> list[tuple[str, str]]:
    """Active staff of ``departments`` the actor could hand cases to (own centre or office)."""
    people = User.objects.filter(is_active=True, department_id__in=list(departments))
    centre = staff_selectors.centre_id_of(actor)
    if centre is not None:
        people = people.filter(Q(service_centre_id=centre) | Q(service_centre__isnull=True))
    return [
        (str(user.pk), f"{_person_label(user)} · {_department_label(user.department_id or '')}")
        for user in people.order_by("department_id", "display_name", "username")
    ]


def _sla(case: Case) -> dict[str, Any]:
    badge = selectors.sla_label(case)
    return {"text": text(badge.text), "css": badge.css, "percent": badge.share_percent}


def _row(case: Case) -> dict[str, Any]:
    """One case in a list (personal data masked)."""
    return {
        "id": case.pk,
        "number": case.number,
        "kind": text(case.kind.name),
        "kind_code": case.kind.code,
        "state": case.state,
        "state_label": text(STATES[CaseState(case.state)].label),
        "sla": _sla(case),
        "due": _local(case.due_at),
        "received": _local(case.received_at),
        "applicant": mask_name(case.applicant_name),
        "account": mask_account_number(case.account_number) if case.account_number else "",
        "address": mask_address(case.address) if case.address else "",
        "department": _department_label(case.department_id),
        "assignee": _person_label(case.assignee),
        "centre": _centre_label(case.service_centre),
        "paused": case.paused,
        "channel": case.get_channel_display(),
    }


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- Export (CSV and OpenDocument spreadsheet) -------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    """A text cell a spreadsheet will not run as a formula (CSV injection)."""
    value = "" if value is None else str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _csv(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(list(header))
        for row in rows:
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIME}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _ods(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(name)}">'
    ]
    for row in [list(header), *rows]:
        cells = "".join(
            '<table:table-cell office:value-type="string"><text:p>'
            f"{escape(_XML_UNSAFE.sub('', '' if value is None else str(value)))}</text:p>"
            "</table:table-cell>"
            for value in row
        )
        parts.append(f"<table:table-row>{cells}</table:table-row>")
    parts.append("</table:table></office:spreadsheet></office:body></office:document-content>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIME, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "".join(parts), compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
    response = HttpResponse(buffer.getvalue(), content_type=ODS_MIME)
    response["Content-Disposition"] = f'attachment; filename="{name}.ods"'
    return response


def _export(
    request: HttpRequest, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponseBase | None:
    export = request.GET.get("format", "")
    if export == "csv":
        return _csv(name, header, rows)
    if export == "ods":
        return _ods(name, header, rows)
    return None


CASE_EXPORT_HEADER = [
    "number",
    "kind",
    "state",
    "sla_state",
    "share_used_percent",
    "received_at",
    "due_at",
    "paused",
    "department",
    "assignee",
    "service_centre",
    "channel",
    "applicant",
    "account_number",
    "address",
]


def _case_export_rows(cases: QuerySet[Case]) -> Iterator[list[Any]]:
    for case in cases.iterator(chunk_size=2000):
        received, due = _local(case.received_at), _local(case.due_at)
        yield [
            case.number,
            case.kind.code,
            case.state,
            case.sla_state,
            int(case.sla_share_used * 100),
            received.isoformat() if received else "",
            due.isoformat() if due else "",
            "yes" if case.paused else "no",
            case.department_id,
            case.assignee.username if case.assignee else "",
            case.service_centre.code,
            case.channel,
            mask_name(case.applicant_name),
            mask_account_number(case.account_number) if case.account_number else "",
            mask_address(case.address) if case.address else "",
        ]


# --- Queues -----------------------------------------------------------------------------------


def _due_soon_limit(now: datetime) -> datetime:
    """The start of the day after the second working day from today: "due soon" here means
    what it means on the dashboard (``selectors.case_dashboard``)."""
    calendar = working_calendar()
    day = timezone.localtime(now, TAIPEI).date()
    if not calendar.is_working_day(day):
        day = calendar.previous_working_day(day)
    last = calendar.add_working_days(day, days=2)
    return datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=TAIPEI)


def _queue_filters(
    request: HttpRequest, *, mine: bool
) -> tuple[staff_forms.QueueFilterForm, QuerySet[Case] | None, str, dict[str, Any]]:
    """The bound filter form, the filtered cases (None when a filter is wrong), the query
    string without ``page``/``format``, and what was chosen."""
    actor = request.user
    office_wide = _office_wide(request)
    kinds = _kinds()
    centres = list(ServiceCentre.objects.order_by("code")) if office_wide else []
    department_choices = [("all", _("All departments"))] + [
        (code.value, _department_label(code.value)) for code in WORK_DEPARTMENTS
    ]
    form = staff_forms.QueueFilterForm(
        request.GET or None,
        departments=department_choices,
        kinds=[(kind.code, text(kind.name)) for kind in kinds],
        centres=[(c.code, _centre_label(c)) for c in centres] if office_wide else None,
    )
    if mine:
        form.fields.pop("department", None)
    data = {name: (request.GET.get(name) or "").strip() for name in form.fields}
    problems: list[FieldProblem] = []

    def choice(field: str, allowed: Iterable[str], zh: str, en: str) -> str:
        value = data.get(field, "")
        allowed = list(allowed)
        if value and value not in allowed:
            problems.append(
                _problem(
                    field,
                    f"{field}.unknown",
                    f"{zh}「{value[:40]}」不存在；可用：{', '.join(allowed)}。",
                    f"Unknown {en} '{value[:40]}'; use one of: {', '.join(allowed)}.",
                )
            )
            return ""
        return value

    department = choice("department", [c for c, _label in department_choices], "部門", "department")
    kind = choice("kind", [k.code for k in kinds], "申請類別", "kind")
    state = choice("state", [s.value for s in CaseState], "狀態", "state")
    centre = choice("centre", [c.code for c in centres], "服務中心", "service centre")
    sla = choice("sla", staff_forms.SLA_FILTERS, "時限", "time-limit filter")
    sort = choice("sort", staff_forms.SORTS, "排序", "sort order") or "due"
    query = data.get("q", "")
    if len(query) > staff_forms.MAX_QUERY:
        problems.append(
            _problem(
                "q",
                "q.too_long",
                f"搜尋文字最多 {staff_forms.MAX_QUERY} 字。",
                f"The search text can have at most {staff_forms.MAX_QUERY} characters.",
            )
        )
    chosen = {"department": department, "sla": sla, "query": query, "sort": sort}
    if problems:
        staff_forms.add_problems(form, InvalidInputError(problems), aliases={})
        return form, None, "", chosen
    own_department = staff_selectors.department_of(actor)
    if not department and not mine:
        department = own_department if own_department in WORK_DEPARTMENTS else "all"
        chosen["department"] = department
    if query:
        cases = selectors.case_search(actor, query)
        if department and department != "all" and request.GET.get("department"):
            cases = cases.filter(department_id=department)
        if mine:
            cases = cases.filter(assignee_id=getattr(actor, "pk", None))
    else:
        cases = selectors.case_list_for(
            actor,
            department=None if mine or department == "all" else department,
            mine=mine,
            state=state or None,
            open_only=not state or state in OPEN_STATES,
        )
    if state and query:
        cases = cases.filter(state=state)
    if kind:
        cases = cases.filter(kind__code=kind)
    if centre:
        cases = cases.filter(service_centre__code=centre)
    now = timezone.now()
    overdue = Q(is_open=True) & (Q(sla_state="breached") | Q(due_at__lt=now))
    if sla == "overdue":
        cases = cases.filter(overdue)
    elif sla == "due_soon":
        cases = cases.filter(is_open=True, due_at__lt=_due_soon_limit(now)).exclude(overdue)
    elif sla == "paused":
        cases = cases.filter(paused=True)
    cases = cases.select_related("kind", "department", "assignee", "service_centre").order_by(
        *SORT_ORDER[sort]
    )
    query_string = request.GET.copy()
    for name in ("page", "format"):
        query_string.pop(name, None)
    return form, cases, query_string.urlencode(), chosen


def _queue(request: HttpRequest, *, mine: bool) -> HttpResponseBase:
    if not _may(request, Capability.CASE_VIEW):
        return _forbidden(request)
    try:
        form, cases, query, chosen = _queue_filters(request, mine=mine)
    except PermissionDeniedError:
        return _forbidden(request)
    if cases is not None:
        exported = _export(
            request,
            "my-cases" if mine else "cases",
            CASE_EXPORT_HEADER,
            _case_export_rows(cases),
        )
        if exported is not None:
            return exported
    page = Paginator(cases if cases is not None else Case.objects.none(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [_row(case) for case in page.object_list]
    may_bulk = _may(request, Capability.CASE_SUPERVISE) or _may(request, Capability.CASE_ASSIGN)
    people = (
        _people(request.user, departments=[d.value for d in WORK_DEPARTMENTS])
        if may_bulk and rows
        else []
    )
    department = chosen.get("department") or ""
    notices = (
        [
            {
                "id": notice.pk,
                "code": notice.kind,
                "kind": notice.get_kind_display(),
                "subject": text(notice.subject),
                "body": text(Message(zh_hant=notice.body_zh, en=notice.body_en)),
                "number": notice.case.number if notice.case is not None else "",
                "at": _local(notice.created_at),
            }
            for notice in selectors.staff_notices_for(request.user)[:20]
        ]
        if mine
        else []
    )
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query,
        "invalid": cases is None,
        "mine": mine,
        "notices": notices,
        "department_label": _department_label(department) if department not in ("", "all") else "",
        "may_bulk": may_bulk and bool(rows),
        "people": people,
        "may_intake": _may(request, Capability.CASE_INTAKE),
        "may_supervise": _may(request, Capability.CASE_SUPERVISE),
        "here": request.get_full_path(),
    }
    if request.headers.get("HX-Request"):
        return _render(request, "cases/staff/partials/_queue_results.html", context)
    return _render(request, "cases/staff/queue.html", context, status=400 if cases is None else 200)


@login_required
@vary_on_headers("HX-Request")
@require_GET
def case_queue_view(request: HttpRequest) -> HttpResponseBase:
    """Open cases of a department (default: the viewer's), filtered, sorted, searchable."""
    return _queue(request, mine=False)


@login_required
@vary_on_headers("HX-Request")
@require_GET
def case_mine_view(request: HttpRequest) -> HttpResponseBase:
    """The cases assigned to the viewer."""
    return _queue(request, mine=True)


@login_required
@require_POST
def staff_notice_read_view(request: HttpRequest, notice_id: int) -> HttpResponseBase:
    """Mark one of the viewer's notices (time-limit warning, assignment, digest) as read."""
    try:
        actions.staff_notice_read(actor=request.user, notice_id=notice_id)
    except NotFoundError:
        return _not_found(request)
    except ApplicationError:
        return _forbidden(request)
    return redirect("cases_staff:mine")


@login_required
@require_POST
def case_bulk_reassign_view(request: HttpRequest) -> HttpResponseBase:
    """Reassign the selected cases to one person (all or nothing, audited per case)."""
    if not (_may(request, Capability.CASE_SUPERVISE) or _may(request, Capability.CASE_ASSIGN)):
        return _forbidden(request)
    back = _safe_next(request, reverse("cases_staff:queue"))
    problems: list[FieldProblem] = []
    raw_ids = request.POST.getlist("case_ids")
    case_ids = [int(value) for value in raw_ids if value.isascii() and value.isdigit()]
    if not case_ids or len(case_ids) != len(raw_ids):
        problems.append(
            _problem(
                "case_ids",
                "case_ids.required",
                "請至少勾選一件案件。",
                "Select at least one case.",
            )
        )
    raw_assignee = request.POST.get("assignee", "")
    assignee = None
    if raw_assignee.isascii() and raw_assignee.isdigit():
        assignee = User.objects.filter(pk=int(raw_assignee), is_active=True).first()
    if assignee is None:
        problems.append(
            _problem(
                "assignee",
                "assignee.required",
                "請選擇要改派的承辦人。",
                "Choose the person to assign the cases to.",
            )
        )
    if not problems and assignee is not None:
        try:
            changed = actions.case_bulk_reassign(
                actor=request.user, case_ids=case_ids, assignee=assignee
            )
        except PermissionDeniedError:
            return _forbidden(request)
        except InvalidInputError as error:
            problems.extend(error.problems)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d case is now assigned to %(name)s.",
                    "%(count)d cases are now assigned to %(name)s.",
                    changed,
                )
                % {"count": changed, "name": _person_label(assignee)},
            )
            return redirect(back)
    labels = {"case_ids": _("Cases"), "assignee": _("Assign to")}
    errors = [{"label": labels.get(p.field, p.field), "message": text(p.message)} for p in problems]
    return _render(
        request, "cases/staff/bulk_error.html", {"errors": errors, "back": back}, status=400
    )


@login_required
@vary_on_headers("HX-Request")
@require_GET
def case_overdue_view(request: HttpRequest) -> HttpResponseBase:
    """Open cases past their due date, most overdue first (export: ``?format=csv|ods``)."""
    if not _may(request, Capability.CASE_SUPERVISE):
        return _forbidden(request)
    try:
        cases = selectors.case_overdue_list(request.user).select_related(
            "kind", "department", "assignee", "service_centre"
        )
    except PermissionDeniedError:
        return _forbidden(request)
    exported = _export(request, "overdue-cases", CASE_EXPORT_HEADER, _case_export_rows(cases))
    if exported is not None:
        return exported
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "cases/staff/overdue.html",
        {"page": page, "rows": [_row(case) for case in page.object_list], "query": ""},
    )


# --- Counter intake ---------------------------------------------------------------------------


def _resolve_kind(value: str, kinds: Sequence[CaseKind]) -> CaseKind | None:
    """The kind named by a code, an exact name, or a unique part of a name or keyword."""
    wanted = value.strip().casefold()
    if not wanted:
        return None
    for kind in kinds:
        if wanted in (kind.code.casefold(), kind.name_zh.casefold(), kind.name_en.casefold()):
            return kind
    matches = [
        kind
        for kind in kinds
        if wanted in kind.name_zh.casefold()
        or wanted in kind.name_en.casefold()
        or wanted in kind.keywords_zh.casefold()
        or wanted in kind.keywords_en.casefold()
    ]
    return matches[0] if len(matches) == 1 else None


def _checklist(kind: ApplicationKind | None) -> dict[str, Any] | None:
    if kind is None:
        return None
    unit_days = kind.limit_unit is SlaUnit.WORKING_DAYS
    return {
        "code": kind.code,
        "name": text(kind.name),
        "description": text(kind.description),
        "documents": [
            {
                "code": doc.code,
                "name": text(doc.name),
                "required": doc.required,
                "note": text(doc.note) if doc.note else "",
            }
            for doc in kind.documents
        ],
        "fees": [
            {
                "name": text(fee.name),
                "amount": fee.amount,
                "note": text(fee.note) if fee.note else "",
            }
            for fee in kind.fees
        ],
        "limits": [
            {
                "works": text(WORKS_TYPE_LABELS[works]),
                "limit": text(kind.limit_for(works).label),
            }
            for works in kind.works_types
        ]
        if unit_days
        else [{"works": "", "limit": text(kind.limit_for().label)}],
        "steps": [
            {"name": text(step.name), "department": _department_label(step.department.value)}
            for step in kind.steps
        ],
    }


def _customer_results(request: HttpRequest, query: str) -> list[dict[str, Any]]:
    """Customers matching the lookup (masked), each with their accounts."""
    query = query.strip()[: staff_forms.MAX_QUERY]
    if len(query) < 2 or not _may(request, Capability.CUSTOMER_VIEW):
        return []
    found = customer_selectors.customer_list_for(request.user, query=query)[:10]
    results = []
    for customer in found:
        organisation = customer.kind == "organisation"
        accounts = customer_selectors.account_list_for_customer(customer)
        results.append(
            {
                "id": customer.pk,
                "name": mask_name(customer.name, is_organisation=organisation),
                "phone": mask_phone(customer.mobile or customer.landline),
                "centre": _centre_label(customer.service_centre),
                "accounts": [
                    {
                        "number": account.number,
                        "masked": mask_account_number(account.number),
                        "address": mask_address(account.premise.address)
                        if account.premise_id
                        else "",
                    }
                    for account in accounts
                ],
            }
        )
    return results


def _intake_context(
    request: HttpRequest,
    *,
    form: staff_forms.IntakeForm,
    kind_row: CaseKind | None,
    kind_text: str,
    customer_query: str,
    kinds: Sequence[CaseKind],
    kind_unknown: bool = False,
) -> dict[str, Any]:
    kind = kind_row.as_domain() if kind_row is not None else None
    chosen_customer = form["customer"].value()
    chosen_account = request.POST.get("account_choice", "")
    return {
        "form": form,
        "kinds": [{"code": k.code, "name": text(k.name)} for k in kinds],
        "kind_text": kind_text,
        "kind_code": kind_row.code if kind_row is not None else "",
        "kind_unknown": kind_unknown,
        "checklist": _checklist(kind),
        "customer_query": customer_query,
        "customers": _customer_results(request, customer_query),
        "chosen_customer": str(chosen_customer or ""),
        "chosen_account": chosen_account,
        "has_account_attribute": kind is not None
        and any(attribute.code == "account_number" for attribute in kind.attributes),
    }


@login_required
@vary_on_headers("HX-Request")
@require_GET
def case_intake_kind_view(request: HttpRequest) -> HttpResponse:
    """htmx: the checklist, works types and questions of the kind typed so far."""
    if not _may(request, Capability.CASE_INTAKE):
        return _forbidden(request)
    kinds = _kinds()
    kind_text = request.GET.get("kind", "")[:120]
    kind_row = _resolve_kind(kind_text, kinds)
    form = staff_forms.IntakeForm(kind=kind_row.as_domain() if kind_row else None)
    context = _intake_context(
        request,
        form=form,
        kind_row=kind_row,
        kind_text=kind_text,
        customer_query="",
        kinds=kinds,
        kind_unknown=bool(kind_text.strip()) and kind_row is None,
    )
    return _render(request, "cases/staff/partials/_intake_kind.html", context)


@login_required
@vary_on_headers("HX-Request")
@require_GET
def case_intake_customer_view(request: HttpRequest) -> HttpResponse:
    """htmx: customers matching the lookup, with their accounts (masked)."""
    if not _may(request, Capability.CASE_INTAKE):
        return _forbidden(request)
    query = request.GET.get("customer_query", "")[: staff_forms.MAX_QUERY]
    return _render(
        request,
        "cases/staff/partials/_intake_customers.html",
        {"customers": _customer_results(request, query), "customer_query": query},
    )


def _applicant_defaults(customer: Any, data: dict[str, Any]) -> dict[str, str]:
    """The applicant's contact: typed values, else the chosen customer's."""
    name = data.get("applicant_name") or ""
    phone = data.get("applicant_phone") or ""
    email = data.get("applicant_email") or ""
    if customer is not None:
        name = name or customer.name
        if not phone and not email:
            phone = customer.mobile or customer.landline or ""
            email = customer.email or ""
    return {"applicant_name": name, "applicant_phone": phone, "applicant_email": email}


@login_required
@require_http_methods(["GET", "POST"])
def case_intake_view(request: HttpRequest) -> HttpResponseBase:
    """The counter form. GET ``?kind=…&customer_query=…`` shows the checklist and the matching
    customers (no JavaScript needed); POST opens the case with its attachments, or nothing."""
    if not _may(request, Capability.CASE_INTAKE):
        return _forbidden(request)
    kinds = _kinds()
    source = request.POST if request.method == "POST" else request.GET
    kind_text = (source.get("kind") or "")[:120]
    customer_query = (source.get("customer_query") or "")[: staff_forms.MAX_QUERY]
    kind_row = _resolve_kind(kind_text, kinds)
    kind = kind_row.as_domain() if kind_row is not None else None
    if request.method == "GET":
        form = staff_forms.IntakeForm(
            initial={"kind": kind_row.code if kind_row else kind_text}, kind=kind
        )
        context = _intake_context(
            request,
            form=form,
            kind_row=kind_row,
            kind_text=kind_text,
            customer_query=customer_query,
            kinds=kinds,
            kind_unknown=bool(kind_text.strip()) and kind_row is None,
        )
        return _render(request, "cases/staff/intake.html", context)

    posted = request.POST.copy()
    account_attribute = staff_forms.attribute_field_name("account_number")
    has_account_attribute = kind is not None and any(
        attribute.code == "account_number" for attribute in kind.attributes
    )
    if has_account_attribute and not posted.get(account_attribute):
        # The account chosen in the customer lookup answers the kind's account question.
        posted[account_attribute] = posted.get("account_choice") or posted.get("account_number", "")
    form = staff_forms.IntakeForm(posted, request.FILES, kind=kind)
    valid = form.is_valid()
    if kind_row is None and "kind" not in form.errors:
        form.add_error(
            "kind",
            text(
                Message(
                    zh_hant=f"沒有申請類別「{kind_text[:40]}」；請輸入代碼或從清單選擇。",
                    en=f"There is no application kind '{kind_text[:40]}'; type a code or pick one from the list.",
                )
                if kind_text.strip()
                else Message(zh_hant="請先選擇申請類別。", en="Choose the application kind first.")
            ),
        )
        valid = False
    customer = None
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    if valid and data.get("customer"):
        try:
            customer = customer_selectors.access_customer(request.user, data["customer"])
        except ApplicationError:
            form.add_error(None, text(Message(zh_hant="查無此用戶。", en="No such customer.")))
            valid = False
    created: list[CaseAttachment] = []
    if valid and kind_row is not None:
        account_choice = request.POST.get("account_choice", "")
        attributes = form.attributes()
        account_number = data.get("account_number") or ""
        if "account_number" not in form.fields:
            if account_choice and not attributes.get("account_number"):
                attributes["account_number"] = account_choice
        else:
            account_number = account_number or account_choice
        contact = _applicant_defaults(customer, data)
        try:
            with transaction.atomic():
                case = actions.case_open(
                    actor=request.user,
                    kind=kind_row.code,
                    channel=data["channel"],
                    customer=customer,
                    account_number=account_number,
                    applicant_language=data["applicant_language"],
                    address=data.get("address") or "",
                    description=data.get("description") or "",
                    works_type=data.get("works_type") or WorksType.NONE.value,
                    attributes=attributes,
                    received_at=data.get("received_at"),
                    queue_ticket_ref=data.get("queue_ticket_ref") or "",
                    applicant_name=contact["applicant_name"],
                    applicant_phone=contact["applicant_phone"],
                    applicant_email=contact["applicant_email"],
                )
                for upload in data.get("attachments") or []:
                    # One at a time: each stored file is tracked before the next may fail.
                    created.append(  # noqa: PERF401
                        actions.case_attachment_add(
                            actor=request.user,
                            case=case,
                            name=upload.name or "",
                            content=upload.read(),
                        )
                    )
        except InvalidInputError as error:
            _discard_files(created)
            aliases = dict(staff_forms.INTAKE_ALIASES)
            if "account_number" not in form.fields:
                aliases["account_number"] = staff_forms.attribute_field_name("account_number")
            staff_forms.add_problems(form, error, aliases={**aliases, "file": "attachments"})
        except PermissionDeniedError:
            _discard_files(created)
            return _forbidden(request)
        except ConflictError as error:
            _discard_files(created)
            form.add_error(None, error.text())
        else:
            messages.success(
                request,
                _("Case %(number)s was opened. Print the receipt for the customer.")
                % {"number": case.number},
            )
            return redirect(reverse("cases_staff:case", args=[case.number]) + "?new=1")
    context = _intake_context(
        request,
        form=form,
        kind_row=kind_row,
        kind_text=kind_text,
        customer_query=customer_query,
        kinds=kinds,
    )
    return _render(request, "cases/staff/intake.html", context, status=400)


def _discard_files(created: Sequence[CaseAttachment]) -> None:
    """Attachments stored before a later one was refused: the rows rolled back with the case;
    remove their files too, so nothing of the refused intake stays behind."""
    folder = actions.attachment_dir()
    for attachment in created:
        (folder / attachment.storage_name).unlink(missing_ok=True)


# --- The case page ----------------------------------------------------------------------------


def _case(request: HttpRequest, number: str) -> Case | HttpResponse:
    try:
        return selectors.access_case(request.user, number)
    except NotFoundError:
        return _not_found(request)
    except ApplicationError:
        return _forbidden(request)


def _forms(
    request: HttpRequest, case: Case, kind: ApplicationKind, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The action forms of the case page (``bound``: the one just posted, with its errors)."""
    bound = bound or {}
    departments = sorted(
        {step.department.value for step in kind.steps} | {d.value for d in WORK_DEPARTMENTS},
        key=[d.value for d in DepartmentCode].index,
    )
    template_code = request.GET.get("template", "")
    templates = selectors.response_templates_for(case)
    note_initial: dict[str, Any] = {}
    language = case.applicant_language or "zh-hant"
    for item in templates:
        if item.code == template_code:
            note_initial = {"text": item.text.in_language(language), "public": "1"}
    return {
        "transition": bound.get("transition")
        or staff_forms.TransitionForm(
            allowed=sorted(allowed_transitions(case.state), key=list(CaseState).index)
        ),
        "assign": bound.get("assign")
        or staff_forms.AssignForm(
            people=_people(request.user, departments=[case.department_id]),
            initial={"assignee": str(case.assignee_id or "")},
        ),
        "transfer": bound.get("transfer")
        or staff_forms.TransferForm(
            departments=[
                (code, _department_label(code))
                for code in departments
                if code != case.department_id
            ]
        ),
        "note": bound.get("note") or staff_forms.NoteForm(initial=note_initial),
        "pause": bound.get("pause") or staff_forms.PauseForm(kind=kind),
        "resume": bound.get("resume") or staff_forms.ResumeForm(),
        "supply": bound.get("supply")
        or staff_forms.SupplyDateForm(initial={"supply_date": case.supply_date}),
        "attachment": bound.get("attachment") or staff_forms.AttachmentForm(),
        "templates": [{"code": item.code, "name": text(item.name)} for item in templates],
        "template_chosen": bool(note_initial),
    }


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
    unmasked: bool = False,
) -> HttpResponse:
    kind = selectors.case_kind_for(case)
    sla_now = selectors.case_sla_now(case)
    badge = selectors.sla_label(case)
    info = STATES[CaseState(case.state)]
    timeline = [
        {
            "at": _local(entry.at),
            "kind": entry.kind,
            "text": text(entry.text),
            "note": entry.note,
            "actor": entry.actor_label,
            "public": entry.public,
        }
        for entry in selectors.case_timeline(case, public=False)
    ]
    pauses = [
        {
            "reason": text(PAUSE_REASON_LABELS[PauseReason(pause.reason)])
            if pause.reason in PauseReason.__members__.values()
            else pause.reason,
            "started": _local(pause.started_at),
            "ended": _local(pause.ended_at),
            "missing": [
                item.get("en" if staff_forms.language().startswith("en") else "zh_hant", "")
                for item in pause.missing
            ],
            "note": pause.note,
        }
        for pause in selectors.case_pauses(case)
    ]
    organisation = case.customer is not None and case.customer.kind == "organisation"
    applicant = {
        "name": case.applicant_name
        if unmasked
        else mask_name(case.applicant_name, is_organisation=organisation or None),
        "phone": case.applicant_phone if unmasked else mask_phone(case.applicant_phone),
        "email": case.applicant_email if unmasked else mask_email(case.applicant_email),
        "address": case.address if unmasked else mask_address(case.address),
        "account": case.account_number
        if unmasked
        else (mask_account_number(case.account_number) if case.account_number else ""),
    }
    may_work = selectors.may_work(request.user, case)
    context = {
        "case": case,
        "kind": kind,
        "kind_name": text(kind.name),
        "state_label": text(info.label),
        "public_label": text(info.public_label),
        "channel": case.get_channel_display(),
        "works": text(WORKS_TYPE_LABELS[WorksType(case.works_type)]),
        "limit": text(_limit_label(kind, case.works_type)),
        "department": _department_label(case.department_id),
        "assignee": _person_label(case.assignee),
        "centre": _centre_label(case.service_centre),
        "received": _local(case.received_at),
        "due": _local(sla_now.due_at),
        "sla": {
            "text": text(badge.text),
            "css": badge.css,
            "percent": min(int(sla_now.share_used * 100), 999),
            "meter": min(int(sla_now.share_used * 100), 100),
            "paused": sla_now.pause_reason is not None or case.paused,
            "pause_reason": text(PAUSE_REASON_LABELS[sla_now.pause_reason])
            if sla_now.pause_reason
            else "",
        },
        "supply_date": case.supply_date,
        "supply_agreed_by": case.supply_date_agreed_by,
        "applicant": applicant,
        "unmasked": unmasked,
        "may_unmask": staff_selectors.may(
            request.user,
            Capability.CUSTOMER_VIEW_PERSONAL,
            target_centre_id=case.service_centre_id,
        ),
        "attributes": _attribute_answers(kind, case.attributes or {}, unmasked=unmasked),
        "timeline": timeline,
        "pauses": pauses,
        "attachments": list(case.attachments.all()),
        "may_work": may_work and not info.terminal,
        "may_assign": selectors.may_assign(request.user, case),
        "is_open": case.is_open,
        "forms": _forms(request, case, kind, bound),
        "new": request.GET.get("new") == "1",
    }
    return _render(request, "cases/staff/case.html", context, status=status)


def _limit_label(kind: ApplicationKind, works_type: str) -> Message:
    """The kind's limit for the case's works type (the first one if the catalogue no longer
    has a limit for it)."""
    try:
        return kind.limit_for(works_type).label
    except CatalogueError:
        return kind.limit_for(kind.works_types[0]).label


def _attribute_answers(
    kind: ApplicationKind, answers: dict[str, Any], *, unmasked: bool
) -> list[dict[str, str]]:
    """The answers to the kind's questions; account numbers, addresses and phones masked."""
    rows = []
    for attribute in sorted(kind.attributes, key=lambda item: item.order):
        value = answers.get(attribute.code)
        if value in (None, "", []):
            continue
        names = {item.key: text(item.name) for item in attribute.values}
        values = value if isinstance(value, list) else [value]
        shown = "、".join(names.get(str(item), str(item)) for item in values)
        if not unmasked and not attribute.values:
            if "account" in attribute.code:
                shown = mask_account_number(shown)
            elif "address" in attribute.code:
                shown = mask_address(shown)
            elif "phone" in attribute.code:
                shown = mask_phone(shown)
        rows.append({"label": text(attribute.description), "value": shown})
    return rows


@login_required
@require_GET
def case_detail_view(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    if isinstance(case, HttpResponse):
        return case
    return _case_page(request, case)


@login_required
@require_POST
def case_personal_view(request: HttpRequest, number: str) -> HttpResponse:
    """The applicant's contact unmasked: a deliberate POST, needs customer.view_personal for
    the case's centre, recorded in the audit log."""
    case = _case(request, number)
    if isinstance(case, HttpResponse):
        return case
    if not staff_selectors.may(
        request.user, Capability.CUSTOMER_VIEW_PERSONAL, target_centre_id=case.service_centre_id
    ):
        return _forbidden(request)
    audit_record(
        actor=request.user,
        verb="case.view_personal",
        target=case,
        kind=AuditEvent.Kind.VIEW_PERSONAL,
    )
    return _case_page(request, case, unmasked=True)


def _case_action(
    request: HttpRequest,
    number: str,
    *,
    name: str,
    make_form: Callable[[Case, ApplicationKind], Any],
    perform: Callable[[Case, Any], str],
    aliases: dict[str, str] | None = None,
) -> HttpResponseBase:
    """Run one action of the case page: bind ``name``'s form, call ``perform`` (which calls the
    action and returns the success message); errors re-render the page with status 400."""
    case = _case(request, number)
    if isinstance(case, HttpResponse):
        return case
    kind = selectors.case_kind_for(case)
    form = make_form(case, kind)
    if form.is_valid():
        try:
            message = perform(case, form)
        except InvalidInputError as error:
            staff_forms.add_problems(form, error, aliases=aliases or {})
        except ConflictError as error:
            form.add_error(None, error.text())
        except PermissionDeniedError:
            return _forbidden(request)
        except NotFoundError:
            return _not_found(request)
        else:
            messages.success(request, message)
            return redirect("cases_staff:case", number=case.number)
    return _case_page(request, case, bound={name: form}, status=400)


def _allowed(case: Case) -> list[CaseState]:
    return sorted(allowed_transitions(case.state), key=list(CaseState).index)


@login_required
@require_POST
def case_transition_view(request: HttpRequest, number: str) -> HttpResponseBase:
    def perform(case: Case, form: Any) -> str:
        data = form.cleaned_data
        updated = actions.case_transition(
            actor=request.user,
            case=case,
            state=data["state"],
            public_note=data["public_note"],
            note=data["note"],
        )
        return _("The case is now: %(state)s.") % {
            "state": text(STATES[CaseState(updated.state)].label)
        }

    return _case_action(
        request,
        number,
        name="transition",
        make_form=lambda case, kind: staff_forms.TransitionForm(
            request.POST, allowed=_allowed(case)
        ),
        perform=perform,
        aliases={"reason": "note", "missing": "note"},
    )


@login_required
@require_POST
def case_assign_view(request: HttpRequest, number: str) -> HttpResponseBase:
    def perform(case: Case, form: Any) -> str:
        raw = form.cleaned_data["assignee"]
        assignee = User.objects.filter(pk=int(raw)).first() if raw else None
        actions.case_assign(actor=request.user, case=case, assignee=assignee)
        if assignee is None:
            return _("The case is no longer assigned to anyone.")
        return _("The case is now assigned to %(name)s.") % {"name": _person_label(assignee)}

    return _case_action(
        request,
        number,
        name="assign",
        make_form=lambda case, kind: staff_forms.AssignForm(
            request.POST, people=_people(request.user, departments=[case.department_id])
        ),
        perform=perform,
    )


@login_required
@require_POST
def case_transfer_view(request: HttpRequest, number: str) -> HttpResponseBase:
    def perform(case: Case, form: Any) -> str:
        data = form.cleaned_data
        updated = actions.case_transfer(
            actor=request.user, case=case, department=data["department"], note=data["note"]
        )
        return _("The case was transferred to %(department)s.") % {
            "department": _department_label(updated.department_id)
        }

    return _case_action(
        request,
        number,
        name="transfer",
        make_form=lambda case, kind: staff_forms.TransferForm(
            request.POST,
            departments=[(d.value, _department_label(d.value)) for d in WORK_DEPARTMENTS],
        ),
        perform=perform,
        aliases={"step": "department", "assignee": "department"},
    )


@login_required
@require_POST
def case_note_view(request: HttpRequest, number: str) -> HttpResponseBase:
    def perform(case: Case, form: Any) -> str:
        public = form.cleaned_data["public"] == "1"
        actions.case_note_add(
            actor=request.user, case=case, text=form.cleaned_data["text"], public=public
        )
        if public:
            return _("The note was added and the customer will be told.")
        return _("The internal note was added.")

    return _case_action(
        request,
        number,
        name="note",
        make_form=lambda case, kind: staff_forms.NoteForm(request.POST),
        perform=perform,
    )


@login_required
@require_POST
def case_pause_view(request: HttpRequest, number: str) -> HttpResponseBase:
    def perform(case: Case, form: Any) -> str:
        actions.case_pause(
            actor=request.user,
            case=case,
            reason=form.cleaned_data["reason"],
            missing=form.missing_items(),
            note=form.cleaned_data["note"],
        )
        return _("The clock is paused; the customer will be told what is missing.")

    return _case_action(
        request,
        number,
        name="pause",
        make_form=lambda case, kind: staff_forms.PauseForm(request.POST, kind=kind),
        perform=perform,
        aliases={"until": "note", "state": "reason"},
    )


@login_required
@require_POST
def case_resume_view(request: HttpRequest, number: str) -> HttpResponseBase:
    def perform(case: Case, form: Any) -> str:
        actions.case_resume(actor=request.user, case=case, note=form.cleaned_data["note"])
        return _("The clock runs again; the due date was recalculated.")

    return _case_action(
        request,
        number,
        name="resume",
        make_form=lambda case, kind: staff_forms.ResumeForm(request.POST),
        perform=perform,
        aliases={"state": "note"},
    )


@login_required
@require_POST
def case_supply_date_view(request: HttpRequest, number: str) -> HttpResponseBase:
    def perform(case: Case, form: Any) -> str:
        data = form.cleaned_data
        actions.case_supply_date_set(
            actor=request.user,
            case=case,
            supply_date=data["supply_date"],
            agreed_by=data["agreed_by"],
            note=data["note"],
        )
        return _("The agreed supply date was recorded and the customer will be told.")

    return _case_action(
        request,
        number,
        name="supply",
        make_form=lambda case, kind: staff_forms.SupplyDateForm(request.POST),
        perform=perform,
    )


@login_required
@require_POST
def case_attachment_add_view(request: HttpRequest, number: str) -> HttpResponseBase:
    def perform(case: Case, form: Any) -> str:
        upload = form.cleaned_data["file"]
        attachment = actions.case_attachment_add(
            actor=request.user,
            case=case,
            name=upload.name or "",
            content=upload.read(),
            description=form.cleaned_data["description"],
        )
        return _("The file %(name)s was attached.") % {"name": attachment.original_name}

    return _case_action(
        request,
        number,
        name="attachment",
        make_form=lambda case, kind: staff_forms.AttachmentForm(request.POST, request.FILES),
        perform=perform,
    )


@login_required
@require_GET
def case_attachment_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Download an attachment: permission-checked and audited by the selector, streamed from
    the attachment directory outside the web root, never rendered inline."""
    try:
        attachment, path = selectors.access_attachment(request.user, pk)
    except NotFoundError:
        return _not_found(request)
    except ApplicationError:
        return _forbidden(request)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    except OSError:
        return _not_found(request)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def case_receipt_view(request: HttpRequest, number: str) -> HttpResponseBase:
    """The receipt PDF to print at the counter, in the applicant's language (``?language=``
    overrides): number, checklist, expected date and the QR code of the progress page."""
    case = _case(request, number)
    if isinstance(case, HttpResponse):
        return case
    language = request.GET.get("language") or case.applicant_language or "zh-hant"
    if language not in ("zh-hant", "en"):
        language = "zh-hant"
    return receipt_pdf_response(request, receipt.receipt_from_case(case), language=language)


# --- Dashboard --------------------------------------------------------------------------------


def _share(value: Decimal | None) -> str:
    return "—" if value is None else f"{(value * 100).quantize(Decimal('0.1'))} %"


def _kind_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Horizontal bars per kind: open and overdue cases (coordinates as SVG attributes)."""
    width, left, right, bar, gap = 720, 220, 60, 18, 16
    largest = max([max(row["open"], row["overdue"]) for row in rows] or [0]) or 1
    scale = (width - left - right) / largest
    groups = []
    for index, row in enumerate(rows):
        top = gap + index * (2 * bar + gap)
        bars = []
        for offset, key in enumerate(("open", "overdue")):
            length = round(row[key] * scale, 1)
            y = top + offset * bar
            bars.append(
                {
                    "key": key,
                    "x": left,
                    "y": y,
                    "width": max(length, 1 if row[key] else 0),
                    "height": bar - 2,
                    "colour": COLOURS[key],
                    "value": row[key],
                    "text_x": left + length + 6,
                    "text_y": y + bar - 4,
                }
            )
        groups.append({"label": row["kind"], "label_y": top + bar + 4, "bars": bars})
    return {
        "width": width,
        "height": gap + len(rows) * (2 * bar + gap) + 4,
        "label_x": left - 8,
        "groups": groups,
    }


def _month_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Vertical bars per month: the share of cases completed on time (0–100 %)."""
    width, height, bottom, top, left = 720, 260, 40, 24, 48
    plot = height - bottom - top
    step = (width - left - 10) / max(len(rows), 1)
    bars = []
    for index, row in enumerate(rows):
        share = row["share"]
        value = float(share * 100) if share is not None else 0.0
        bar_height = round(plot * value / 100, 1)
        x = round(left + index * step + step * 0.15, 1)
        bars.append(
            {
                "x": x,
                "y": round(top + plot - bar_height, 1),
                "width": round(step * 0.7, 1),
                "height": bar_height,
                "label": row["month_label"],
                "label_x": round(x + step * 0.35, 1),
                "value": row["share_text"],
                "value_y": round(top + plot - bar_height - 6, 1),
                "colour": COLOURS["on_time"],
            }
        )
    ticks = [
        {"label": f"{percent} %", "y": round(top + plot - plot * percent / 100, 1)}
        for percent in (0, 50, 100)
    ]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "ticks": ticks,
        "axis_x": left,
        "axis_y": top + plot,
        "label_y": height - 14,
        "right": width - 10,
    }


@login_required
@require_GET
def case_dashboard_view(request: HttpRequest) -> HttpResponseBase:
    """Open, due soon, overdue and the on-time share by kind and by month, as charts and tables
    (``?format=csv|ods&table=kind|month`` exports a table). For case.supervise."""
    if not _may(request, Capability.CASE_SUPERVISE):
        return _forbidden(request)
    try:
        board = selectors.case_dashboard(request.user)
        overdue = selectors.case_overdue_list(request.user).select_related(
            "kind", "department", "assignee", "service_centre"
        )
    except PermissionDeniedError:
        return _forbidden(request)
    kinds = [
        {
            "code": row.kind_code,
            "kind": text(row.kind_name),
            "open": row.open,
            "overdue": row.overdue,
            "completed": row.completed,
            "on_time": row.on_time,
            "share": row.on_time_share,
            "share_text": _share(row.on_time_share),
        }
        for row in board.by_kind
    ]
    months = [
        {
            "month": row.month,
            "month_label": row.month.strftime("%Y-%m"),
            "completed": row.completed,
            "on_time": row.on_time,
            "share": row.on_time_share,
            "share_text": _share(row.on_time_share),
        }
        for row in board.by_month
    ]
    table = request.GET.get("table", "kind")
    if table == "month":
        header = ["month", "completed", "on_time", "on_time_share"]
        data: list[list[Any]] = [
            [m["month_label"], m["completed"], m["on_time"], m["share_text"]] for m in months
        ]
    else:
        header = ["kind", "kind_name", "open", "overdue", "completed", "on_time", "on_time_share"]
        data = [
            [
                k["code"],
                k["kind"],
                k["open"],
                k["overdue"],
                k["completed"],
                k["on_time"],
                k["share_text"],
            ]
            for k in kinds
        ]
    exported = _export(
        request, f"case-dashboard-{'month' if table == 'month' else 'kind'}", header, data
    )
    if exported is not None:
        return exported
    return _render(
        request,
        "cases/staff/dashboard.html",
        {
            "board": board,
            "kinds": kinds,
            "months": months,
            "kind_chart": _kind_chart([k for k in kinds if k["open"] or k["overdue"]]),
            "month_chart": _month_chart(months),
            "overdue": [_row(case) for case in overdue[:20]],
            "overdue_count": overdue.count(),
            "office_wide": _office_wide(request),
        },
    )


# --- Catalogue --------------------------------------------------------------------------------


@login_required
@require_GET
def catalogue_list_view(request: HttpRequest) -> HttpResponse:
    if not _may(request, Capability.CATALOGUE_EDIT):
        return _forbidden(request)
    rows = []
    for kind in selectors.kind_list(include_inactive=True):
        domain = kind.as_domain()
        rows.append(
            {
                "code": kind.code,
                "name": text(kind.name),
                "active": kind.active,
                "public": kind.public,
                "version": kind.version,
                "limits": " / ".join(
                    f"{text(WORKS_TYPE_LABELS[works])} {text(domain.limit_for(works).label)}"
                    for works in domain.works_types
                )
                if domain.limit_unit is SlaUnit.WORKING_DAYS
                else text(domain.limit_for().label),
                "documents": len(kind.documents),
                "updated_at": _local(kind.updated_at),
            }
        )
    return _render(request, "cases/staff/catalogue.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_kind_view(request: HttpRequest, code: str) -> HttpResponseBase:
    """Edit one kind through ``actions.catalogue_kind_update`` (audited, new version)."""
    if not _may(request, Capability.CATALOGUE_EDIT):
        return _forbidden(request)
    kind = selectors.kind_list(include_inactive=True).filter(code=code).first()
    if kind is None:
        return _not_found(request)
    hours = kind.limit_unit == SlaUnit.WORKING_HOURS.value
    initial = {
        "name_zh": kind.name_zh,
        "name_en": kind.name_en,
        "limit_none": kind.limits.get("none"),
        "limit_overhead": kind.limits.get("overhead"),
        "limit_underground": kind.limits.get("underground"),
        "active": kind.active,
        **staff_forms.catalogue_lines(kind),
    }
    form = staff_forms.CatalogueKindForm(request.POST or None, initial=initial)
    if hours:
        form.fields.pop("limit_overhead")
        form.fields.pop("limit_underground")
        form.fields["limit_none"].label = _("Limit in working hours")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                changes = {
                    "name_zh": data["name_zh"],
                    "name_en": data["name_en"],
                    "limits": {
                        works: data[f"limit_{works}"]
                        for works in ("none", "overhead", "underground")
                        if data.get(f"limit_{works}")
                    },
                    "documents": staff_forms.parse_documents(
                        data["documents"], previous=kind.documents
                    ),
                    "fees": staff_forms.parse_fees(data["fees"], previous=kind.fees),
                    "response_templates": staff_forms.parse_templates(data["response_templates"]),
                    "active": data["active"],
                }
            except staff_forms.CatalogueLineError as problem:
                form.add_error(problem.field, text(problem.message))
            else:
                try:
                    updated = actions.catalogue_kind_update(
                        actor=request.user, kind=kind, changes=changes
                    )
                except InvalidInputError as error:
                    staff_forms.add_problems(
                        form,
                        error,
                        aliases={"limits": "limit_none", "limit": "limit_none", "name": "name_zh"},
                    )
                except ConflictError as error:
                    form.add_error(None, error.text())
                except PermissionDeniedError:
                    return _forbidden(request)
                else:
                    messages.success(
                        request,
                        _("%(name)s was saved as version %(version)s.")
                        % {"name": text(updated.name), "version": updated.version},
                    )
                    return redirect("cases_staff:catalogue")
    return _render(
        request,
        "cases/staff/catalogue_kind.html",
        {
            "form": form,
            "kind": kind,
            "kind_name": text(kind.name),
            "hours": hours,
            "next_version": kind.version + 1,
        },
        status=status,
    )
