"""Staff case pages: intake, queues, case page, dashboard (mounted at /staff/cases/)."""

from django.urls import URLPattern

app_name = "cases_staff"

urlpatterns: list[URLPattern] = []
