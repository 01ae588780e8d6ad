"""Open311 GeoReport v2 (mounted at /open311/v2/, outside the language prefixes).

Every resource takes its format as the file extension (``services.xml``, ``services.json``);
anything else under the prefix answers the spec's 404 error document.
"""

from django.urls import URLPattern, path, re_path

from powerdesk.cases import open311_views as views

app_name = "open311"

_FORMAT = r"\.(?P<fmt>[A-Za-z0-9]+)$"

urlpatterns: list[URLPattern] = [
    path("", views.not_found_view, name="root"),
    re_path(r"^discovery" + _FORMAT, views.discovery_view, name="discovery"),
    re_path(r"^services" + _FORMAT, views.services_view, name="services"),
    re_path(
        r"^services/(?P<service_code>[^/]+?)" + _FORMAT,
        views.service_definition_view,
        name="service_definition",
    ),
    re_path(r"^requests" + _FORMAT, views.requests_view, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[^/]+?)" + _FORMAT,
        views.request_view,
        name="request",
    ),
    re_path(r"^tokens/(?P<token>[^/]+?)" + _FORMAT, views.token_view, name="token"),
    re_path(r"^(?P<path>.*)$", views.not_found_view, name="not_found"),
]
