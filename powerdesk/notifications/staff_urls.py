"""Staff pages of the notification outbox (mounted at /staff/notifications/)."""

from django.urls import URLPattern, path

from powerdesk.notifications import staff_views as views

app_name = "notifications_staff"

urlpatterns: list[URLPattern] = [
    path("", views.outbox_overview_view, name="overview"),
    path("messages/", views.outbox_list_view, name="list"),
    path("dead/", views.outbox_dead_view, name="dead"),
    path("messages/<int:message_id>/", views.outbox_detail_view, name="detail"),
    path("messages/<int:message_id>/content/", views.outbox_content_view, name="content"),
    path("messages/<int:message_id>/resend/", views.outbox_resend_view, name="resend"),
    path("customers/<int:customer_id>/", views.customer_history_view, name="customer_history"),
]
