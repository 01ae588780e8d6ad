"""Staff call lists (mount at /staff/calls/ with namespace ``notifications_calls``)."""

from django.urls import URLPattern, path

from powerdesk.notifications import call_views as views

app_name = "notifications_calls"

urlpatterns: list[URLPattern] = [
    path("", views.call_list_view, name="list"),
    path("export.csv", views.call_export_view, name="export"),
    path("<int:task_id>/", views.call_outcome_view, name="outcome"),
]
