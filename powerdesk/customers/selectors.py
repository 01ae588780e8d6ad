"""Reads of customers and accounts, with access checks by department and service centre."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Replace

from powerdesk.core.audit import audit_record
from powerdesk.core.domain.errors import Message
from powerdesk.core.errors import NotFoundError, PermissionDeniedError
from powerdesk.core.models import AuditEvent
from powerdesk.customers.models import Account, Customer, ServiceCentre
from powerdesk.staff import selectors as staff_selectors
from powerdesk.staff.domain import Capability

CUSTOMER_NOT_FOUND = Message(zh_hant="查無此用戶。", en="No such customer.")
ACCOUNT_NOT_FOUND = Message(zh_hant="查無此電號。", en="No such account number.")


def service_centre_list() -> QuerySet[ServiceCentre]:
    return ServiceCentre.objects.order_by("code")


def customer_list_for(actor: Any, *, query: str = "") -> QuerySet[Customer]:
    """Customers the actor may see: all for office-wide staff, else those of their centre."""
    staff_selectors.require(actor, Capability.CUSTOMER_VIEW)
    customers = Customer.objects.select_related("service_centre").order_by("id")
    centre_id = staff_selectors.centre_id_of(actor)
    if centre_id is not None:
        customers = customers.filter(
            Q(service_centre_id=centre_id) | Q(accounts__service_centre_id=centre_id)
        ).distinct()
    if query:
        digits = "".join(ch for ch in query if ch.isdigit())
        condition = (
            Q(name__icontains=query) | Q(email__iexact=query) | Q(id_number__iexact=query.upper())
        )
        if len(digits) >= 6:
            # Phones are stored in display form (0912-345-678, (03)425-1234): compare digits only.
            customers = customers.annotate(
                mobile_digits=Replace("mobile", Value("-"), Value("")),
                landline_digits=Replace(
                    Replace(Replace("landline", Value("-"), Value("")), Value("("), Value("")),
                    Value(")"),
                    Value(""),
                ),
            )
            condition |= Q(mobile_digits__endswith=digits[-9:]) | Q(
                landline_digits__endswith=digits[-7:]
            )
        if len(digits) == 11:
            condition |= Q(accounts__number=digits)
        customers = customers.filter(condition).distinct()
    return customers


def access_customer(actor: Any, customer_id: int) -> Customer:
    """The customer, if the actor may see them; a customer outside their scope looks absent."""
    try:
        customer = Customer.objects.select_related("service_centre").get(pk=customer_id)
    except Customer.DoesNotExist as error:
        raise NotFoundError(what=CUSTOMER_NOT_FOUND) from error
    centres = {
        customer.service_centre_id,
        *customer.accounts.values_list("service_centre_id", flat=True),
    }
    centres.discard(None)
    if not any(
        staff_selectors.may(actor, Capability.CUSTOMER_VIEW, target_centre_id=c)
        for c in centres or {None}
    ):
        raise NotFoundError(what=CUSTOMER_NOT_FOUND)
    return customer


def access_customer_personal(actor: Any, customer_id: int) -> Customer:
    """The customer with permission to see unmasked personal data; the view is audited."""
    customer = access_customer(actor, customer_id)
    if not staff_selectors.may(
        actor, Capability.CUSTOMER_VIEW_PERSONAL, target_centre_id=customer.service_centre_id
    ):
        raise PermissionDeniedError()
    audit_record(
        actor=actor,
        verb="customer.view_personal",
        target=customer,
        kind=AuditEvent.Kind.VIEW_PERSONAL,
    )
    return customer


def access_account(actor: Any, number: str) -> Account:
    try:
        account = Account.objects.select_related("customer", "premise", "service_centre").get(
            number=number
        )
    except Account.DoesNotExist as error:
        raise NotFoundError(what=ACCOUNT_NOT_FOUND) from error
    if not staff_selectors.may(
        actor, Capability.CUSTOMER_VIEW, target_centre_id=account.service_centre_id
    ):
        raise NotFoundError(what=ACCOUNT_NOT_FOUND)
    return account


def account_list_for_customer(customer: Customer) -> QuerySet[Account]:
    return customer.accounts.select_related("premise", "service_centre").order_by("number")
