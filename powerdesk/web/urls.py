from django.urls import path

from powerdesk.web import views

app_name = "web"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("service-centres/", views.service_centres_view, name="service_centres"),
    path("accessibility/", views.accessibility_view, name="accessibility"),
]
