"""Counter cases (CPS): the catalogue of kinds, cases, their timeline, pauses, attachments,
SLA warnings, staff notices and Open311 partner keys.

Writes go through :mod:`powerdesk.cases.actions`, reads through :mod:`powerdesk.cases.selectors`
(see ``.helpers/out/cases_contract.md`` for the contract other modules code against).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from powerdesk.cases.domain.catalogue import (
    ApplicationKind,
    AttributeDatatype,
    AttributeValue,
    Fee,
    KindAttribute,
    LimitBasis,
    RequiredDocument,
    Step,
    WorksType,
)
from powerdesk.cases.domain.sla import PAUSE_REASON_LABELS, PauseReason, SlaState, SlaUnit
from powerdesk.cases.domain.states import STATES, CaseState
from powerdesk.core.domain.errors import Message
from powerdesk.staff.domain import DepartmentCode

OPEN_STATES: Final = tuple(
    state.value for state, info in STATES.items() if info.open311_status.value == "open"
)
"""States of a case still being worked on (``Case.is_open`` is True exactly in these)."""
STATE_CHOICES: Final = [(state.value, info.label.en) for state, info in STATES.items()]
PAUSE_REASON_CHOICES: Final = [
    (reason.value, PAUSE_REASON_LABELS[reason].en) for reason in PauseReason
]


def _message(data: object) -> Message:
    if isinstance(data, dict):
        return Message(zh_hant=str(data.get("zh_hant", "")), en=str(data.get("en", "")))
    return Message(zh_hant="", en="")


def _is_english() -> bool:
    return (get_language() or "").startswith("en")


class CaseKind(models.Model):
    """One application kind of the catalogue (seeded from ``data/catalogue.toml``).

    JSON columns keep the catalogue file's shapes (bilingual texts as ``{"zh_hant", "en"}``):
    ``limits`` ``{"none": 5, "overhead": 25}`` (working days) or ``{"none": 4}`` (hours);
    ``steps`` ``[{"code", "name", "department"}]``; ``documents`` ``[{"code", "name",
    "required", "note"?}]``; ``fees`` ``[{"code", "name", "amount" (int NT$ or null = quoted),
    "note"?}]``; ``attributes`` ``[{"code", "datatype", "required", "description", "order",
    "values": [{"key", "name"}]}]``; ``response_templates`` ``[{"code", "name", "text"}]``.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (zh-Hant)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_zh = models.TextField(_("description (zh-Hant)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    keywords_zh = models.CharField(_("keywords (zh-Hant)"), max_length=200, blank=True)
    keywords_en = models.CharField(_("keywords (English)"), max_length=200, blank=True)
    group = models.CharField(_("group"), max_length=30)
    public = models.BooleanField(_("the public may apply"), default=False)
    open311_service_code = models.CharField(
        _("Open311 service code"), max_length=20, null=True, blank=True, unique=True
    )
    limit_unit = models.CharField(
        _("limit unit"),
        max_length=15,
        choices=[(SlaUnit.WORKING_DAYS.value, _("working days")),
                 (SlaUnit.WORKING_HOURS.value, _("working hours"))],
    )  # fmt: skip
    limits = models.JSONField(_("limits by works type"), default=dict)
    limit_basis = models.CharField(
        _("limit basis"),
        max_length=20,
        choices=[(LimitBasis.OFFICE_POLICY.value, _("office policy")),
                 (LimitBasis.TAIPOWER_PUBLISHED.value, _("published by Taipower"))],
        default=LimitBasis.OFFICE_POLICY.value,
    )  # fmt: skip
    steps = models.JSONField(_("steps"), default=list)
    documents = models.JSONField(_("required documents"), default=list, blank=True)
    fees = models.JSONField(_("fees"), default=list, blank=True)
    attributes = models.JSONField(_("extra questions"), default=list, blank=True)
    response_templates = models.JSONField(_("response templates"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ("position", "code")
        verbose_name = _("application kind")
        verbose_name_plural = _("application kinds")

    def __str__(self) -> str:
        return self.name_en if _is_english() else self.name_zh

    @property
    def name(self) -> Message:
        return Message(zh_hant=self.name_zh, en=self.name_en)

    @property
    def first_department(self) -> str:
        """The department of the first step (who receives a new case)."""
        return str(self.steps[0]["department"]) if self.steps else DepartmentCode.BUSINESS.value

    def as_domain(self) -> ApplicationKind:
        """The row as the pure domain's :class:`ApplicationKind`."""
        unit = SlaUnit(self.limit_unit)
        return ApplicationKind(
            code=self.code,
            name=self.name,
            description=Message(zh_hant=self.description_zh, en=self.description_en),
            group=self.group,
            public=self.public,
            open311_service_code=self.open311_service_code,
            keywords=Message(zh_hant=self.keywords_zh, en=self.keywords_en),
            limit_unit=unit,
            limits=tuple(
                (WorksType(works), int(amount))
                for works, amount in self.limits.items()
                if works in WorksType.__members__.values()
            ),
            limit_basis=LimitBasis(self.limit_basis),
            steps=tuple(
                Step(
                    code=str(step["code"]),
                    name=_message(step.get("name")),
                    department=DepartmentCode(step["department"]),
                )
                for step in self.steps
            ),
            documents=tuple(
                RequiredDocument(
                    code=str(doc["code"]),
                    name=_message(doc.get("name")),
                    required=bool(doc.get("required")),
                    note=_message(doc["note"]) if doc.get("note") else None,
                )
                for doc in self.documents
            ),
            fees=tuple(
                Fee(
                    code=str(fee["code"]),
                    name=_message(fee.get("name")),
                    amount=None if fee.get("amount") is None else _decimal(fee["amount"]),
                    note=_message(fee["note"]) if fee.get("note") else None,
                )
                for fee in self.fees
            ),
            attributes=tuple(
                KindAttribute(
                    code=str(attr["code"]),
                    datatype=AttributeDatatype(attr["datatype"]),
                    required=bool(attr.get("required")),
                    description=_message(attr.get("description")),
                    order=int(attr.get("order", index + 1)),
                    values=tuple(
                        AttributeValue(key=str(value["key"]), name=_message(value.get("name")))
                        for value in attr.get("values", [])
                    ),
                )
                for index, attr in enumerate(self.attributes)
            ),
        )


def _decimal(value: object) -> Decimal:
    return Decimal(str(value))


class Open311Client(models.Model):
    """A partner allowed to POST Open311 requests: its API key is shown once, stored hashed."""

    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(_("key prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(_("active"), default=True)
    service_centre = models.ForeignKey(
        "customers.ServiceCentre",
        verbose_name=_("default service centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Requests whose address matches no centre's districts go here."),
    )
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class Case(models.Model):
    """One application or forwarded call-centre case (= Open311 service request)."""

    class Channel(models.TextChoices):
        COUNTER = "counter", _("Counter")
        WEB = "web", _("Web application")
        PHONE = "phone", _("Phone")
        CALL_CENTRE = "1911", _("1911 call centre (forwarded)")
        MAIL = "mail", _("Mail")
        FAX = "fax", _("Fax")
        API = "api", _("API")
        OPEN311 = "open311", _("Open311")

    # Unique through Meta.constraints: a field's unique=True would add a second, LIKE-pattern
    # index on PostgreSQL that no query uses (both are only ever matched exactly).
    number = models.CharField(_("case number"), max_length=24)
    lookup_token = models.CharField(_("lookup token"), max_length=43)
    # The foreign keys led by a composite index in Meta.indexes need no index of their own.
    kind = models.ForeignKey(
        CaseKind,
        verbose_name=_("kind"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    kind_version = models.PositiveIntegerField(_("catalogue version"), default=1)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Applicant: the customer record if known, and always a snapshot of the contact given.
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    applicant_name = models.CharField(_("applicant"), max_length=120)
    applicant_phone = models.CharField(_("applicant phone"), max_length=30, blank=True)
    applicant_email = models.EmailField(_("applicant e-mail"), max_length=254, blank=True)
    applicant_language = models.CharField(
        _("language"),
        max_length=10,
        choices=[("zh-hant", "繁體中文"), ("en", "English")],
        default="zh-hant",
    )
    phone_last4 = models.CharField(max_length=4, blank=True)
    account = models.ForeignKey(
        "customers.Account",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    account_number = models.CharField(_("account number"), max_length=11, blank=True)
    account_last4 = models.CharField(max_length=4, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    works_type = models.CharField(
        _("works type"),
        max_length=12,
        choices=[(w.value, w.value) for w in WorksType],
        default=WorksType.NONE.value,
    )
    attributes = models.JSONField(_("answers to the kind's questions"), default=dict, blank=True)
    # Workflow
    state = models.CharField(
        _("state"), max_length=20, choices=STATE_CHOICES, default=CaseState.RECEIVED.value
    )
    is_open = models.BooleanField(_("open"), default=True)
    step = models.CharField(_("current step"), max_length=40, blank=True)
    public_note = models.TextField(_("public status note"), blank=True)
    service_centre = models.ForeignKey(
        "customers.ServiceCentre",
        verbose_name=_("service centre"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    department = models.ForeignKey(
        "staff.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
        db_index=False,
    )
    # SLA clock (recomputed by actions and by tasks.sla_recompute)
    received_at = models.DateTimeField(_("received"))
    due_at = models.DateTimeField(_("due"))
    sla_state = models.CharField(
        _("SLA state"),
        max_length=10,
        choices=[(s.value, s.value) for s in SlaState],
        default=SlaState.RUNNING.value,
    )
    sla_share_used = models.DecimalField(
        _("share of the time used"), max_digits=8, decimal_places=4, default=0
    )
    sla_computed_at = models.DateTimeField(_("SLA computed"), null=True, blank=True)
    sla_warned_percent = models.PositiveSmallIntegerField(_("highest warning sent (%)"), default=0)
    paused = models.BooleanField(_("clock paused"), default=False)
    actual_working_days = models.PositiveIntegerField(
        _("actual working days"), null=True, blank=True
    )
    # 約定供電日期
    supply_date = models.DateField(_("agreed supply date"), null=True, blank=True)
    supply_date_agreed_at = models.DateTimeField(_("supply date agreed"), null=True, blank=True)
    supply_date_agreed_by = models.CharField(_("agreed with (how)"), max_length=200, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    queue_ticket_ref = models.CharField(_("queue ticket"), max_length=40, blank=True)
    # Open311 request fields (service_request_id is ``number``)
    open311_client = models.ForeignKey(
        Open311Client, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    requester_first_name = models.CharField(max_length=60, blank=True)
    requester_last_name = models.CharField(max_length=60, blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    requester_account_id = models.CharField(max_length=100, blank=True)
    address_id = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ("-received_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=("number",), name="case_number_unique"),
            models.UniqueConstraint(fields=("lookup_token",), name="case_lookup_token_unique"),
        ]
        # Staff search matches names, phones and addresses by substring: no b-tree index helps
        # it, so those columns have none (each index is paid for on every write).
        indexes = [
            models.Index(fields=("service_centre", "state"), name="case_centre_state_idx"),
            models.Index(fields=("department", "state"), name="case_dept_state_idx"),
            models.Index(fields=("assignee", "state"), name="case_assignee_state_idx"),
            models.Index(fields=("due_at",), name="case_open_due_idx", condition=Q(is_open=True)),
            models.Index(fields=("account_number",), name="case_account_idx"),
            models.Index(fields=("kind", "completed_at"), name="case_kind_completed_idx"),
            models.Index(fields=("received_at",), name="case_received_idx"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.number

    @property
    def service_request_id(self) -> str:
        return self.number

    @property
    def state_enum(self) -> CaseState:
        return CaseState(self.state)


class CaseSerial(models.Model):
    """The last serial handed out per service centre and local receipt day."""

    service_centre = models.ForeignKey(
        "customers.ServiceCentre", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("service_centre", "day"), name="case_serial_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service_centre_id} {self.day} {self.last}"


class CaseEvent(models.Model):
    """One line of a case's timeline. ``public`` lines are shown to the applicant."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Received")
        STATE = "state", _("State change")
        ASSIGN = "assign", _("Assigned")
        TRANSFER = "transfer", _("Transferred")
        NOTE = "note", _("Note")
        PAUSE = "pause", _("Clock paused")
        RESUME = "resume", _("Clock resumed")
        SUPPLY_DATE = "supply_date", _("Supply date agreed")
        ATTACHMENT = "attachment", _("Attachment")
        NOTICE = "notice", _("Customer notified")
        ESCALATION = "escalation", _("Time-limit warning")
        EDIT = "edit", _("Details changed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    public = models.BooleanField(_("public"), default=False)
    text_zh = models.TextField(_("text (zh-Hant)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    note = models.TextField(_("note"), blank=True)
    state_from = models.CharField(max_length=20, blank=True)
    state_to = models.CharField(max_length=20, blank=True)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ("at", "id")
        indexes = [models.Index(fields=("case", "at"), name="case_event_case_at_idx")]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def text(self) -> Message:
        return Message(zh_hant=self.text_zh, en=self.text_en)


class CasePause(models.Model):
    """An interval during which the SLA clock is stopped; ``ended_at`` empty while paused."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(_("reason"), max_length=20, choices=PAUSE_REASON_CHOICES)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    missing = models.JSONField(_("what is missing"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("started_at", "id")
        indexes = [models.Index(fields=("case", "started_at"), name="case_pause_case_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=("case",), condition=Q(ended_at__isnull=True), name="case_one_open_pause"
            )
        ]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")

    def __str__(self) -> str:
        return f"{self.case_id} {self.reason}"


class CaseAttachment(models.Model):
    """A file stored outside the web root (``settings.POWERDESK_CASE_ATTACHMENT_DIR``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    storage_name = models.CharField(max_length=80, unique=True)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ("uploaded_at", "id")
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class CaseEscalation(models.Model):
    """A time-limit warning already sent: one row per case and threshold (idempotent)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    percent = models.PositiveSmallIntegerField(_("threshold (%)"))
    roles = models.JSONField(default=list)
    at = models.DateTimeField(_("sent"))

    class Meta:
        ordering = ("case", "percent")
        constraints = [
            models.UniqueConstraint(fields=("case", "percent"), name="case_escalation_once")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.percent}%"


class StaffNotice(models.Model):
    """A message to a member of staff (SLA warnings, daily digests), shown on their pages."""

    class Kind(models.TextChoices):
        SLA_WARNING = "sla_warning", _("Time-limit warning")
        DIGEST = "digest", _("Daily digest")
        ASSIGNED = "assigned", _("Case assigned to you")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_notices"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="staff_notices"
    )
    key = models.CharField(max_length=120, unique=True)
    subject_zh = models.CharField(max_length=200)
    subject_en = models.CharField(max_length=200)
    body_zh = models.TextField(blank=True)
    body_en = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("recipient", "read_at"), name="staff_notice_unread_idx"),
        ]
        verbose_name = _("staff notice")
        verbose_name_plural = _("staff notices")

    def __str__(self) -> str:
        return self.key

    @property
    def subject(self) -> Message:
        return Message(zh_hant=self.subject_zh, en=self.subject_en)


def _message_json(message: Message | None) -> dict[str, str] | None:
    return None if message is None else {"zh_hant": message.zh_hant, "en": message.en}


def kind_row_fields(kind: ApplicationKind, *, position: int) -> dict[str, object]:
    """The CaseKind column values for a domain kind (used by catalogue sync and migrations)."""
    documents = []
    for document in kind.documents:
        row: dict[str, object] = {
            "code": document.code,
            "name": _message_json(document.name),
            "required": document.required,
        }
        if document.note is not None:
            row["note"] = _message_json(document.note)
        documents.append(row)
    fees = []
    for fee in kind.fees:
        fee_row: dict[str, object] = {
            "code": fee.code,
            "name": _message_json(fee.name),
            "amount": None if fee.amount is None else int(fee.amount),
        }
        if fee.note is not None:
            fee_row["note"] = _message_json(fee.note)
        fees.append(fee_row)
    return {
        "name_zh": kind.name.zh_hant,
        "name_en": kind.name.en,
        "description_zh": kind.description.zh_hant,
        "description_en": kind.description.en,
        "keywords_zh": kind.keywords.zh_hant,
        "keywords_en": kind.keywords.en,
        "group": kind.group,
        "public": kind.public,
        "open311_service_code": kind.open311_service_code,
        "limit_unit": kind.limit_unit.value,
        "limits": {works.value: amount for works, amount in kind.limits},
        "limit_basis": kind.limit_basis.value,
        "steps": [
            {"code": s.code, "name": _message_json(s.name), "department": s.department.value}
            for s in kind.steps
        ],
        "documents": documents,
        "fees": fees,
        "attributes": [
            {
                "code": a.code,
                "datatype": a.datatype.value,
                "required": a.required,
                "description": _message_json(a.description),
                "order": a.order,
                "values": [{"key": v.key, "name": _message_json(v.name)} for v in a.values],
            }
            for a in kind.attributes
        ],
        "position": position,
    }
