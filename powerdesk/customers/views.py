"""Staff pages for customers: search (masked), detail, and the audited unmasked view."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from powerdesk.core.errors import ApplicationError, NotFoundError
from powerdesk.customers import selectors
from powerdesk.customers.api import account_out, customer_out
from powerdesk.staff import selectors as staff_selectors
from powerdesk.staff.domain import Capability


@login_required
@vary_on_headers("HX-Request")
def customer_list_view(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    try:
        customers = selectors.customer_list_for(request.user, query=query)
    except ApplicationError:
        return render(request, "web/403.html", status=403)
    page = Paginator(customers, 25).get_page(request.GET.get("page"))
    rows = [customer_out(c, unmasked=False) for c in page.object_list]
    template = (
        "customers/partials/_results.html"
        if request.headers.get("HX-Request")
        else "customers/list.html"
    )
    return render(request, template, {"q": query, "page": page, "rows": rows})


def _detail(request: HttpRequest, customer_id: int, *, unmasked: bool) -> HttpResponse:
    try:
        if unmasked:
            customer = selectors.access_customer_personal(request.user, customer_id)
        else:
            customer = selectors.access_customer(request.user, customer_id)
    except NotFoundError:
        return render(request, "web/404.html", status=404)
    except ApplicationError:
        return render(request, "web/403.html", status=403)
    accounts = [account_out(a) for a in selectors.account_list_for_customer(customer)]
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer_out(customer, unmasked=unmasked),
            "accounts": accounts,
            "unmasked": unmasked,
            "can_view_personal": staff_selectors.may(
                request.user,
                Capability.CUSTOMER_VIEW_PERSONAL,
                target_centre_id=customer.service_centre_id,
            ),
        },
    )


@login_required
def customer_detail_view(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _detail(request, customer_id, unmasked=False)


@login_required
@require_POST
def customer_personal_view(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Unmasked personal data: POST only (a deliberate act), and audited by the selector."""
    return _detail(request, customer_id, unmasked=True)
