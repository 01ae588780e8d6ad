from django.urls import path

from powerdesk.notifications import views

app_name = "notifications"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path("receipts/mitake/<str:token>/", views.mitake_receipt_view, name="mitake_receipt"),
    path("push/", views.push_page_view, name="push"),
    path("push/key/", views.push_key_view, name="push_key"),
    path("push/subscriptions/", views.push_subscribe_view, name="push_subscribe"),
    path("push/test/", views.push_test_view, name="push_test"),
    path("push/unsubscribe/", views.push_unsubscribe_view, name="push_unsubscribe"),
    path("sw.js", views.service_worker_view, name="service_worker"),
]
