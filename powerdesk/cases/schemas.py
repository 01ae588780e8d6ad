"""Shapes of the cases API (/api/v1/cases): staff case lists and pages, writes, public lookup."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class CaseOut(Schema):
    """A case in a staff list; the applicant's personal data is masked."""

    number: str
    kind: str
    kind_name: str
    channel: str
    state: str
    state_label: str
    is_open: bool
    open311_status: str
    applicant_name: str
    applicant_phone: str
    account_number: str
    address: str
    service_centre: str
    department: str
    assignee: str | None
    step: str
    received_at: datetime
    due_at: datetime
    sla_state: str
    sla_label: str
    sla_css: str
    sla_share_percent: int
    paused: bool
    supply_date: date | None
    completed_at: datetime | None
    masked: bool


class TimelineEntryOut(Schema):
    at: datetime
    kind: str
    text: str
    note: str
    actor: str
    public: bool


class MissingItemOut(Schema):
    code: str | None
    text: str


class PauseOut(Schema):
    reason: str
    reason_label: str
    started_at: datetime
    ended_at: datetime | None
    missing: list[MissingItemOut]
    note: str


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    description: str
    uploaded_at: datetime
    uploaded_by: str


class CaseDetailOut(CaseOut):
    """One case with its timeline, pauses and attachments (staff)."""

    description: str
    works_type: str
    attributes: dict[str, Any]
    public_note: str
    status_notes: str
    supply_date_agreed_by: str
    actual_working_days: int | None
    queue_ticket_ref: str
    may_work: bool
    may_assign: bool
    allowed_states: list[str]
    timeline: list[TimelineEntryOut]
    pauses: list[PauseOut]
    attachments: list[AttachmentOut]


class CaseOpenIn(Schema):
    kind: str = Field(max_length=40, description="application kind code, e.g. new_supply")
    applicant_name: str = Field(max_length=120)
    applicant_phone: str = Field("", max_length=30)
    applicant_email: str = Field("", max_length=254)
    applicant_language: str = Field("zh-hant", description="zh-hant | en")
    account_number: str = Field("", max_length=20, description="電號, 11 digits")
    address: str = Field("", max_length=200)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    description: str = Field("", max_length=4000)
    works_type: str = Field("none", description="none | overhead | underground")
    attributes: dict[str, Any] = Field(
        default_factory=dict, description="answers to the kind's questions, by attribute code"
    )
    service_centre: str | None = Field(None, description="service centre code")
    received_at: datetime | None = Field(
        None, description="when the application was received (staff; at most 30 days ago)"
    )
    queue_ticket_ref: str = Field("", max_length=40)


class TransitionIn(Schema):
    state: str = Field(max_length=20)
    public_note: str = Field("", max_length=4000)
    note: str = Field("", max_length=4000)
    missing: list[str] = Field(
        default_factory=list,
        description="awaiting_documents: document codes of the checklist or free text",
    )


class NoteIn(Schema):
    text: str = Field(max_length=4000)
    public: bool = False


class PauseIn(Schema):
    reason: str = Field(
        description="documents_missing | customer_request | road_permit | other_agency"
    )
    missing: list[str] = Field(default_factory=list)
    note: str = Field("", max_length=4000)


class ResumeIn(Schema):
    note: str = Field("", max_length=4000)
    state: str | None = None


class AssignIn(Schema):
    assignee: str | None = Field(None, description="username; null to unassign")


class TransferIn(Schema):
    department: str = Field(max_length=20)
    step: str = Field("", max_length=40)
    assignee: str | None = None
    note: str = Field("", max_length=4000)


class SupplyDateIn(Schema):
    supply_date: date
    agreed_by: str = Field(max_length=200, description="who agreed and how")
    note: str = Field("", max_length=4000)


class LookupIn(Schema):
    number: str = Field(max_length=40, description="case number, e.g. TY-20260302-0042-7")
    last4: str = Field(
        max_length=12, description="last four digits of the applicant's phone or of the 電號"
    )


class DocumentOut(Schema):
    code: str
    name: str
    required: bool
    note: str


class PublicTimelineEntryOut(Schema):
    at: datetime
    kind: str
    text: str
    note: str


class PublicCaseOut(Schema):
    """What the applicant sees: no names, phones or addresses in full."""

    number: str
    kind_name: str
    channel: str
    received_at: datetime
    state: str
    state_label: str
    status_notes: str
    public_note: str
    is_open: bool
    expected_date: date | None
    paused: bool
    pending: list[str]
    supply_date: date | None
    completed_at: datetime | None
    applicant: str
    address: str
    documents: list[DocumentOut]
    timeline: list[PublicTimelineEntryOut]
