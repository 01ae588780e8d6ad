"""Writes of counter cases: validated, permission-checked, audited, all or nothing.

Every action runs in one transaction: the case row, its timeline event, its pause, the audit row
and the customer's notification (the outbox row) commit together or not at all. See
``.helpers/out/cases_contract.md`` for the contract.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import re
import secrets
import stat
import unicodedata
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Final

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from powerdesk.cases.domain import catalogue as domain_catalogue
from powerdesk.cases.domain import numbers
from powerdesk.cases.domain.catalogue import (
    ApplicationKind,
    AttributeDatatype,
    CatalogueError,
    WorksType,
)
from powerdesk.cases.domain.sla import (
    PAUSE_REASON_LABELS,
    CaseClock,
    Pause,
    PauseReason,
    SlaState,
    SlaStatus,
    SlaUnit,
    actual_working_days,
    sla_status,
)
from powerdesk.cases.domain.states import (
    CaseState,
    TransitionError,
    check_transition,
    state_info,
)
from powerdesk.cases.models import (
    Case,
    CaseAttachment,
    CaseEvent,
    CaseKind,
    CasePause,
    CaseSerial,
    Open311Client,
    StaffNotice,
    kind_row_fields,
)
from powerdesk.cases.selectors import (
    CASE_NOT_FOUND,
    may_assign,
    may_view,
    may_work,
    service_centre_for_address,
    tracking_path,
    tracking_url,
)
from powerdesk.core import selectors as core_selectors
from powerdesk.core.audit import audit_record
from powerdesk.core.domain import identifiers
from powerdesk.core.domain.calendar import TAIPEI, WorkingCalendar
from powerdesk.core.domain.errors import DomainError, FieldProblem, Message
from powerdesk.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from powerdesk.customers.models import Account, Customer, ServiceCentre
from powerdesk.notifications import actions as notification_actions
from powerdesk.staff import selectors as staff_selectors
from powerdesk.staff.domain import Capability
from powerdesk.staff.models import Department, User

STAFF_CHANNELS: Final = frozenset(
    {
        Case.Channel.COUNTER,
        Case.Channel.PHONE,
        Case.Channel.CALL_CENTRE,
        Case.Channel.MAIL,
        Case.Channel.FAX,
        Case.Channel.API,
    }
)
MAX_BACKDATE: Final = timedelta(days=30)
CHANNEL_NAMES: Final[dict[str, Message]] = {
    "counter": Message(zh_hant="臨櫃", en="counter"),
    "web": Message(zh_hant="網路申請", en="web"),
    "phone": Message(zh_hant="電話", en="phone"),
    "1911": Message(zh_hant="1911 客服中心轉案", en="1911 call centre"),
    "mail": Message(zh_hant="郵寄", en="mail"),
    "fax": Message(zh_hant="傳真", en="fax"),
    "api": Message(zh_hant="API", en="API"),
    "open311": Message(zh_hant="Open311", en="Open311"),
}
NOTE_MAX: Final = 4000
DEFAULT_ATTACHMENT_MAX_BYTES: Final = 10 * 1024 * 1024

# Extension → the content type its magic bytes must show.
ATTACHMENT_TYPES: Final[dict[str, str]] = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}

# The state a waiting state returns to when the clock resumes.
RESUME_TO: Final[dict[CaseState, CaseState]] = {
    CaseState.AWAITING_DOCUMENTS: CaseState.IN_REVIEW,
    CaseState.AWAITING_PAYMENT: CaseState.IN_REVIEW,
    CaseState.AWAITING_PERMIT: CaseState.IN_WORKS,
}
# The state a pause reason moves the case into (others keep the state).
PAUSE_STATE: Final[dict[PauseReason, CaseState]] = {
    PauseReason.DOCUMENTS_MISSING: CaseState.AWAITING_DOCUMENTS,
    PauseReason.ROAD_PERMIT: CaseState.AWAITING_PERMIT,
}

logger = logging.getLogger(__name__)


# --- Small helpers ----------------------------------------------------------------------------


def _problem(field: str, code: str, zh: str, en: str, **details: Any) -> FieldProblem:
    return FieldProblem(field=field, code=code, message=Message(zh_hant=zh, en=en), details=details)


def _invalid(field: str, code: str, zh: str, en: str) -> InvalidInputError:
    return InvalidInputError([_problem(field, code, zh, en)])


def _label(actor: Any) -> str:
    if getattr(actor, "is_authenticated", False):
        return str(actor)
    return ""


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _calendar() -> WorkingCalendar:
    return core_selectors.working_calendar()


def _local_day(moment: datetime) -> date:
    return moment.astimezone(TAIPEI).date()


def _digits(value: str) -> str:
    return "".join(ch for ch in identifiers.to_half_width(value or "") if ch.isdigit())


def _last4(value: str) -> str:
    digits = _digits(value)
    return digits[-4:] if len(digits) >= 4 else ""


def _text(value: str | None) -> str:
    return " ".join((value or "").split())


def _message_in(message: Message, language: str) -> str:
    return message.in_language(language)


def _day_text(day: date | None, language: str) -> str:
    if day is None:
        return "—"
    if language.startswith("en"):
        return day.isoformat()
    return f"{day.year - 1911}年{day.month}月{day.day}日（{day.isoformat()}）"


def attachment_dir() -> Path:
    """Where attachments are stored (outside the web root)."""
    configured = getattr(settings, "POWERDESK_CASE_ATTACHMENT_DIR", None)
    if configured:
        return Path(configured)
    return Path(settings.DATA_DIR) / "case_attachments"


def attachment_max_bytes() -> int:
    return int(
        getattr(settings, "POWERDESK_CASE_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES)
    )


# --- Access ------------------------------------------------------------------------------------


def _require(actor: Any, case: Case, capability: Capability = Capability.CASE_WORK) -> None:
    """A case outside the actor's reach looks absent; a case they see but may not touch: 403."""
    if not may_view(actor, case):
        raise NotFoundError(what=CASE_NOT_FOUND)
    allowed = (
        may_assign(actor, case) if capability is Capability.CASE_ASSIGN else may_work(actor, case)
    )
    if not allowed:
        raise PermissionDeniedError(
            reason=Message(
                zh_hant="此案件目前由其他部門承辦，您不能變更。",
                en="Another department handles this case now; you cannot change it.",
            )
        )


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("kind").get(pk=case.pk)


# --- SLA ---------------------------------------------------------------------------------------


def case_clock(case: Case, *, kind: ApplicationKind, pauses: Sequence[CasePause]) -> CaseClock:
    return CaseClock(
        received_at=case.received_at,
        limit=kind.limit_for(case.works_type),
        pauses=tuple(
            Pause(reason=PauseReason(p.reason), start=p.started_at, end=p.ended_at) for p in pauses
        ),
        completed_at=case.completed_at,
    )


def refresh_sla(
    case: Case,
    *,
    now: datetime,
    kind: ApplicationKind | None = None,
    pauses: Sequence[CasePause] | None = None,
    calendar: WorkingCalendar | None = None,
) -> SlaStatus:
    """Recompute the case's SLA columns in memory (the caller saves)."""
    kind = kind or case.kind.as_domain()
    if pauses is None:
        pauses = list(case.pauses.all()) if case.pk else []
    status = sla_status(
        case_clock(case, kind=kind, pauses=pauses), at=now, calendar=calendar or _calendar()
    )
    case.due_at = status.due_at
    case.sla_state = status.state.value
    case.sla_share_used = min(status.share_used, Decimal("9999.9999"))
    case.sla_computed_at = now
    case.paused = any(p.ended_at is None for p in pauses)
    return status


SLA_FIELDS: Final = ("due_at", "sla_state", "sla_share_used", "sla_computed_at", "paused")


# --- Timeline and notifications -----------------------------------------------------------------


def _event(
    case: Case,
    *,
    kind: str,
    actor: Any,
    at: datetime,
    public: bool = False,
    text: Message | None = None,
    note: str = "",
    state_from: str = "",
    state_to: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        at=at,
        public=public,
        text_zh=text.zh_hant if text else "",
        text_en=text.en if text else "",
        note=note,
        state_from=state_from,
        state_to=state_to,
        data=data or {},
        actor=_user(actor),
        actor_label=_label(actor) or ("system" if actor is None else "public"),
    )


def _language(case: Case) -> str:
    if case.customer_id is not None and case.customer is not None:
        return case.customer.preferred_language
    return case.applicant_language


def _bare_addresses(case: Case) -> list[str]:
    addresses = []
    if case.applicant_email:
        addresses.append(case.applicant_email)
    if case.applicant_phone:
        try:
            phone = identifiers.validate_phone(case.applicant_phone)
        except DomainError:
            phone = None
        if phone is not None and phone.kind == identifiers.PhoneKind.MOBILE:
            addresses.append(phone.national)
    return addresses


def _notify(
    case: Case,
    *,
    template: str,
    key: str,
    actor: Any,
    at: datetime,
    context: Callable[[str], dict[str, str]],
) -> bool:
    """Queue a case_progress notification to the applicant; record a refusal on the timeline.

    The customer's own channels and consents are tried first (when the case has a customer),
    then the contact given with the case (e-mail, then mobile). Each try runs in a savepoint
    so a refusal never spoils the caller's transaction.
    """
    language = _language(case)
    base = {
        "number": case.number,
        "kind": _message_in(case.kind.name, language),
        "track_url": tracking_url(case),
    }
    attempts: list[dict[str, Any]] = []
    if case.customer_id is not None:
        attempts.append({"customer": case.customer})
    attempts.extend({"address": address, "language": language} for address in _bare_addresses(case))
    failures: list[str] = []
    for recipient in attempts:
        lang = recipient["customer"].preferred_language if "customer" in recipient else language
        values = {**base, "kind": _message_in(case.kind.name, lang), **context(lang)}
        try:
            with transaction.atomic():
                notification_actions.notification_queue(
                    purpose="case_progress",
                    template=template,
                    context=values,
                    channels=["sms", "email"],
                    idempotency_key=key,
                    actor=actor,
                    **recipient,
                )
            return True
        except InvalidInputError as error:
            failures.append(f"{error.problems[0].field}:{error.problems[0].code}")
    _event(
        case,
        kind=CaseEvent.Kind.NOTICE,
        actor=None,
        at=at,
        public=False,
        text=Message(
            zh_hant="無法通知申請人（沒有可用的聯絡方式或未同意）。",
            en="The applicant could not be notified (no usable contact or no consent).",
        ),
        data={"template": template, "failed": failures or ["no_contact"]},
    )
    return False


def _status_context(case: Case) -> Callable[[str], dict[str, str]]:
    info = state_info(case.state)

    def build(language: str) -> dict[str, str]:
        notes = case.public_note or _message_in(info.status_notes, language)
        return {
            "status": _message_in(info.public_label, language),
            "note": notes,
            "due": _day_text(_local_day(case.due_at), language) if case.is_open else "—",
        }

    return build


# --- Numbers ------------------------------------------------------------------------------------


def _next_number(centre: ServiceCentre, day: date) -> str:
    CaseSerial.objects.get_or_create(service_centre=centre, day=day)
    CaseSerial.objects.filter(service_centre=centre, day=day).update(last=F("last") + 1)
    serial = CaseSerial.objects.get(service_centre=centre, day=day).last
    try:
        return numbers.format_case_number(
            centre=centre.code.upper(), received_on=day, serial=serial
        )
    except numbers.NumberError as error:
        raise InvalidInputError.from_domain(error, field="service_centre") from error


# --- Opening a case -----------------------------------------------------------------------------


def _clean_attribute(
    spec: domain_catalogue.KindAttribute, raw: Any, *, today: date
) -> tuple[Any, FieldProblem | None]:
    name = f"attributes.{spec.code}"
    desc = spec.description

    def fail(code: str, zh: str, en: str) -> tuple[Any, FieldProblem]:
        return None, _problem(name, code, f"「{desc.zh_hant}」{zh}", f"{desc.en}: {en}")

    if spec.datatype is AttributeDatatype.NUMBER:
        try:
            number = Decimal(str(raw).strip().replace(",", ""))
        except (InvalidOperation, ValueError):
            return fail("attribute.number", "必須是數字。", "must be a number.")
        if not number.is_finite() or number < 0:
            return fail("attribute.number", "必須是不小於 0 的數字。", "must be a number ≥ 0.")
        return format(number.normalize(), "f"), None
    if spec.datatype is AttributeDatatype.DATETIME:
        text = str(raw).strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                value = day.isoformat()
            else:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=TAIPEI)
                day = moment.astimezone(TAIPEI).date()
                value = moment.isoformat()
        except ValueError:
            return fail(
                "attribute.datetime",
                "日期格式不正確（例：2026-05-20）。",
                "is not a date (e.g. 2026-05-20).",
            )
        if day < today:
            return fail("attribute.past", "不可早於今天。", "must not be in the past.")
        return value, None
    if spec.datatype is AttributeDatatype.SINGLEVALUELIST:
        keys = [value.key for value in spec.values]
        text = str(raw).strip()
        if text not in keys:
            return fail(
                "attribute.value",
                f"必須是下列之一：{'、'.join(keys)}。",
                f"must be one of {', '.join(keys)}.",
            )
        return text, None
    if spec.datatype is AttributeDatatype.MULTIVALUELIST:
        keys = [value.key for value in spec.values]
        items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
        chosen = [str(item).strip() for item in items if str(item).strip()]
        wrong = [item for item in chosen if item not in keys]
        if wrong:
            return fail(
                "attribute.value",
                f"選項 {'、'.join(wrong)} 不存在。",
                f"unknown value(s) {', '.join(wrong)}.",
            )
        return sorted(set(chosen), key=keys.index), None
    text = str(raw).strip()
    limit = 4000 if spec.datatype is AttributeDatatype.TEXT else 200
    if len(text) > limit:
        return fail("attribute.too_long", f"最多 {limit} 字。", f"at most {limit} characters.")
    return text, None


def _attribute_missing(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def _clean_attributes(
    kind: ApplicationKind, given: Mapping[str, Any], *, today: date
) -> tuple[dict[str, Any], list[FieldProblem]]:
    cleaned: dict[str, Any] = {}
    specs = {spec.code: spec for spec in kind.attributes}
    problems: list[FieldProblem] = [
        _problem(
            f"attributes.{code}",
            "attribute.unknown",
            f"「{kind.name.zh_hant}」沒有欄位「{code}」。",
            f"{kind.name.en} has no question {code!r}.",
        )
        for code in given
        if code not in specs
    ]
    for spec in kind.attributes:
        raw = given.get(spec.code)
        if _attribute_missing(raw):
            if spec.required:
                problems.append(
                    _problem(
                        f"attributes.{spec.code}",
                        "attribute.required",
                        f"請填寫「{spec.description.zh_hant}」。",
                        f"Please answer: {spec.description.en}.",
                    )
                )
            continue
        value, problem = _clean_attribute(spec, raw, today=today)
        if problem is not None:
            problems.append(problem)
        else:
            cleaned[spec.code] = value
    return cleaned, problems


def _coordinate(value: Any, *, low: int, high: int, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise DomainError(
            code="coordinate.invalid",
            zh_hant="座標必須是數字。",
            en="A coordinate must be a number.",
            field=field,
        ) from None
    if not low <= number <= high:
        raise DomainError(
            code="coordinate.range",
            zh_hant=f"座標必須介於 {low} 與 {high} 之間。",
            en=f"The coordinate must be between {low} and {high}.",
            field=field,
        )
    return number


def _centre_for(
    *,
    given: ServiceCentre | None,
    actor: Any,
    account: Account | None,
    address: str,
    client: Open311Client | None,
) -> ServiceCentre | None:
    if given is not None:
        return given
    centre_id = staff_selectors.centre_id_of(actor) if _user(actor) else None
    if centre_id is not None:
        return ServiceCentre.objects.get(pk=centre_id)
    if account is not None:
        return account.service_centre
    found = service_centre_for_address(address)
    if found is not None:
        return found
    if client is not None and client.service_centre_id is not None:
        return client.service_centre
    return ServiceCentre.objects.order_by("code").first()


def _same_contact(verified: str, *, email: str, phone: str) -> bool:
    value = verified.strip()
    if not value:
        return False
    if "@" in value:
        return bool(email) and value.lower() == email.lower()
    return bool(phone) and _digits(value)[-9:] == _digits(phone)[-9:] and len(_digits(value)) >= 9


def _kind_version_locked(kind_id: int) -> tuple[int, bool] | None:
    """``(version, active)`` of a kind, its row locked ``FOR KEY SHARE`` on PostgreSQL for the
    rest of the transaction (Django's ORM offers only the stronger, self-conflicting locks;
    SQLite has one writer at a time anyway)."""
    table = CaseKind._meta.db_table
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version, active FROM {table} WHERE id = %s{lock}", [kind_id])  # noqa: S608
        row = cursor.fetchone()
    return (int(row[0]), bool(row[1])) if row else None


def case_open(
    *,
    actor: Any,
    kind: str,
    channel: str,
    applicant_name: str,
    applicant_phone: str = "",
    applicant_email: str = "",
    applicant_language: str = "zh-hant",
    customer: Customer | None = None,
    account_number: str = "",
    address: str = "",
    latitude: Decimal | float | str | None = None,
    longitude: Decimal | float | str | None = None,
    description: str = "",
    works_type: str = WorksType.NONE.value,
    attributes: Mapping[str, Any] | None = None,
    service_centre: ServiceCentre | None = None,
    received_at: datetime | None = None,
    queue_ticket_ref: str = "",
    verified_contact: str = "",
    open311_client: Open311Client | None = None,
    media_url: str = "",
    requester_first_name: str = "",
    requester_last_name: str = "",
    device_id: str = "",
    requester_account_id: str = "",
    address_id: str = "",
) -> Case:
    """Open a case on any channel; see the contract for the rules. Nothing saved on bad input."""
    now = timezone.now()
    today = _local_day(now)
    problems: list[FieldProblem] = []
    staff_channel = channel in STAFF_CHANNELS
    if channel not in Case.Channel.values:
        raise _invalid(
            "channel",
            "channel.unknown",
            f"不支援的受理管道「{channel}」。",
            f"Unknown channel {channel!r}.",
        )
    if staff_channel:
        if not staff_selectors.may(actor, Capability.CASE_INTAKE):
            raise PermissionDeniedError()
    elif channel == Case.Channel.OPEN311 and (open311_client is None or not open311_client.active):
        raise PermissionDeniedError(
            reason=Message(zh_hant="API 金鑰無效。", en="The API key is not valid.")
        )
    # -- kind
    kind_row = CaseKind.objects.filter(code=kind, active=True).first()
    domain_kind: ApplicationKind | None = None
    if kind_row is None or (not staff_channel and not kind_row.public):
        problems.append(
            _problem(
                "kind",
                "kind.unknown",
                f"沒有可受理的申請類別「{kind}」。",
                f"There is no application kind {kind!r} that can be filed here.",
            )
        )
    else:
        domain_kind = kind_row.as_domain()
    # -- applicant
    if customer is not None:
        applicant_name = applicant_name or customer.name
        applicant_phone = applicant_phone or customer.mobile or customer.landline
        applicant_email = applicant_email or customer.email
        applicant_language = customer.preferred_language
    name = _text(applicant_name)
    if not name:
        problems.append(
            _problem(
                "applicant_name",
                "name.required",
                "請填寫申請人姓名。",
                "Enter the applicant's name.",
            )
        )
    elif len(name) > 120:
        problems.append(
            _problem(
                "applicant_name",
                "name.too_long",
                "姓名最多 120 字。",
                "The name may have at most 120 characters.",
            )
        )
    phone = ""
    if applicant_phone.strip():
        try:
            phone = identifiers.validate_phone(applicant_phone).national
        except DomainError as error:
            problems.append(
                FieldProblem(field="applicant_phone", code=error.code, message=error.message)
            )
    email = ""
    if applicant_email.strip():
        try:
            email = identifiers.validate_email(applicant_email.strip())
        except DomainError as error:
            problems.append(
                FieldProblem(field="applicant_email", code=error.code, message=error.message)
            )
    if not applicant_phone.strip() and not applicant_email.strip():
        problems.append(
            _problem(
                "applicant_phone",
                "contact.required",
                "請留下電話或電子郵件，以便通知辦理進度。",
                "Give a phone number or an e-mail address so that we can tell you the progress.",
            )
        )
    if applicant_language not in ("zh-hant", "en"):
        problems.append(
            _problem(
                "applicant_language",
                "language.unknown",
                "語言須為 zh-hant 或 en。",
                "Language must be zh-hant or en.",
            )
        )
    if channel == Case.Channel.WEB and not _same_contact(
        verified_contact, email=email, phone=phone
    ):
        problems.append(
            _problem(
                "verified_contact",
                "contact.unverified",
                "請先以驗證碼確認您的電子郵件或手機號碼。",
                "Confirm your e-mail address or mobile number with the code first.",
            )
        )
    # -- attributes, works type, account
    cleaned_attributes: dict[str, Any] = {}
    given_attributes = dict(attributes or {})
    account_text = (account_number or "").strip()
    if domain_kind is not None:
        has_account_question = any(a.code == "account_number" for a in domain_kind.attributes)
        if has_account_question:
            if account_text and _attribute_missing(given_attributes.get("account_number")):
                given_attributes["account_number"] = account_text
            elif not account_text and not _attribute_missing(
                given_attributes.get("account_number")
            ):
                account_text = str(given_attributes["account_number"]).strip()
        cleaned_attributes, attribute_problems = _clean_attributes(
            domain_kind, given_attributes, today=today
        )
        problems.extend(attribute_problems)
        try:
            domain_kind.limit_for(works_type)
        except CatalogueError as error:
            problems.append(
                FieldProblem(field="works_type", code=error.code, message=error.message)
            )
    account: Account | None = None
    normalised_account = ""
    if account_text:
        try:
            normalised_account = identifiers.validate_account_number(account_text)
        except DomainError as error:
            problem_field = (
                "attributes.account_number"
                if "account_number" in given_attributes and not account_number
                else "account_number"
            )
            problems.append(
                FieldProblem(field=problem_field, code=error.code, message=error.message)
            )
        else:
            account = (
                Account.objects.select_related("customer", "service_centre")
                .filter(number=normalised_account)
                .first()
            )
            if "account_number" in cleaned_attributes:
                cleaned_attributes["account_number"] = normalised_account
    # -- place
    coordinates: dict[str, Decimal | None] = {}
    for coordinate_field, value, low, high in (
        ("latitude", latitude, -90, 90),
        ("longitude", longitude, -180, 180),
    ):
        try:
            coordinates[coordinate_field] = _coordinate(
                value, low=low, high=high, field=coordinate_field
            )
        except DomainError as error:
            problems.append(
                FieldProblem(field=coordinate_field, code=error.code, message=error.message)
            )
    address_text = _text(address)
    if len(address_text) > 200:
        problems.append(
            _problem(
                "address",
                "address.too_long",
                "地址最多 200 字。",
                "The address may have at most 200 characters.",
            )
        )
    description_text = (description or "").strip()
    if len(description_text) > NOTE_MAX:
        problems.append(
            _problem(
                "description",
                "description.too_long",
                f"說明最多 {NOTE_MAX} 字。",
                f"The description may have at most {NOTE_MAX} characters.",
            )
        )
    if media_url and not re.match(r"https?://\S+$", media_url):
        problems.append(
            _problem(
                "media_url",
                "media_url.invalid",
                "媒體網址必須以 http(s):// 開頭。",
                "The media URL must start with http(s)://.",
            )
        )
    # -- receipt time
    received = now
    if received_at is not None:
        if not staff_channel:
            received = now
        elif received_at.tzinfo is None:
            problems.append(
                _problem(
                    "received_at",
                    "datetime.naive",
                    "收件時間須含時區。",
                    "The receipt time must carry a time zone.",
                )
            )
        elif received_at > now + timedelta(minutes=1):
            problems.append(
                _problem(
                    "received_at",
                    "received.future",
                    "收件時間不可晚於現在。",
                    "The receipt time cannot be in the future.",
                )
            )
        elif received_at < now - MAX_BACKDATE:
            problems.append(
                _problem(
                    "received_at",
                    "received.too_old",
                    "收件時間不可早於 30 天前。",
                    "The receipt time cannot be more than 30 days ago.",
                )
            )
        else:
            received = received_at
    if problems:
        raise InvalidInputError(problems)
    if kind_row is None or domain_kind is None:  # unreachable: a problem was recorded
        raise NotFoundError(what=CASE_NOT_FOUND)
    if staff_channel and customer is None and account is not None:
        customer = account.customer
    centre = _centre_for(
        given=service_centre,
        actor=actor if staff_channel else None,
        account=account,
        address=address_text,
        client=open311_client,
    )
    if centre is None:
        raise _invalid(
            "service_centre",
            "service_centre.none",
            "尚未設定任何服務中心。",
            "No service centre is configured.",
        )
    if staff_channel:
        staff_selectors.require(actor, Capability.CASE_INTAKE, target_centre_id=centre.pk)
    first_step = domain_kind.steps[0]
    department = Department.objects.filter(code=first_step.department.value).first()
    if department is None:
        raise _invalid(
            "kind",
            "department.missing",
            f"部門「{first_step.department.value}」尚未建立。",
            f"The department {first_step.department.value!r} does not exist.",
        )
    with transaction.atomic():
        # The kind was read and the input checked outside this transaction: a catalogue edit
        # may have committed since. Share-lock its row until the case is saved (an edit, which
        # locks it FOR UPDATE, then waits, and its check sees this case; other openings of the
        # kind do not wait) and refuse if the version read is no longer current.
        current = _kind_version_locked(kind_row.pk)
        if current != (kind_row.version, True):
            raise _invalid(
                "kind",
                "kind.changed",
                "此申請類別剛被修改，請確認內容後再送出一次。",
                "This application kind was changed just now; please check and submit again.",
            )
        number = _next_number(centre, _local_day(received))
        case = Case(
            number=number,
            lookup_token=numbers.new_lookup_token(),
            kind=kind_row,
            kind_version=kind_row.version,
            channel=channel,
            customer=customer,
            applicant_name=name,
            applicant_phone=phone,
            applicant_email=email,
            applicant_language=applicant_language,
            phone_last4=_last4(phone),
            account=account,
            account_number=normalised_account,
            account_last4=normalised_account[-4:] if normalised_account else "",
            address=address_text,
            latitude=coordinates.get("latitude"),
            longitude=coordinates.get("longitude"),
            description=description_text,
            works_type=WorksType(works_type).value,
            attributes=cleaned_attributes,
            state=CaseState.RECEIVED.value,
            is_open=True,
            step=first_step.code,
            service_centre=centre,
            department=department,
            received_at=received,
            due_at=received,
            queue_ticket_ref=(queue_ticket_ref or "")[:40],
            open311_client=open311_client,
            media_url=media_url,
            requester_first_name=requester_first_name[:60],
            requester_last_name=requester_last_name[:60],
            device_id=device_id[:100],
            requester_account_id=requester_account_id[:100],
            address_id=address_id[:100],
            created_by=_user(actor) if staff_channel else None,
            created_at=now,
            updated_at=now,
        )
        refresh_sla(case, now=now, kind=domain_kind, pauses=[])
        case.save()
        _event(
            case,
            kind=CaseEvent.Kind.CREATED,
            actor=actor,
            at=received,
            public=True,
            text=Message(
                zh_hant=f"已受理「{domain_kind.name.zh_hant}」申請（{CHANNEL_NAMES[channel].zh_hant}）。",
                en=f"Application received: {domain_kind.name.en} ({CHANNEL_NAMES[channel].en}).",
            ),
            state_to=CaseState.RECEIVED.value,
            data={"channel": channel},
        )
        if open311_client is not None:
            Open311Client.objects.filter(pk=open311_client.pk).update(last_used_at=now)
        audit_record(
            actor=actor,
            verb="case.open",
            target=case,
            details={"kind": kind_row.code, "channel": channel, "centre": centre.code},
        )

        def receipt_context(language: str) -> dict[str, str]:
            lines = [
                f"- {_message_in(doc.name, language)}"
                + (
                    ""
                    if doc.required
                    else (" (if applicable)" if language == "en" else "（如適用）")
                )
                for doc in domain_kind.documents
            ]
            none_text = "(none)" if language == "en" else "（無須另備文件）"
            return {
                "received": case.received_at.astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M"),
                "due": _day_text(_local_day(case.due_at), language),
                "checklist": "\n".join(lines) or none_text,
            }

        _notify(
            case,
            template="case.receipt",
            key=f"case:{case.number}:receipt",
            actor=actor,
            at=now,
            context=receipt_context,
        )
    return case


# --- Workflow ---------------------------------------------------------------------------------


def _missing_items(kind: ApplicationKind, items: Sequence[Any]) -> list[dict[str, Any]]:
    documents = {doc.code: doc for doc in kind.documents}
    result: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, Mapping):
            zh, en = _text(str(item.get("zh_hant", ""))), _text(str(item.get("en", "")))
            if zh or en:
                result.append({"code": item.get("code"), "zh_hant": zh or en, "en": en or zh})
            continue
        text = _text(str(item))
        if not text:
            continue
        if text in documents:
            doc = documents[text]
            result.append({"code": doc.code, "zh_hant": doc.name.zh_hant, "en": doc.name.en})
        elif len(text) > 300:
            raise _invalid(
                "missing",
                "missing.too_long",
                "每一項最多 300 字。",
                "Each item may have at most 300 characters.",
            )
        else:
            result.append({"code": None, "zh_hant": text, "en": text})
    return result


def _missing_text(missing: Sequence[Mapping[str, Any]], language: str) -> str:
    key = "en" if language.startswith("en") else "zh_hant"
    return ("; " if key == "en" else "；").join(str(item[key]) for item in missing) or "—"


def _open_pause(
    case: Case,
    *,
    reason: PauseReason,
    missing: list[dict[str, Any]],
    note: str,
    actor: Any,
    now: datetime,
) -> CasePause:
    if case.pauses.filter(ended_at__isnull=True).exists():
        raise ConflictError(
            code="case.already_paused",
            message=Message(
                zh_hant="此案件已在暫停計時中；請先恢復計時。",
                en="The clock of this case is already paused; resume it first.",
            ),
        )
    pause = CasePause.objects.create(
        case=case,
        reason=reason.value,
        started_at=now,
        missing=missing,
        note=note,
        started_by=_user(actor),
    )
    label = PAUSE_REASON_LABELS[reason]
    what_zh = _missing_text(missing, "zh-hant") if missing else ""
    what_en = _missing_text(missing, "en") if missing else ""
    _event(
        case,
        kind=CaseEvent.Kind.PAUSE,
        actor=actor,
        at=now,
        public=True,
        text=Message(
            zh_hant=f"暫停計算處理時限：{label.zh_hant}"
            + (f"。待補：{what_zh}" if what_zh else ""),
            en=f"Time limit paused: {label.en}" + (f". Needed: {what_en}" if what_en else ""),
        ),
        note=note,
        data={"reason": reason.value, "missing": missing, "pause": pause.pk},
    )
    return pause


def _close_pause(case: Case, *, actor: Any, now: datetime, note: str = "") -> CasePause | None:
    pause = case.pauses.filter(ended_at__isnull=True).first()
    if pause is None:
        return None
    pause.ended_at = max(now, pause.started_at)
    pause.ended_by = _user(actor)
    pause.save(update_fields=["ended_at", "ended_by"])
    _event(
        case,
        kind=CaseEvent.Kind.RESUME,
        actor=actor,
        at=now,
        public=True,
        text=Message(zh_hant="恢復計算處理時限。", en="The time limit runs again."),
        note=note,
        data={"reason": pause.reason, "pause": pause.pk},
    )
    return pause


def _check_notes(*notes: str, field: str = "note") -> None:
    if any(len(note) > NOTE_MAX for note in notes):
        raise _invalid(
            field, "note.too_long", f"說明最多 {NOTE_MAX} 字。", f"At most {NOTE_MAX} characters."
        )


def _missing_required() -> InvalidInputError:
    return _invalid(
        "missing",
        "missing.required",
        "請列出尚缺的文件或資料（一次告知）。",
        "List exactly what is missing (all at once).",
    )


def _save_clock(case: Case, *, kind: ApplicationKind, now: datetime) -> None:
    """Recompute the SLA of ``case`` (locked) from its pauses and save it."""
    refresh_sla(case, now=now, kind=kind, pauses=list(case.pauses.all()))
    case.updated_at = now
    case.save(update_fields=[*SLA_FIELDS, "updated_at"])


def _apply_state(
    case: Case,
    *,
    target: CaseState,
    actor: Any,
    now: datetime,
    public_note: str,
    note: str,
    kind: ApplicationKind,
    notify: bool = True,
) -> CaseEvent:
    """Move ``case`` (locked) to ``target``: pauses, clock, timeline, notification.

    A move the process does not allow is an InvalidInputError naming ``state``."""
    source = CaseState(case.state)
    try:
        check_transition(source, target)
    except TransitionError as error:
        raise InvalidInputError.from_domain(error, field="state") from error
    source_info, target_info = state_info(source), state_info(target)
    if source_info.pause_reason is not None and target_info.pause_reason is None:
        _close_pause(case, actor=actor, now=now)
    case.state = target.value
    if public_note:
        case.public_note = public_note
    if target is CaseState.COMPLETED:
        case.completed_at = now
        case.is_open = False
    elif target is CaseState.CLOSED:
        case.closed_at = now
        case.is_open = False
    elif target in (CaseState.CANCELLED, CaseState.TRANSFERRED):
        case.closed_at = now
        case.is_open = False
        _close_pause(case, actor=actor, now=now)
    pauses = list(case.pauses.all())
    if target not in (CaseState.CLOSED, CaseState.CANCELLED, CaseState.TRANSFERRED):
        status = refresh_sla(case, now=now, kind=kind, pauses=pauses)
        if target is CaseState.COMPLETED:
            case.sla_state = (
                SlaState.MET.value if status.elapsed <= status.allowed else SlaState.BREACHED.value
            )
            case.actual_working_days = actual_working_days(
                case_clock(case, kind=kind, pauses=pauses), calendar=_calendar()
            )
    else:
        case.paused = False
    case.updated_at = now
    case.save()
    changed_publicly = source_info.public_label != target_info.public_label
    event = _event(
        case,
        kind=CaseEvent.Kind.STATE,
        actor=actor,
        at=now,
        public=changed_publicly or bool(public_note),
        text=Message(
            zh_hant=f"狀態：{target_info.public_label.zh_hant}",
            en=f"Status: {target_info.public_label.en}",
        ),
        note=public_note or note,
        state_from=source.value,
        state_to=target.value,
        data={"internal_note": note} if note and public_note else {},
    )
    if notify and (changed_publicly or public_note) and target is not CaseState.CLOSED:
        if target is CaseState.COMPLETED:

            def completed_context(language: str) -> dict[str, str]:
                return {"completed": _day_text(_local_day(now), language)}

            _notify(
                case,
                template="case.completed",
                key=f"case:{case.number}:completed:{event.pk}",
                actor=actor,
                at=now,
                context=completed_context,
            )
        elif target_info.pause_reason is None:
            _notify(
                case,
                template="case.status",
                key=f"case:{case.number}:status:{event.pk}",
                actor=actor,
                at=now,
                context=_status_context(case),
            )
    return event


def _notify_paused(case: Case, pause: CasePause, *, actor: Any, now: datetime) -> None:
    reason = PAUSE_REASON_LABELS[PauseReason(pause.reason)]

    def context(language: str) -> dict[str, str]:
        return {
            "reason": _message_in(reason, language),
            "missing": _missing_text(pause.missing, language)
            if pause.missing
            else (pause.note or "—"),
        }

    _notify(
        case,
        template="case.paused",
        key=f"case:{case.number}:paused:{pause.pk}",
        actor=actor,
        at=now,
        context=context,
    )


def _pause_and_tell(
    case: Case,
    *,
    reason: PauseReason,
    missing: list[dict[str, Any]],
    note: str,
    actor: Any,
    now: datetime,
    kind: ApplicationKind,
) -> CasePause:
    """Stop the clock of ``case`` (locked), save it, and tell the customer what is missing."""
    pause = _open_pause(case, reason=reason, missing=missing, note=note, actor=actor, now=now)
    _save_clock(case, kind=kind, now=now)
    _notify_paused(case, pause, actor=actor, now=now)
    return pause


def case_transition(
    *,
    actor: Any,
    case: Case,
    state: str,
    public_note: str = "",
    note: str = "",
    missing: Sequence[Any] = (),
) -> Case:
    """Move the case to ``state`` (see the contract); waiting states pause the clock."""
    _require(actor, case)
    now = timezone.now()
    public_note, note = (public_note or "").strip(), (note or "").strip()
    try:
        target = state_info(state).state
    except TransitionError as error:
        raise InvalidInputError.from_domain(error, field="state") from error
    if target is CaseState.CANCELLED and not (public_note or note):
        raise _invalid(
            "note",
            "cancel.reason_required",
            "撤銷案件須說明原因。",
            "Give the reason for cancelling.",
        )
    _check_notes(public_note, note)
    with transaction.atomic():
        locked = _locked(case)
        kind = locked.kind.as_domain()
        reason = state_info(target).pause_reason
        items = _missing_items(kind, missing) if reason is not None else []
        if target is CaseState.AWAITING_DOCUMENTS and not items:
            raise _missing_required()
        _apply_state(
            locked,
            target=target,
            actor=actor,
            now=now,
            public_note=public_note,
            note=note,
            kind=kind,
        )
        if reason is not None:
            _pause_and_tell(
                locked, reason=reason, missing=items, note=note, actor=actor, now=now, kind=kind
            )
        audit_record(
            actor=actor,
            verb="case.transition",
            target=locked,
            details={"from": case.state, "to": target.value},
        )
    return locked


def case_complete(*, actor: Any, case: Case, public_note: str = "", note: str = "") -> Case:
    return case_transition(
        actor=actor, case=case, state=CaseState.COMPLETED.value, public_note=public_note, note=note
    )


def case_close(*, actor: Any, case: Case, note: str = "") -> Case:
    return case_transition(actor=actor, case=case, state=CaseState.CLOSED.value, note=note)


def case_cancel(*, actor: Any, case: Case, reason: str) -> Case:
    return case_transition(
        actor=actor, case=case, state=CaseState.CANCELLED.value, public_note=reason
    )


def case_pause(
    *,
    actor: Any,
    case: Case,
    reason: str,
    missing: Sequence[Any] = (),
    note: str = "",
) -> CasePause:
    """Stop the clock for ``reason`` (see the contract); tells the customer what is missing."""
    _require(actor, case)
    now = timezone.now()
    try:
        pause_reason = PauseReason(reason)
    except ValueError:
        known = ", ".join(r.value for r in PauseReason)
        raise _invalid(
            "reason",
            "pause.reason",
            f"暫停原因須為：{known}。",
            f"The pause reason must be one of: {known}.",
        ) from None
    note = (note or "").strip()
    _check_notes(note)
    with transaction.atomic():
        locked = _locked(case)
        if not locked.is_open:
            raise _invalid(
                "state",
                "case.closed",
                "案件已結束，不能暫停。",
                "The case is finished; it cannot be paused.",
            )
        kind = locked.kind.as_domain()
        items = _missing_items(kind, missing)
        if pause_reason is PauseReason.DOCUMENTS_MISSING and not items:
            raise _missing_required()
        if pause_reason in (PauseReason.CUSTOMER_REQUEST, PauseReason.OTHER_AGENCY) and not (
            items or note
        ):
            raise _invalid(
                "note",
                "pause.note_required",
                "請說明暫停的原因或等待的事項。",
                "Say what the case is waiting for.",
            )
        if locked.pauses.filter(ended_at__isnull=True).exists():
            raise ConflictError(
                code="case.already_paused",
                message=Message(
                    zh_hant="此案件已在暫停計時中；請先恢復計時。",
                    en="The clock of this case is already paused; resume it first.",
                ),
            )
        target = PAUSE_STATE.get(pause_reason)
        if target is not None and locked.state != target.value:
            _apply_state(
                locked,
                target=target,
                actor=actor,
                now=now,
                public_note="",
                note=note,
                kind=kind,
                notify=False,
            )
        pause = _pause_and_tell(
            locked, reason=pause_reason, missing=items, note=note, actor=actor, now=now, kind=kind
        )
        audit_record(
            actor=actor,
            verb="case.pause",
            target=locked,
            details={"reason": pause_reason.value, "missing": [m["zh_hant"] for m in items]},
        )
    return pause


def case_resume(*, actor: Any, case: Case, note: str = "", state: str | None = None) -> Case:
    """Start the clock again; a waiting state moves on (see the contract)."""
    _require(actor, case)
    now = timezone.now()
    note = (note or "").strip()
    with transaction.atomic():
        locked = _locked(case)
        kind = locked.kind.as_domain()
        if not locked.pauses.filter(ended_at__isnull=True).exists():
            raise ConflictError(
                code="case.not_paused",
                message=Message(
                    zh_hant="此案件並未暫停計時。", en="The clock of this case is not paused."
                ),
            )
        current = CaseState(locked.state)
        target: CaseState | None = None
        if state:
            try:
                target = state_info(state).state
            except TransitionError as error:
                raise InvalidInputError.from_domain(error, field="state") from error
        elif current in RESUME_TO:
            target = RESUME_TO[current]
        _close_pause(locked, actor=actor, now=now, note=note)
        if target is not None and target is not current:
            _apply_state(
                locked,
                target=target,
                actor=actor,
                now=now,
                public_note="",
                note=note,
                kind=kind,
                notify=False,
            )
        _save_clock(locked, kind=kind, now=now)
        event = locked.events.filter(kind=CaseEvent.Kind.RESUME).order_by("-id").first()
        _notify(
            locked,
            template="case.status",
            key=f"case:{locked.number}:resumed:{event.pk if event else now.timestamp()}",
            actor=actor,
            at=now,
            context=_status_context(locked),
        )
        audit_record(
            actor=actor, verb="case.resume", target=locked, details={"state": locked.state}
        )
    return locked


# --- Assignment -------------------------------------------------------------------------------


def _assignee_problem(case: Case, assignee: Any) -> FieldProblem | None:
    if (
        not isinstance(assignee, User)
        or not assignee.is_active
        or assignee.department_id != case.department_id
        or (
            assignee.service_centre_id is not None
            and assignee.service_centre_id != case.service_centre_id
        )
    ):
        return _problem(
            "assignee",
            "assignee.not_allowed",
            f"承辦人須為承辦部門的在職同仁，且屬於本案服務中心（案號 {case.number}）。",
            f"The assignee must be active staff of the handling department and of the case's "
            f"service centre (case {case.number}).",
        )
    return None


def _notice_assigned(case: Case, assignee: User, *, now: datetime) -> None:
    StaffNotice.objects.get_or_create(
        key=f"assigned:{case.pk}:{assignee.pk}:{int(now.timestamp())}",
        defaults={
            "recipient": assignee,
            "kind": StaffNotice.Kind.ASSIGNED,
            "case": case,
            "subject_zh": f"新指派案件 {case.number}（{case.kind.name_zh}）",
            "subject_en": f"Case {case.number} assigned to you ({case.kind.name_en})",
            "body_zh": f"到期：{_day_text(_local_day(case.due_at), 'zh-hant')}",
            "body_en": f"Due: {_day_text(_local_day(case.due_at), 'en')}",
            "created_at": now,
        },
    )


def case_assign(*, actor: Any, case: Case, assignee: User | None) -> Case:
    """Assign the case to a person of its department (``None`` clears the assignee)."""
    _require(actor, case, Capability.CASE_ASSIGN)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(case)
        if assignee is not None:
            problem = _assignee_problem(locked, assignee)
            if problem is not None:
                raise InvalidInputError([problem])
        previous = locked.assignee_id
        locked.assignee = assignee
        locked.updated_at = now
        locked.save(update_fields=["assignee", "updated_at"])
        _event(
            locked,
            kind=CaseEvent.Kind.ASSIGN,
            actor=actor,
            at=now,
            text=Message(
                zh_hant=f"指派承辦人：{assignee}" if assignee else "取消指派承辦人",
                en=f"Assigned to {assignee}" if assignee else "Assignee cleared",
            ),
            data={"from": previous, "to": assignee.pk if assignee else None},
        )
        if assignee is not None and assignee.pk != getattr(actor, "pk", None):
            _notice_assigned(locked, assignee, now=now)
        audit_record(
            actor=actor,
            verb="case.assign",
            target=locked,
            details={"from": previous, "to": assignee.pk if assignee else None},
        )
    return locked


def case_transfer(
    *,
    actor: Any,
    case: Case,
    department: str,
    step: str = "",
    assignee: User | None = None,
    note: str = "",
) -> Case:
    """Hand the case to another department (and step); see the contract."""
    _require(actor, case, Capability.CASE_ASSIGN)
    now = timezone.now()
    target = Department.objects.filter(code=department).first()
    if target is None:
        raise _invalid(
            "department",
            "department.unknown",
            f"沒有部門「{department}」。",
            f"No department {department!r}.",
        )
    with transaction.atomic():
        locked = _locked(case)
        if not locked.is_open:
            raise _invalid(
                "state",
                "case.closed",
                "案件已結束，不能移轉。",
                "The case is finished; it cannot be transferred.",
            )
        kind = locked.kind.as_domain()
        steps = [s for s in kind.steps if s.department.value == department]
        if step:
            chosen = next((s for s in steps if s.code == step), None)
            if chosen is None:
                raise _invalid(
                    "step",
                    "step.unknown",
                    f"「{kind.name.zh_hant}」沒有由該部門辦理的步驟「{step}」。",
                    f"{kind.name.en} has no step {step!r} handled by that department.",
                )
        else:
            chosen = steps[0] if steps else None
        previous_department, previous_step = locked.department_id, locked.step
        locked.department = target
        if chosen is not None:
            locked.step = chosen.code
        locked.assignee = None
        if assignee is not None:
            problem = _assignee_problem(locked, assignee)
            if problem is not None:
                raise InvalidInputError([problem])
            locked.assignee = assignee
        locked.updated_at = now
        locked.save(update_fields=["department", "step", "assignee", "updated_at"])
        step_changed = chosen is not None and chosen.code != previous_step
        _event(
            locked,
            kind=CaseEvent.Kind.TRANSFER,
            actor=actor,
            at=now,
            public=step_changed,
            text=Message(
                zh_hant=f"轉{target.name_zh}辦理" + (f"：{chosen.name.zh_hant}" if chosen else ""),
                en=f"Passed to the {target.name_en}" + (f": {chosen.name.en}" if chosen else ""),
            ),
            note=(note or "").strip(),
            data={
                "from": previous_department,
                "to": department,
                "step_from": previous_step,
                "step_to": locked.step,
            },
        )
        if assignee is not None:
            _notice_assigned(locked, assignee, now=now)
        audit_record(
            actor=actor,
            verb="case.transfer",
            target=locked,
            details={"from": previous_department, "to": department, "step": locked.step},
        )
    return locked


def case_bulk_reassign(*, actor: Any, case_ids: Sequence[int], assignee: User) -> int:
    """Give every case of ``case_ids`` to ``assignee``; all or nothing."""
    if not (
        staff_selectors.may(actor, Capability.CASE_SUPERVISE)
        or staff_selectors.may(actor, Capability.CASE_ASSIGN)
    ):
        raise PermissionDeniedError()
    ids = sorted({int(i) for i in case_ids})
    if not ids:
        raise _invalid("case_ids", "case_ids.empty", "請選擇案件。", "Choose at least one case.")
    now = timezone.now()
    supervisor = staff_selectors.may(actor, Capability.CASE_SUPERVISE)
    with transaction.atomic():
        cases = list(
            Case.objects.select_for_update()
            .select_related("kind")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        found = {c.pk for c in cases}
        bad: list[str] = [str(i) for i in ids if i not in found]
        for item in cases:
            if not may_view(actor, item):
                bad.append(str(item.pk))
                continue
            if not item.is_open or _assignee_problem(item, assignee) is not None:
                bad.append(item.number)
                continue
            if not supervisor and not may_assign(actor, item):
                bad.append(item.number)
        if bad:
            raise _invalid(
                "case_ids",
                "case_ids.not_assignable",
                f"下列案件不能指派給 {assignee}：{'、'.join(bad)}。",
                f"These cases cannot be given to {assignee}: {', '.join(bad)}.",
            )
        changed = 0
        for item in cases:
            if item.assignee_id == assignee.pk:
                continue
            previous = item.assignee_id
            item.assignee = assignee
            item.updated_at = now
            item.save(update_fields=["assignee", "updated_at"])
            _event(
                item,
                kind=CaseEvent.Kind.ASSIGN,
                actor=actor,
                at=now,
                text=Message(zh_hant=f"改派承辦人：{assignee}", en=f"Reassigned to {assignee}"),
                data={"from": previous, "to": assignee.pk, "bulk": True},
            )
            audit_record(
                actor=actor,
                verb="case.assign",
                target=item,
                details={"from": previous, "to": assignee.pk, "bulk": True},
            )
            changed += 1
        if changed:
            StaffNotice.objects.create(
                recipient=assignee,
                kind=StaffNotice.Kind.ASSIGNED,
                key=f"bulk:{assignee.pk}:{uuid.uuid4().hex}",
                subject_zh=f"改派給您的案件 {changed} 件",
                subject_en=f"{changed} case(s) reassigned to you",
                body_zh="、".join(c.number for c in cases),
                body_en=", ".join(c.number for c in cases),
                created_at=now,
            )
    return changed


# --- Notes, supply date, details -------------------------------------------------------------


def case_note_add(*, actor: Any, case: Case, text: str, public: bool = False) -> CaseEvent:
    """Add an internal note, or a public one the customer is told about."""
    _require(actor, case)
    body = (text or "").strip()
    if not body:
        raise _invalid("text", "note.required", "請填寫內容。", "Enter the note.")
    if len(body) > NOTE_MAX:
        raise _invalid(
            "text", "note.too_long", f"內容最多 {NOTE_MAX} 字。", f"At most {NOTE_MAX} characters."
        )
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(case)
        event = _event(
            locked,
            kind=CaseEvent.Kind.NOTE,
            actor=actor,
            at=now,
            public=public,
            text=Message(zh_hant="承辦說明", en="Message from the office")
            if public
            else Message(zh_hant="內部備註", en="Internal note"),
            note=body,
        )
        if public:
            locked.public_note = body
            locked.updated_at = now
            locked.save(update_fields=["public_note", "updated_at"])
            _notify(
                locked,
                template="case.note",
                key=f"case:{locked.number}:note:{event.pk}",
                actor=actor,
                at=now,
                context=lambda language: {"note": body},
            )
        audit_record(
            actor=actor,
            verb="case.note_add",
            target=locked,
            details={"public": public, "event": event.pk},
        )
    return event


def case_supply_date_set(
    *, actor: Any, case: Case, supply_date: date, agreed_by: str, note: str = ""
) -> Case:
    """Record the supply date agreed with the customer (約定供電日期)."""
    _require(actor, case)
    now = timezone.now()
    today = _local_day(now)
    problems: list[FieldProblem] = []
    if type(supply_date) is not date:
        problems.append(_problem("supply_date", "date.invalid", "請填寫日期。", "Enter a date."))
    elif supply_date < today:
        problems.append(
            _problem(
                "supply_date",
                "date.past",
                "約定供電日期不可早於今天。",
                "The supply date cannot be in the past.",
            )
        )
    elif not _calendar().is_working_day(supply_date):
        problems.append(
            _problem(
                "supply_date",
                "date.not_working_day",
                "約定供電日期須為上班日。",
                "The supply date must be a working day.",
            )
        )
    agreed = _text(agreed_by)
    if not agreed:
        problems.append(
            _problem(
                "agreed_by",
                "agreed_by.required",
                "請記錄與誰、以何種方式約定（例：申請人電話同意）。",
                "Record who agreed and how (e.g. the applicant, by phone).",
            )
        )
    elif len(agreed) > 200:
        problems.append(
            _problem("agreed_by", "agreed_by.too_long", "最多 200 字。", "At most 200 characters.")
        )
    if problems:
        raise InvalidInputError(problems)
    with transaction.atomic():
        locked = _locked(case)
        if not locked.is_open:
            raise _invalid("state", "case.closed", "案件已結束。", "The case is finished.")
        kind = locked.kind.as_domain()
        locked.supply_date = supply_date
        locked.supply_date_agreed_at = now
        locked.supply_date_agreed_by = agreed
        locked.updated_at = now
        locked.save(
            update_fields=[
                "supply_date",
                "supply_date_agreed_at",
                "supply_date_agreed_by",
                "updated_at",
            ]
        )
        if locked.state != CaseState.SCHEDULED.value:
            try:
                check_transition(locked.state, CaseState.SCHEDULED)
            except TransitionError:
                pass
            else:
                _apply_state(
                    locked,
                    target=CaseState.SCHEDULED,
                    actor=actor,
                    now=now,
                    public_note="",
                    note=note,
                    kind=kind,
                    notify=False,
                )
        event = _event(
            locked,
            kind=CaseEvent.Kind.SUPPLY_DATE,
            actor=actor,
            at=now,
            public=True,
            text=Message(
                zh_hant=f"已與您約定供電日期：{_day_text(supply_date, 'zh-hant')}",
                en=f"Supply date agreed with you: {supply_date.isoformat()}",
            ),
            note=(note or "").strip(),
            data={"supply_date": supply_date.isoformat(), "agreed_by": agreed},
        )
        _notify(
            locked,
            template="case.supply_date",
            key=f"case:{locked.number}:supply_date:{event.pk}",
            actor=actor,
            at=now,
            context=lambda language: {"supply_date": _day_text(supply_date, language)},
        )
        audit_record(
            actor=actor,
            verb="case.supply_date_set",
            target=locked,
            details={"supply_date": supply_date.isoformat(), "agreed_by": agreed},
        )
    return locked


EDITABLE_DETAILS: Final = frozenset(
    {
        "applicant_phone",
        "applicant_email",
        "address",
        "latitude",
        "longitude",
        "description",
        "works_type",
        "account_number",
    }
)


def case_details_update(*, actor: Any, case: Case, **changes: Any) -> Case:
    """Correct the applicant's contact, the place, the description, works type or 電號."""
    _require(actor, case)
    unknown = sorted(set(changes) - EDITABLE_DETAILS)
    if unknown:
        raise _invalid(
            unknown[0],
            "field.not_editable",
            "此欄位不能在此修改。",
            "This field cannot be changed here.",
        )
    now = timezone.now()
    problems: list[FieldProblem] = []
    values: dict[str, Any] = {}
    for name, value in changes.items():
        try:
            if name == "applicant_phone":
                values[name] = identifiers.validate_phone(value).national if value else ""
                values["phone_last4"] = _last4(values[name])
            elif name == "applicant_email":
                values[name] = identifiers.validate_email(value.strip()) if value else ""
            elif name in ("latitude", "longitude"):
                low, high = (-90, 90) if name == "latitude" else (-180, 180)
                values[name] = _coordinate(value, low=low, high=high, field=name)
            elif name == "account_number":
                number = identifiers.validate_account_number(value) if value else ""
                values[name] = number
                values["account_last4"] = number[-4:]
                values["account"] = (
                    Account.objects.filter(number=number).first() if number else None
                )
            elif name == "works_type":
                case.kind.as_domain().limit_for(value)
                values[name] = WorksType(value).value
            elif name == "address":
                text = _text(value)
                if len(text) > 200:
                    raise DomainError(
                        code="address.too_long",
                        zh_hant="地址最多 200 字。",
                        en="At most 200 characters.",
                    )
                values[name] = text
            else:
                text = (value or "").strip()
                if len(text) > NOTE_MAX:
                    raise DomainError(
                        code="description.too_long",
                        zh_hant=f"最多 {NOTE_MAX} 字。",
                        en=f"At most {NOTE_MAX} characters.",
                    )
                values[name] = text
        except DomainError as error:
            problems.append(FieldProblem(field=name, code=error.code, message=error.message))
    if problems:
        raise InvalidInputError(problems)
    with transaction.atomic():
        locked = _locked(case)
        if "applicant_phone" in values or "applicant_email" in values:
            phone = values.get("applicant_phone", locked.applicant_phone)
            email = values.get("applicant_email", locked.applicant_email)
            if not phone and not email:
                raise _invalid(
                    "applicant_phone",
                    "contact.required",
                    "請保留電話或電子郵件其中之一。",
                    "Keep a phone number or an e-mail address.",
                )
        before = {name: str(getattr(locked, name)) for name in values if name != "account"}
        for name, value in values.items():
            setattr(locked, name, value)
        if "works_type" in values and locked.is_open:
            refresh_sla(locked, now=now)
        locked.updated_at = now
        locked.save()
        _event(
            locked,
            kind=CaseEvent.Kind.EDIT,
            actor=actor,
            at=now,
            text=Message(zh_hant="修改案件資料", en="Details changed"),
            data={"fields": sorted(before)},
        )
        audit_record(
            actor=actor,
            verb="case.details_update",
            target=locked,
            details={"fields": sorted(before)},
        )
    return locked


# --- Attachments -------------------------------------------------------------------------------


def sniff_content_type(head: bytes) -> str | None:
    """The content type shown by the file's first bytes, if it is one we accept."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    return None


def _safe_name(name: str) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(
        ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C"
    )
    return base.strip().strip(".")[:200]


def _read_content(content: bytes | IO[bytes], limit: int) -> bytes:
    if isinstance(content, bytes | bytearray):
        return bytes(content[: limit + 1])
    chunks = getattr(content, "chunks", None)
    data = bytearray()
    if callable(chunks):
        for chunk in chunks():
            data.extend(chunk)
            if len(data) > limit:
                break
        return bytes(data[: limit + 1])
    return bytes(content.read(limit + 1))


def case_attachment_add(
    *, actor: Any, case: Case, name: str, content: bytes | IO[bytes], description: str = ""
) -> CaseAttachment:
    """Store a checked file outside the web root and link it to the case."""
    _require(actor, case)
    limit = attachment_max_bytes()
    original = _safe_name(name)
    extension = Path(original).suffix.lower()
    data = _read_content(content, limit)
    mb = limit // (1024 * 1024)
    if not original:
        raise _invalid("file", "file.name", "請選擇檔案。", "Choose a file.")
    if len(data) == 0:
        raise _invalid("file", "file.empty", "檔案是空的。", "The file is empty.")
    if len(data) > limit:
        raise _invalid(
            "file",
            "file.too_large",
            f"檔案超過 {mb} MB 上限。",
            f"The file is larger than {mb} MB.",
        )
    expected = ATTACHMENT_TYPES.get(extension)
    allowed = " ".join(sorted(ATTACHMENT_TYPES))
    if expected is None:
        raise _invalid(
            "file",
            "file.type",
            f"只接受下列檔案類型：{allowed}。",
            f"Only these file types are accepted: {allowed}.",
        )
    sniffed = sniff_content_type(data[:16])
    if sniffed != expected:
        raise _invalid(
            "file",
            "file.disguised",
            "檔案內容與副檔名不符，未予接受。",
            "The file's content does not match its extension; it was refused.",
        )
    if len(_text(description)) > 200:
        raise _invalid(
            "description", "description.too_long", "說明最多 200 字。", "At most 200 characters."
        )
    folder = attachment_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    storage_name = f"{uuid.uuid4().hex}.bin"
    path = folder / storage_name
    now = timezone.now()
    with open(path, "xb") as handle:
        handle.write(data)
    path.chmod(0o600)
    try:
        with transaction.atomic():
            locked = _locked(case)
            attachment = CaseAttachment.objects.create(
                case=locked,
                storage_name=storage_name,
                original_name=original,
                content_type=sniffed,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                description=_text(description),
                uploaded_at=now,
                uploaded_by=_user(actor),
                uploaded_by_label=_label(actor),
            )
            _event(
                locked,
                kind=CaseEvent.Kind.ATTACHMENT,
                actor=actor,
                at=now,
                text=Message(zh_hant=f"附件：{original}", en=f"Attachment: {original}"),
                data={"attachment": attachment.pk, "size": len(data)},
            )
            audit_record(
                actor=actor,
                verb="case.attachment_add",
                target=locked,
                details={
                    "attachment": attachment.pk,
                    "name": original,
                    "sha256": attachment.sha256,
                },
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return attachment


_STORAGE_NAME: Final = re.compile(r"[0-9a-f]{32}\.bin")
ORPHAN_MIN_AGE: Final = timedelta(days=1)
ORPHAN_MAX_DELETE: Final = 200


def case_attachment_sweep(
    *,
    min_age: timedelta = ORPHAN_MIN_AGE,
    now: datetime | None = None,
    max_delete: int = ORPHAN_MAX_DELETE,
) -> int:
    """Delete stored attachment files that no attachment row names (daily schedule).

    ``case_attachment_add`` writes the file before its row and deletes it when its own
    transaction fails; a caller's outer transaction that rolls back later leaves the file
    behind: a personal document nobody can reach. Files younger than ``min_age`` are kept (their
    upload may still be committing); only our own ``<32 hex>.bin`` names are considered. More
    than ``max_delete`` orphans at once means something else is wrong (a database restored from
    an older backup, two sites sharing the folder): then nothing is deleted, and the refusal is
    logged and audited for an operator to look at. Returns the number of files deleted."""
    folder = attachment_dir()
    if not folder.is_dir():
        return 0
    cutoff = (now or timezone.now()).timestamp() - min_age.total_seconds()
    candidates: dict[str, Path] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            if not _STORAGE_NAME.fullmatch(entry.name):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:  # deleted meanwhile
                continue
            if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff:
                candidates[entry.name] = Path(entry.path)
    names = sorted(candidates)
    known: set[str] = set()
    for first in range(0, len(names), 1000):
        known.update(
            CaseAttachment.objects.filter(storage_name__in=names[first : first + 1000]).values_list(
                "storage_name", flat=True
            )
        )
    orphans = [name for name in names if name not in known]
    if len(orphans) > max_delete:
        logger.warning(
            "attachment sweep: %d unreferenced files in %s (more than %d): nothing deleted",
            len(orphans),
            folder,
            max_delete,
        )
        audit_record(
            actor=None,
            verb="case.attachment_sweep_refused",
            details={"orphans": len(orphans), "max_delete": max_delete},
        )
        return 0
    for name in orphans:
        candidates[name].unlink(missing_ok=True)
    if orphans:
        audit_record(
            actor=None,
            verb="case.attachment_sweep",
            details={"deleted": len(orphans), "files": orphans[:100]},
        )
    return len(orphans)


# --- Catalogue ---------------------------------------------------------------------------------


@dataclass
class CatalogueSyncResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)


def catalogue_sync(*, actor: Any, path: Path | None = None) -> CatalogueSyncResult:
    """Bring the catalogue rows in line with the TOML file (new version per changed kind)."""
    if actor is not None:
        staff_selectors.require(actor, Capability.CATALOGUE_EDIT)
    try:
        loaded = domain_catalogue.load_catalogue(path or domain_catalogue.CATALOGUE_PATH)
    except CatalogueError as error:
        raise InvalidInputError.from_domain(error, field="catalogue") from error
    now = timezone.now()
    result = CatalogueSyncResult()
    with transaction.atomic():
        existing = {row.code: row for row in CaseKind.objects.select_for_update()}
        for position, kind in enumerate(loaded, start=1):
            values = kind_row_fields(kind, position=position)
            row = existing.get(kind.code)
            if row is None:
                CaseKind.objects.create(
                    code=kind.code, updated_at=now, updated_by=_user(actor), **values
                )
                result.created.append(kind.code)
                continue
            changed = [name for name, value in values.items() if getattr(row, name) != value]
            if not row.active:
                changed.append("active")
            if not changed:
                result.unchanged.append(kind.code)
                continue
            for name, value in values.items():
                setattr(row, name, value)
            row.active = True
            row.version += 1
            row.updated_at = now
            row.updated_by = _user(actor)
            row.save()
            result.updated.append(kind.code)
        codes = {kind.code for kind in loaded}
        for code, row in existing.items():
            if code not in codes and row.active:
                row.active = False
                row.version += 1
                row.updated_at = now
                row.save(update_fields=["active", "version", "updated_at"])
                result.deactivated.append(code)
        audit_record(
            actor=actor,
            verb="catalogue.sync",
            details={
                "created": result.created,
                "updated": result.updated,
                "deactivated": result.deactivated,
            },
        )
    return result


KIND_EDITABLE: Final = frozenset(
    {
        "name_zh",
        "name_en",
        "description_zh",
        "description_en",
        "keywords_zh",
        "keywords_en",
        "group",
        "public",
        "open311_service_code",
        "limit_unit",
        "limits",
        "limit_basis",
        "steps",
        "documents",
        "fees",
        "attributes",
        "response_templates",
        "active",
        "position",
    }
)


def _kind_table(values: Mapping[str, Any], code: str) -> dict[str, Any]:
    """The kind as a table of the catalogue file, for the domain loader's checks."""

    def clean(items: Any, drop: tuple[str, ...] = ()) -> Any:
        if not isinstance(items, list):
            return items
        out = []
        for item in items:
            if isinstance(item, dict):
                out.append({k: v for k, v in item.items() if k not in drop and v is not None})
            else:
                out.append(item)
        return out

    fees = clean(values["fees"])
    if isinstance(fees, list):
        fees = [
            {**fee, "amount": fee.get("amount", "per_quote")} if isinstance(fee, dict) else fee
            for fee in fees
        ]
    attributes = clean(values["attributes"], drop=("order",))
    if isinstance(attributes, list):
        attributes = [
            {k: v for k, v in a.items() if not (k == "values" and not v)}
            if isinstance(a, dict)
            else a
            for a in attributes
        ]
    limits = values["limits"]
    limit: dict[str, Any] = {"unit": values["limit_unit"]}
    if values["limit_unit"] == "working_hours" and isinstance(limits, dict):
        limit["amount"] = next(iter(limits.values()), None)
    elif isinstance(limits, dict):
        limit.update(limits)
    table: dict[str, Any] = {
        "code": code,
        "name": {"zh_hant": values["name_zh"], "en": values["name_en"]},
        "description": {"zh_hant": values["description_zh"], "en": values["description_en"]},
        "keywords": {"zh_hant": values["keywords_zh"] or "-", "en": values["keywords_en"] or "-"},
        "group": values["group"],
        "public": values["public"],
        "limit": limit,
        "limit_basis": values["limit_basis"],
        "steps": values["steps"],
        "documents": clean(values["documents"]),
        "fees": fees,
        "attributes": attributes,
    }
    if values.get("open311_service_code"):
        table["open311_service_code"] = values["open311_service_code"]
    return table


def _check_response_templates(items: Any) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise _invalid(
            "response_templates",
            "templates.shape",
            "回覆範本必須是清單。",
            "Response templates must be a list.",
        )
    cleaned = []
    codes: set[str] = set()
    for index, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        text = item.get("text") if isinstance(item, dict) else None
        code = str(item.get("code", "")).strip() if isinstance(item, dict) else ""
        if (
            not code
            or code in codes
            or not isinstance(name, dict)
            or not isinstance(text, dict)
            or not all(
                str(part.get(lang, "")).strip()
                for part in (name, text)
                for lang in ("zh_hant", "en")
            )
        ):
            raise _invalid(
                f"response_templates[{index}]",
                "templates.item",
                "每個回覆範本須有不重複的代碼，以及中英文名稱與內容。",
                "Each response template needs a unique code and a name and text in both languages.",
            )
        codes.add(code)
        cleaned.append(
            {
                "code": code,
                "name": {"zh_hant": name["zh_hant"].strip(), "en": name["en"].strip()},
                "text": {"zh_hant": text["zh_hant"].strip(), "en": text["en"].strip()},
            }
        )
    return cleaned


def catalogue_kind_update(*, actor: Any, kind: CaseKind, changes: Mapping[str, Any]) -> CaseKind:
    """Edit one kind (業務組); the result is checked like the catalogue file; new version."""
    staff_selectors.require(actor, Capability.CATALOGUE_EDIT)
    unknown = sorted(set(changes) - KIND_EDITABLE)
    if unknown:
        raise _invalid(
            unknown[0], "field.not_editable", "此欄位不能修改。", "This field cannot be changed."
        )
    now = timezone.now()
    with transaction.atomic():
        row = CaseKind.objects.select_for_update().get(pk=kind.pk)
        values = {name: getattr(row, name) for name in KIND_EDITABLE}
        values.update(changes)
        if "response_templates" in changes:
            values["response_templates"] = _check_response_templates(changes["response_templates"])
        try:
            parsed = domain_catalogue._kind(
                domain_catalogue._Reader(_kind_table(values, row.code), kind=None, path="")
            )
        except CatalogueError as error:
            key = str(error.details.get("key") or error.field or "kind")
            raise InvalidInputError.from_domain(
                error, field=key.split(".")[0].split("[")[0]
            ) from error
        if parsed.limit_unit is SlaUnit.WORKING_DAYS:
            # Every case of the kind, open or finished, is shown with the limit of its works
            # type (its clock, its receipt): a limit some case uses cannot be removed.
            kept = [works.value for works in parsed.works_types]
            in_use = sorted(
                Case.objects.filter(kind=row)
                .exclude(works_type__in=kept)
                .values_list("works_type", flat=True)
                .distinct()
            )
            if in_use:
                used = ", ".join(in_use)
                raise _invalid(
                    "limits",
                    "kind.works_type_in_use",
                    f"已有案件屬於工程類別 {used}，必須保留其處理期限（可修改天數）。",
                    f"Cases have works type {used}; its limit must stay (its days may change).",
                )
        if not isinstance(values["active"], bool) or not isinstance(values["position"], int):
            raise _invalid(
                "active",
                "kind.flags",
                "active/position 格式不正確。",
                "active/position have the wrong type.",
            )
        service_code = values.get("open311_service_code") or None
        if (
            service_code
            and CaseKind.objects.filter(open311_service_code=service_code)
            .exclude(pk=row.pk)
            .exists()
        ):
            raise _invalid(
                "open311_service_code",
                "service_code.taken",
                f"Open311 服務代碼「{service_code}」已被其他類別使用。",
                f"The Open311 service code {service_code!r} is used by another kind.",
            )
        normalised = kind_row_fields(parsed, position=values["position"])
        changed = sorted(
            name for name in KIND_EDITABLE if name in changes and getattr(row, name) != values[name]
        )
        for name, value in normalised.items():
            setattr(row, name, value)
        row.open311_service_code = service_code
        row.response_templates = values["response_templates"]
        row.active = values["active"]
        row.version += 1
        row.updated_at = now
        row.updated_by = _user(actor)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as error:
            raise ConflictError(
                code="catalogue.conflict",
                message=Message(
                    zh_hant="資料衝突，請重新整理後再試。",
                    en="Conflicting change; reload and try again.",
                ),
            ) from error
        audit_record(
            actor=actor,
            verb="catalogue.kind_update",
            target=row,
            details={"changed": changed, "version": row.version},
        )
    return row


def notification_templates_ensure(*, actor: Any = None) -> int:
    """Create the case_progress templates that do not exist yet; returns how many."""
    from powerdesk.notifications.models import NotificationTemplate

    module = importlib.import_module("powerdesk.cases.migrations.0002_notification_templates")
    with transaction.atomic():
        created: int = module.ensure_templates(NotificationTemplate)
        if created:
            audit_record(actor=actor, verb="case.templates_ensure", details={"created": created})
    return created


# --- Open311 partner keys ------------------------------------------------------------------------


def open311_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def open311_client_create(
    *, actor: Any, name: str, service_centre: ServiceCentre | None = None
) -> tuple[Open311Client, str]:
    """A new partner key; the key itself is returned once and never stored."""
    staff_selectors.require(actor, Capability.OPEN311_MANAGE)
    label = _text(name)
    if not label or len(label) > 100:
        raise _invalid(
            "name", "name.required", "請填寫 1–100 字的名稱。", "Enter a name of 1–100 characters."
        )
    key = "o311_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        client = Open311Client.objects.create(
            name=label,
            key_prefix=key[:10],
            key_hash=open311_key_hash(key),
            service_centre=service_centre,
            created_at=timezone.now(),
            created_by=_user(actor),
        )
        audit_record(actor=actor, verb="open311_client.create", target=client)
    return client, key


def open311_client_revoke(*, actor: Any, client: Open311Client) -> Open311Client:
    staff_selectors.require(actor, Capability.OPEN311_MANAGE)
    with transaction.atomic():
        client.active = False
        client.revoked_at = timezone.now()
        client.save(update_fields=["active", "revoked_at"])
        audit_record(actor=actor, verb="open311_client.revoke", target=client)
    return client


# --- Staff notices -----------------------------------------------------------------------------


def staff_notice_read(*, actor: Any, notice_id: int) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDeniedError()
    updated = StaffNotice.objects.filter(
        pk=notice_id, recipient=actor, read_at__isnull=True
    ).update(read_at=timezone.now())
    if not updated and not StaffNotice.objects.filter(pk=notice_id, recipient=actor).exists():
        raise NotFoundError()


__all__ = [
    "ATTACHMENT_TYPES",
    "CASE_NOT_FOUND",
    "CatalogueSyncResult",
    "attachment_dir",
    "case_assign",
    "case_attachment_add",
    "case_bulk_reassign",
    "case_cancel",
    "case_close",
    "case_complete",
    "case_details_update",
    "case_note_add",
    "case_open",
    "case_pause",
    "case_resume",
    "case_supply_date_set",
    "case_transfer",
    "case_transition",
    "catalogue_kind_update",
    "catalogue_sync",
    "notification_templates_ensure",
    "open311_client_create",
    "open311_client_revoke",
    "refresh_sla",
    "sniff_content_type",
    "staff_notice_read",
    "tracking_path",
    "tracking_url",
]
