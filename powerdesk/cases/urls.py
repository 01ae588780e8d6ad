"""Public case pages: application form and progress lookup (mounted at /cases/)."""

from django.urls import URLPattern

app_name = "cases"

urlpatterns: list[URLPattern] = []
