"""Staff pages of the notification outbox (mounted at /staff/notifications/)."""

from django.urls import URLPattern

app_name = "notifications_staff"

urlpatterns: list[URLPattern] = []
