"""Public platform endpoints: address normalisation."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.throttling import AnonRateThrottle

from powerdesk.core.domain import addresses
from powerdesk.core.domain.errors import DomainError, FieldProblem, Message
from powerdesk.core.errors import InvalidInputError
from powerdesk.core.schemas import AddressNormalizeOut

router = Router(tags=["addresses"])


class AddressQuery(Schema):
    q: str = ""
    city: str | None = None


@router.get("/normalize", response=AddressNormalizeOut, throttle=[AnonRateThrottle("600/m")])
def address_normalize_api(request: HttpRequest, query: Query[AddressQuery]) -> dict[str, Any]:
    """Parse a Taiwanese address into components and its one canonical form."""
    if len(query.q) > 300:
        raise InvalidInputError(
            [
                FieldProblem(
                    field="q",
                    code="address.too_long",
                    message=Message(
                        zh_hant="地址最多 300 字。",
                        en="The address may have at most 300 characters.",
                    ),
                )
            ]
        )
    try:
        parsed = addresses.parse_address(query.q, default_city=query.city or None)
    except DomainError as error:
        raise InvalidInputError.from_domain(error, field="q") from error
    return {
        "input": query.q,
        "canonical": parsed.canonical,
        "canonical_street": parsed.canonical_street,
        "components": parsed.components(),
    }
