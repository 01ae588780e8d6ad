from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "powerdesk.web"
    label = "web"
    verbose_name = "public site"
