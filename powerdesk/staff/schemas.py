from __future__ import annotations

from datetime import datetime

from ninja import Schema


class MeOut(Schema):
    username: str
    display_name: str
    department: str | None
    service_centre: str | None
    capabilities: list[str]


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor: str
    kind: str
    verb: str
    target_type: str
    target_id: str
    ip_address: str | None
    channel: str
    details: dict[str, object]
