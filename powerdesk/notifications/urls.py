from django.urls import path

from powerdesk.notifications import views

app_name = "notifications"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path("receipts/mitake/<str:token>/", views.mitake_receipt_view, name="mitake_receipt"),
]
