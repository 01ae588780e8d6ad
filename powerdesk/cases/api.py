"""Staff and public API of counter cases (registered at /api/v1/cases).

Staff endpoints need a personal token or a signed-in session (``staff_auth``), read through the
scoped selectors (a case of another service centre looks absent: 404) and write through the
actions (which check the capability and the department, audit, and tell the customer). The
applicant's personal data is masked in every answer.

Public endpoints (no sign-in): ``GET /progress/{token}`` (the receipt's QR token) and
``POST /lookup`` (case number + the last four digits of the applicant's phone or 電號). Both are
rate limited per client address (``POWERDESK["PUBLIC_LOOKUP_RATE"]``), the second also by the
failed lookups of the case number, shared with the web form (``LOOKUP_FAILURE_RATE``; see
:mod:`powerdesk.cases.limits`; 429 with ``Retry-After``), and a wrong second factor, an unknown
number and an unknown token all answer the same 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from powerdesk.api import ApiRequest, api, staff_auth
from powerdesk.cases import actions, limits, selectors
from powerdesk.cases.domain.numbers import NumberError, parse_case_number, second_factor_matches
from powerdesk.cases.domain.sla import PAUSE_REASON_LABELS, PauseReason, SlaState
from powerdesk.cases.domain.states import CaseState, allowed_transitions, state_info
from powerdesk.cases.models import OPEN_STATES, Case, CaseEvent
from powerdesk.cases.schemas import (
    AssignIn,
    CaseDetailOut,
    CaseOpenIn,
    CaseOut,
    LookupIn,
    NoteIn,
    PauseIn,
    PublicCaseOut,
    ResumeIn,
    SupplyDateIn,
    TimelineEntryOut,
    TransferIn,
    TransitionIn,
)
from powerdesk.core.domain import masking
from powerdesk.core.domain.errors import FieldProblem, Message
from powerdesk.core.errors import InvalidInputError, NotFoundError
from powerdesk.core.middleware import client_ip
from powerdesk.core.pagination import MappedQuerySet
from powerdesk.core.ratelimit import rate_wait
from powerdesk.core.schemas import ErrorOut
from powerdesk.customers.models import ServiceCentre
from powerdesk.staff.models import Department, User

router = Router(tags=["cases"])


def _language() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-hant"


def _text(message: Message) -> str:
    return message.in_language(_language())


def _invalid(field: str, code: str, zh_hant: str, en: str) -> InvalidInputError:
    return InvalidInputError(
        [FieldProblem(field=field, code=code, message=Message(zh_hant=zh_hant, en=en))]
    )


# --- Shapes --------------------------------------------------------------------------------------


def case_out(case: Case) -> dict[str, Any]:
    """A case as staff lists show it (personal data masked); joins kind, centre, assignee."""
    info = state_info(case.state)
    badge = selectors.sla_label(case)
    kind_name = case.kind.name
    return {
        "number": case.number,
        "kind": case.kind.code,
        "kind_name": _text(kind_name),
        "channel": case.channel,
        "state": case.state,
        "state_label": _text(info.label),
        "is_open": case.is_open,
        "open311_status": info.open311_status.value,
        "applicant_name": masking.mask_name(case.applicant_name),
        "applicant_phone": masking.mask_phone(case.applicant_phone),
        "account_number": masking.mask_account_number(case.account_number)
        if case.account_number
        else "",
        "address": masking.mask_address(case.address),
        "service_centre": case.service_centre.code,
        "department": case.department_id,
        "assignee": case.assignee.get_username() if case.assignee is not None else None,
        "step": case.step,
        "received_at": case.received_at,
        "due_at": case.due_at,
        "sla_state": case.sla_state,
        "sla_label": _text(badge.text),
        "sla_css": badge.css,
        "sla_share_percent": badge.share_percent,
        "paused": case.paused,
        "supply_date": case.supply_date,
        "completed_at": case.completed_at,
        "masked": True,
    }


def _missing_item(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return {
            "code": item.get("code"),
            "text": str(item.get("en" if _language() == "en" else "zh_hant", "")),
        }
    return {"code": None, "text": str(item)}


def case_detail_out(case: Case, *, actor: Any) -> dict[str, Any]:
    out = case_out(case)
    info = state_info(case.state)
    out.update(
        description=case.description,
        works_type=case.works_type,
        attributes=dict(case.attributes or {}),
        public_note=case.public_note,
        status_notes=case.public_note or _text(info.status_notes),
        supply_date_agreed_by=case.supply_date_agreed_by,
        actual_working_days=case.actual_working_days,
        queue_ticket_ref=case.queue_ticket_ref,
        may_work=selectors.may_work(actor, case),
        may_assign=selectors.may_assign(actor, case),
        allowed_states=sorted(state.value for state in allowed_transitions(case.state)),
        timeline=[
            {
                "at": entry.at,
                "kind": entry.kind,
                "text": _text(entry.text),
                "note": entry.note,
                "actor": entry.actor_label,
                "public": entry.public,
            }
            for entry in selectors.case_timeline(case, public=False)
        ],
        pauses=[
            {
                "reason": pause.reason,
                "reason_label": _text(PAUSE_REASON_LABELS[PauseReason(pause.reason)]),
                "started_at": pause.started_at,
                "ended_at": pause.ended_at,
                "missing": [_missing_item(item) for item in pause.missing or []],
                "note": pause.note,
            }
            for pause in selectors.case_pauses(case)
        ],
        attachments=[
            {
                "id": attachment.pk,
                "name": attachment.original_name,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "description": attachment.description,
                "uploaded_at": attachment.uploaded_at,
                "uploaded_by": attachment.uploaded_by_label,
            }
            for attachment in case.attachments.all()
        ],
    )
    return out


def public_case_out(found: Any) -> dict[str, Any]:
    """``selectors.PublicCase`` as JSON in the request's language."""
    return {
        "number": found.number,
        "kind_name": _text(found.kind_name),
        "channel": found.channel,
        "received_at": found.received_at,
        "state": found.state,
        "state_label": _text(found.state_label),
        "status_notes": _text(found.status_notes),
        "public_note": found.public_note,
        "is_open": found.is_open,
        "expected_date": found.expected_date,
        "paused": found.paused,
        "pending": [_text(item) for item in found.pending],
        "supply_date": found.supply_date,
        "completed_at": found.completed_at,
        "applicant": found.applicant_masked,
        "address": found.address_masked,
        "documents": [
            {
                "code": document.code,
                "name": _text(document.name),
                "required": document.required,
                "note": _text(document.note) if document.note else "",
            }
            for document in found.documents
        ],
        "timeline": [
            {"at": entry.at, "kind": entry.kind, "text": _text(entry.text), "note": entry.note}
            for entry in found.timeline
            if entry.public
        ],
    }


# --- Input checks --------------------------------------------------------------------------------


def _choice(field: str, value: str | None, allowed: list[str]) -> str | None:
    if value is None or value == "":
        return None
    if value not in allowed:
        options = ", ".join(allowed)
        raise _invalid(
            field,
            f"{field}.unknown",
            f"「{field}」的值「{value}」無效；可用：{options}。",
            f"{field} {value!r} is not valid; use one of: {options}.",
        )
    return value


def _user(field: str, username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise _invalid(
            field,
            f"{field}.unknown",
            f"查無在職人員「{username}」。",
            f"There is no active member of staff {username!r}.",
        )
    return user


def _centre(code: str | None) -> ServiceCentre | None:
    if not code:
        return None
    centre = ServiceCentre.objects.filter(code=code).first()
    if centre is None:
        raise _invalid(
            "service_centre",
            "service_centre.unknown",
            f"查無服務中心代碼「{code}」。",
            f"No service centre with code {code!r}.",
        )
    return centre


def _departments() -> list[str]:
    return sorted(Department.objects.values_list("code", flat=True))


def _access(request: ApiRequest, number: str) -> Case:
    return selectors.access_case(request.auth, number)


def _detail(request: ApiRequest, number: str) -> dict[str, Any]:
    return case_detail_out(_access(request, number), actor=request.auth)


# --- Staff endpoints -----------------------------------------------------------------------------


@router.get("", response=list[CaseOut], auth=staff_auth)
@paginate(PageNumberPagination, page_size=50)
def case_list_api(
    request: ApiRequest,
    q: str = "",
    state: str = "",
    kind: str = "",
    department: str = "",
    assignee: str = "",
    mine: bool = False,
    open_only: bool = True,
    sla_state: str = "",
    channel: str = "",
    overdue: bool = False,
) -> Any:
    """Cases in the caller's scope (masked), due first; ``q`` searches number, 電號, phone, name
    and address (then newest first). Filters: ``state``, ``kind`` (code), ``department``,
    ``assignee`` (username), ``mine``, ``open_only`` (default true), ``sla_state`` (running,
    paused, met, breached), ``channel``, ``overdue``. A bad value → 422 naming the field."""
    actor = request.auth
    checked_state = _choice("state", state, [item.value for item in CaseState])
    checked_sla = _choice("sla_state", sla_state, [item.value for item in SlaState])
    checked_channel = _choice("channel", channel, [item.value for item in Case.Channel])
    checked_department = _choice("department", department, _departments())
    codes = list(selectors.kind_list(include_inactive=True).values_list("code", flat=True))
    checked_kind = _choice("kind", kind, codes)
    person = _user("assignee", assignee)
    if len(q) > 100:
        raise _invalid(
            "q", "q.too_long", "搜尋字串不可超過 100 字。", "q is limited to 100 characters."
        )
    cases = selectors.case_list_for(
        actor,
        department=checked_department,
        assignee=person,
        mine=mine,
        state=checked_state,
        open_only=open_only and not (checked_state and checked_state not in OPEN_STATES),
        sla_state=checked_sla,
        kind=checked_kind,
        channel=checked_channel,
    )
    if overdue:
        cases = cases.filter(pk__in=selectors.case_overdue_list(actor).values("pk"))
    if q.strip():
        cases = cases.filter(pk__in=selectors.case_search(actor, q.strip()).values("pk")).order_by(
            "-received_at", "-id"
        )
    return MappedQuerySet(
        cases.select_related("kind", "service_centre", "assignee"),
        case_out,
    )


# --- Public lookup -------------------------------------------------------------------------------


def _too_many(request: HttpRequest, wait: int) -> HttpResponse:
    response = api.create_response(
        request,
        {
            "code": "rate_limited",
            "message": _text(
                Message(
                    zh_hant="查詢過於頻繁，請稍後再試。",
                    en="Too many lookups; please try again later.",
                )
            ),
            "details": {"retry_after": wait},
        },
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def _public_response(request: HttpRequest, found: selectors.PublicCase) -> HttpResponse:
    """The 200 answer of a public lookup, rendered without ninja re-validating it.

    ``public_case_out`` builds exactly the ``PublicCaseOut`` shape from typed data, so the
    schema's validation (about a third of a lookup's Python time) would only copy it; the
    renderer and the encoder are ninja's own. ``test_api_cases.py`` checks that the answer equals
    ``PublicCaseOut``'s validated and dumped form for every state.
    """
    return api.create_response(request, public_case_out(found), status=200)


def _client_limit(request: HttpRequest) -> tuple[str, tuple[int, int]]:
    return (
        f"cases:lookup:client:{client_ip(request) or '-'}",
        limits.configured_rate("PUBLIC_LOOKUP_RATE"),
    )


@router.get(
    "/progress/{token}",
    response={200: PublicCaseOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    tags=["cases (public)"],
)
def case_progress_api(request: HttpRequest, token: str) -> Any:
    """Public: progress of a case by the token in the receipt's QR code (masked)."""
    wait = rate_wait(_client_limit(request))
    if wait:
        return _too_many(request, wait)
    return _public_response(request, selectors.public_lookup_by_token(token))


@router.post(
    "/lookup",
    response={200: PublicCaseOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    tags=["cases (public)"],
)
def case_lookup_api(request: HttpRequest, payload: LookupIn) -> Any:
    """Public: progress by case number and the last four digits of the applicant's phone or
    電號. A wrong second factor answers exactly like an unknown case (404)."""
    problems: list[FieldProblem] = []
    number = ""
    try:
        number = str(parse_case_number(payload.number))
    except NumberError as error:
        problems.append(FieldProblem(field="number", code=error.code, message=error.message))
    try:
        second_factor_matches(payload.last4, phone=None, account_number=None)
    except NumberError as error:
        problems.append(FieldProblem(field="last4", code=error.code, message=error.message))
    if problems:
        raise InvalidInputError(problems)
    # The case is matched first; the answer is built and shown only once the client's limit and
    # the number's allowance of failures are settled in one atomic step (cases.limits): up to
    # then a right and a wrong second factor cost the same work.
    match = selectors.public_match_by_number(number, payload.last4)
    wait = limits.number_wait(number, found=match is not None, client=_client_limit(request))
    if wait:
        return _too_many(request, wait)
    if match is None:
        raise NotFoundError(what=selectors.CASE_NOT_FOUND)
    return _public_response(request, match.case())


# --- Staff: one case -----------------------------------------------------------------------------


@router.get("/{number}", response=CaseDetailOut, auth=staff_auth)
def case_get_api(request: ApiRequest, number: str) -> Any:
    """One case with its full timeline (internal notes too), pauses and attachments."""
    return _detail(request, number)


@router.post("", response={201: CaseDetailOut}, auth=staff_auth)
def case_open_api(request: ApiRequest, payload: CaseOpenIn) -> Any:
    """Open a case on behalf of an applicant (channel ``api``; needs ``case.intake``)."""
    case = actions.case_open(
        actor=request.auth,
        kind=payload.kind,
        channel=Case.Channel.API.value,
        applicant_name=payload.applicant_name,
        applicant_phone=payload.applicant_phone,
        applicant_email=payload.applicant_email,
        applicant_language=payload.applicant_language,
        account_number=payload.account_number,
        address=payload.address,
        latitude=payload.latitude,
        longitude=payload.longitude,
        description=payload.description,
        works_type=payload.works_type,
        attributes=payload.attributes,
        service_centre=_centre(payload.service_centre),
        received_at=payload.received_at,
        queue_ticket_ref=payload.queue_ticket_ref,
    )
    return Status(201, case_detail_out(case, actor=request.auth))


@router.post("/{number}/transitions", response=CaseDetailOut, auth=staff_auth)
def case_transition_api(request: ApiRequest, number: str, payload: TransitionIn) -> Any:
    """Move the case to another state (the allowed ones are in ``allowed_states``)."""
    _choice("state", payload.state, [item.value for item in CaseState])
    case = actions.case_transition(
        actor=request.auth,
        case=_access(request, number),
        state=payload.state,
        public_note=payload.public_note,
        note=payload.note,
        missing=payload.missing,
    )
    return case_detail_out(case, actor=request.auth)


@router.post("/{number}/notes", response={201: TimelineEntryOut}, auth=staff_auth)
def case_note_api(request: ApiRequest, number: str, payload: NoteIn) -> Any:
    """Add an internal note, or a public one (the applicant is told)."""
    event: CaseEvent = actions.case_note_add(
        actor=request.auth,
        case=_access(request, number),
        text=payload.text,
        public=payload.public,
    )
    return Status(
        201,
        {
            "at": event.at,
            "kind": event.kind,
            "text": _text(event.text),
            "note": event.note,
            "actor": event.actor_label,
            "public": event.public,
        },
    )


@router.post("/{number}/pause", response=CaseDetailOut, auth=staff_auth)
def case_pause_api(request: ApiRequest, number: str, payload: PauseIn) -> Any:
    """Stop the clock: ``documents_missing`` (with ``missing``), ``customer_request``,
    ``road_permit`` or ``other_agency``. 409 if the clock is already stopped."""
    _choice("reason", payload.reason, [item.value for item in PauseReason])
    actions.case_pause(
        actor=request.auth,
        case=_access(request, number),
        reason=payload.reason,
        missing=payload.missing,
        note=payload.note,
    )
    return _detail(request, number)


@router.post("/{number}/resume", response=CaseDetailOut, auth=staff_auth)
def case_resume_api(request: ApiRequest, number: str, payload: ResumeIn) -> Any:
    """Start the clock again (409 if it is not stopped)."""
    if payload.state:
        _choice("state", payload.state, [item.value for item in CaseState])
    case = actions.case_resume(
        actor=request.auth,
        case=_access(request, number),
        note=payload.note,
        state=payload.state or None,
    )
    return case_detail_out(case, actor=request.auth)


@router.post("/{number}/assign", response=CaseDetailOut, auth=staff_auth)
def case_assign_api(request: ApiRequest, number: str, payload: AssignIn) -> Any:
    """Assign a member of the case's department (``null`` to unassign)."""
    case = actions.case_assign(
        actor=request.auth,
        case=_access(request, number),
        assignee=_user("assignee", payload.assignee),
    )
    return case_detail_out(case, actor=request.auth)


@router.post("/{number}/transfer", response=CaseDetailOut, auth=staff_auth)
def case_transfer_api(request: ApiRequest, number: str, payload: TransferIn) -> Any:
    """Hand the case to another department (optionally a step and a person)."""
    _choice("department", payload.department, _departments())
    case = actions.case_transfer(
        actor=request.auth,
        case=_access(request, number),
        department=payload.department,
        step=payload.step,
        assignee=_user("assignee", payload.assignee),
        note=payload.note,
    )
    return case_detail_out(case, actor=request.auth)


@router.post("/{number}/supply-date", response=CaseDetailOut, auth=staff_auth)
def case_supply_date_api(request: ApiRequest, number: str, payload: SupplyDateIn) -> Any:
    """Record the supply date agreed with the customer (a working day, not in the past)."""
    case = actions.case_supply_date_set(
        actor=request.auth,
        case=_access(request, number),
        supply_date=payload.supply_date,
        agreed_by=payload.agreed_by,
        note=payload.note,
    )
    return case_detail_out(case, actor=request.auth)
