from django.urls import path

from powerdesk.tariffs import views

app_name = "tariffs"

urlpatterns = [
    path("", views.tariff_calculator_view, name="calculator"),
]
