"""Open311 GeoReport v2 (mounted at /open311/v2/, outside the language prefixes)."""

from django.urls import URLPattern

app_name = "open311"

urlpatterns: list[URLPattern] = []
