"""Customer and account endpoints (staff) and the public list of service centres."""

from typing import Any

from ninja import Router
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from powerdesk.api import ApiRequest, staff_auth
from powerdesk.core.domain import identifiers, masking
from powerdesk.core.domain.errors import FieldProblem, Message
from powerdesk.core.errors import InvalidInputError, NotFoundError
from powerdesk.core.pagination import MappedQuerySet
from powerdesk.customers import actions, selectors
from powerdesk.customers.models import Account, Customer, ServiceCentre
from powerdesk.customers.schemas import (
    AccountOpenIn,
    AccountOut,
    CustomerCreateIn,
    CustomerOut,
    ServiceCentreOut,
)

router = Router(tags=["customers"])


def customer_out(customer: Customer, *, unmasked: bool) -> dict[str, Any]:
    organisation = customer.kind == Customer.Kind.ORGANISATION
    return {
        "id": customer.pk,
        "kind": customer.kind,
        "name": customer.name
        if unmasked
        else masking.mask_name(customer.name, is_organisation=organisation),
        "id_kind": customer.id_kind,
        "id_number": customer.id_number
        if unmasked or organisation
        else masking.mask_national_id(customer.id_number),
        "mobile": customer.mobile if unmasked else masking.mask_phone(customer.mobile),
        "landline": customer.landline if unmasked else masking.mask_phone(customer.landline),
        "email": customer.email if unmasked else masking.mask_email(customer.email),
        "preferred_language": customer.preferred_language,
        "service_centre": customer.service_centre.code if customer.service_centre else None,
        "masked": not unmasked,
    }


def account_out(account: Account) -> dict[str, Any]:
    return {
        "number": account.number,
        "number_display": identifiers.format_account_number(account.number),
        "customer_id": account.customer_id,
        "address": account.premise.address,
        "district": account.premise.district,
        "service_centre": account.service_centre.code,
        "tariff_class": account.tariff_class,
        "phase": account.phase,
        "meter_amperes": account.meter_amperes,
        "billing_cycle": account.billing_cycle,
        "load_shedding_group": account.load_shedding_group,
        "feeder_code": account.feeder_code,
        "life_support": account.life_support,
        "status": account.status,
        "opened_on": account.opened_on,
    }


def _centre(code: str | None, *, field: str = "service_centre") -> ServiceCentre | None:
    if not code:
        return None
    centre = ServiceCentre.objects.filter(code=code).first()
    if centre is None:
        raise InvalidInputError(
            [
                FieldProblem(
                    field=field,
                    code="service_centre.unknown",
                    message=Message(
                        zh_hant=f"查無服務中心代碼「{code}」。",
                        en=f"No service centre with code '{code}'.",
                    ),
                )
            ]
        )
    return centre


@router.get("/service-centres", response=list[ServiceCentreOut], tags=["service centres"])
def service_centre_list_api(request: ApiRequest) -> Any:
    """Public: the office's service centres with their opening hours."""
    return list(selectors.service_centre_list())


@router.get("/customers", response=list[CustomerOut], auth=staff_auth)
@paginate(PageNumberPagination, page_size=50)
def customer_list_api(request: ApiRequest, q: str = "") -> Any:
    """Customers in the caller's scope, masked. Search by name, ID, phone, e-mail or 電號."""
    return MappedQuerySet(
        selectors.customer_list_for(request.auth, query=q[:100]),
        lambda c: customer_out(c, unmasked=False),
    )


@router.get("/customers/{customer_id}", response=CustomerOut, auth=staff_auth)
def customer_get_api(request: ApiRequest, customer_id: int, unmasked: bool = False) -> Any:
    """One customer; ``unmasked=true`` needs the personal-data capability and is audited."""
    if unmasked:
        return customer_out(
            selectors.access_customer_personal(request.auth, customer_id), unmasked=True
        )
    return customer_out(selectors.access_customer(request.auth, customer_id), unmasked=False)


@router.post("/customers", response={201: CustomerOut}, auth=staff_auth)
def customer_create_api(request: ApiRequest, payload: CustomerCreateIn) -> Any:
    customer = actions.customer_create(
        actor=request.auth,
        kind=payload.kind,
        name=payload.name,
        id_kind=payload.id_kind,
        id_number=payload.id_number,
        mobile=payload.mobile,
        landline=payload.landline,
        email=payload.email,
        preferred_language=payload.preferred_language,
        service_centre=_centre(payload.service_centre),
        consents=payload.consents,
        source="api",
    )
    return Status(201, customer_out(customer, unmasked=False))


@router.get("/customers/{customer_id}/accounts", response=list[AccountOut], auth=staff_auth)
def customer_accounts_api(request: ApiRequest, customer_id: int) -> Any:
    customer = selectors.access_customer(request.auth, customer_id)
    return [account_out(a) for a in selectors.account_list_for_customer(customer)]


@router.get("/accounts/{number}", response=AccountOut, auth=staff_auth)
def account_get_api(request: ApiRequest, number: str) -> Any:
    """One account by 電號 (digits, or XX-XX-XXXX-XX-X)."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) != 11:
        raise NotFoundError(what=selectors.ACCOUNT_NOT_FOUND)
    return account_out(selectors.access_account(request.auth, digits))


@router.post("/accounts", response={201: AccountOut}, auth=staff_auth)
def account_open_api(request: ApiRequest, payload: AccountOpenIn) -> Any:
    customer = selectors.access_customer(request.auth, payload.customer_id)
    centre = _centre(payload.service_centre)
    if centre is None:
        raise InvalidInputError(
            [
                FieldProblem(
                    field="service_centre",
                    code="service_centre.required",
                    message=Message(zh_hant="請選擇服務中心。", en="Choose a service centre."),
                )
            ]
        )
    account = actions.account_open(
        actor=request.auth,
        customer=customer,
        number=payload.number,
        address=payload.address,
        service_centre=centre,
        tariff_class=payload.tariff_class,
        phase=payload.phase,
        meter_amperes=payload.meter_amperes,
        billing_cycle=payload.billing_cycle,
        load_shedding_group=payload.load_shedding_group,
        feeder_code=payload.feeder_code,
        life_support=payload.life_support,
        tax_exempt=payload.tax_exempt,
        latitude=payload.latitude,
        longitude=payload.longitude,
    )
    return Status(201, account_out(account))
