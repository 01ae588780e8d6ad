"""Shapes of the staff outbox API."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class MessageOut(Schema):
    """An outbox message as staff see it. Unless ``masked`` is false, the recipient and customer
    name are masked, the subject and text are left out, and the recipient is blanked out of
    error texts."""

    id: int
    status: str
    channel: str
    purpose: str
    recipient: str
    customer_id: int | None
    customer_name: str
    service_centre: str | None
    account_number: str
    language: str
    subject: str
    attempts: int
    max_attempts: int
    resend_count: int
    provider: str
    provider_message_id: str
    delivery_status: str
    last_error: str
    requested_by: str
    created_at: datetime
    not_before: datetime
    first_attempt_at: datetime | None
    last_attempt_at: datetime | None
    sent_at: datetime | None
    delivered_at: datetime | None
    masked: bool


class AttemptOut(Schema):
    number: int
    worker_id: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    error: str
    provider_message_id: str


class ReceiptOut(Schema):
    provider: str
    provider_message_id: str
    status: str
    status_text: str
    occurred_at: datetime | None
    received_at: datetime


class MessageDetailOut(MessageOut):
    body_text: str
    sms_parts: list[str]
    attempt_log: list[AttemptOut]
    receipts: list[ReceiptOut]
    may_resend: bool


class StatusCountsOut(Schema):
    queued: int
    sending: int
    sent: int
    failed: int
    dead: int
    total: int
