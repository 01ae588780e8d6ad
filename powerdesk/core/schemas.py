from __future__ import annotations

from ninja import Schema


class AddressComponentsOut(Schema):
    postal_code: str | None
    city: str | None
    district: str | None
    village: str | None
    neighborhood: int | None
    road: str | None
    section: int | None
    lane: str | None
    alley: str | None
    number: str | None
    floor: int | None
    floor_sub: int | None
    room: str | None
    extra: str | None


class AddressNormalizeOut(Schema):
    input: str
    canonical: str
    canonical_street: str
    components: AddressComponentsOut
